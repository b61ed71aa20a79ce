// Hostile input (issue 20): every command reads a policy the same way, every text output is inert,
// every input is bounded. Each policy under fixtures/hostile/ goes, as a repository's
// .atmos/pro/sts/default.yaml, through every command's reading (lint, simulate from the work tree
// and from git as pr-check does, test, diff, audit, explore): they must agree on whether STS
// evaluates it. Outputs are checked for raw control characters and for lines a CI runner would
// execute.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filePair, inert, lintPaths, predict, readSourcePolicy } from '../src/index.js';
import { findTestFiles, runTestFile, loadTestFile, TestFileError } from '../src/simulate/policy-tests.js';
import { runAudit } from '../src/audit/audit.js';
import { silentProgress } from '../src/report/audit/progress.js';
import { loadSource, planSources } from '../src/tui/sources.js';
import { line, theme, wrap } from '../src/tui/theme.js';
import { ROOT, runCli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';

const HOSTILE = join(ROOT, 'fixtures/hostile');
const POLICY = '.atmos/pro/sts/default.yaml';
const CLAIMS = { sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', repository_owner: 'acme', ref: 'refs/heads/main', ref_type: 'branch' };
const tempDir = tempDirs('sts-policy-hostile-');

/** Whether STS would evaluate each fixture (true) or answer `trust_policy_invalid` (false). */
const EXPECTED: Record<string, boolean> = {
  'raw-escape.yaml': false,
  'raw-nul.yaml': false,
  'escaped-nul.yaml': false,
  'escaped-escape-key.yaml': false,
  'one-bom.yaml': true,
  'two-boms.yaml': false,
  'three-boms.yaml': false,
  'deep-flow.yaml': false,
  'merge-key.yaml': true,
  'workflow-command.yaml': true,
  'bidi-override.yaml': true,
  'nested-repeat.yaml': false,
};

/** A workspace `ws/acme/app` whose policy is the fixture, committed to git (HEAD) too. */
function workspaceWith(fixture: string): { ws: string; repo: string } {
  const ws = tempDir();
  const repo = join(ws, 'acme/app');
  mkdirSync(join(repo, '.atmos/pro/sts'), { recursive: true });
  copyFileSync(join(HOSTILE, fixture), join(repo, POLICY));
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'policy');
  return { ws, repo };
}

/** Each command's answer to "does STS evaluate this policy?". */
async function readings(ws: string, repo: string): Promise<Record<string, boolean>> {
  const path = join(repo, POLICY);
  const audit = await runAudit({ source: { kind: 'workspace', dir: ws }, config: {}, progress: silentProgress, caller: { claims: CLAIMS, notes: [] } });
  const evaluated = (o: string | undefined) => o === 'minted' || o === 'trust_policy_denied';
  const testFile = { path: join(repo, '.atmos/pro/sts/tests/default.test.yaml'), repoDir: repo, policyName: 'default', cases: [{ name: 'c', line: 1, claims: CLAIMS, expect: 'minted' as const }] };
  return {
    lint: lintPaths([repo]).files.some((f) => f.valid),
    simulate: evaluated(predict({ claims: CLAIMS, sources: [{ repo: 'acme/app', dir: repo }], policyName: 'default' })[0]!.outcome),
    'simulate --git-ref / pr-check': readSourcePolicy(repo, 'default', 'HEAD').kind === 'valid',
    test: evaluated(runTestFile(testFile).results[0]!.actual),
    diff: filePair(path, path).after?.policy != null,
    audit: evaluated(audit.prediction?.repos[0]?.outcome),
    explore: loadSource(planSources([repo]).sources[0]!).status === 'valid',
  };
}

describe('one reading of a policy for every command', () => {
  it('every fixture has an expectation', () => {
    expect(readdirSync(HOSTILE).filter((f) => f.endsWith('.yaml')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s: every command agrees (evaluated: %s)', async (fixture, evaluated) => {
    const { ws, repo } = workspaceWith(fixture);
    const answers = await readings(ws, repo);
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, evaluated])));
  });

  it('a symbolic link at .atmos/pro/sts leading outside the repository is never followed', async () => {
    const ws = tempDir();
    const repo = join(ws, 'acme/app');
    const outside = join(ws, 'outside');
    mkdirSync(join(repo, '.atmos/pro'), { recursive: true });
    mkdirSync(outside);
    copyFileSync(join(HOSTILE, 'one-bom.yaml'), join(outside, 'default.yaml'));
    symlinkSync(outside, join(repo, '.atmos/pro/sts'));
    const [p] = predict({ claims: CLAIMS, sources: [{ repo: 'acme/app', dir: repo }], policyName: 'default' });
    expect(p!.outcome).toBe('no_trust_policy');
    expect(p!.notes.join(' ')).toContain('`.atmos/pro/sts` is a symbolic link');
    const lint = lintPaths([repo]);
    expect(lint.files).toEqual([]);
    expect(lint.findings.map((f) => f.ruleId)).toEqual(['file/near-miss']);
    const audit = await runAudit({ source: { kind: 'workspace', dir: ws }, config: {}, progress: silentProgress, caller: { claims: CLAIMS, notes: [] } });
    expect(audit.prediction?.repos.find((r) => r.repo === 'acme/app')?.outcome).toBe('no_trust_policy');
  });
});

