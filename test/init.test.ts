// `sts-policy init` through the built CLI: the written policy lints with no warning or error, its
// tests pass under `sts-policy test`, and bad input is a usage error that says what to write.
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type Run } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';

const tempDir = tempDirs('sts-policy-init-');

const noStack = (r: Run) => {
  expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m);
  expect(r.code).not.toBe(3);
  return r;
};
const init = (dir: string, ...args: string[]) => noStack(runCli(['init', ...args], { cwd: dir }));

/** The policy lints clean (no warning or error) and every test case passes. */
function expectLintCleanAndTestsPass(dir: string, expectedCases: number) {
  const lint = noStack(runCli(['lint', '--format', 'json', '--max-warnings', '0'], { cwd: dir }));
  expect(lint.code).toBe(0);
  const report = JSON.parse(lint.stdout);
  expect(report.findings.filter((f: { severity: string }) => f.severity !== 'info')).toEqual([]);
  expect(report.findings).toEqual([]);
  expect(report.files.every((f: { valid: boolean }) => f.valid)).toBe(true);
  const test = noStack(runCli(['test', '--format', 'json'], { cwd: dir }));
  expect(test.code).toBe(0);
  const results = JSON.parse(test.stdout);
  expect(results.summary).toEqual({ passed: expectedCases, failed: 0 });
  return results;
}

describe('init writes the tightest policy for one caller', () => {
  it('repository + ref: the caller is minted; another repo and another branch are denied', () => {
    const dir = tempDir();
    const r = init(dir, '--repo', 'acme/infra', '--ref', 'refs/heads/main');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('wrote .atmos/pro/sts/default.yaml: acme/infra on refs/heads/main may mint {contents: read}');
    const policy = readFileSync(join(dir, '.atmos/pro/sts/default.yaml'), 'utf8');
    expect(policy.split('\n')[0]).toBe('# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json');
    expect(policy).toContain(['    - match:', '        repository: "acme/infra"', '        ref: "refs/heads/main"', ''].join('\n'));
    expect(policy).not.toContain('permissions:');
    const results = expectLintCleanAndTestsPass(dir, 3);
    const cases = results.files[0].cases.map((c: { name: string; actual: string }) => [c.name, c.actual]);
    expect(cases).toEqual([
      ['acme/infra on refs/heads/main may mint', 'minted'],
      ['another repository of acme is denied', 'trust_policy_denied'],
      ['another branch is denied', 'trust_policy_denied'],
    ]);
  });

  it('repository + environment, a policy name and permissions', () => {
    const dir = tempDir();
    const r = init(dir, '--repo', 'acme/platform', '--environment', 'production', '--permission', 'contents=read', '--permission', 'pull_requests=write', '--name', 'ci');
    expect(r.code).toBe(0);
    const policy = readFileSync(join(dir, '.atmos/pro/sts/ci.yaml'), 'utf8');
    expect(policy).toContain(['  name: ci', 'spec:', '  rules:', '    - match:', '        repository: "acme/platform"', '        environment: "production"', '      permissions:', '        contents: read', '        pull_requests: write', ''].join('\n'));
    expect(lstatSync(join(dir, '.atmos/pro/sts/tests/ci.test.yaml')).isFile()).toBe(true);
    const results = expectLintCleanAndTestsPass(dir, 3);
    expect(results.files[0].cases[0].permissions).toEqual({ contents: 'read', metadata: 'read', pull_requests: 'write' });
    expect(results.files[0].cases[2].name).toBe('another environment is denied');
  });

  it('environment and ref together match both, and both are tested', () => {
    const dir = tempDir();
    expect(init(dir, '--repo', 'acme/app', '--ref', 'refs/tags/v1.2.3', '--environment', 'prod eu', '--dir', '.').code).toBe(0);
    expect(readFileSync(join(dir, '.atmos/pro/sts/default.yaml'), 'utf8')).toContain('        ref: "refs/tags/v1.2.3"\n        environment: "prod eu"\n');
    const results = expectLintCleanAndTestsPass(dir, 4);
    expect(results.files[0].cases.map((c: { name: string }) => c.name)).toContain('another tag is denied');
  });

  it('--dir writes into another checkout', () => {
    const cwd = tempDir();
    const repo = join(cwd, 'modules');
    mkdirSync(repo);
    expect(init(cwd, '--repo', 'acme/infra', '--ref', 'refs/heads/main', '--dir', 'modules').code).toBe(0);
    expectLintCleanAndTestsPass(repo, 3);
  });

  it('a permission that deserves a warning is written, and the warning is shown', () => {
    const dir = tempDir();
    const r = init(dir, '--repo', 'acme/app', '--ref', 'refs/heads/main', '--permission', 'contents=write');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: \.atmos\/pro\/sts\/default\.yaml:\d+:\d+ .*permissions\/escalation/);
  });
});

