// The executable (dist/cli.cjs) runs the CLI bundle from the V8 code cache the build stored. The
// cache must be one this Node accepts, and a missing or foreign cache must change nothing but speed.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from './helpers/cli.js';

// Inside the repository, so the bundle still finds node_modules (the RE2 engine loads from there).
const copy = join(ROOT, 'node_modules', '.cache', `sts-launcher-test-${process.pid}`);
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const FIXTURES = join(ROOT, 'fixtures');
const run = (cli: string, args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, STS_POLICY_DEBUG: '1', NO_COLOR: '1' } });
const NOTE = /no usable code cache/;

/** A copy of the executable and bundle with the given cache (undefined: none). */
function distWith(name: string, cache: Buffer | undefined): string {
  const dir = join(copy, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['cli.cjs', 'cli-main.cjs']) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
  if (cache) writeFileSync(join(dir, 'cli-main.cjs.cache'), cache);
  return join(dir, 'cli.cjs');
}

describe('the code cache', () => {
  const reference = run(CLI, ['lint', '--format', 'json', FIXTURES]);

  it('is accepted by the Node that built it', () => {
    expect(reference.status).toBe(1);
    expect(reference.stderr).not.toMatch(NOTE);
    expect(JSON.parse(reference.stdout).summary.files).toBeGreaterThan(10);
  });

  it('when missing or foreign, changes nothing but speed (and says so in debug mode)', () => {
    for (const [name, cache] of [['none', undefined], ['foreign', Buffer.from('not a V8 code cache'.repeat(50))]] as const) {
      const r = run(distWith(name, cache), ['lint', '--format', 'json', FIXTURES]);
      expect(r.stderr, name).toMatch(NOTE);
      expect(r.status, name).toBe(reference.status);
      expect(r.stdout, name).toBe(reference.stdout);
    }
  });
});
