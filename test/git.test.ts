// The one git module (src/load/git.ts): every command that reads git goes through `runGit`, so a git
// that never answers ends in one located usage error within the timeout (no hang, no stack trace),
// and output past its bound is refused. Real repositories in temp folders; a fake `git` that sleeps.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';
import { GitError, readFromGit, runGit } from '../src/load/git.js';

const freshDir = tempDirs('sts-git-');
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
const POLICY = '.atmos/pro/sts/default.yaml';
const POLICY_TEXT = 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n    - match:\n        repository: "acme/app"\n';

let repo: string;
let hung: string;
beforeAll(() => {
  repo = freshDir();
  git(repo, 'init', '-q', '-b', 'main');
  mkdirSync(join(repo, '.atmos/pro/sts'), { recursive: true });
  writeFileSync(join(repo, POLICY), POLICY_TEXT);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'policy');
  // A git that never answers (a hung network file system, a held lock): `exec` so the kill reaches it.
  hung = freshDir();
  writeFileSync(join(hung, 'git'), '#!/bin/sh\nexec sleep 30\n');
  chmodSync(join(hung, 'git'), 0o755);
});

describe('a git that never answers: every command gives up at the timeout with a usage error', () => {
  const commands: [string, () => string[]][] = [
    ['simulate --git-ref', () => ['simulate', '--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/modules=${repo}`, '--git-ref', 'main']],
    ['diff --base', () => ['diff', '--base', 'main', repo]],
    ['pr-check --base --head', () => ['pr-check', '--repo', repo, '--base', 'main', '--head', 'main']],
  ];
  for (const [name, args] of commands) {
    it(name, () => {
      const started = Date.now();
      const r = runCli(args(), { env: { PATH: `${hung}:${process.env.PATH}`, STS_POLICY_GIT_TIMEOUT_MS: '400' } });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('git did not answer within 0.4 s');
      expect(r.stderr).toContain(repo);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('runGit and readFromGit', () => {
  it('reads a committed policy from git objects', () => {
    expect(readFromGit(repo, 'main', POLICY)).toEqual({ ok: true, text: POLICY_TEXT });
    expect(readFromGit(repo, 'main', '.atmos/pro/sts/other.yaml')).toBe('missing');
  });

  it('an unknown revision: a GitError naming the revision and the folder', () => {
    let err: unknown;
    try {
      readFromGit(repo, 'no-such-branch', POLICY);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toContain(`cannot read revision "no-such-branch" in ${repo}`);
  });

  it('output past the bound is refused, not buffered', () => {
    const oid = git(repo, 'rev-parse', `main:${POLICY}`);
    expect(runGit(repo, ['cat-file', 'blob', oid]).toString()).toBe(POLICY_TEXT);
    expect(() => runGit(repo, ['cat-file', 'blob', oid], 16)).toThrow(`git cat-file failed in ${repo}: the output is over 16 bytes`);
  });

  it('no git on PATH: says so', () => {
    const saved = process.env.PATH;
    process.env.PATH = freshDir();
    try {
      expect(() => runGit(repo, ['status'])).toThrow('git is not installed or not on PATH');
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('lint starts no git and loads no child_process', () => {
  it('a lint run never requires node:child_process (pre-commit hooks pay every start-up)', () => {
    const hook = join(freshDir(), 'hook.cjs');
    writeFileSync(hook, "const M = require('module'); const load = M._load; M._load = function (id, ...a) { if (/child_process/.test(id)) process.stderr.write('LOADED ' + id + '\\n'); return load.call(this, id, ...a); };\n");
    const run = (args: string[]) => spawnSync(process.execPath, ['-r', hook, CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
    const lint = run(['lint', repo]);
    expect(lint.status).toBe(0);
    expect(lint.stderr).not.toContain('LOADED');
    // The hook sees it once git is needed.
    expect(run(['diff', '--base', 'main', repo]).stderr).toContain('LOADED node:child_process');
  });
});