describe('init refuses to overwrite, and never writes through a symlink', () => {
  it('exit 2 without --force; --force overwrites', () => {
    const dir = tempDir();
    expect(init(dir, '--repo', 'acme/infra', '--ref', 'refs/heads/main').code).toBe(0);
    const file = join(dir, '.atmos/pro/sts/default.yaml');
    writeFileSync(file, '# mine\n');
    const again = init(dir, '--repo', 'acme/infra', '--ref', 'refs/heads/dev');
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('sts-policy: .atmos/pro/sts/default.yaml already exists: pass --force to overwrite it\n');
    expect(readFileSync(file, 'utf8')).toBe('# mine\n');
    expect(init(dir, '--repo', 'acme/infra', '--ref', 'refs/heads/dev', '--force').code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('refs/heads/dev');
    expectLintCleanAndTestsPass(dir, 3);
  });

  it('a symlink at the policy path or on the way is refused, even with --force', () => {
    const dir = tempDir();
    const outside = join(tempDir(), 'target.yaml');
    writeFileSync(outside, 'keep\n');
    mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
    symlinkSync(outside, join(dir, '.atmos/pro/sts/default.yaml'));
    const r = init(dir, '--repo', 'acme/infra', '--ref', 'refs/heads/main', '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/default\.yaml is a symbolic link/);
    expect(readFileSync(outside, 'utf8')).toBe('keep\n');

    const linked = tempDir();
    const real = tempDir();
    symlinkSync(real, join(linked, '.atmos'));
    const viaDir = init(linked, '--repo', 'acme/infra', '--ref', 'refs/heads/main');
    expect(viaDir.code).toBe(2);
    expect(viaDir.stderr).toMatch(/\.atmos is a symbolic link/);
  });
});

describe('bad input: a usage error that says what to write', () => {
  const cases: [string[], RegExp][] = [
    [['--repo', 'acme', '--ref', 'refs/heads/main'], /--repo "acme" is not OWNER\/REPO: .*e\.g\. --repo acme\/infra/],
    [['--repo', 'acme/infra', '--ref', 'main'], /--ref "main" is not a full git ref: write --ref refs\/heads\/main/],
    [['--repo', 'acme/infra'], /give the caller's --ref .* or --environment/],
    [['--repo', 'acme/infra', '--ref', 'refs/heads/*'], /has a wildcard/],
    [['--repo', 'acme/infra', '--ref', 'refs/heads/main', '--permission', 'pull-requests=write'], /did you mean --permission pull_requests=write\?/],
    [['--repo', 'acme/infra', '--ref', 'refs/heads/main', '--permission', 'contents=admin'], /GitHub does not offer `contents: admin`/],
    [['--repo', 'acme/infra', '--ref', 'refs/heads/main', '--permission', 'contents'], /write NAME=LEVEL/],
    [['--repo', 'acme/infra', '--ref', 'refs/heads/main', '--name', '../x'], /is not a policy name/],
    [['--repo', 'acme/infra', '--ref', 'refs/heads/main', '--dir', 'nope'], /--dir nope: no such directory/],
    [['--ref', 'refs/heads/main'], /required option '--repo/],
  ];
  it.each(cases)('%j', (args, message) => {
    const dir = tempDir();
    const r = init(dir, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(lstatSync(join(dir, '.atmos'), { throwIfNoEntry: false })).toBeUndefined();
  });
});
