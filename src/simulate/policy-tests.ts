// Policy unit tests: `.atmos/pro/sts/tests/<policy>.test.yaml` beside the policies. STS never reads
// them (a subfolder; `.test` is not a policy name). Each case gives a caller, expects an outcome.
// A caller given by some claims stands for every token the model allows with them (completions.ts):
// the expectation must hold for each, else the case fails naming the claims that decide. Subjects
// follow the subject template of the repository's .sts-policy.yaml, as lint reads it.
import { readdirSync, lstatSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { POLICY_NAME_PATTERN, type Claims, type Permissions } from '../model.js';
import { SourceText } from '../load/text.js';
import { readInputFile } from '../load/read.js';
import { parseYaml, placeAt, type PathSegment } from '../load/yaml.js';
import { MAX_WALK_DEPTH, TESTS_DIR } from '../load/discover.js';
import { claimsFromSubject, decodeClaimsInput } from '../engine/claims.js';
import { SettingsResolver } from '../lint/config.js';
import { evaluate, type Evaluation, type RuleTrace } from '../engine/evaluate.js';
import { claimIs, completions, decidingClaims, freeClaimsRead } from './completions.js';
import { readSourcePolicy, OUTCOMES, type Outcome, type PolicyRead } from './simulate.js';

export interface TestCase {
  name: string;
  line: number;
  claims: Claims;
  expect: Outcome;
  /** The exact grant expected (`metadata: read` implied). */
  permissions?: Permissions;
  /** The 1-based rule expected to match first. */
  rule?: number;
}

export interface TestFile {
  path: string;
  repoDir: string;
  policyName: string;
  source?: string;
  /** The repository's `subjectTemplate` (GitHub's default when absent): how its cases' subjects read. */
  subjectTemplate?: readonly string[];
  cases: TestCase[];
}

export class TestFileError extends Error {
  constructor(readonly path: string, readonly line: number, readonly column: number, message: string) {
    super(`${path}:${line}:${column}: ${message}`);
  }
}

export interface CaseResult {
  case: TestCase;
  passed: boolean;
  actual: Outcome;
  rule?: number;
  permissions?: Permissions | null;
  /** Why it failed, for a person. */
  failure?: string;
  trace?: RuleTrace[];
  /** When the answer over the tokens the case's claims allow failed it: each answer, with a witness token. */
  completions?: { outcome: Outcome; rule?: number; permissions?: Permissions | null; witness: Claims }[];
  /** The search over those tokens gave up (its bound): the case fails, undecided. */
  undecided?: string;
}

/**
 * Finds test files under the given paths: files named explicitly, or `.atmos/pro/sts/tests/*.test.yaml`.
 * `notSearched` names each folder whose subfolders the depth bound left unsearched.
 */
export function findTestFiles(paths: readonly string[]): { files: string[]; notSearched: string[] } {
  const out: string[] = [];
  const notSearched: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && !['node_modules', '.git'].includes(e.name)) {
        if (depth < MAX_WALK_DEPTH) walk(p, depth + 1);
        else if (!notSearched.includes(dir)) notSearched.push(dir);
      }
      else if (e.isFile() && e.name.endsWith('.test.yaml') && ('/' + p.split(sep).join('/')).includes(`/.atmos/pro/sts/${TESTS_DIR}/`)) out.push(p);
    }
  };
  for (const p of paths) {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) walk(p, 0);
    else if (st?.isFile()) out.push(p);
  }
  return { files: [...new Set(out)].sort(), notSearched };
}

const TOP_KEYS = ['source', 'policy', 'cases'];
const CASE_KEYS = ['name', 'subject', 'claims', 'claimsFile', 'expect', 'permissions', 'rule'];
const EXPECT_ALIASES: Record<string, Outcome> = { denied: 'trust_policy_denied', invalid: 'trust_policy_invalid', not_installed: 'not_installed_in_workspace', none: 'no_trust_policy' };

