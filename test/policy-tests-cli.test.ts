// `sts-policy test` end to end, through the built CLI: policy unit tests pass and fail like a test
// runner's, in text, JSON and JUnit; coverage names the rules no case exercises; no tests and
// malformed test files are usage errors located at file:line:col.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, type Run } from './helpers/cli.js';

const EXAMPLE_REPO = join(ROOT, 'fixtures/examples/acme/terraform-modules');
const POLICY = '.atmos/pro/sts/default.yaml';
const TEST_FILE = '.atmos/pro/sts/tests/default.test.yaml';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sts-policy-tests-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

let counter = 0;
/** A temp repo: the seed policy `seedName` (if any) plus files given as path -> text. */
function repo(seedName: string | undefined, files: Record<string, string>): string {
  const dir = join(tmp, `repo-${++counter}`);
  mkdirSync(dir, { recursive: true });
  if (seedName) cpSync(join(ROOT, 'fixtures/valid', seedName), dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const test = (args: string[], opts: { cwd?: string } = {}): Run => runCli(['test', ...args], opts);

/** 1-based line of the first line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

/** The text output's block for one case: its ✓/✗ line up to the next case or the summary. */
function caseBlock(stdout: string, name: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^  [✓✗] /.test(l) && l.includes(name));
  expect(start).toBeGreaterThanOrEqual(0);
  let end = start + 1;
  while (end < lines.length && !/^  [✓✗] /.test(lines[end]!) && lines[end] !== '') end++;
  return lines.slice(start, end).join('\n');
}

// A small, strict XML well-formedness check: balanced tags, quoted attributes, no duplicate
// attributes, only the predefined entities or character references, exactly one root element.
interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}
const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const decode = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );
function parseXml(text: string): XmlNode {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  if (!decl.test(text)) throw new Error('missing XML declaration');
  const body = text.replace(decl, '');
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  let i = 0;
  while (i < body.length) {
    token.lastIndex = i;
    const m = token.exec(body);
    if (!m) throw new Error(`not well-formed at offset ${i}: ${JSON.stringify(body.slice(i, i + 40))}`);
    i = token.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[5] !== undefined) {
      if (ENTITY.test(m[5])) throw new Error(`bare & in text: ${JSON.stringify(m[5].slice(0, 40))}`);
      if (stack.length === 1 && m[5].trim()) throw new Error('text outside the root element');
      top.text += decode(m[5]);
      continue;
    }
    const [, close, name, rawAttrs, selfClose] = m as unknown as [string, string, string, string, string];
    if (close) {
      if (selfClose || rawAttrs) throw new Error(`malformed end tag </${name}>`);
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs.matchAll(/([A-Za-z_][\w.-]*)="([^"<]*)"/g)) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
      if (ENTITY.test(a[2]!)) throw new Error(`bare & in attribute ${a[1]}`);
      attrs[a[1]!] = decode(a[2]!);
    }
    const node: XmlNode = { name, attrs, children: [], text: '' };
    top.children.push(node);
    if (!selfClose) stack.push(node);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root.children.length !== 1) throw new Error('expected exactly one root element');
  return root.children[0]!;
}
const all = (n: XmlNode, name: string): XmlNode[] => [...(n.name === name ? [n] : []), ...n.children.flatMap((c) => all(c, name))];

