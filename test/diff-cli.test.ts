// `sts-policy diff` end to end through the built CLI: verdicts on the fixture pairs with every witness
// replayed through `sts-policy simulate`, JSON shape, --fail-on exit codes, --base/--head against a
// real git repository, Markdown that untrusted policy text cannot break, and a large pair.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';
import { checkout, largePolicy, rank, type Grant } from './helpers/diff-replay.js';

const FIXTURES = join(ROOT, 'fixtures/diff');
const POLICY_DIR = '.atmos/pro/sts';
let tmp: string;
beforeAll(() => {
  // The CLI under test is dist/; the suite's build step (`npm test`) makes it. Build if missing.
  if (!existsSync(join(ROOT, 'dist/cli.cjs'))) execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT });
  tmp = mkdtempSync(join(tmpdir(), 'sts-diff-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface JsonChange {
  kind: 'new-access' | 'escalation' | 'lost-access' | 'reduction';
  witness: Record<string, string>;
  before: Grant | null;
  after: Grant | null;
  rule: number;
  line: number;
}
interface JsonPolicy {
  path: string;
  change: string;
  verdict: string;
  gains: JsonChange[];
  losses: JsonChange[];
  invalid: { before: { ruleId: string; message: string; line: number }[]; after: { ruleId: string; message: string; line: number }[] };
  notes?: string[];
}
interface JsonDiff {
  version: number;
  policies: JsonPolicy[];
}

function diffJson(args: string[], cwd?: string): { json: JsonDiff; code: number | null } {
  const r = runCli(['diff', ...args, '--format', 'json'], { cwd });
  expect(r.stderr).toBe('');
  return { json: JSON.parse(r.stdout) as JsonDiff, code: r.code };
}

const side = (c: string, s: 'old' | 'new') => join(FIXTURES, c, `${s}.yaml`);

const CASES: Record<string, [change: string, verdict: string]> = {
  reorder: ['modified', 'equivalent'],
  'split-alternation': ['modified', 'equivalent'],
  'glob-as-regex': ['modified', 'equivalent'],
  'glob-as-regex-newline': ['modified', 'equivalent'],
  'add-owner-prefix': ['modified', 'wider'],
  'pin-ref': ['modified', 'narrower'],
  incomparable: ['modified', 'incomparable'],
  escalation: ['modified', 'wider'],
  added: ['added', 'wider'],
  removed: ['removed', 'narrower'],
  'invalid-new': ['modified', 'narrower'],
  unchanged: ['unchanged', 'equivalent'],
};

/** Rule grants read straight from the YAML (independent of the CLI): permissions or the default. */
function ruleGrants(file: string | null): Grant[] | null {
  if (!file || !existsSync(file)) return null;
  const doc = parseYaml(readFileSync(file, 'utf8')) as { spec: { rules: { permissions?: Grant }[] } };
  return doc.spec.rules.map((r) => ({ metadata: 'read', ...(r.permissions ?? { contents: 'read' }) }));
}

interface SimRepo {
  outcome: string;
  trace: { rule: number; matched: boolean }[];
}

/**
 * Replays every witness of one policy diff with `sts-policy simulate`, the old and the new version
 * as two source repos of one call, and checks outcomes and worst-case grants (the union of the
 * grants of every rule the trace shows matching).
 */
function replay(p: JsonPolicy, oldFile: string | null, newFile: string | null): void {
  const oldDir = checkout(oldFile && existsSync(oldFile) ? oldFile : null, mkdtempSync(join(tmp, 'old-')));
  const newDir = checkout(newFile && existsSync(newFile) ? newFile : null, mkdtempSync(join(tmp, 'new-')));
  const grants = { old: ruleGrants(oldFile), new: ruleGrants(newFile) };
  for (const c of [...p.gains, ...p.losses]) {
    const ctx = `${c.kind} ${JSON.stringify(c.witness)}`;
    const r = runCli(['simulate', '--claims', '-', '--source', `acme/old=${oldDir}`, '--source', `acme/new=${newDir}`, '--format', 'json'], { input: JSON.stringify(c.witness) });
    expect(r.code, r.stderr).toBe(0);
    const repos = (JSON.parse(r.stdout) as { repos: Record<string, SimRepo> }).repos;
    const worst = (which: 'old' | 'new'): Grant | null => {
      const sim = repos[`acme/${which}`]!;
      if (sim.outcome !== 'minted') return null;
      const out: Grant = {};
      for (const t of sim.trace.filter((t) => t.matched)) for (const [k, l] of Object.entries(grants[which]![t.rule]!)) if (rank(l) > rank(out[k])) out[k] = l;
      return out;
    };
    const before = repos['acme/old']!.outcome;
    const after = repos['acme/new']!.outcome;
    const [wb, wa] = [worst('old'), worst('new')];
    const more = (a: Grant, b: Grant) => Object.entries(a).some(([k, l]) => rank(l) > rank(b[k]));
    if (c.kind === 'new-access') {
      expect([before, after], ctx).toEqual([expect.not.stringMatching(/^minted$/), 'minted']);
      expect(c.after, ctx).toEqual(wa);
    } else if (c.kind === 'lost-access') {
      expect([before, after], ctx).toEqual(['minted', expect.not.stringMatching(/^minted$/)]);
      expect(c.before, ctx).toEqual(wb);
    } else {
      expect([before, after], ctx).toEqual(['minted', 'minted']);
      expect([c.before, c.after], ctx).toEqual([wb, wa]);
      expect(c.kind === 'escalation' ? more(wa!, wb!) : more(wb!, wa!), ctx).toBe(true);
    }
    // The responsible rule matches the witness in the simulator's trace.
    const gain = c.kind === 'new-access' || c.kind === 'escalation';
    expect(repos[gain ? 'acme/new' : 'acme/old']!.trace[c.rule]?.matched, ctx).toBe(true);
  }
}

describe('fixture pairs through the CLI', () => {
  for (const [name, [change, verdict]] of Object.entries(CASES))
    it(`${name}: ${change}, ${verdict}; every witness replays in the simulator`, () => {
      const { json, code } = diffJson([side(name, 'old'), side(name, 'new')]);
      expect(code).toBe(0);
      expect(json.version).toBe(1);
      expect(json.policies).toHaveLength(1);
      const p = json.policies[0]!;
      expect(Object.keys(p).sort()).toEqual(['change', 'gains', 'invalid', 'losses', 'path', 'verdict']);
      expect([p.change, p.verdict]).toEqual([change, verdict]);
      for (const c of [...p.gains, ...p.losses]) expect(Object.keys(c).sort()).toEqual(['after', 'before', 'kind', 'line', 'rule', 'witness']);
      expect(p.gains.every((g) => g.kind === 'new-access' || g.kind === 'escalation')).toBe(true);
      expect(p.losses.every((l) => l.kind === 'lost-access' || l.kind === 'reduction')).toBe(true);
      if (verdict === 'equivalent') expect([p.gains, p.losses]).toEqual([[], []]);
      replay(p, side(name, 'old'), side(name, 'new'));
    }, 120_000);

  describe('a custom subject template (subjectTemplate in the lint settings)', () => {
    const pair = [side('custom-template', 'old'), side('custom-template', 'new')];
    const config = join(FIXTURES, 'custom-template', 'sts-policy.yaml');

    it('--config: the subjects are read with the template, the verdict is decided, and every witness replays in the simulator', () => {
      const { json, code } = diffJson(['--config', config, ...pair]);
      expect(code).toBe(0);
      const p = json.policies[0]!;
      expect([p.change, p.verdict]).toEqual(['modified', 'wider']);
      expect(p.notes).toEqual(['subjects follow the subject template [repo, context, job_workflow_ref] of the lint settings']);
      expect(p.gains.map((g) => g.kind)).toEqual(['new-access']);
      // A whole token: its subject names its own repository and environment, then the called workflow.
      const w = p.gains[0]!.witness;
      expect(w.sub).toBe(`repo:${w.repository}:environment:${w.environment}:job_workflow_ref:${w.sub!.split(':job_workflow_ref:')[1]}`);
      replay(p, pair[0]!, pair[1]!);
    }, 120_000);

    it("without the template, GitHub's default subject: such rules admit nobody, so nothing changes", () => {
      expect(diffJson(pair).json.policies[0]).toMatchObject({ verdict: 'equivalent', gains: [], losses: [] });
    });

    it("the repository's own .sts-policy.yaml is read, as lint reads it; a bad one is a located usage error", () => {
      const repo = mkdtempSync(join(tmp, 'template-repo-'));
      mkdirSync(join(repo, '.atmos'));
      writeFileSync(join(repo, '.sts-policy.yaml'), readFileSync(config));
      const local = ['old', 'new'].map((s) => (writeFileSync(join(repo, `${s}.yaml`), readFileSync(side('custom-template', s as 'old' | 'new'))), join(repo, `${s}.yaml`)));
      expect(diffJson(local).json.policies[0]!.verdict).toBe('wider');
      writeFileSync(join(repo, '.sts-policy.yaml'), 'subjectTemplate: [repo, contxt]\n');
      const r = runCli(['diff', ...local]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\.sts-policy\.yaml:1:25: `contxt` is not a claim key/);
      expect(r.stdout).toBe('');
    });
  });

  it('adding `repo:acme*` widens to an owner that is not acme', () => {
    const g = diffJson([side('add-owner-prefix', 'old'), side('add-owner-prefix', 'new')]).json.policies[0]!.gains;
    expect(g.map((x) => x.kind)).toEqual(['new-access']);
    expect(g[0]!.witness.repository_owner).not.toBe('acme');
    expect(g[0]!.witness.sub!.startsWith('repo:acme')).toBe(true);
  });

  it('an added write grant is an escalation from read to write', () => {
    const p = diffJson([side('escalation', 'old'), side('escalation', 'new')]).json.policies[0]!;
    expect(p.gains).toHaveLength(1);
    expect(p.gains[0]).toMatchObject({ kind: 'escalation', before: { contents: 'read' }, after: { contents: 'write' } });
  });

  it('an invalid new version reports its findings and loses everything', () => {
    const p = diffJson([side('invalid-new', 'old'), side('invalid-new', 'new')]).json.policies[0]!;
    expect(p.invalid.before).toEqual([]);
    expect(p.invalid.after.map((f) => f.ruleId)).toEqual(['schema/unknown-claim']);
    expect(p.invalid.after[0]!.message).toContain('repositoryowner');
    expect(p.gains).toEqual([]);
    expect(p.losses.map((l) => l.kind)).toEqual(['lost-access']);
    // The text report says so too.
    const text = runCli(['diff', side('invalid-new', 'old'), side('invalid-new', 'new')]);
    expect(text.stdout).toContain('after is invalid (grants nothing)');
    expect(text.stdout).toContain('schema/unknown-claim');
  });

  it('text format: one line per policy, each change with its rule, grants and witness', () => {
    const r = runCli(['diff', side('incomparable', 'old'), side('incomparable', 'new')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/new\.yaml {2}modified {2}incomparable\n/);
    expect(r.stdout).toMatch(/new access via rule 1 \(line 8\): denied -> contents: read, metadata: read\n {4}witness: \{/);
    expect(r.stdout).toMatch(/lost access via rule 1 \(line 8\): contents: read, metadata: read -> denied\n/);
  });

  it('directories: pairs policies by path', () => {
    const mk = (files: Record<string, string>) => {
      const d = mkdtempSync(join(tmp, 'dir-'));
      mkdirSync(join(d, POLICY_DIR), { recursive: true });
      for (const [n, src] of Object.entries(files)) writeFileSync(join(d, POLICY_DIR, `${n}.yaml`), readFileSync(src, 'utf8').replace('name: default', `name: ${n}`));
      return d;
    };
    const a = mk({ default: side('escalation', 'old'), ci: side('unchanged', 'old') });
    const b = mk({ default: side('escalation', 'new'), ci: side('unchanged', 'new'), deploy: side('added', 'new') });
    const { json, code } = diffJson([a, b]);
    expect(code).toBe(0);
    expect(json.policies.map((p) => [p.path, p.change, p.verdict])).toEqual([
      [`${POLICY_DIR}/ci.yaml`, 'unchanged', 'equivalent'],
      [`${POLICY_DIR}/default.yaml`, 'modified', 'wider'],
      [`${POLICY_DIR}/deploy.yaml`, 'added', 'wider'],
    ]);
  });
});

describe('--fail-on', { timeout: 120_000 }, () => {
  const code = (c: string, ...flags: string[]) => runCli(['diff', side(c, 'old'), side(c, 'new'), ...flags]).code;

  it('without it, a diff exits 0 whatever it finds', () => {
    for (const c of ['add-owner-prefix', 'escalation', 'incomparable', 'pin-ref']) expect(code(c), c).toBe(0);
  });

  it('wider: new access or escalation (wider, incomparable) fails; narrower and equivalent pass', () => {
    expect(code('add-owner-prefix', '--fail-on', 'wider')).toBe(1);
    expect(code('escalation', '--fail-on', 'wider')).toBe(1);
    expect(code('incomparable', '--fail-on', 'wider')).toBe(1);
    expect(code('added', '--fail-on', 'wider')).toBe(1);
    expect(code('pin-ref', '--fail-on', 'wider')).toBe(0);
    expect(code('invalid-new', '--fail-on', 'wider')).toBe(0);
    expect(code('reorder', '--fail-on', 'wider')).toBe(0);
  });

  it('escalation: only a higher grant fails, new read access does not', () => {
    expect(code('escalation', '--fail-on', 'escalation')).toBe(1);
    expect(code('add-owner-prefix', '--fail-on', 'escalation')).toBe(0);
    expect(code('pin-ref', '--fail-on', 'escalation')).toBe(0);
  });

  it('any-change: any access change fails, an equivalent rewrite passes', () => {
    expect(code('pin-ref', '--fail-on', 'any-change')).toBe(1);
    expect(code('removed', '--fail-on', 'any-change')).toBe(1);
    expect(code('add-owner-prefix', '--fail-on', 'any-change')).toBe(1);
    expect(code('reorder', '--fail-on', 'any-change')).toBe(0);
    expect(code('glob-as-regex', '--fail-on', 'any-change')).toBe(0);
    expect(code('unchanged', '--fail-on', 'any-change')).toBe(0);
  });

  it('rejects an unknown value as a usage error', () => {
    const r = runCli(['diff', side('reorder', 'old'), side('reorder', 'new'), '--fail-on', 'narrower']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/narrower/);
  });
});

describe('--base/--head against a real git repository', { timeout: 120_000 }, () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' });
  const put = (name: string, src: string) => writeFileSync(join(repo, POLICY_DIR, `${name}.yaml`), readFileSync(src, 'utf8').replace('name: default', `name: ${name}`));

  beforeAll(() => {
    repo = mkdtempSync(join(tmp, 'git-'));
    git('init', '-q', '-b', 'main');
    mkdirSync(join(repo, POLICY_DIR), { recursive: true });
    put('default', side('add-owner-prefix', 'old'));
    put('ci', side('pin-ref', 'old'));
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    put('default', side('add-owner-prefix', 'new'));
    put('ci', side('pin-ref', 'new'));
    git('add', '-A');
    git('commit', '-q', '-m', 'head');
  });

  it('compares two commits', () => {
    const { json, code } = diffJson(['--base', 'HEAD~1', '--head', 'HEAD'], repo);
    expect(code).toBe(0);
    expect(json.policies.map((p) => [p.path, p.change, p.verdict])).toEqual([
      [`${POLICY_DIR}/ci.yaml`, 'modified', 'narrower'],
      [`${POLICY_DIR}/default.yaml`, 'modified', 'wider'],
    ]);
    replay(json.policies[1]!, side('add-owner-prefix', 'old'), side('add-owner-prefix', 'new'));
    expect(runCli(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '--fail-on', 'wider'], { cwd: repo }).code).toBe(1);
    expect(runCli(['diff', '--base', 'main', '--head', 'main'], { cwd: repo }).code).toBe(0);
  });

  it('takes the repository as the path argument from another directory', () => {
    const { json } = diffJson(['--base', 'HEAD~1', '--head', 'HEAD', repo], tmp);
    expect(json.policies.map((p) => p.verdict)).toEqual(['narrower', 'wider']);
  });

  it('compares the working tree when --head is not given, uncommitted and untracked files included', () => {
    put('default', side('escalation', 'new'));
    put('deploy', side('added', 'new'));
    try {
      const { json } = diffJson(['--base', 'HEAD'], repo);
      expect(json.policies.map((p) => [p.path, p.change, p.verdict])).toEqual([
        [`${POLICY_DIR}/ci.yaml`, 'unchanged', 'equivalent'],
        [`${POLICY_DIR}/default.yaml`, 'modified', 'incomparable'],
        [`${POLICY_DIR}/deploy.yaml`, 'added', 'wider'],
      ]);
      replay(json.policies[1]!, side('add-owner-prefix', 'new'), side('escalation', 'new'));
    } finally {
      git('checkout', '-q', '--', '.');
      rmSync(join(repo, POLICY_DIR, 'deploy.yaml'), { force: true });
    }
    expect(diffJson(['--base', 'HEAD'], repo).json.policies.every((p) => p.change === 'unchanged')).toBe(true);
  });

  it('an unknown revision is a usage error (exit 2) that names it', () => {
    const r = runCli(['diff', '--base', 'no-such-branch'], { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-branch');
  });

  it('usage errors: one path without --base, --head without --base, two paths with --base', () => {
    expect(runCli(['diff', side('reorder', 'old')]).code).toBe(2);
    expect(runCli(['diff', '--head', 'HEAD'], { cwd: repo }).code).toBe(2);
    expect(runCli(['diff', '--base', 'HEAD', repo, repo]).code).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Markdown: policy text comes from untrusted pull requests.

/** The code spans of a piece of inline Markdown (CommonMark: a backtick run closes on the same length). */
function splitCodeSpans(s: string): { spans: string[]; rest: string } {
  const spans: string[] = [];
  let rest = '';
  let i = 0;
  while (i < s.length) {
    if (s[i] === '\\' && i + 1 < s.length) {
      rest += s.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (s[i] !== '`') {
      rest += s[i++];
      continue;
    }
    let n = 0;
    while (s[i + n] === '`') n++;
    const fence = '`'.repeat(n);
    // Find a closing run of exactly n backticks.
    let j = i + n;
    let close = -1;
    while (j < s.length) {
      if (s[j] !== '`') {
        j++;
        continue;
      }
      let m = 0;
      while (s[j + m] === '`') m++;
      if (m === n) {
        close = j;
        break;
      }
      j += m;
    }
    if (close < 0) {
      rest += fence;
      i += n;
      continue;
    }
    let body = s.slice(i + n, close);
    if (body.length > 1 && body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') body = body.slice(1, -1);
    spans.push(body);
    rest += '\u0000';
    i = close + n;
  }
  return { spans, rest };
}

/** GFM table cells: `|` splits unless a backslash precedes it; `\|` is unescaped inside cells. */
function cells(row: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '|' && row[i - 1] !== '\\') {
      parts.push(cur);
      cur = '';
    } else cur += row[i];
  }
  parts.push(cur);
  return parts.slice(1, -1).map((c) => c.replace(/\\\|/g, '|').trim());
}

/** Text outside code spans must not carry HTML, links, autolinks or mentions. */
function expectInert(rest: string, ctx: string) {
  expect(rest, ctx).not.toMatch(/</);
  expect(rest, ctx).not.toMatch(/\]\(|\[[^\]]*\]/);
  expect(rest, ctx).not.toMatch(/https?:|www\./i);
  expect(rest, ctx).not.toMatch(/(^|[^\\])@[A-Za-z0-9]/);
}

describe('markdown', () => {
  const EVIL = '<img src=x> @octocat | `tick` ``two`` ](http://evil)';
  it('renders untrusted matcher text with no raw HTML, mention or link, and keeps the table intact', () => {
    // The hostile text sits in a glob and in a regex (environments: the free-text claim of a token) and in the file's path.
    const dir = join(tmp, 'evil <img src=x> @octocat | `x` ](http:evil)');
    mkdirSync(dir, { recursive: true });
    const head = readFileSync(side('add-owner-prefix', 'old'), 'utf8');
    writeFileSync(join(dir, 'old.yaml'), head);
    const regex = '<b>@octocat\\|x`y`\\]\\(http://evil\\)'; // RE2: matches `<b>@octocat|x`y`](http://evil)`
    writeFileSync(
      join(dir, 'new.yaml'),
      head +
        `    - match:\n        environment: ${JSON.stringify(EVIL)}\n      permissions:\n        contents: write\n` +
        `    - match:\n        environment: { regex: ${JSON.stringify(regex)} }\n      permissions:\n        contents: write\n`,
    );
    const r = runCli(['diff', join(dir, 'old.yaml'), join(dir, 'new.yaml'), '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(0);
    const md = r.stdout;
    // The JSON report tells us what the witness is; the Markdown must carry it intact, as code.
    const j = diffJson([join(dir, 'old.yaml'), join(dir, 'new.yaml')]).json.policies[0]!;
    expect(j.verdict).toBe('wider');
    const witness = j.gains[0]!.witness;
    expect(j.gains.filter((g: { kind: string }) => g.kind === 'new-access').map((g: { witness: Record<string, string> }) => g.witness.environment)).toEqual([EVIL, '<b>@octocat|x`y`](http://evil)']);

    const lines = md.split('\n');
    const rows = lines.filter((l) => l.startsWith('|'));
    expect(rows.length).toBe(2 + j.gains.length + j.losses.length);
    for (const row of rows) {
      const cs = cells(row);
      expect(cs, row).toHaveLength(5);
      for (const c of cs) expectInert(splitCodeSpans(c).rest, row);
    }
    const data = rows.slice(2).map(cells);
    // The grants and the witness are each exactly one code span.
    for (const d of data)
      for (const c of d.slice(2)) {
        const { spans, rest } = splitCodeSpans(c);
        expect([spans.length, rest], c).toEqual([1, '\u0000']);
      }
    const w = splitCodeSpans(data[0]![4]!).spans;
    expect(w).toHaveLength(1);
    expect(JSON.parse(w[0]!)).toEqual(witness);
    // Lines outside the table (the heading with the path) are inert too, and the path survives as code.
    for (const l of lines.filter((l) => !l.startsWith('|'))) expectInert(splitCodeSpans(l).rest, l);
    const heading = lines.find((l) => l.startsWith('#### '))!;
    expect(splitCodeSpans(heading).spans[0]).toBe(join(dir, 'new.yaml'));
  });

  it('the Markdown of an equivalent change has a heading and no table', () => {
    const r = runCli(['diff', side('reorder', 'old'), side('reorder', 'new'), '--format', 'markdown']);
    expect(r.stdout).toContain('### Trust policy access diff');
    expect(r.stdout).toMatch(/#### `[^`]+`: modified, \*\*equivalent\*\*/);
    expect(r.stdout).not.toContain('| change |');
  });
});

describe('bound', () => {
  it('two 50-rule policies with globs and regexes: the exact answer, through the CLI', () => {
    const dir = mkdtempSync(join(tmp, 'large-'));
    writeFileSync(join(dir, 'old.yaml'), largePolicy('old'));
    writeFileSync(join(dir, 'new.yaml'), largePolicy('new'));
    const { json } = diffJson([join(dir, 'old.yaml'), join(dir, 'new.yaml')]);
    const p = json.policies[0]!;
    expect(p.verdict).toBe('incomparable');
    expect(p.gains.map((g) => [g.kind, g.rule])).toEqual([
      ['new-access', 7],
      ['escalation', 30],
    ]);
    expect(p.losses.map((l) => [l.kind, l.rule])).toEqual([['lost-access', 21]]);
    replay(p, join(dir, 'old.yaml'), join(dir, 'new.yaml'));
  }, 180_000);
});

describe('a merge key on either side (SPEC.md §4: the merged reading, said in a note)', () => {
  it('the diff takes the merged reading and names the assumption in text and JSON', () => {
    const before = join(ROOT, 'fixtures/valid/match-all/.atmos/pro/sts/default.yaml');
    const after = join(ROOT, 'fixtures/hostile/merge-key.yaml');
    const { json } = diffJson([before, after]);
    expect(json.policies[0]!.notes).toEqual([expect.stringMatching(/^after: the policy uses a `<<` merge key \(line 8\).*takes the merged reading/)]);
    // Merged, the rule pins the owner acme: the match-all policy's outside callers are lost, none gained.
    expect(json.policies[0]!.verdict).toBe('narrower');
    expect(runCli(['diff', before, after]).stdout).toContain('  note: after: the policy uses a `<<` merge key (line 8)');
    expect(diffJson([before, before]).json.policies[0]!.notes).toBeUndefined();
  });
});