export function loadTestFile(path: string): TestFile {
  const read = readInputFile(path);
  if (!read.ok) throw new TestFileError(path, read.position?.line ?? 1, read.position?.column ?? 1, read.message);
  // The repo is the folder holding `.atmos/`, spelled as the user gave the path.
  const norm = path.split(sep).join('/');
  const at = norm.startsWith('.atmos/pro/sts/') ? 0 : norm.lastIndexOf('/.atmos/pro/sts/');
  const repoDir = at > 0 ? norm.slice(0, at) : at === 0 ? '.' : dirname(path);
  // The repository's settings, as lint finds them; a broken config is the test file's error, not a silent default.
  const settings = new SettingsResolver().forPath(path);
  const problem = settings.problems[0];
  if (problem) throw new TestFileError(problem.path, problem.line, problem.column, problem.message);
  const template = settings.config.subjectTemplate;
  const source = new SourceText(read.text);
  const parsed = parseYaml(source);
  if (!parsed.ok) {
    const p = parsed.problems[0]!;
    const at = source.position(p.start);
    throw new TestFileError(path, at.line, at.column, p.message);
  }
  const { locate } = parsed;
  const fail = (at: PathSegment[], message: string): never => {
    const pos = source.position(placeAt(locate, at, 'key')?.start ?? 0);
    throw new TestFileError(path, pos.line, pos.column, message);
  };
  const data = parsed.data as Record<string, unknown>;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return fail([], 'a test file is a mapping with `cases:` (and optional `policy:` and `source:`)');
  for (const k of Object.keys(data)) if (!TOP_KEYS.includes(k)) fail([k], `unknown key \`${k}\`; allowed: ${TOP_KEYS.join(', ')}`);
  const policyName = (data.policy as string | undefined) ?? basename(path).replace(/\.test\.yaml$/, '');
  if (typeof policyName !== 'string' || !POLICY_NAME_PATTERN.test(policyName)) fail(['policy'], '`policy` must be a policy name (1 to 64 letters, digits, `-`, `_`)');
  if (!Array.isArray(data.cases) || !data.cases.length) fail(['cases'], '`cases` must be a non-empty list of test cases');
  const lineOf = (i: number) => source.position(placeAt(locate, ['cases', i], 'value')?.start ?? 0).line;
  const cases = (data.cases as unknown[]).map((raw, i) => ({ ...parseCase(raw, i, path, repoDir, template, fail), line: lineOf(i) }));
  return { path, repoDir, policyName, source: typeof data.source === 'string' ? data.source : undefined, ...(template && { subjectTemplate: template }), cases };
}

function parseCase(raw: unknown, i: number, path: string, repoDir: string, template: readonly string[] | undefined, fail: (at: PathSegment[], m: string) => never): Omit<TestCase, 'line'> {
  const at = (k?: string): PathSegment[] => (k ? ['cases', i, k] : ['cases', i]);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(at(), 'a test case is a mapping with `name`, a caller (`subject`, `claims` or `claimsFile`) and `expect`');
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!CASE_KEYS.includes(k)) fail(at(k), `unknown key \`${k}\` in a test case; allowed: ${CASE_KEYS.join(', ')}`);
  if (typeof c.name !== 'string' || !c.name) fail(at('name'), 'each case needs a `name`');
  if (!c.subject && !c.claims && !c.claimsFile) fail(at(), 'give the caller: `subject: repo:OWNER/REPO:...`, `claims: {...}` or `claimsFile: path.json`');
  let claims: Claims = {};
  if (typeof c.subject === 'string') claims = claimsFromSubject(c.subject, template).claims;
  else if (c.subject !== undefined) fail(at('subject'), '`subject` must be a string');
  if (c.claimsFile !== undefined) {
    if (typeof c.claimsFile !== 'string') fail(at('claimsFile'), '`claimsFile` must be a path');
    // Bounded, and only inside the repository: a test file comes from a pull request too.
    const read = readInputFile(resolve(dirname(path), c.claimsFile as string), repoDir);
    if (!read.ok) return fail(at('claimsFile'), `cannot read ${c.claimsFile as string} (relative to the test file): ${read.message}`);
    const decoded = decodeClaimsInput(read.text);
    if (!decoded.ok) fail(at('claimsFile'), decoded.message);
    else claims = { ...claims, ...decoded.claims };
  }
  if (c.claims !== undefined) {
    if (!c.claims || typeof c.claims !== 'object' || Array.isArray(c.claims)) fail(at('claims'), '`claims` must be a mapping of token claim names to strings');
    for (const [k, v] of Object.entries(c.claims as object)) {
      if (typeof v !== 'string') fail(['cases', i, 'claims', k], `claim \`${k}\` must be a string (quote it)`);
      claims[k === 'subject' ? 'sub' : k] = v as string;
    }
  }
  const expect = typeof c.expect === 'string' ? (EXPECT_ALIASES[c.expect] ?? (OUTCOMES as readonly string[]).find((o) => o === c.expect)) : undefined;
  if (!expect) fail(at('expect'), `\`expect\` must be one of ${OUTCOMES.filter((o) => o !== 'not_installed_in_workspace').join(', ')} (or denied, invalid)`);
  let permissions: Permissions | undefined;
  if (c.permissions !== undefined) {
    if (!c.permissions || typeof c.permissions !== 'object') fail(at('permissions'), '`permissions` must be a mapping such as `{contents: read}`');
    permissions = { metadata: 'read', ...(c.permissions as Permissions) };
  }
  if (c.rule !== undefined && (!Number.isInteger(c.rule) || (c.rule as number) < 1)) fail(at('rule'), '`rule` is the 1-based number of the rule expected to match first');
  return { name: c.name as string, claims, expect: expect as Outcome, permissions, rule: c.rule as number | undefined };
}

