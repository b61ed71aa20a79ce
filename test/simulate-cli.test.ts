// `sts-policy simulate` end to end, through the built CLI: every seed example of the vendor's policy
// reference (fixtures/valid) mints for one caller and denies another with a readable trace; tokens
// are grouped per (owner, grant); usage errors exit 2; JWTs are never echoed; git revisions are read.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, type Run } from './helpers/cli.js';

const POLICY = '.atmos/pro/sts/default.yaml';
const seed = (name: string) => join(ROOT, 'fixtures/valid', name);
const DEFAULT_GRANT = { contents: 'read', metadata: 'read' };

interface RepoJson {
  outcome: string;
  policyPath: string | null;
  rule: number | null;
  line: number | null;
  permissions: Record<string, string> | null;
  otherMatches: { rule: number; line: number }[];
  trace: { rule: number; line: number; matched: boolean; matchers: { claim: string; value: string | null; pattern: string; matched: boolean; reason?: string; line: number }[] }[];
  findings: { path: string; ruleId: string; severity: string; message: string; line: number; column: number }[];
  notes: string[];
}
interface SimJson {
  tokens: { host: string; owner: string; repositories: string[]; permissions: Record<string, string> }[];
  excluded: { repo: string; reason: string }[];
  repos: Record<string, RepoJson>;
  claims: Record<string, string>;
  notes: string[];
}

function simulate(args: string[], opts: { cwd?: string; input?: string } = {}): Run {
  return runCli(['simulate', ...args], opts);
}

function simulateJson(args: string[], opts: { cwd?: string; input?: string } = {}): SimJson {
  const r = simulate([...args, '--format', 'json'], opts);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as SimJson;
}

/** The 1-based line of the `n`th (0-based) `- match:` of a policy file: where rule `n` starts. */
function ruleLine(dir: string, n: number, name = 'default'): number {
  const lines = readFileSync(join(dir, `.atmos/pro/sts/${name}.yaml`), 'utf8').split('\n');
  const starts = lines.flatMap((l, i) => (/^\s*- match:/.test(l) ? [i + 1] : []));
  expect(starts.length).toBeGreaterThan(n);
  return starts[n]!;
}

