// The Action run as a runner runs it: every step of action.yml, in order, with bash as GitHub starts
// it (`bash --noprofile --norc -eo pipefail`), from a copy of this repository as $GITHUB_ACTION_PATH
// (no node_modules, no dist: the install step must make them), in a pull_request job's environment
// (event file, $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, $RUNNER_TEMP) against a fake GitHub API.
// It measures the install (size and time) and holds it to the lean bar: no devDependency installed.
// The install step uses the npm registry (or npm's cache).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spawnAsync } from './helpers/cli.js';
import { action } from './helpers/action.js';
import { startFakeGithub, type FakeGithub } from './helpers/fake-github.js';
import { tempDirs } from './helpers/temp.js';

const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
const temp = tempDirs('sts-policy-action-run-');
const TOKEN = 'ghs_ActionRunT0ken_never_printed_0123456789';
const servers: FakeGithub[] = [];
afterAll(async () => {
  while (servers.length) await servers.pop()!.close();
});

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();
}

const policy = (match: string) =>
  `# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json\napiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n    - match:\n${match}`;

/** A checkout of acme/platform whose pull request widens the policy (the ref pin is dropped). */
function workspace(): { dir: string; base: string; head: string } {
  const dir = join(temp(), 'platform');
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'remote', 'add', 'origin', 'https://github.com/acme/platform.git');
  writeFileSync(join(dir, 'CODEOWNERS'), '/.atmos/ @alice\n');
  writeFileSync(join(dir, '.atmos/pro/sts/default.yaml'), policy('        repository: "acme/infra"\n        ref: "refs/heads/main"\n'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  git(dir, 'checkout', '-qb', 'feature');
  writeFileSync(join(dir, '.atmos/pro/sts/default.yaml'), policy('        repository: "acme/infra"\n'));
  git(dir, 'commit', '-qam', 'head');
  return { dir, base: git(dir, 'rev-parse', 'main'), head: git(dir, 'rev-parse', 'feature') };
}

/** This repository as the runner downloads an action: its files at this state, nothing built or installed. */
function actionPath(): string {
  const dir = join(temp(), 'sts-policy');
  const files = execFileSync('git', ['-C', ROOT, 'ls-files', '-z', '-co', '--exclude-standard'], { encoding: 'utf8' }).split('\0').filter((f) => f && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), readFileSync(join(ROOT, f)));
  }
  return dir;
}

/** A step's outputs file, in both of GitHub's forms (`name=value` and `name<<DELIMITER`). */
function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) out[lines[i]!.slice(0, lines[i]!.indexOf('='))] = lines[i]!.slice(lines[i]!.indexOf('=') + 1);
  }
  return out;
}

function sizeOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, f) => sum + sizeOf(join(path, f)), 0);
}

describe('action.yml run step by step in a fake pull_request job', () => {
  it('installs no devDependency, changes no toolchain, and sets its outputs: a widening without approval fails', async () => {
    expect(action.runs.steps.filter((s) => s.uses)).toEqual([]);
    const ws = workspace();
    const actionDir = actionPath();
    const runnerTemp = temp();
    const github = await startFakeGithub({ token: TOKEN, owner: 'acme', repo: 'platform', pullNumber: 9 });
    servers.push(github);
    const event = join(runnerTemp, 'event.json');
    writeFileSync(event, JSON.stringify({ action: 'synchronize', pull_request: { number: 9, base: { sha: ws.base }, head: { sha: ws.head }, user: { login: 'pat' } } }));
    const summary = join(runnerTemp, 'summary.md');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|RUNNER_|ACTIONS_|STS_POLICY_|npm_)/.test(k))) as Record<string, string>;
    const inputs: Record<string, string> = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])), token: TOKEN };
    const job: Record<string, string> = {
      ...clean,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: actionDir,
      GITHUB_WORKSPACE: ws.dir,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'acme/platform',
      GITHUB_API_URL: github.url,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: runnerTemp,
      STS_POLICY_RETRY_BASE_MS: '1',
    };
    const steps: Record<string, Record<string, string>> = {};
    const codes: (number | null)[] = [];
    let installMs = 0;
    let check = { stdout: '' };
    for (const [i, step] of action.runs.steps.entries()) {
      const env: Record<string, string> = { ...job, GITHUB_OUTPUT: join(runnerTemp, `output-${i}`) };
      for (const [k, v] of Object.entries(step.env ?? {})) env[k] = v.replace(/\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}/g, (_, name: string) => inputs[name] ?? '');
      const started = Date.now();
      const r = await spawnAsync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { cwd: ws.dir, env });
      if (/npm ci/.test(step.run!)) installMs = Date.now() - started;
      expect(r.stdout + r.stderr, step.name).not.toContain(TOKEN);
      codes.push(r.code);
      if (step.id === 'check') check = r;
      if (step.id) steps[step.id] = readOutputs(env.GITHUB_OUTPUT!);
      if (r.code !== 0) break;
    }
    // Every step but the check itself succeeds; the check fails: access widened with no owner's approval.
    expect(codes).toEqual([...action.runs.steps.slice(0, -1).map(() => 0), 1]);

    const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, o]) => [name, o.value.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/, (_, id: string, key: string) => steps[id]?.[key] ?? '')]));
    // The one error is pr-check's own: the widened policy has no code owner's approval.
    expect(outputs).toEqual({ verdict: 'fail', 'needs-approval': 'true', policies: '1', errors: '1', warnings: '0', sarif: join(runnerTemp, 'sts-policy.sarif') });
    expect(check.stdout).toMatch(/^::error file=\.atmos\/pro\/sts\/default\.yaml,.*title=pr-check\//m);
    const sarif = JSON.parse(readFileSync(outputs.sarif!, 'utf8')) as { version: string; runs: unknown[] };
    expect([sarif.version, sarif.runs.length]).toEqual(['2.1.0', 1]);
    expect(readFileSync(summary, 'utf8')).toContain('wider');

    // Lean: production dependencies only, no test tooling; the measured figures go to the log.
    const modules = join(actionDir, 'node_modules');
    // What the lockfile marks dev-only (devDependencies and what only they need); test tooling such as the SARIF multitool among them.
    const devOnly = Object.entries(lock.packages).filter(([path, p]) => path && p.dev).map(([path]) => path);
    expect(devOnly).toContain('node_modules/@microsoft/sarif-multitool');
    for (const path of devOnly) expect(existsSync(join(actionDir, path)), path).toBe(false);
    const bytes = sizeOf(modules);
    process.stderr.write(`action install: ${(bytes / 2 ** 20).toFixed(1)} MiB of node_modules in ${(installMs / 1000).toFixed(1)} s\n`);
    expect(bytes).toBeLessThan(100 * 2 ** 20);
  }, 300_000);
});
