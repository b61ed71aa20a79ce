// The pre-commit hook (.pre-commit-hooks.yaml): its definition, its `files` selection, its entry on
// staged file names, and the real pre-commit framework installing it as a `language: node` hook from
// a git repository and running it on commit.
//
// The last part needs `pre-commit` on PATH (Debian: `apt-get install -y pre-commit`, 3.0.4) and the
// npm registry (pre-commit runs `npm install` and `npm pack` in a clone of this repository). It does
// not skip when pre-commit is missing: it fails and says how to install it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files: string;
  exclude?: string;
  pass_filenames?: boolean;
  [key: string]: unknown;
}

const hooks = parseYaml(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const hook = hooks[0]!;
/** pre-commit matches with Python's `re.search`; a leading `(?i)` is JavaScript's `i` flag. */
const pyRegex = (re: string) => (re.startsWith('(?i)') ? new RegExp(re.slice(4), 'i') : new RegExp(re));
const selected = (path: string) => pyRegex(hook.files).test(path) && !(hook.exclude && pyRegex(hook.exclude).test(path));

const tmp = mkdtempSync(join(tmpdir(), 'sts-precommit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GOOD = readFileSync(join(ROOT, 'fixtures/valid/owner/.atmos/pro/sts/default.yaml'), 'utf8');
const BAD = 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: ci\nspec:\n  rules:\n    - match:\n        repositoryowner: "acme"\n';
const TEST_FILE = 'source: acme/modules\ncases:\n  - name: acme/app on main may read\n    subject: repo:acme/app:ref:refs/heads/main\n    expect: minted\n';

function gitRepo(dir: string): (...args: string[]) => string {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  return git;
}
function put(dir: string, rel: string, text: string) {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

describe('.pre-commit-hooks.yaml', () => {
  it('defines the sts-policy-lint hook: node, `sts-policy lint`, file names passed', () => {
    expect(hooks).toHaveLength(1);
    expect(hook).toMatchObject({ id: 'sts-policy-lint', language: 'node', entry: 'sts-policy lint', pass_filenames: true });
    expect(typeof hook.name).toBe('string');
    // Only keys pre-commit knows (a typo would be ignored with a warning at best).
    const known = ['id', 'name', 'entry', 'language', 'files', 'exclude', 'types', 'types_or', 'exclude_types', 'additional_dependencies', 'args', 'always_run', 'fail_fast', 'pass_filenames', 'description', 'language_version', 'log_file', 'minimum_pre_commit_version', 'require_serial', 'stages', 'verbose'];
    for (const k of Object.keys(hook)) expect(known, k).toContain(k);
    // The entry runs the package's own bin.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin[hook.entry.split(' ')[0]!]).toBe('dist/cli.cjs');
    expect(pkg.files).toContain('dist');
  });

  it('selects policies and the places people mistakenly put them, not unrelated or test files', () => {
    const yes = [
      '.atmos/pro/sts/default.yaml',
      '.atmos/pro/sts/ci.yaml',
      'modules/app/.atmos/pro/sts/default.yaml',
      '.atmos/pro/sts/default.yml',
      '.atmos/pro/sts/Default.yaml',
      '.atmos/pro/sts/default.json',
      '.atmos/pro/sts/prod/default.yaml',
      '.atmos/pro/sts.yaml',
      '.atmos/sts/default.yaml',
      '.github/atmos/pro/sts/default.yaml',
      '.Atmos/pro/sts/default.yaml',
      'atmos/trust-policy.yaml',
    ];
    const no = ['.atmos/pro/sts/tests/default.test.yaml', '.atmos/pro/sts/README.md', '.atmos/config.yaml', 'atmos.yaml', '.github/workflows/ci.yml', 'src/sts/client.yaml', 'docs/sts.md', 'README.md'];
    for (const p of yes) expect(selected(p), p).toBe(true);
    for (const p of no) expect(selected(p), p).toBe(false);
  });

  it('the fixtures agree: every near-miss fixture is selected, and lint flags it', () => {
    const nearMiss = ['github-guess/.github/atmos/pro/sts/default.yaml', 'wrong-name/.atmos/pro/sts/default.yml', 'wrong-name/.atmos/pro/sts/Default.yaml', 'wrong-name/.atmos/pro/sts/prod/default.yaml', 'wrong-folder/.atmos/pro/sts.yaml', 'wrong-folder/.atmos/sts/default.yaml'];
    for (const p of nearMiss) expect(selected(`fixtures/near-miss/${p}`), p).toBe(true);
    expect(selected('fixtures/near-miss/wrong-name/.atmos/pro/sts/tests/default.test.yaml')).toBe(false);
  });

  it('the entry on staged file names: passes on a good policy, fails on a bad one and a misplaced one', () => {
    const dir = join(tmp, 'entry');
    const git = gitRepo(dir);
    const staged = () => git('diff', '--cached', '--name-only', '--diff-filter=ACMR').split('\n').filter(Boolean).filter(selected);
    // What pre-commit would run: the entry's words, then the selected staged files.
    const runEntry = (files: string[]) => runCli([...hook.entry.split(' ').slice(1), ...files], { cwd: dir });

    put(dir, '.atmos/pro/sts/default.yaml', GOOD);
    put(dir, '.atmos/pro/sts/tests/default.test.yaml', TEST_FILE);
    put(dir, 'README.md', '# app\n');
    git('add', '-A');
    expect(staged()).toEqual(['.atmos/pro/sts/default.yaml']);
    const good = runEntry(staged());
    expect(good.code, good.stdout + good.stderr).toBe(0);
    git('commit', '-q', '-m', 'good');

    put(dir, '.atmos/pro/sts/ci.yaml', BAD);
    put(dir, '.github/atmos/pro/sts/default.yaml', GOOD);
    git('add', '-A');
    expect(staged()).toEqual(['.atmos/pro/sts/ci.yaml', '.github/atmos/pro/sts/default.yaml']);
    const bad = runEntry(staged());
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('.atmos/pro/sts/ci.yaml:8:9');
    expect(bad.stdout).toContain('schema/unknown-claim');
    expect(bad.stdout).toContain('.github/atmos/pro/sts/default.yaml:1:1');
    expect(bad.stdout).toContain('file/near-miss');
  });

  it('the repository keeps `foreground-scripts=false` in .npmrc (Debian pre-commit 3.0.4 reads `npm pack` stdout)', () => {
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toMatch(/^foreground-scripts\s*=\s*false$/m);
  });
});

describe('the real pre-commit framework', () => {
  /** Environment for pre-commit and the npm it runs: no npm script variables from an outer `npm test`. */
  function cleanEnv(home: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|NODE_ENV$|INIT_CWD$|VITEST|NODE_OPTIONS$)/i.test(k)) env[k] = v;
    return { ...env, PRE_COMMIT_HOME: home, NO_COLOR: '1', PRE_COMMIT_COLOR: 'never', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  }

  it(
    'installs the node hook from a git repository and blocks a commit with a bad policy',
    () => {
      const version = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
      if (version.error || version.status !== 0)
        throw new Error('pre-commit is not installed: `apt-get install -y pre-commit` (Debian 3.0.4) or `pipx install pre-commit`; this test needs the real framework');
      expect(version.stdout).toMatch(/^pre-commit \d+\./);

      // A snapshot of this working tree (tracked and untracked, not ignored) as a git repository:
      // what pre-commit clones, `npm install`s and `npm pack`s.
      const hookRepo = join(tmp, 'hook-repo');
      const files = execFileSync('git', ['-C', ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' }).split('\0').filter(Boolean);
      for (const f of files) {
        try {
          mkdirSync(dirname(join(hookRepo, f)), { recursive: true });
          cpSync(join(ROOT, f), join(hookRepo, f), { verbatimSymlinks: true });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted but still in the index
        }
      }
      const hookGit = gitRepo(hookRepo);
      hookGit('add', '-A');
      hookGit('commit', '-q', '-m', 'snapshot');
      const rev = hookGit('rev-parse', 'HEAD').trim();

      const work = join(tmp, 'work');
      const git = gitRepo(work);
      const env = cleanEnv(join(tmp, 'pre-commit-home'));
      put(work, '.pre-commit-config.yaml', `repos:\n  - repo: ${JSON.stringify(hookRepo)}\n    rev: ${rev}\n    hooks:\n      - id: sts-policy-lint\n`);
      put(work, '.atmos/pro/sts/default.yaml', GOOD);
      put(work, '.atmos/pro/sts/tests/default.test.yaml', TEST_FILE);
      git('add', '-A');
      const install = spawnSync('pre-commit', ['install', '--install-hooks'], { cwd: work, env, encoding: 'utf8', timeout: 600_000 });
      expect(install.status, install.stdout + install.stderr).toBe(0);

      const commit = (msg: string) => spawnSync('git', ['commit', '-m', msg], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
      const good = commit('good policy');
      expect(good.status, good.stdout + good.stderr).toBe(0);
      expect(good.stdout + good.stderr).toMatch(/sts-policy lint\.+Passed/);

      // Only a unit-test file staged: the hook has nothing to check.
      put(work, '.atmos/pro/sts/tests/default.test.yaml', TEST_FILE + '  - name: evil-org is denied\n    subject: repo:evil-org/app:ref:refs/heads/main\n    expect: denied\n');
      git('add', '-A');
      const testsOnly = commit('tests only');
      expect(testsOnly.status, testsOnly.stdout + testsOnly.stderr).toBe(0);
      expect(testsOnly.stdout + testsOnly.stderr).toMatch(/sts-policy lint\.+\(no files to check\)Skipped/);

      put(work, '.atmos/pro/sts/ci.yaml', BAD);
      git('add', '-A');
      const bad = commit('bad policy');
      const out = bad.stdout + bad.stderr;
      expect(bad.status, out).toBe(1);
      expect(out).toMatch(/sts-policy lint\.+Failed/);
      expect(out).toContain('- hook id: sts-policy-lint');
      expect(out).toContain('.atmos/pro/sts/ci.yaml:8:9');
      expect(out).toContain('unknown claim `repositoryowner`');
      expect(git('log', '--format=%s')).toBe('tests only\ngood policy\n');

      // A policy at a place STS never reads is blocked too.
      git('reset', '-q', '--', '.atmos/pro/sts/ci.yaml');
      rmSync(join(work, '.atmos/pro/sts/ci.yaml'));
      put(work, '.github/atmos/pro/sts/default.yaml', GOOD);
      git('add', '-A');
      const misplaced = commit('misplaced policy');
      expect(misplaced.status).toBe(1);
      expect(misplaced.stdout + misplaced.stderr).toContain('file/near-miss');
    },
    900_000,
  );
});