describe('the example repo (fixtures/examples)', () => {
  it('passes: exit 0, `7 passed, 0 failed`', () => {
    const r = test(['fixtures/examples']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('7 passed, 0 failed');
    expect(r.stdout).toContain('fixtures/examples/acme/terraform-modules/.atmos/pro/sts/tests/default.test.yaml');
    expect(r.stdout).toContain('✓ acme/infra on main may read (line 4)');
    expect(r.stdout).not.toContain('✗');
  });

  it('finds the tests of the repository in the current directory when given no path', () => {
    const r = test([], { cwd: EXAMPLE_REPO });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('7 passed, 0 failed');
  });

  it('runs a test file named explicitly', () => {
    const r = test([join(EXAMPLE_REPO, TEST_FILE)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('7 passed, 0 failed');
  });

  it('covers every rule and matcher: --coverage-threshold 100 passes', () => {
    const r = test(['fixtures/examples', '--coverage-threshold', '100']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('coverage: 100%');
  });
});

const THREE_RULE_TESTS = `# tests for the three-rule seed policy
source: acme/modules
cases:
  - name: acme/infra on main may read
    subject: repo:acme/infra:ref:refs/heads/main
    expect: minted
    rule: 1
  - name: a feature branch of acme/infra <should> read & "match"
    subject: repo:acme/infra:ref:refs/heads/feature/x
    expect: minted
    rule: 1
  - name: acme/platform-api expected to be denied
    subject: repo:acme/platform-api:ref:refs/heads/main
    expect: denied
  - name: acme-labs expected to open pull requests
    subject: repo:acme-labs/components:ref:refs/heads/main
    expect: minted
    permissions: { contents: read, pull_requests: write }
  - name: acme/platform-api expected via rule 3
    subject: repo:acme/platform-api:ref:refs/heads/main
    expect: minted
    rule: 3
`;

describe('a failing run', () => {
  let dir: string;
  let r: Run;
  beforeAll(() => {
    dir = repo('any-rule', { [TEST_FILE]: THREE_RULE_TESTS });
    r = test([dir]);
  });

  it('exits 1 and counts passes and failures', () => {
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 passed, 4 failed');
    expect(caseBlock(r.stdout, 'acme/infra on main may read')).toMatch(/^  ✓ /);
  });

  it('expected minted, got denied: the trace of the rule that should have matched, and only it', () => {
    const block = caseBlock(r.stdout, 'a feature branch of acme/infra');
    const policy = join(dir, POLICY);
    expect(block).toContain(`✗ a feature branch of acme/infra <should> read & "match" (line ${lineOf(join(dir, TEST_FILE), 'a feature branch')})`);
    expect(block).toContain('expected minted, got trust_policy_denied');
    expect(block).toContain(`rule 1 (line ${lineOf(policy, '- match:')}): does not match`);
    expect(block).toMatch(/✗ subject "repo:acme\/infra:ref:refs\/heads\/feature\/x" vs glob "repo:acme\/infra:ref:refs\/heads\/main" \(line \d+\): glob stops matching/);
    expect(block).not.toContain('rule 2');
    expect(block).not.toContain('rule 3');
  });

  it('expected denied, got minted: names the rule that matched and shows it', () => {
    const block = caseBlock(r.stdout, 'acme/platform-api expected to be denied');
    expect(block).toContain('expected trust_policy_denied, got minted (rule 2)');
    expect(block).toContain('): matches');
    expect(block).toMatch(/✓ repository "acme\/platform-api" vs glob "acme\/platform-\*"/);
  });

  it('the right outcome with the wrong grant: expected vs actual permissions', () => {
    const block = caseBlock(r.stdout, 'acme-labs expected to open pull requests');
    expect(block).toContain('expected permissions {contents: read, metadata: read, pull_requests: write}, got {contents: read, metadata: read}');
  });

  it('the right outcome by the wrong rule: the trace of the rule that was expected', () => {
    const block = caseBlock(r.stdout, 'acme/platform-api expected via rule 3');
    expect(block).toContain('expected rule 3 to match first, got rule 2');
    expect(block).toMatch(/rule 3 \(line \d+\): does not match/);
    expect(block).toMatch(/✗ repository_owner "acme" vs glob "acme-labs"/);
  });

  it('json: files, cases with expected and actual, summary and coverage', () => {
    const j = test([dir, '--format', 'json']);
    expect(j.code).toBe(1);
    const out = JSON.parse(j.stdout);
    expect(Object.keys(out).sort()).toEqual(['coverage', 'files', 'summary', 'version']);
    expect(out.version).toBe(1);
    expect(out.summary).toEqual({ passed: 1, failed: 4 });
    expect(out.files).toHaveLength(1);
    const f = out.files[0];
    expect(f).toMatchObject({ path: join(dir, TEST_FILE), policy: 'default', policyPath: join(dir, POLICY), source: 'acme/modules' });
    expect(f.cases).toHaveLength(5);
    for (const c of f.cases) expect(Object.keys(c).sort()).toEqual(['actual', 'expected', 'failure', 'line', 'name', 'passed', 'permissions', 'rule']);
    expect(f.cases[0]).toEqual({ name: 'acme/infra on main may read', line: 4, passed: true, expected: 'minted', actual: 'minted', rule: 1, permissions: { contents: 'read', metadata: 'read' }, failure: null });
    expect(f.cases[1]).toEqual({
      name: 'a feature branch of acme/infra <should> read & "match"',
      line: 8,
      passed: false,
      expected: 'minted',
      actual: 'trust_policy_denied',
      rule: null,
      permissions: null,
      failure: 'expected minted, got trust_policy_denied',
    });
    expect(f.cases[2]).toMatchObject({ passed: false, expected: 'trust_policy_denied', actual: 'minted', rule: 2 });
    expect(f.cases[4]).toMatchObject({ passed: false, expected: 'minted', actual: 'minted', rule: 2, failure: 'expected rule 3 to match first, got rule 2' });
    expect(out.coverage.rules).toHaveLength(3);
    expect(out.coverage.rules[0]).toMatchObject({ policyPath: join(dir, POLICY), rule: 1, allowed: true, denied: true });
    expect(typeof out.coverage.percent).toBe('number');
  });

  it('junit: well-formed XML with a failure element per failing case', () => {
    const j = test([dir, '--format', 'junit']);
    expect(j.code).toBe(1);
    const root = parseXml(j.stdout);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '5', failures: '4' });
    const suites = all(root, 'testsuite');
    expect(suites).toHaveLength(1);
    expect(suites[0]!.attrs).toMatchObject({ name: join(dir, TEST_FILE), tests: '5', failures: '4', errors: '0' });
    const cases = all(root, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual([
      'acme/infra on main may read',
      'a feature branch of acme/infra <should> read & "match"',
      'acme/platform-api expected to be denied',
      'acme-labs expected to open pull requests',
      'acme/platform-api expected via rule 3',
    ]);
    expect(all(cases[0]!, 'failure')).toEqual([]);
    const failures = all(root, 'failure');
    expect(failures).toHaveLength(4);
    expect(failures[0]!.attrs.message).toBe('expected minted, got trust_policy_denied');
    expect(failures[0]!.text).toMatch(/✗ subject "repo:acme\/infra:ref:refs\/heads\/feature\/x" vs glob/);
    for (const f of failures) expect(f.attrs.message!.length).toBeGreaterThan(10);
  });

  it('-o writes the report to a file and nothing to stdout', () => {
    const file = join(tmp, `report-${counter}.xml`);
    const j = test([dir, '--format', 'junit', '-o', file]);
    expect(j.code).toBe(1);
    expect(j.stdout).toBe('');
    expect(all(parseXml(readFileSync(file, 'utf8')), 'failure')).toHaveLength(4);
  });

  it('junit of a passing run has no failure element', () => {
    const j = test(['fixtures/examples', '--format', 'junit']);
    expect(j.code).toBe(0);
    const root = parseXml(j.stdout);
    expect(root.attrs).toMatchObject({ tests: '7', failures: '0' });
    expect(all(root, 'testcase')).toHaveLength(7);
    expect(all(root, 'failure')).toEqual([]);
  });
});

describe('coverage', () => {
  let dir: string;
  beforeAll(() => {
    dir = repo('any-rule', {
      [TEST_FILE]: 'cases:\n  - name: acme/infra on main\n    subject: repo:acme/infra:ref:refs/heads/main\n    expect: minted\n    rule: 1\n',
    });
  });

  it('--coverage lists each uncovered rule at file:line', () => {
    const r = test([dir, '--coverage']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 passed, 0 failed');
    const policy = join(dir, POLICY);
    const text = readFileSync(policy, 'utf8').split('\n');
    const ruleLines = text.flatMap((l, i) => (/^\s*- match:/.test(l) ? [i + 1] : []));
    expect(r.stdout).toMatch(/coverage: [\d.]+%/);
    expect(r.stdout).toContain(`${policy}:${ruleLines[1]}  rule 2: no case matches it`);
    expect(r.stdout).toContain(`${policy}:${ruleLines[2]}  rule 3: no case matches it`);
    expect(r.stdout).toContain(`${policy}:${ruleLines[0]}  rule 1: no case fails it`);
    const percent = Number(/coverage: ([\d.]+)%/.exec(r.stdout)![1]);
    expect(percent).toBeLessThan(100);
    expect(JSON.parse(test([dir, '--format', 'json']).stdout).coverage.percent).toBe(percent);
  });

  it('--coverage-threshold 100 fails on partial coverage', () => {
    const r = test([dir, '--coverage-threshold', '100']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 passed, 0 failed');
    expect(r.stdout).toMatch(/coverage [\d.]+% is below the threshold 100%/);
    const j = test([dir, '--coverage-threshold', '100', '--format', 'json']);
    expect(j.code).toBe(1);
    expect(j.stderr).toMatch(/coverage [\d.]+% is below --coverage-threshold 100%/);
    expect(test([dir, '--coverage-threshold', '10']).code).toBe(0);
  });

  it('a non-numeric threshold is a usage error', () => {
    const r = test([dir, '--coverage-threshold', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected a whole number');
  });
});

describe('nothing to test', () => {
  it('no test file: exit 2 with a message; --allow-empty: exit 0', () => {
    const dir = repo('owner', {});
    const r = test([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no policy tests found');
    expect(r.stderr).toContain('.atmos/pro/sts/tests/<policy>.test.yaml');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const empty = test([dir, '--allow-empty']);
    expect(empty.code).toBe(0);
  });

  it('a test file outside .atmos/pro/sts/tests is not found by a walk', () => {
    const dir = repo('owner', { 'tests/default.test.yaml': 'cases:\n  - name: x\n    subject: repo:acme/a:ref:refs/heads/main\n    expect: minted\n' });
    expect(test([dir]).code).toBe(2);
  });
});

describe('malformed test files: exit 2 with file:line:col', () => {
  const malformed = (text: string): { file: string; r: Run } => {
    const dir = repo('owner', { [TEST_FILE]: text });
    const file = join(dir, TEST_FILE);
    return { file, r: test([dir]) };
  };

  it('an unknown key in a case', () => {
    const { file, r } = malformed('cases:\n  - name: a\n    subject: repo:acme/x:ref:refs/heads/main\n    expect: minted\n    permision: { contents: read }\n');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}:5:5: unknown key \`permision\` in a test case`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown top-level key', () => {
    const { file, r } = malformed('policies: default\ncases:\n  - name: a\n    subject: repo:acme/x:ref:refs/heads/main\n    expect: minted\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1:1: unknown key \`policies\``);
  });

  it('a bad expect', () => {
    const { file, r } = malformed('cases:\n  - name: a\n    subject: repo:acme/x:ref:refs/heads/main\n    expect: allowed\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: \`expect\` must be one of minted, trust_policy_denied`));
  });

  it('a claim that is not a string, a rule of 0, a case without a caller', () => {
    const a = malformed('cases:\n  - name: a\n    claims: { sub: "repo:acme/x:ref:refs/heads/main", ref_protected: true }\n    expect: minted\n');
    expect(a.r.code).toBe(2);
    expect(a.r.stderr).toMatch(/:3:\d+: claim `ref_protected` must be a string/);
    const b = malformed('cases:\n  - name: a\n    subject: repo:acme/x:ref:refs/heads/main\n    expect: minted\n    rule: 0\n');
    expect(b.r.code).toBe(2);
    expect(b.r.stderr).toContain(`${b.file}:5:5: \`rule\` is the 1-based number`);
    const c = malformed('cases:\n  - name: a\n    expect: minted\n');
    expect(c.r.code).toBe(2);
    expect(c.r.stderr).toContain(`${c.file}:2:5: give the caller`);
  });

  it('a YAML syntax error', () => {
    const { file, r } = malformed('cases:\n  - name: a\n    subject: [\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: YAML syntax error`));
  });
});

describe('claimsFile', () => {
  it('is read relative to the test file, whatever the current directory', () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const dir = repo('owner-environment', {
      '.atmos/pro/sts/tests/callers/deploy.json': JSON.stringify({ sub: 'repo:acme/app:environment:production', repository: 'acme/app', repository_owner: 'acme', environment: 'production' }),
      '.atmos/pro/sts/tests/callers/plan.jwt': `${b64({ alg: 'RS256' })}.${b64({ sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', repository_owner: 'acme' })}.c2lnbmF0dXJl\n`,
      [TEST_FILE]: [
        'cases:',
        '  - name: the production deploy job',
        '    claimsFile: callers/deploy.json',
        '    expect: minted',
        '    rule: 1',
        '  - name: the plan job (a JWT), without an environment',
        '    claimsFile: callers/plan.jwt',
        '    expect: denied',
        '',
      ].join('\n'),
    });
    for (const cwd of [ROOT, tmp, dir]) {
      const r = test([dir], { cwd });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('2 passed, 0 failed');
    }
  });

  it('a missing claimsFile is a usage error at its line', () => {
    const dir = repo('owner', { [TEST_FILE]: 'cases:\n  - name: a\n    claimsFile: callers/none.json\n    expect: minted\n' });
    const r = test([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, TEST_FILE)}:3:5: cannot read callers/none.json (relative to the test file)`);
  });
});

describe('a missing or invalid policy', () => {
  it('a case against a missing policy expects no_trust_policy and passes', () => {
    const dir = repo(undefined, { [TEST_FILE]: 'cases:\n  - name: nobody may read before the policy is merged\n    subject: repo:acme/app:ref:refs/heads/main\n    expect: no_trust_policy\n' });
    expect(existsSync(join(dir, POLICY))).toBe(false);
    const r = test([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 passed, 0 failed');
    expect(r.stdout).toContain('missing');
  });

  it('`policy: ci` tests ci.yaml: missing beside a default.yaml, so no_trust_policy', () => {
    const dir = repo('owner', {
      [TEST_FILE]: 'policy: ci\ncases:\n  - name: ci.yaml is not there\n    subject: repo:acme/app:ref:refs/heads/main\n    expect: no_trust_policy\n  - name: wrongly expects a token\n    subject: repo:acme/app:ref:refs/heads/main\n    expect: minted\n',
    });
    const r = test([dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 passed, 1 failed');
    expect(r.stdout).toContain('(policy ci:');
    expect(caseBlock(r.stdout, 'wrongly expects a token')).toContain('expected minted, got no_trust_policy');
  });

  it('`policy: ci` of the named-ci seed mints', () => {
    const dir = repo('named-ci', { '.atmos/pro/sts/tests/ci.test.yaml': 'cases:\n  - name: any acme repo\n    subject: repo:acme/app:ref:refs/heads/main\n    expect: minted\n    permissions: { contents: read }\n' });
    const r = test([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 passed, 0 failed');
  });

  it('an invalid policy: `expect: invalid` passes; expecting minted fails and lists the findings', () => {
    const dir = repo(undefined, {
      [POLICY]: 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n    - match:\n        repositoryowner: "acme"\n',
      [TEST_FILE]: 'cases:\n  - name: fails closed\n    subject: repo:acme/app:ref:refs/heads/main\n    expect: invalid\n  - name: wrongly expects a token\n    subject: repo:acme/app:ref:refs/heads/main\n    expect: minted\n',
    });
    const r = test([dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 passed, 1 failed');
    const block = caseBlock(r.stdout, 'wrongly expects a token');
    expect(block).toContain('expected minted, got trust_policy_invalid');
    expect(block).toContain(`${join(dir, POLICY)}:8:9`);
    expect(block).toContain('schema/unknown-claim');
  });
});