describe('the YAML decisions of SPEC.md §4', () => {
  const lintFixture = (fixture: string) => lintPaths([workspaceWith(fixture).repo]).findings.filter((f) => f.severity === 'error');
  const at = (f: { line: number; column: number; ruleId: string }) => `${f.line}:${f.column} ${f.ruleId}`;

  it('characters YAML forbids, raw or escaped, and a second BOM are located errors', () => {
    expect(lintFixture('raw-nul.yaml').map(at)).toEqual(['8:30 yaml/forbidden-character']);
    expect(lintFixture('escaped-nul.yaml').map(at)).toEqual(['8:27 yaml/forbidden-character']);
    expect(lintFixture('escaped-escape-key.yaml').map(at)).toEqual(['8:9 yaml/forbidden-character']);
    expect(lintFixture('raw-escape.yaml')[0]!.message).toContain('U+001B');
    for (const f of ['two-boms.yaml', 'three-boms.yaml']) expect(lintFixture(f).map((x) => `${at(x)} ${x.message.includes('byte-order mark')}`)).toEqual(['1:1 yaml/forbidden-character true']);
  });

  it('1,000-deep flow nesting is "nesting deeper than 64", located, never a stack overflow', () => {
    const [f] = lintFixture('deep-flow.yaml');
    expect(f!.ruleId).toBe('yaml/too-deep');
    expect(f!.message).toMatch(/^nesting deeper than 64 levels/);
    expect([f!.line, f!.column]).toEqual([8, 27 + 64]);
  });

  it('a `<<` merge key is a lint error at the key; simulate takes the merged reading and says so', () => {
    expect(lintFixture('merge-key.yaml').map(at)).toEqual(['8:9 yaml/merge-key']);
    const [p] = predict({ claims: CLAIMS, sources: [{ repo: 'acme/app', dir: workspaceWith('merge-key.yaml').repo }], policyName: 'default' });
    expect(p!.outcome).toBe('minted');
    expect(p!.notes.join(' ')).toMatch(/merge key \(line 8\).*merged reading/);
  });

  it('a regex refused for nested repeats names the nesting, not the outer count', () => {
    const [f] = lintFixture('nested-repeat.yaml');
    expect(f!.ruleId).toBe('schema/invalid-regex');
    expect(f!.message).toContain('the cause is the nesting, not one count: `{1,8}` inside `{1,300}` repeats up to 2400 times');
    expect(f!.message).not.toContain('repeat counts are at most 1000');
  });
});

/** No raw control character, separator or bidi override, and no line a runner would execute. */
function expectInert(out: string): void {
  expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  expect(out.split('\n').filter((l) => l.startsWith('::'))).toEqual([]);
}