/** The 1-based line of the first line of a policy file that contains `needle`. */
function lineOf(dir: string, needle: string, name = 'default'): number {
  const i = readFileSync(join(dir, `.atmos/pro/sts/${name}.yaml`), 'utf8').split('\n').findIndex((l) => l.includes(needle));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

/** Minted through the JSON report: one token for the repo, the grant, and the deciding rule. */
function expectMinted(dir: string, subject: string, rule: number, permissions: Record<string, string> = DEFAULT_GRANT, extra: string[] = []): SimJson {
  const out = simulateJson(['--subject', subject, '--source', `acme/modules=${dir}`, ...extra]);
  const repo = out.repos['acme/modules']!;
  expect(repo.outcome).toBe('minted');
  expect(repo.rule).toBe(rule);
  expect(repo.line).toBe(ruleLine(dir, rule, extra.includes('--policy-name') ? extra[extra.indexOf('--policy-name') + 1] : 'default'));
  expect(repo.permissions).toEqual(permissions);
  expect(out.tokens).toEqual([{ host: 'github.com', owner: 'acme', repositories: ['acme/modules'], permissions }]);
  expect(out.excluded).toEqual([]);
  return out;
}

/** Denied: excluded with trust_policy_denied in JSON; the text trace is returned for its wording. */
function expectDenied(dir: string, args: string[]): { json: SimJson; text: string } {
  const json = simulateJson([...args, '--source', `acme/modules=${dir}`]);
  expect(json.tokens).toEqual([]);
  expect(json.excluded).toEqual([{ repo: 'acme/modules', reason: 'trust_policy_denied' }]);
  expect(json.repos['acme/modules']!.outcome).toBe('trust_policy_denied');
  expect(json.repos['acme/modules']!.permissions).toBeNull();
  const r = simulate([...args, '--source', `acme/modules=${dir}`]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('acme/modules  trust_policy_denied');
  expect(r.stdout).toContain('no rule matched this caller');
  return { json, text: r.stdout };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sts-simulate-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh folder under the suite's temp dir. */
let counter = 0;
function freshDir(label: string): string {
  const d = join(tmp, `${label}-${++counter}`);
  mkdirSync(d, { recursive: true });
  return d;
}

function writePolicy(repoDir: string, text: string, name = 'default'): void {
  const p = join(repoDir, `.atmos/pro/sts/${name}.yaml`);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

function copySeed(name: string, to: string): void {
  cpSync(seed(name), to, { recursive: true });
}

describe('seed example: match-all (`subject: "*"`)', () => {
  const dir = seed('match-all');
  it.each([
    'repo:acme/infra:ref:refs/heads/main',
    'repo:someone-else/anything:ref:refs/tags/v1.2.3',
    'repo:acme/app:pull_request',
    'repo:acme@1001/app@2002:environment:production',
    'repository_owner:acme:repository_visibility:private',
  ])('admits %s with the read-only default', (subject) => {
    expectMinted(dir, subject, 0);
  });

  it('denies only a token without a subject, and says the claim is absent', () => {
    const claims = join(freshDir('claims'), 'no-sub.json');
    writeFileSync(claims, JSON.stringify({ repository: 'acme/app', repository_owner: 'acme', ref: 'refs/heads/main' }));
    const { json, text } = expectDenied(dir, ['--claims', claims]);
    const m = json.repos['acme/modules']!.trace[0]!.matchers[0]!;
    expect(m).toMatchObject({ claim: 'subject', value: null, pattern: '*', matched: false });
    expect(text).toMatch(/✗ subject \(absent\) vs glob "\*" \(line \d+\): claim `subject` is absent/);
    expect(text).toContain('not even `*`');
  });
});

describe('seed example: owner (`repository_owner: "acme"`)', () => {
  const dir = seed('owner');
  it('mints for any acme repo and branch', () => {
    expectMinted(dir, 'repo:acme/app:ref:refs/heads/main', 0);
    expectMinted(dir, 'repo:acme/infra:ref:refs/heads/feature/x', 0);
  });

  it('rejects the look-alike owner acme-labs, naming the matcher and the extra characters', () => {
    const { json, text } = expectDenied(dir, ['--subject', 'repo:acme-labs/app:ref:refs/heads/main']);
    expect(json.repos['acme/modules']!.trace[0]!.matchers[0]).toMatchObject({ claim: 'repository_owner', value: 'acme-labs', pattern: 'acme', matched: false });
    expect(text).toContain(`rule 1 (line ${ruleLine(dir, 0)}): does not match`);
    expect(text).toMatch(/✗ repository_owner "acme-labs" vs glob "acme" \(line \d+\): .*`-labs`/);
  });

  it('is case-sensitive: ACME is not acme', () => {
    const { text } = expectDenied(dir, ['--subject', 'repo:ACME/app:ref:refs/heads/main']);
    expect(text).toMatch(/✗ repository_owner "ACME" vs glob "acme"/);
  });
});

describe('seed example: exact subject (`repo:acme/infra:ref:refs/heads/main`)', () => {
  const dir = seed('exact-subject');
  it('mints for acme/infra on main', () => {
    expectMinted(dir, 'repo:acme/infra:ref:refs/heads/main', 0);
  });

  it('rejects a feature branch of the same repo, saying where the glob stops matching', () => {
    const { json, text } = expectDenied(dir, ['--subject', 'repo:acme/infra:ref:refs/heads/feature/x']);
    expect(json.repos['acme/modules']!.trace[0]!.matchers[0]).toMatchObject({ claim: 'subject', value: 'repo:acme/infra:ref:refs/heads/feature/x', matched: false });
    expect(text).toMatch(/✗ subject "repo:acme\/infra:ref:refs\/heads\/feature\/x" vs glob "repo:acme\/infra:ref:refs\/heads\/main" \(line \d+\): glob stops matching at offset 31: pattern expects `m`, value has `f`/);
  });

  it('rejects an environment job of the same repo on main, and names the environment trap', () => {
    const { text } = expectDenied(dir, ['--subject', 'repo:acme/infra:environment:production', '--claim', 'ref=refs/heads/main']);
    expect(text).toMatch(/✗ subject "repo:acme\/infra:environment:production" vs glob "repo:acme\/infra:ref:refs\/heads\/main"/);
    expect(text).toContain("an environment job's subject is `...:environment:production`, not `...:ref:...`");
    expect(text).toContain('match `repository` + `environment` or `ref` instead');
  });

  it('rejects the immutable subject of acme/infra and says to match `repository` instead', () => {
    const { text } = expectDenied(dir, ['--subject', 'repo:acme@1001/infra@2002:ref:refs/heads/main']);
    expect(text).toContain('immutable subject');
    expect(text).toContain('match `repository` instead');
  });
});

describe('seed example: owner + environment (`repository_owner: acme`, `environment: production`)', () => {
  const dir = seed('owner-environment');
  it('mints for an acme job in the production environment', () => {
    const out = expectMinted(dir, 'repo:acme/app:environment:production', 0);
    expect(out.repos['acme/modules']!.trace[0]!.matchers.map((m) => [m.claim, m.matched])).toEqual([
      ['repository_owner', true],
      ['environment', true],
    ]);
  });

  it('rejects a job without an environment: the environment claim is absent', () => {
    const { json, text } = expectDenied(dir, ['--subject', 'repo:acme/app:ref:refs/heads/main']);
    const matchers = json.repos['acme/modules']!.trace[0]!.matchers;
    expect(matchers.find((m) => m.claim === 'repository_owner')!.matched).toBe(true);
    expect(matchers.find((m) => m.claim === 'environment')).toMatchObject({ value: null, matched: false });
    expect(text).toMatch(/✓ repository_owner "acme" vs glob "acme"/);
    expect(text).toMatch(/✗ environment \(absent\) vs glob "production" \(line \d+\): claim `environment` is absent: this job has no environment/);
  });

  it('rejects another environment, naming the environment matcher', () => {
    const { text } = expectDenied(dir, ['--subject', 'repo:acme/app:environment:staging']);
    expect(text).toMatch(/✗ environment "staging" vs glob "production"/);
  });
});

describe('seed example: three rules, any one suffices', () => {
  const dir = seed('any-rule');
  it.each([
    ['rule 1 (exact subject)', 'repo:acme/infra:ref:refs/heads/main', 0],
    ['rule 2 (repository acme/platform-*)', 'repo:acme/platform-api:ref:refs/heads/dev', 1],
    ['rule 3 (owner acme-labs)', 'repo:acme-labs/components:environment:prod', 2],
  ])('%s matches', (_label, subject, rule) => {
    const out = expectMinted(dir, subject as string, rule as number);
    const trace = out.repos['acme/modules']!.trace;
    expect(trace.map((t) => t.matched)).toEqual([0, 1, 2].map((i) => i === rule));
  });

  it('reports every other matching rule, but the first match decides the grant', () => {
    const out = simulateJson(['--subject', 'repo:acme/infra:ref:refs/heads/main', '--claim', 'repository=acme/platform-x', '--source', `acme/modules=${dir}`]);
    expect(out.repos['acme/modules']).toMatchObject({ outcome: 'minted', rule: 0, otherMatches: [{ rule: 1, line: ruleLine(dir, 1) }] });
    const text = simulate(['--subject', 'repo:acme/infra:ref:refs/heads/main', '--claim', 'repository=acme/platform-x', '--source', `acme/modules=${dir}`]).stdout;
    expect(text).toContain(`rule 2 (line ${ruleLine(dir, 1)}) also matches; its grant is not used`);
  });

  it('denies a caller that fails all three, tracing each rule', () => {
    const { json, text } = expectDenied(dir, ['--subject', 'repo:acme/infra:ref:refs/heads/dev']);
    expect(json.repos['acme/modules']!.trace.map((t) => t.matched)).toEqual([false, false, false]);
    for (const i of [0, 1, 2]) expect(text).toContain(`rule ${i + 1} (line ${ruleLine(dir, i)}): does not match`);
    expect(text).toMatch(/✗ subject "repo:acme\/infra:ref:refs\/heads\/dev" vs glob "repo:acme\/infra:ref:refs\/heads\/main"/);
    expect(text).toMatch(/✗ repository "acme\/infra" vs glob "acme\/platform-\*"/);
    expect(text).toMatch(/✗ repository_owner "acme" vs glob "acme-labs"/);
  });
});

describe('seed example: permissions (`pull_requests: write`)', () => {
  const dir = seed('permissions');
  it('grants contents: read, pull_requests: write and the always-present metadata: read', () => {
    const out = expectMinted(dir, 'repo:acme/app:ref:refs/heads/main', 0, { contents: 'read', metadata: 'read', pull_requests: 'write' });
    expect(out.tokens[0]!.permissions).toEqual({ contents: 'read', metadata: 'read', pull_requests: 'write' });
    const text = simulate(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/modules=${dir}`]).stdout;
    expect(text).toContain('acme/modules  minted  contents: read, metadata: read, pull_requests: write');
    expect(text).toContain(`rule 1 (line ${ruleLine(dir, 0)}) matched first and decides the grant`);
  });

  it('denies another owner, so nothing is granted', () => {
    const { text } = expectDenied(dir, ['--subject', 'repo:evil/app:ref:refs/heads/main']);
    expect(text).toMatch(/✗ repository_owner "evil" vs glob "acme"/);
  });
});

describe('seed example: the named policy `ci` (.atmos/pro/sts/ci.yaml)', () => {
  const dir = seed('named-ci');
  it('--policy-name ci reads ci.yaml and mints', () => {
    const out = expectMinted(dir, 'repo:acme/app:ref:refs/heads/main', 0, DEFAULT_GRANT, ['--policy-name', 'ci']);
    expect(out.repos['acme/modules']!.policyPath).toMatch(/\.atmos\/pro\/sts\/ci\.yaml$/);
  });

  it('the default policy name finds no default.yaml there: no_trust_policy', () => {
    const out = simulateJson(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/modules=${dir}`]);
    expect(out.tokens).toEqual([]);
    expect(out.excluded).toEqual([{ repo: 'acme/modules', reason: 'no_trust_policy' }]);
    expect(out.repos['acme/modules']!.policyPath).toMatch(/\.atmos\/pro\/sts\/default\.yaml$/);
    const text = simulate(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/modules=${dir}`]).stdout;
    expect(text).toContain('acme/modules  no_trust_policy');
    expect(text).toContain('default.yaml: STS is deny-by-default');
  });

  it('--policy-name ci denies a repo outside acme, naming the repository matcher', () => {
    const { text } = expectDenied(dir, ['--subject', 'repo:other/app:ref:refs/heads/main', '--policy-name', 'ci']);
    expect(text).toMatch(/ci\.yaml: no rule matched this caller/);
    expect(text).toMatch(/✗ repository "other\/app" vs glob "acme\/\*"/);
  });
});

describe('the other valid fixtures (header comment, UTF-8 BOM)', () => {
  it.each(['skeleton-header', 'utf8-bom'])('%s mints for acme and denies another owner', (name) => {
    expectMinted(seed(name), 'repo:acme/app:ref:refs/heads/main', 0);
    expectDenied(seed(name), ['--subject', 'repo:other/app:ref:refs/heads/main']);
  });
});

describe('many source repos: token grouping, --installed, --repo, invalid policies', () => {
  let ws: string;
  const caller = ['--subject', 'repo:acme/app:ref:refs/heads/main'];
  beforeAll(() => {
    ws = freshDir('workspace');
    copySeed('owner', join(ws, 'acme/a'));
    copySeed('match-all', join(ws, 'acme/b'));
    copySeed('permissions', join(ws, 'acme/c'));
    mkdirSync(join(ws, 'acme/d'), { recursive: true }); // no policy
    writePolicy(
      join(ws, 'acme/e'),
      ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', '  name: default', 'spec:', '  rules:', '    - match:', '        repositoryowner: "acme"', ''].join('\n'),
    );
    copySeed('match-all', join(ws, 'labs/f'));
  });

  it('one token per (owner, grant): same owner and grant share; another grant or owner gets its own', () => {
    const out = simulateJson([...caller, '--workspace', ws]);
    expect(out.tokens).toHaveLength(3);
    expect(out.tokens).toEqual(
      expect.arrayContaining([
        { host: 'github.com', owner: 'acme', repositories: ['acme/a', 'acme/b'], permissions: DEFAULT_GRANT },
        { host: 'github.com', owner: 'acme', repositories: ['acme/c'], permissions: { contents: 'read', metadata: 'read', pull_requests: 'write' } },
        { host: 'github.com', owner: 'labs', repositories: ['labs/f'], permissions: DEFAULT_GRANT },
      ]),
    );
    expect(out.excluded).toEqual(
      expect.arrayContaining([
        { repo: 'acme/d', reason: 'no_trust_policy' },
        { repo: 'acme/e', reason: 'trust_policy_invalid' },
      ]),
    );
    expect(out.excluded).toHaveLength(2);
    expect(Object.keys(out.repos).sort()).toEqual(['acme/a', 'acme/b', 'acme/c', 'acme/d', 'acme/e', 'labs/f']);
  });

  it('an invalid policy predicts trust_policy_invalid with its located findings', () => {
    const out = simulateJson([...caller, '--workspace', ws, '--repo', 'acme/e']);
    const e = out.repos['acme/e']!;
    expect(e.outcome).toBe('trust_policy_invalid');
    expect(e.rule).toBeNull();
    expect(e.findings).toHaveLength(1);
    expect(e.findings[0]).toMatchObject({ ruleId: 'schema/unknown-claim', severity: 'error', line: 8, column: 9 });
    expect(e.findings[0]!.message).toContain('repository_owner');
    const text = simulate([...caller, '--workspace', ws, '--repo', 'acme/e']).stdout;
    expect(text).toContain('acme/e  trust_policy_invalid');
    expect(text).toContain('is invalid, so STS fails closed');
    expect(text).toMatch(/default\.yaml:8:9 .*schema\/unknown-claim/);
  });

  it('--repo narrows the request to the listed repos', () => {
    const out = simulateJson([...caller, '--workspace', ws, '--repo', 'acme/c', '--repo', 'labs/f']);
    expect(Object.keys(out.repos).sort()).toEqual(['acme/c', 'labs/f']);
    expect(out.tokens.map((t) => t.repositories)).toEqual(expect.arrayContaining([['acme/c'], ['labs/f']]));
    expect(out.excluded).toEqual([]);
  });

  it('--installed: every other repo is not_installed_in_workspace, even one with a matching policy', () => {
    const out = simulateJson([...caller, '--workspace', ws, '--installed', 'acme/a,acme/c']);
    expect(out.tokens).toHaveLength(2);
    expect(out.tokens).toEqual(
      expect.arrayContaining([
        { host: 'github.com', owner: 'acme', repositories: ['acme/a'], permissions: DEFAULT_GRANT },
        { host: 'github.com', owner: 'acme', repositories: ['acme/c'], permissions: { contents: 'read', metadata: 'read', pull_requests: 'write' } },
      ]),
    );
    for (const r of ['acme/b', 'acme/d', 'acme/e', 'labs/f']) {
      expect(out.repos[r]!.outcome).toBe('not_installed_in_workspace');
      expect(out.excluded).toContainEqual({ repo: r, reason: 'not_installed_in_workspace' });
    }
    const text = simulate([...caller, '--workspace', ws, '--installed', 'acme/a,acme/c']).stdout;
    expect(text).toContain('labs/f  not_installed_in_workspace');
    expect(text).toContain('the Atmos Pro GitHub App is not installed on this repo');
  });

  it('a requested repo with no checkout that is not installed needs no checkout', () => {
    const out = simulateJson([...caller, '--workspace', ws, '--installed', 'acme/a', '--repo', 'acme/a', '--repo', 'other/x']);
    expect(out.repos['other/x']!.outcome).toBe('not_installed_in_workspace');
    expect(out.repos['acme/a']!.outcome).toBe('minted');
  });

  it('not installed wins over every other outcome, and everything excluded is still a normal answer', () => {
    const out = simulateJson([...caller, '--workspace', ws, '--installed', 'none/x', '--repo', 'acme/d', '--repo', 'acme/e']);
    expect(out.tokens).toEqual([]);
    expect(out.excluded).toEqual([
      { repo: 'acme/d', reason: 'not_installed_in_workspace' },
      { repo: 'acme/e', reason: 'not_installed_in_workspace' },
    ]);
  });
});

describe('--expect', () => {
  const owner = seed('owner');
  const src = ['--source', `acme/modules=${owner}`];
  it('exits 0 when every repo gets the expected outcome', () => {
    expect(simulate(['--subject', 'repo:acme/app:ref:refs/heads/main', ...src, '--expect', 'minted']).code).toBe(0);
    expect(simulate(['--subject', 'repo:evil/app:ref:refs/heads/main', ...src, '--expect', 'denied']).code).toBe(0);
    expect(simulate(['--subject', 'repo:evil/app:ref:refs/heads/main', ...src, '--expect', 'trust_policy_denied']).code).toBe(0);
    expect(simulate(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/modules=${seed('named-ci')}`, '--expect', 'no_trust_policy']).code).toBe(0);
  });

  it('exits 1 and says what differed when the outcome is another', () => {
    const minted = simulate(['--subject', 'repo:acme/app:ref:refs/heads/main', ...src, '--expect', 'denied']);
    expect(minted.code).toBe(1);
    expect(minted.stderr).toContain('expected trust_policy_denied, got acme/modules: minted');
    expect(minted.stdout).toContain('acme/modules  minted');
    const denied = simulate(['--subject', 'repo:evil/app:ref:refs/heads/main', ...src, '--expect', 'minted', '--format', 'json']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('expected minted, got acme/modules: trust_policy_denied');
    expect((JSON.parse(denied.stdout) as SimJson).excluded).toEqual([{ repo: 'acme/modules', reason: 'trust_policy_denied' }]);
  });
});

describe('usage errors exit 2 with a message and no stack trace', () => {
  const owner = seed('owner');
  const expectUsage = (args: string[], message: RegExp | string, input?: string) => {
    const r = simulate(args, { input });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith('sts-policy: ')).toBe(true);
    if (typeof message === 'string') expect(r.stderr).toContain(message);
    else expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/internal error|Error:/);
  };

  it('--policy-name ../x is not a policy name', () => {
    expectUsage(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/m=${owner}`, '--policy-name', '../x'], '--policy-name "../x" is not a policy name');
    expectUsage(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/m=${owner}`, '--policy-name', 'default.yaml'], 'is not a policy name');
  });

  it('--source nonsense', () => {
    expectUsage(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', 'nonsense'], '--source "nonsense": write OWNER/REPO=DIR');
    expectUsage(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', 'acme/m='], 'write OWNER/REPO=DIR');
  });

  it('both --claims and --subject', () => {
    const f = join(freshDir('claims'), 'c.json');
    writeFileSync(f, '{"sub":"repo:acme/app:ref:refs/heads/main"}');
    expectUsage(['--claims', f, '--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/m=${owner}`], 'give either --claims or --subject, not both');
  });

  it('neither --claims nor --subject', () => {
    expectUsage(['--source', `acme/m=${owner}`], 'give the caller');
  });

  it('an unreadable --claims file', () => {
    const missing = join(tmp, 'does-not-exist.json');
    expectUsage(['--claims', missing, '--source', `acme/m=${owner}`], `cannot read --claims ${missing}: ENOENT`);
    expectUsage(['--claims', freshDir('a-directory'), '--source', `acme/m=${owner}`], /cannot read --claims .*EISDIR/);
  });

  it('a --claims file that is neither a claims object nor a JWT', () => {
    const f = join(freshDir('claims'), 'list.json');
    writeFileSync(f, '["repo:acme/app"]');
    expectUsage(['--claims', f, '--source', `acme/m=${owner}`], 'claims must be a JSON object');
  });

  it('no source repo', () => {
    expectUsage(['--subject', 'repo:acme/app:ref:refs/heads/main'], 'no source repo: give --source OWNER/REPO=DIR or --workspace DIR');
  });

  it('a --workspace that is not a directory, a --repo without checkout, a bad --expect', () => {
    expectUsage(['--subject', 'repo:acme/app:ref:refs/heads/main', '--workspace', join(tmp, 'nope')], /--workspace .*not a directory/);
    expectUsage(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/m=${owner}`, '--repo', 'acme/other'], 'no checkout for acme/other');
    expectUsage(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/m=${owner}`, '--expect', 'allowed'], '--expect allowed');
  });
});

describe('--claims: a JSON claims file, a raw JWT on stdin', () => {
  const dir = seed('owner-environment');
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const SIGNATURE = 'c2VjcmV0LXNpZ25hdHVyZS1ieXRlcy1kby1ub3QtcHJpbnQ';
  const payload = {
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'https://github.com/acme',
    sub: 'repo:acme/app:environment:production',
    repository: 'acme/app',
    repository_owner: 'acme',
    ref: 'refs/heads/main',
    ref_type: 'branch',
    environment: 'production',
    actor: 'octocat',
    iat: 1787166757,
    exp: 1787167057,
  };
  const JWT = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${b64(payload)}.${SIGNATURE}`;

  it('a JSON file of claims (as decoded from a token)', () => {
    const f = join(freshDir('claims'), 'token.json');
    writeFileSync(f, JSON.stringify(payload, null, 2));
    const out = simulateJson(['--claims', f, '--source', `acme/modules=${dir}`]);
    expect(out.repos['acme/modules']).toMatchObject({ outcome: 'minted', rule: 0, permissions: DEFAULT_GRANT });
    expect(out.claims).toMatchObject({ sub: payload.sub, environment: 'production', actor: 'octocat' });
    expect(out.notes.join(' ')).not.toContain('signature');
    const noEnv = join(dirname(f), 'no-env.json');
    writeFileSync(noEnv, JSON.stringify({ ...payload, sub: 'repo:acme/app:ref:refs/heads/main', environment: undefined }));
    expectDenied(dir, ['--claims', noEnv]);
  });

  it('a raw JWT on stdin (--claims -): decoded, the signature not verified, the token never printed', () => {
    for (const format of ['text', 'json']) {
      const r = simulate(['--claims', '-', '--source', `acme/modules=${dir}`, '--format', format], { input: `${JWT}\n` });
      expect(r.code).toBe(0);
      const all = r.stdout + r.stderr;
      expect(all).toContain('the signature was NOT verified');
      expect(all).not.toContain(JWT);
      expect(all).not.toContain(SIGNATURE);
      expect(all).not.toContain(b64(payload));
      if (format === 'json') {
        const out = JSON.parse(r.stdout) as SimJson;
        expect(out.repos['acme/modules']!.outcome).toBe('minted');
        expect(out.claims.sub).toBe(payload.sub);
        expect(out.notes.some((n) => /signature was NOT verified/.test(n))).toBe(true);
      } else {
        expect(r.stdout).toContain('acme/modules  minted');
        expect(r.stdout).toMatch(/environment\s+production/);
      }
    }
  });

  it("GitHub's token endpoint answer ({count, value: JWT}) is read as the JWT and never echoed", () => {
    const r = simulate(['--claims', '-', '--source', `acme/modules=${dir}`, '--format', 'json'], { input: JSON.stringify({ count: 1, value: JWT }) });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SIGNATURE);
    const out = JSON.parse(r.stdout) as SimJson;
    expect(out.repos['acme/modules']!.outcome).toBe('minted');
    expect(out.claims.sub).toBe(payload.sub);
    expect(out.notes.some((n) => /signature was NOT verified/.test(n))).toBe(true);
  });

  it('a JWT whose payload is not JSON is a usage error that does not print the token', () => {
    const bad = `${b64({ alg: 'RS256' })}.${Buffer.from('not json').toString('base64url')}.${SIGNATURE}`;
    const r = simulate(['--claims', '-', '--source', `acme/modules=${dir}`], { input: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('looks like a JWT');
    expect(r.stdout + r.stderr).not.toContain(SIGNATURE);
  });

  it('a claims input over 1 MiB (a file, /dev/zero, stdin) is a usage error, never read whole', () => {
    const big = join(mkdtempSync(join(tmpdir(), 'sts-claims-')), 'big.json');
    writeFileSync(big, `{"sub":"${'x'.repeat(1024 * 1024)}"}`);
    for (const [args, input] of [[['--claims', big]], [['--claims', '/dev/zero']], [['--claims', '-'], 'y'.repeat(1024 * 1024 + 1)]] as [string[], string?][]) {
      const r = simulate([...args, '--source', `acme/modules=${dir}`], { input });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^sts-policy: --claims \S+: over 1048576 bytes/);
    }
  });
});

describe('--subject: what is derived from it is printed', () => {
  const dir = seed('match-all');
  const text = (subject: string) => {
    const r = simulate(['--subject', subject, '--source', `acme/modules=${dir}`]);
    expect(r.code).toBe(0);
    return r.stdout;
  };

  it('classic subject: repository, owner, ref and ref_type', () => {
    const t = text('repo:acme/infra:ref:refs/heads/main');
    expect(t).toMatch(/^Caller claims:/);
    expect(t).toMatch(/ sub\s+repo:acme\/infra:ref:refs\/heads\/main\n/);
    expect(t).toMatch(/ repository\s+acme\/infra\s+\(derived from the subject\)/);
    expect(t).toMatch(/ repository_owner\s+acme\s+\(derived from the subject\)/);
    expect(t).toMatch(/ ref\s+refs\/heads\/main\s+\(derived from the subject\)/);
    expect(t).toMatch(/ ref_type\s+branch\s+\(derived from the subject\)/);
    expect(t).toMatch(/ absent\s+.*environment/);
    expect(text('repo:acme/infra:ref:refs/tags/v1')).toMatch(/ ref_type\s+tag\s+\(derived from the subject\)/);
  });

  it('immutable subject: names, not IDs, in repository and repository_owner', () => {
    const t = text('repo:acme@1001/infra@2002:ref:refs/heads/main');
    expect(t).toMatch(/ repository\s+acme\/infra\s+\(derived from the subject\)/);
    expect(t).toMatch(/ repository_owner\s+acme\s+\(derived from the subject\)/);
    expect(t).toContain('immutable subject (owner ID 1001, repo ID 2002)');
  });

  it('environment subject: environment derived, ref unknown', () => {
    const t = text('repo:acme/infra:environment:production');
    expect(t).toMatch(/ environment\s+production\s+\(derived from the subject\)/);
    expect(t).toMatch(/ absent\s+.*\bref\b/);
    expect(t).toContain('an environment job: its subject names the environment, not the ref');
    const withRef = simulate(['--subject', 'repo:acme/infra:environment:production', '--claim', 'ref=refs/heads/main', '--source', `acme/modules=${dir}`]).stdout;
    expect(withRef).toMatch(/ ref\s+refs\/heads\/main\n/);
  });

  it('a customized subject derives nothing and says so', () => {
    const t = text('repository_owner:acme:repository_visibility:private');
    expect(t).not.toContain('(derived from the subject)');
    expect(t).toContain("not in GitHub's default format");
  });
});

describe('git: the server reads the default branch', () => {
  const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  const feature = ['--subject', 'repo:acme/infra:ref:refs/heads/feature/x'];
  let repo: string;
  beforeAll(() => {
    repo = freshDir('git-repo');
    git(repo, 'init', '-q', '-b', 'main');
    copySeed('exact-subject', repo);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'exact subject policy');
  });

  it('an unchanged working tree gives no note', () => {
    const r = simulate([...feature, '--source', `acme/modules=${repo}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trust_policy_denied');
    expect(r.stdout).not.toContain('differs from the default branch');
  });

  it('a modified working tree: predicted from it, with a note that `main` differs; --git-ref main reads the commit', () => {
    const path = join(repo, POLICY);
    const committed = readFileSync(path, 'utf8');
    writeFileSync(path, committed.replace('"repo:acme/infra:ref:refs/heads/main"', '"repo:acme/infra:*"'));
    try {
      const work = simulate([...feature, '--source', `acme/modules=${repo}`]);
      expect(work.code).toBe(0);
      expect(work.stdout).toContain('acme/modules  minted');
      expect(work.stdout).toContain("note: the working tree's .atmos/pro/sts/default.yaml differs from the default branch `main`");
      expect(work.stdout).toContain('--git-ref main');
      const workJson = simulateJson([...feature, '--source', `acme/modules=${repo}`]);
      expect(workJson.repos['acme/modules']!.notes.join('\n')).toContain('differs from the default branch `main`');

      const head = simulate([...feature, '--source', `acme/modules=${repo}`, '--git-ref', 'main']);
      expect(head.code).toBe(0);
      expect(head.stdout).toContain('acme/modules  trust_policy_denied');
      expect(head.stdout).not.toContain('differs from the default branch');
      expect(head.stdout).toMatch(/✗ subject "repo:acme\/infra:ref:refs\/heads\/feature\/x" vs glob "repo:acme\/infra:ref:refs\/heads\/main"/);
      const headJson = simulateJson([...feature, '--source', `acme/modules=${repo}`, '--git-ref', 'main']);
      expect(headJson.repos['acme/modules']!.outcome).toBe('trust_policy_denied');
      expect(headJson.repos['acme/modules']!.line).toBeNull();
    } finally {
      writeFileSync(path, committed);
    }
  });

  it('a policy only in the working tree (never committed) is noted; --git-ref main says no_trust_policy', () => {
    const other = freshDir('git-uncommitted');
    git(other, 'init', '-q', '-b', 'main');
    writeFileSync(join(other, 'README.md'), 'x\n');
    git(other, 'add', '-A');
    git(other, 'commit', '-q', '-m', 'init');
    copySeed('owner', other);
    const caller = ['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/modules=${other}`];
    const work = simulate(caller);
    expect(work.stdout).toContain('acme/modules  minted');
    expect(work.stdout).toContain('differs from the default branch `main`');
    expect(simulateJson([...caller, '--git-ref', 'main']).excluded).toEqual([{ repo: 'acme/modules', reason: 'no_trust_policy' }]);
  });

  it('a committed symlink at the policy path is never followed: trust_policy_invalid', () => {
    const linked = freshDir('git-symlink');
    git(linked, 'init', '-q', '-b', 'main');
    copySeed('match-all', join(linked, 'real'));
    mkdirSync(join(linked, '.atmos/pro/sts'), { recursive: true });
    symlinkSync('../../../real/.atmos/pro/sts/default.yaml', join(linked, POLICY));
    git(linked, 'add', '-A');
    git(linked, 'commit', '-q', '-m', 'policy as a link');
    for (const extra of [['--git-ref', 'main'], []]) {
      const out = simulateJson(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/modules=${linked}`, ...extra]);
      expect(out.excluded).toEqual([{ repo: 'acme/modules', reason: 'trust_policy_invalid' }]);
      expect(out.repos['acme/modules']!.findings.map((f) => f.ruleId)).toEqual(['file/symlink']);
      // The link is what is committed: the working tree does not differ from `main`.
      expect(out.repos['acme/modules']!.notes).toEqual([]);
    }
    const text = simulate(['--subject', 'repo:acme/app:ref:refs/heads/main', '--source', `acme/modules=${linked}`, '--git-ref', 'main']).stdout;
    expect(text).toContain('acme/modules  trust_policy_invalid');
    expect(text).toContain('symbolic link');
  });

  it('a bad --git-ref is a usage error (exit 2), not a crash', () => {
    const r = simulate([...feature, '--source', `acme/modules=${repo}`, '--git-ref', 'no-such-branch']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('cannot read revision "no-such-branch"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--git-ref on a folder that is not a git repository is a usage error', () => {
    const plain = freshDir('not-git');
    copySeed('owner', plain);
    const r = runCli(['simulate', ...feature, '--source', `acme/modules=${plain}`, '--git-ref', 'main'], { env: { GIT_CEILING_DIRECTORIES: tmp } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read revision "main"');
  });
});

describe('line numbers come from the policy file', () => {
  it('the matcher line in the trace is the line of the claim key', () => {
    const dir = seed('owner-environment');
    const out = simulateJson(['--subject', 'repo:acme/app:environment:production', '--source', `acme/modules=${dir}`]);
    const [owner, env] = out.repos['acme/modules']!.trace[0]!.matchers;
    expect(owner!.line).toBe(lineOf(dir, 'repository_owner:'));
    expect(env!.line).toBe(lineOf(dir, 'environment: "production"'));
  });
});