/** One test file run against its policy. */
export interface TestRun {
  file: TestFile;
  read: PolicyRead;
  results: CaseResult[];
}

/** Cases passed and failed over all runs. */
export function tally(runs: readonly TestRun[]): { passed: number; failed: number } {
  const failed = runs.reduce((n, r) => n + r.results.filter((x) => !x.passed).length, 0);
  return { passed: runs.reduce((n, r) => n + r.results.length, 0) - failed, failed };
}

export function runTestFile(file: TestFile): { results: CaseResult[]; read: PolicyRead } {
  const read = readSourcePolicy(file.repoDir, file.policyName);
  const results = file.cases.map((tc): CaseResult => {
    if (read.kind !== 'valid') return result(tc, { actual: read.kind === 'missing' ? 'no_trust_policy' : 'trust_policy_invalid' });
    // The claims as given (absent ones absent): the answer when they are the whole token.
    const asGiven = answerOf(evaluate(read.compiled, tc.claims));
    const comp = completions(read.compiled, tc.claims, { template: file.subjectTemplate });
    if (comp.kind === 'given' || comp.kind === 'outside') return result(tc, asGiven);
    if (comp.kind === 'undecided') return { ...result(tc, asGiven), passed: false, undecided: comp.reason, failure: `undecided: ${comp.reason}; give the case more claims` };
    // `expect` holds only when it holds for every token with the case's claims.
    const answers = comp.answers.map((a) => ({ ...answerOf(a.evaluation), witness: a.witness }));
    const failing = answers.filter((a) => check(tc, a).length);
    if (!failing.length) return result(tc, answers[0]!);
    const shown = failing[0]!;
    const listed = { completions: answers.map(({ actual, rule, permissions, witness }) => ({ outcome: actual, rule, permissions, witness })) };
    if (failing.length === answers.length && new Set(failing.map((a) => check(tc, a).join())).size === 1) {
      const out = result(tc, shown);
      if (shown.actual === asGiven.actual && shown.rule === asGiven.rule) return out;
      // Only the claims left out turn the answer: name those the deciding rule reads.
      const left = freeClaimsRead(read.compiled, comp.free, shown.rule === undefined ? undefined : shown.rule - 1);
      const why = left.length ? `: the case leaves out ${left.map((c) => `\`${c}\``).join(', ')}, e.g. ${left.map((c) => claimIs(shown.witness, c)).join(' and ')}` : '';
      return { ...out, ...listed, failure: `${out.failure} for every token with the case's claims${why}` };
    }
    const deciding = decidingClaims(read.compiled, comp.free, comp.answers);
    const perms = new Set(answers.filter((a) => a.actual === 'minted').map((a) => fmt(a.permissions ?? {}))).size > 1;
    const sides = answers.map((a) => `${a.actual}${perms && a.permissions ? ` ${fmt(a.permissions)}` : ''} when ${deciding.map((c) => claimIs(a.witness, c)).join(' and ')}${a.rule ? ` (rule ${a.rule})` : ''}`);
    const failure = `expected ${tc.expect} for every token with the case's claims, but the answer depends on claims it leaves out: ${sides.join(', ')}: add ${deciding.map((c) => `\`${c}\``).join(', ')} to the case`;
    return { ...result(tc, shown), ...listed, passed: false, failure };
  });
  return { results, read };
}

interface Answer {
  actual: Outcome;
  /** 1-based. */
  rule?: number;
  permissions?: Permissions | null;
  trace?: RuleTrace[];
}

const answerOf = (ev: Evaluation): Answer => ({ actual: ev.matched ? 'minted' : 'trust_policy_denied', rule: ev.rule === undefined ? undefined : ev.rule + 1, permissions: ev.permissions, trace: ev.trace });

/** Why `a` does not meet the case's expectation (none: it does). */
function check(tc: TestCase, a: Answer): string[] {
  if (a.actual !== tc.expect) return [`expected ${tc.expect}, got ${a.actual}${a.rule ? ` (rule ${a.rule})` : ''}`];
  const failures: string[] = [];
  if (tc.rule !== undefined && a.rule !== tc.rule) failures.push(`expected rule ${tc.rule} to match first, got rule ${a.rule}`);
  if (tc.permissions && JSON.stringify(sorted(tc.permissions)) !== JSON.stringify(sorted(a.permissions ?? {})))
    failures.push(`expected permissions ${fmt(tc.permissions)}, got ${fmt(a.permissions ?? {})}`);
  return failures;
}

function result(tc: TestCase, a: Answer): CaseResult {
  const failures = check(tc, a);
  return { case: tc, passed: failures.length === 0, actual: a.actual, rule: a.rule, permissions: a.permissions, trace: a.trace, failure: failures.join('; ') || undefined };
}

const sorted = (p: Permissions) => Object.fromEntries(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : 1)));
const fmt = (p: Permissions) => `{${Object.entries(sorted(p)).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;

export interface RuleCoverage {
  policyPath: string;
  /** 1-based, as people count rules. */
  rule: number;
  line: number;
  /** Some case matched this rule (an allowing case). */
  allowed: boolean;
  /** Some case did not match this rule (a denying case for it). */
  denied: boolean;
  /** Per matcher: some case failed this matcher alone, proving the matcher matters. */
  matchers: { claim: string; line: number; decisive: boolean }[];
}

export interface Coverage {
  rules: RuleCoverage[];
  /** Covered items over all items: each rule allowed and denied, each matcher decisive. */
  percent: number;
}

export function computeCoverage(runs: readonly { read: PolicyRead; results: readonly CaseResult[] }[]): Coverage {
  const byRule = new Map<string, RuleCoverage>();
  for (const { read, results } of runs) {
    if (read.kind !== 'valid') continue;
    for (const r of read.compiled.rules) {
      const key = `${read.path}#${r.index}`;
      if (!byRule.has(key))
        byRule.set(key, { policyPath: read.path, rule: r.index + 1, line: r.line, allowed: false, denied: false, matchers: r.matchers.map((m) => ({ claim: m.matcher.claim, line: m.matcher.span.line, decisive: false })) });
    }
    for (const res of results)
      for (const t of res.trace ?? []) {
        const cov = byRule.get(`${read.path}#${t.rule}`)!;
        if (t.matched) cov.allowed = true;
        else cov.denied = true;
        const failing = t.matchers.filter((m) => !m.matched);
        if (failing.length === 1) cov.matchers[t.matchers.indexOf(failing[0]!)]!.decisive = true;
      }
  }
  const rules = [...byRule.values()];
  const total = rules.reduce((n, r) => n + 2 + r.matchers.length, 0);
  const covered = rules.reduce((n, r) => n + Number(r.allowed) + Number(r.denied) + r.matchers.filter((m) => m.decisive).length, 0);
  return { rules, percent: total ? Math.round((covered / total) * 1000) / 10 : 100 };
}
