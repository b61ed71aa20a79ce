// `sts-policy explore` through the built CLI without a terminal: it refuses (exit 2) and points at
// `simulate`; and neither that refusal nor `lint` loads Ink or React (they live in lazy chunks).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli } from './helpers/cli.js';
import { claimsForm } from '../src/cli/explore.js';
import { formClaims, formNote } from '../src/tui/claims-form.js';

const EXAMPLE = 'fixtures/examples/acme/terraform-modules';
const tmp = mkdtempSync(join(tmpdir(), 'sts-explore-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The files of the bundle that hold Ink or React. */
function uiChunks(): string[] {
  const dir = join(ROOT, 'dist');
  const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : /\.[cm]js$/.test(e.name) ? [join(d, e.name)] : []));
  return files(dir).filter((f) => {
    const text = readFileSync(f, 'utf8');
    return text.includes('Raw mode is not supported') || text.includes('react.transitional.element');
  });
}

/** Runs the CLI (or another script) with an ES-module load hook; returns the bundle files it loaded. */
function loadedFiles(args: string[], name: string, script = CLI): { code: number | null; stderr: string; loaded: string[] } {
  const trace = join(tmp, `${name}.txt`);
  const hooks = `data:text/javascript,${encodeURIComponent("import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(process.env.STS_TRACE, url + '\\n'); return next(url, context); }")}`;
  const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hooks)});`)}`;
  const r = spawnSync(process.execPath, ['--import', register, script, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, STS_TRACE: trace, NO_COLOR: '1' }, timeout: 60_000 });
  // The CLI itself is CommonJS (run from a code cache): a run that imports no ES module writes no trace.
  const urls = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter((u) => u.startsWith('file:')) : [];
  return { code: r.status, stderr: r.stderr, loaded: urls.map((u) => fileURLToPath(u)) };
}

describe('explore without a terminal', () => {
  it('exits 2 and points at sts-policy simulate', () => {
    const r = runCli(['explore', EXAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('explore is interactive and needs a terminal');
    expect(r.stderr).toContain('sts-policy simulate');
  });

  it('is listed in the help with its options', () => {
    const r = runCli(['explore', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--claims <file>');
    expect(r.stdout).toContain('--policy-name <name>');
  });
});

describe('explore --claims', () => {
  it('starts the editor from a claims JSON', () => {
    const file = join(tmp, 'claims.json');
    writeFileSync(file, JSON.stringify({ sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', actor: 'octocat', run_id: '7' }));
    const form = claimsForm(file);
    expect(formClaims(form)).toEqual({ sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', actor: 'octocat', run_id: '7' });
    expect(formNote(form)).toContain(`from ${file}`);
  });

  it('decodes a JWT file locally and keeps no copy of the token', () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'RS256' })}.${b64({ sub: 'repo:acme/app:environment:prod', environment: 'prod' })}.c2lnbmF0dXJl`;
    const file = join(tmp, 'token.jwt');
    writeFileSync(file, `${token}\n`);
    const form = claimsForm(file);
    expect(formClaims(form)).toEqual({ sub: 'repo:acme/app:environment:prod', environment: 'prod' });
    expect(formNote(form)).toContain('a JWT: decoded locally, not verified');
    expect(JSON.stringify(form)).not.toContain(token.split('.')[1]!);
  });
});

describe('Ink and React load only for explore', () => {
  const chunks = uiChunks();

  it('are in the bundle, in ES modules of their own, not in the CLI bundle', () => {
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.map((c) => c.replace(`${ROOT}/`, ''))).not.toContain('dist/cli-main.cjs');
  });

  it('lint never loads them (the hook does see them when the UI module loads)', () => {
    const r = loadedFiles(['lint', `${EXAMPLE}/.atmos/pro/sts/default.yaml`], 'lint');
    expect(r.code).toBe(0);
    expect(r.loaded.filter((f) => chunks.includes(f))).toEqual([]);
    const ui = loadedFiles([], 'ui', join(ROOT, 'dist/tui.mjs'));
    expect(ui.code).toBe(0);
    expect(ui.loaded.filter((f) => chunks.includes(f)).length).toBeGreaterThan(0);
  });

  it('explore refuses a pipe before loading them', () => {
    const r = loadedFiles(['explore', EXAMPLE], 'explore');
    expect(r.code).toBe(2);
    expect(r.loaded.filter((f) => chunks.includes(f))).toEqual([]);
  });
});