describe('inert output', () => {
  it('inert escapes control characters, CR/LF, separators and bidi overrides visibly', () => {
    expect(inert('a\u001b]0;t\u0007\r\n::error::x\u202e\u0085\u007f\tb')).toBe('a\\x1b]0;t\\x07\\r\\n::error::x\\u202e\\x85\\x7f\\tb');
    expect(inert('acme/app ✓ é')).toBe('acme/app ✓ é');
  });

  it('the TUI lays out input inert, styled only by its own colours', () => {
    expect(line(theme(true), 80, [['acme\u001b]0;t\u0007', 'bad']])).toBe('\u001b[31macme\\x1b]0;t\\x07\u001b[39m');
    expect(wrap('a\u202eb\r\n::error::x', 80)).toEqual(['a\\u202eb\\r\\n::error::x']);
  });

  it('lint (stylish) shows escapes, values and file names inert', () => {
    for (const fixture of ['raw-escape.yaml', 'workflow-command.yaml', 'bidi-override.yaml']) {
      const { repo } = workspaceWith(fixture);
      const r = runCli(['lint', repo]);
      expect(r.code, fixture).toBe(1);
      expectInert(r.stdout);
    }
  });

  it('lint --format github: one workflow command per finding, nothing else can start a line', () => {
    const { repo } = workspaceWith('workflow-command.yaml');
    const r = runCli(['lint', repo, '--format', 'github']);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^::(error|warning|notice) file=/);
    expect(r.stdout).toContain('main%0A::error file=owned.yaml::owned%0D%0A::stop-commands::x');
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('simulate (text) shows hostile claims and policy values inert', () => {
    const { repo } = workspaceWith('bidi-override.yaml');
    const r = runCli(['simulate', '--subject', 'repo:acme/app:ref:refs/heads/main', '--claim', 'actor=x\u001b[2J\n::error::owned\u202e', '--claim', 'ref=refs/heads/\u202eniam', '--source', `acme/app=${repo}`]);
    expect(r.stdout).toContain('x\\x1b[2J\\n::error::owned\\u202e');
    expectInert(r.stdout);
  });

  it('test (text) shows a hostile case name inert (YAML allows NEL, LF, U+2028 and bidi overrides in a value)', () => {
    const { repo } = workspaceWith('one-bom.yaml');
    mkdirSync(join(repo, '.atmos/pro/sts/tests'));
    copyFileSync(join(HOSTILE, 'tests/escape-name.test.yaml'), join(repo, '.atmos/pro/sts/tests/default.test.yaml'));
    const r = runCli(['test', repo]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('\\u202e\\x85\\n::error::owned\\u2028');
    expectInert(r.stdout);
  });
});

describe('bounded inputs', () => {
  function testRepo(testFixture: string): string {
    const { ws, repo } = workspaceWith('one-bom.yaml');
    writeFileSync(join(ws, 'outside-claims.json'), JSON.stringify({ sub: 'repo:acme/app:ref:refs/heads/main', secret: 'ghs_outside_value' }));
    mkdirSync(join(repo, '.atmos/pro/sts/tests'));
    copyFileSync(join(HOSTILE, 'tests', testFixture), join(repo, '.atmos/pro/sts/tests/default.test.yaml'));
    return join(repo, '.atmos/pro/sts/tests/default.test.yaml');
  }
  const loadError = (path: string) => {
    try {
      loadTestFile(path);
    } catch (e) {
      return e as TestFileError;
    }
    throw new Error('loaded');
  };

  it('a claimsFile that is a device is refused at its line, without reading it', () => {
    const e = loadError(testRepo('dev-zero.test.yaml'));
    expect([e.line, e.column]).toEqual([3, 5]);
    expect(e.message).toContain('outside the repository');
  });

  it('a claimsFile outside the repository is refused and its values are never printed', () => {
    const path = testRepo('outside.test.yaml');
    expect(loadError(path).message).toMatch(/claimsFile|outside the repository/);
    const r = runCli(['test', path]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain('ghs_outside_value');
    expect(r.stderr).toContain('outside the repository');
  });

  it('a claimsFile inside the repository that is a device or a link is refused too', () => {
    const path = testRepo('outside.test.yaml');
    const dir = join(path, '..');
    symlinkSync('/dev/zero', join(dir, 'zero.json'));
    writeFileSync(path, 'cases:\n  - name: a link to a device\n    claimsFile: zero.json\n    expect: minted\n');
    expect(loadError(path).message).toContain('symbolic link');
  });

  it('discovery names the folder where its depth bound cut the walk', () => {
    const root = tempDir();
    const deep = join(root, ...Array.from({ length: 17 }, () => 'd'));
    mkdirSync(join(deep, 'app/.atmos/pro/sts'), { recursive: true });
    writeFileSync(join(deep, 'app', POLICY), readFileSync(join(HOSTILE, 'one-bom.yaml')));
    const r = lintPaths([root]);
    expect(r.files).toEqual([]);
    expect(r.findings.map((f) => [f.ruleId, f.path])).toEqual([['file/not-searched', join(root, ...Array.from({ length: 16 }, () => 'd'))]]);
  });

  it("explore's plan and the test runner name the same cut", () => {
    const root = tempDir();
    const cut = join(root, ...Array.from({ length: 16 }, () => 'd'));
    mkdirSync(join(cut, 'd/app/.atmos/pro/sts/tests'), { recursive: true });
    writeFileSync(join(cut, 'd/app/.atmos/pro/sts/tests/default.test.yaml'), 'cases: []\n');
    expect(planSources([root]).notSearched).toEqual([expect.stringContaining(`inside \`${cut}\` were not searched`)]);
    expect(findTestFiles([root])).toEqual({ files: [], notSearched: [cut] });
    const r = runCli(['test', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`warning: test discovery stops 16 folders below the path it was given: the folders inside \`${cut}\` were not searched`);
  });
});
