// The one end-to-end test of `explore` in a real terminal: the built CLI runs in a detached tmux
// session (100x30), a subject is typed, the screen must show the rule flip to matching and the
// outcome minted; `q` must end the process and restore the screen. Every wait has a deadline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from './helpers/cli.js';

const EXAMPLE = 'fixtures/examples/acme/terraform-modules';
const tmp = mkdtempSync(join(tmpdir(), 'sts-explore-tmux-'));
const socket = join(tmp, 'tmux.sock');
const SESSION = 'explore';

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? 'tmux is not installed: the explore end-to-end test needs it (apt-get install -y tmux)' : `tmux ${args[0]}: ${r.error.message}`);
  }
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const screen = () => tmux('capture-pane', '-p', '-t', SESSION);

/** Polls the pane until `ok` holds; fails with what the screen shows at the deadline. */
async function until(ok: (text: string) => boolean, what: string, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = screen();
    if (ok(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; the screen shows:\n${text}`);
    await sleep(100);
  }
}

/** A control key, alone in its own send-keys call, then a pause (as a person would type it). */
async function key(name: string): Promise<void> {
  tmux('send-keys', '-t', SESSION, name);
  await sleep(100);
}

afterAll(() => {
  spawnSync('tmux', ['-S', socket, 'kill-server'], { timeout: 10_000 });
  rmSync(tmp, { recursive: true, force: true });
});

describe('explore in a real terminal (tmux)', () => {
  it('shows the rule flip to matching as a subject is typed, and quits on q', async () => {
    // The shell prints explore's exit status once it has ended (then idles until the server is killed).
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} explore ${EXAMPLE}; echo "[explore exited with status $?]"; exec sleep 600`;
    tmux('new-session', '-d', '-x', '100', '-y', '30', '-s', SESSION, '-c', ROOT, command);
    const first = await until((s) => s.includes('Policies') && s.includes('trust_policy_denied'), 'the first screen');
    expect(first).toMatch(/✗ denied +acme\/terraform-modules/);
    expect(first).toMatch(/✗ rule 1 L10/);

    tmux('send-keys', '-t', SESSION, '-l', 'repo:acme/infra:ref:refs/heads/main');
    const minted = await until((s) => s.includes('✓ rule 1'), 'rule 1 to match');
    expect(minted).toContain('✓ rule 1 L10 matches, decides the grant');
    expect(minted).toContain('minted with contents: read, metadata: read');
    expect(minted).toMatch(/✓ minted +acme\/terraform-modules/);
    expect(minted).toMatch(/repository +acme\/infra/);

    await key('Tab');
    await until((s) => s.includes('▶ Policies'), 'the Policies pane');
    await key('q');
    const after = await until((s) => s.includes('[explore exited with status'), 'explore to exit after q', 10_000);
    expect(after).toContain('[explore exited with status 0]');
    // The alternate screen is gone: the terminal shows what it showed before.
    expect(after).not.toContain('Policies');
  });
});
