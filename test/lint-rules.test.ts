// Lint rules as tables (actionlint-style golden files): fixtures/rules/<rule>/invalid/x.yaml yields
// exactly that rule's findings listed in x.out (`line:column severity rule-id message`), and its
// fixes (all of them, unsafe included) turn it into x.fixed.yaml; valid/*.yaml yields none of it.
// UPDATE_GOLDEN=1 rewrites the goldens. Every witness any finding carries is replayed through the simulator and must mint,
// with the shape of a real default-format GitHub token. Tight policies stay quiet.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths, policyNameOf, type Claims, type Finding, type LintResult } from '../src/index.js';
import type { LintConfig } from '../src/rules/framework.js';
import { LINT_RULES } from '../src/rules/index.js';
import { readSourcePolicy } from '../src/simulate/simulate.js';
import { evaluate } from '../src/engine/evaluate.js';
import { parseSubject } from '../src/engine/claims.js';
import { ROOT, runCli } from './helpers/cli.js';
import { blocks, pageConfig, readPage } from './helpers/rule-docs.js';
import { tempDirs } from './helpers/temp.js';
import { expectGolden, outLine } from './helpers/golden.js';
import { fixPolicyText } from '../src/lint/fix.js';
import { tokenProblem } from '../src/analysis/token-model.js';

const RULES = join(ROOT, 'fixtures/rules');
/** The lint rules (rules/index.ts), and the finding the runner makes when one hits a bound. */
const lintRuleIds = [...LINT_RULES.map((r) => r.meta.id), 'analysis/not-analysed'].sort();

/** Rules that only report with configuration: the config each one's fixtures are linted with. */
const CONFIG: Record<string, LintConfig> = { 'security/untrusted-owner': { owners: ['acme'] } };
/** Fixtures written for one setting (by path under fixtures/rules), linted with it instead. */
const FIXTURE_CONFIG: Record<string, LintConfig> = {
  'correctness-dead-matcher/invalid/template-subject.yaml': { subjectTemplate: ['repo', 'context', 'job_workflow_ref'] },
  'interplay-redundant-rule/invalid/template-owner-subject.yaml': { subjectTemplate: ['repository_owner', 'context'] },
  'interplay-redundant-rule/valid/dead-duplicate-template.yaml': { subjectTemplate: ['repo', 'context', 'environment'] },
  'correctness-contradiction/invalid/template-environment-vs-ref-subject.yaml': { subjectTemplate: ['repo', 'context', 'environment'] },
  'correctness-contradiction/valid/template-environment-named-ref.yaml': { subjectTemplate: ['repo', 'context', 'environment'] },
};
const configFor = (ruleId: string, path = ''): LintConfig => FIXTURE_CONFIG[relative(RULES, path)] ?? CONFIG[ruleId] ?? {};

const dirOf = (ruleId: string) => join(RULES, ruleId.replace('/', '-'));
const FIXED = '.fixed.yaml';
const yamlFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.endsWith(FIXED)).sort() : []);

function lintFile(path: string, config: LintConfig = {}): LintResult {
  const result = lintPaths([path], { config });
  expect(result.errors).toEqual([]);
  expect(result.files).toHaveLength(1);
  // Every fixture is a complete policy STS accepts: lint rules only run on valid policies.
  expect(result.files[0]!.valid, `${path} is a valid policy`).toBe(true);
  expect(result.files[0]!.validated?.policy?.name).toBe(basename(path, '.yaml'));
  return result;
}

const tempDir = tempDirs('sts-policy-lint-rules-');

/** A checkout holding the linted file at its policy path: the file's own repo, or a temporary copy. */
function checkoutOf(path: string): { dir: string; name: string } {
  const name = policyNameOf(path);
  if (name) return { dir: path.slice(0, -`.atmos/pro/sts/${name}.yaml`.length), name };
  const dir = tempDir();
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  copyFileSync(path, join(dir, `.atmos/pro/sts/${basename(path)}`));
  return { dir, name: basename(path, '.yaml') };
}

describe('fixtures/rules: one folder per lint rule', () => {
  it('every lint rule has invalid and valid fixtures, and every folder belongs to a rule', () => {
    const folders = readdirSync(RULES).filter((d) => d !== 'tight').sort();
    expect(folders).toEqual(lintRuleIds.map((id) => id.replace('/', '-')).sort());
    for (const id of lintRuleIds) {
      expect(yamlFiles(join(dirOf(id), 'invalid')).length, `${id} invalid`).toBeGreaterThanOrEqual(2);
      expect(yamlFiles(join(dirOf(id), 'valid')).length, `${id} valid`).toBeGreaterThanOrEqual(1);
    }
  });

  it('every invalid fixture has its .out, and every .out its fixture', () => {
    for (const id of lintRuleIds) {
      const dir = join(dirOf(id), 'invalid');
      const outs = readdirSync(dir).filter((f) => f.endsWith('.out'));
      expect(outs.map((f) => f.replace(/\.out$/, '.yaml')).sort()).toEqual(yamlFiles(dir));
      const fixed = readdirSync(dir).filter((f) => f.endsWith(FIXED));
      expect(fixed.map((f) => f.replace(FIXED, '.yaml')).filter((f) => !yamlFiles(dir).includes(f))).toEqual([]);
    }
  });
});

/** Whether a message is its template with the placeholders filled (the literal parts, in order). */
function fitsTemplate(message: string, template: string): boolean {
  const parts = template.split(/\{\{\w+\}\}/);
  if (!message.startsWith(parts[0]!) || !message.endsWith(parts[parts.length - 1]!)) return false;
  let at = parts[0]!.length;
  for (const part of parts.slice(1)) {
    const found = message.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return true;
}

describe.each(LINT_RULES.map((r) => r.meta))('$id against its fixtures', (meta) => {
  const findings = ['invalid', 'valid'].flatMap((kind) => yamlFiles(join(dirOf(meta.id), kind)).flatMap((f) => lintFile(join(dirOf(meta.id), kind, f), configFor(meta.id, join(dirOf(meta.id), kind, f))).findings.filter((x) => x.ruleId === meta.id)));

  it('declares `fixable` exactly when a fixture produces a fix', () => {
    expect(Boolean(meta.fixable)).toBe(findings.some((f) => f.fix));
    if (meta.fixable === 'safe') expect(findings.filter((f) => f.fix).every((f) => f.fix!.safe)).toBe(true);
  });

  it('reports only messages its meta declares, and a fixture shows each', () => {
    const templates = Object.entries(meta.messages);
    for (const f of findings) expect(templates.some(([, t]) => fitsTemplate(f.message, t)), f.message).toBe(true);
    expect(templates.filter(([, t]) => !findings.some((f) => fitsTemplate(f.message, t))).map(([id]) => id)).toEqual([]);
  });
});

describe.each(lintRuleIds)('%s', (id) => {
  const invalid = yamlFiles(join(dirOf(id), 'invalid'));
  const valid = yamlFiles(join(dirOf(id), 'valid'));

  it.each(invalid)('invalid/%s yields exactly the findings of its .out', (file) => {
    const path = join(dirOf(id), 'invalid', file);
    const findings = lintFile(path, configFor(id, path)).findings.filter((f) => f.ruleId === id);
    expect(findings.length, 'an invalid fixture yields the rule').toBeGreaterThan(0);
    expectGolden(path.replace(/\.yaml$/, '.out'), findings.map((f) => outLine(f) + '\n').join(''));
    for (const f of findings) {
      expect(f.message.length).toBeGreaterThan(30);
      expect(f.docsUrl).toBe(`https://github.com/sts-policy/sts-policy/blob/main/docs/rules/${id}.md`);
      expect(f.endLine * 10_000 + f.endColumn).toBeGreaterThanOrEqual(f.line * 10_000 + f.column);
    }
  });

  it.each(invalid)('invalid/%s is fixed into its .fixed.yaml (none when the rule has no fix)', (file) => {
    const path = join(dirOf(id), 'invalid', file);
    // Only this rule reports, so the golden pins its fixes alone.
    const rules = Object.fromEntries(lintRuleIds.filter((other) => other !== id).map((other) => [other, { severity: 'off' as const }]));
    const fixed = fixPolicyText(path, basename(path, '.yaml'), readFileSync(path, 'utf8'), { config: { ...configFor(id, path), rules }, unsafe: true });
    expectGolden(path.replace(/\.yaml$/, FIXED), fixed.applied.length ? fixed.text : undefined);
  });

  it.each(valid)('valid/%s yields no finding of the rule', (file) => {
    const path = join(dirOf(id), 'valid', file);
    const findings = lintFile(path, configFor(id, path)).findings;
    expect(findings.filter((f) => f.ruleId === id)).toEqual([]);
  });
});

describe('the policies the rules exist for are flagged', () => {
  const owner = (w: Claims | undefined) => w?.repository_owner ?? '';
  const cases: { file: string; rule: string; severity: Finding['severity']; witness?: (w: Claims) => boolean }[] = [
    { file: 'security-any-owner/invalid/subject-star', rule: 'security/any-owner', severity: 'warning', witness: (w) => owner(w) !== 'acme' },
    { file: 'security-any-owner/invalid/any-owner-repo', rule: 'security/any-owner', severity: 'warning', witness: (w) => w.repository!.endsWith('/infra') && owner(w) !== 'acme' },
    { file: 'security-owner-prefix/invalid/subject-prefix', rule: 'security/owner-prefix', severity: 'error', witness: (w) => owner(w).startsWith('acme') && owner(w) !== 'acme' },
    { file: 'security-owner-prefix/invalid/owner-regex', rule: 'security/owner-prefix', severity: 'error', witness: (w) => owner(w).startsWith('acme') && owner(w) !== 'acme' },
    { file: 'security-unbound-caller/invalid/environment-only', rule: 'security/unbound-caller', severity: 'warning', witness: (w) => w.environment === 'production' && owner(w) !== 'acme' },
    { file: 'correctness-dead-matcher/invalid/ref-main', rule: 'correctness/dead-matcher', severity: 'error' },
    { file: 'correctness-dead-matcher/invalid/ref-type-branches', rule: 'correctness/dead-matcher', severity: 'error' },
    { file: 'correctness-dead-matcher/invalid/repository-no-owner', rule: 'correctness/dead-matcher', severity: 'error' },
    { file: 'correctness-dead-matcher/invalid/owner-with-slash', rule: 'correctness/dead-matcher', severity: 'error' },
    { file: 'correctness-dead-matcher/invalid/sha-short', rule: 'correctness/dead-matcher', severity: 'error' },
    { file: 'correctness-dead-matcher/invalid/workflow-ref-no-at', rule: 'correctness/dead-matcher', severity: 'error' },
    { file: 'correctness-contradiction/invalid/subject-vs-repository', rule: 'correctness/contradiction', severity: 'error' },
    { file: 'security-repo-prefix/invalid/repo-prefix', rule: 'security/repo-prefix', severity: 'warning', witness: (w) => w.repository!.startsWith('acme/infra') && w.repository !== 'acme/infra' },
    { file: 'regex-unescaped-dot/invalid/docs-internal', rule: 'regex/unescaped-dot', severity: 'warning' },
    { file: 'correctness-glob-syntax/invalid/braces', rule: 'correctness/glob-syntax', severity: 'warning' },
    { file: 'permissions-broad-write/invalid/owner-write', rule: 'permissions/broad-write', severity: 'warning', witness: (w) => owner(w) === 'acme' },
    { file: 'permissions-broad-write/invalid/any-owner-write', rule: 'permissions/broad-write', severity: 'error', witness: (w) => owner(w) !== 'acme' },
    { file: 'permissions-escalation/invalid/workflows-write', rule: 'permissions/escalation', severity: 'warning' },
    { file: 'permissions-escalation/invalid/pinned-environment', rule: 'permissions/escalation', severity: 'info' },
    { file: 'permissions-escalation/invalid/workflow-ref-release', rule: 'permissions/escalation', severity: 'info' },
    { file: 'permissions-pull-request-write/invalid/pr-subject', rule: 'permissions/pull-request-write', severity: 'warning', witness: (w) => w.sub === 'repo:acme/app:pull_request' },
    { file: 'interplay-order-dependent-grant/invalid/owner-then-repository', rule: 'interplay/order-dependent-grant', severity: 'warning', witness: (w) => w.repository === 'acme/infra' },
    { file: 'interplay-redundant-rule/invalid/duplicate', rule: 'interplay/redundant-rule', severity: 'info' },
    { file: 'style-yaml-anchors/invalid/anchor-alias', rule: 'style/yaml-anchors', severity: 'warning' },
    { file: 'security-untrusted-owner/invalid/other-owner', rule: 'security/untrusted-owner', severity: 'error', witness: (w) => owner(w) === 'acme-labs' },
  ];

  it.each(cases)('$file: $severity $rule', ({ file, rule, severity, witness }) => {
    const findings = lintFile(join(RULES, `${file}.yaml`), configFor(rule)).findings.filter((f) => f.ruleId === rule);
    expect(findings.length).toBeGreaterThanOrEqual(1);
    expect(findings[0]!.severity).toBe(severity);
    if (witness) {
      expect(findings[0]!.witness).toBeDefined();
      expect(witness(findings[0]!.witness!), JSON.stringify(findings[0]!.witness)).toBe(true);
    }
  });

  it('an owner outside the trusted owners that can mint is an error naming what to write instead', () => {
    const prefix = lintFile(join(dirOf('security/untrusted-owner'), 'invalid/owner-prefix.yaml'), { owners: ['acme'] }).findings;
    expect(prefix.map((f) => [f.severity, f.ruleId])).toEqual([['error', 'security/untrusted-owner']]);
    expect(prefix[0]!.message).toContain('Pin the owner exactly: `acme`');
    const subject = lintFile(join(dirOf('security/untrusted-owner'), 'invalid/subject-other-owner.yaml'), { owners: ['acme'] }).findings;
    expect(subject[0]!.message).toContain('add it to `owners:`');
    const lookalike = lintFile(join(dirOf('security/owner-prefix'), 'invalid/subject-prefix.yaml')).findings.filter((f) => f.ruleId === 'security/owner-prefix');
    expect(lookalike.map((f) => f.severity)).toEqual(['error']);
    expect(lookalike[0]!.message).toContain('`repo:acme/*`');
  });

  it('the trusted-owner rule stays silent without configured owners, and owner-prefix speaks instead', () => {
    const path = join(dirOf('security/untrusted-owner'), 'invalid/owner-prefix.yaml');
    expect(lintFile(path).findings.map((f) => f.ruleId)).toEqual(['security/owner-prefix']);
    expect(lintFile(path, { owners: ['acme'] }).findings.map((f) => f.ruleId)).toEqual(['security/untrusted-owner']);
  });
});

describe('tight policies: no warning, no error', () => {
  const dir = join(RULES, 'tight');
  it('covers the shapes a careful author writes', () => {
    const names = yamlFiles(dir).map((f) => basename(f, '.yaml'));
    for (const n of ['repository-ref', 'repository-environment', 'exact-subject', 'owner-read-only', 'disjoint-rules', 'regex-escaped', 'write-main']) expect(names).toContain(n);
  });
  it.each(yamlFiles(dir))('%s', (file) => {
    const findings = lintFile(join(dir, file)).findings;
    expect(findings.filter((f) => f.severity !== 'info').map(outLine)).toEqual([]);
  });
});

describe('the seed examples (fixtures/valid)', () => {
  const seeds = readdirSync(join(ROOT, 'fixtures/valid')).sort();
  const lintSeed = (name: string) => lintPaths([join(ROOT, 'fixtures/valid', name)]);

  it.each(seeds)('%s lints with no error', (name) => {
    const result = lintSeed(name);
    expect(result.files.map((f) => f.valid)).toEqual([true]);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('match-all gives exactly one warning: security/any-owner', () => {
    expect(lintSeed('match-all').findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['warning security/any-owner']);
  });

  it('the documented three-rule policy (any-rule) gives no warning', () => {
    expect(lintSeed('any-rule').findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('docs/rules: a lint rule page\'s Correct example is quiet', () => {
  it.each(lintRuleIds)('%s: no warning and no error, only infos', (id) => {
    const page = readPage(id);
    const correct = blocks(page.sections.get('Correct')).filter((b) => b.lang === 'yaml');
    expect(correct).toHaveLength(1);
    expect(correct[0]!.body.split('\n')[0]).toBe('# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json');
    const dir = tempDir();
    mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
    writeFileSync(join(dir, '.atmos/pro/sts/default.yaml'), correct[0]!.body);
    const config = pageConfig(page);
    const result = lintPaths([dir], config ? { config } : {});
    expect(result.findings.filter((f) => f.severity !== 'info').map(outLine)).toEqual([]);
  });
});

// ---- Witnesses: every one is a token the policy really admits, shaped like a real token. ----

interface Witnessed {
  source: string;
  /** The checkout and policy name the simulator reads. */
  dir: string;
  name: string;
  finding: Finding;
}

function witnessesOf(result: LintResult, source: string, checkout: (path: string) => { dir: string; name: string }): Witnessed[] {
  return result.findings.filter((f) => f.witness).map((finding) => ({ source, ...checkout(finding.path), finding }));
}

function collectWitnesses(): Witnessed[] {
  const out: Witnessed[] = [];
  // fixtures/rules: every folder, with the config its rule needs.
  for (const folder of readdirSync(RULES)) {
    const rule = lintRuleIds.find((id) => id.replace('/', '-') === folder);
    const files = folder === 'tight' ? yamlFiles(join(RULES, folder)).map((f) => join(RULES, folder, f)) : ['invalid', 'valid'].flatMap((k) => yamlFiles(join(RULES, folder, k)).map((f) => join(RULES, folder, k, f)));
    for (const path of files) out.push(...witnessesOf(lintPaths([path], { config: rule ? configFor(rule, path) : {} }), path, checkoutOf));
  }
  // Seed examples and the example workspace.
  for (const root of ['fixtures/valid', 'fixtures/examples']) out.push(...witnessesOf(lintPaths([join(ROOT, root)]), root, checkoutOf));
  // The rule pages' examples, with their configuration.
  for (const id of lintRuleIds) {
    const page = readPage(id);
    for (const heading of ['Incorrect', 'Correct']) {
      for (const b of blocks(page.sections.get(heading)).filter((x) => x.lang === 'yaml')) {
        const dir = tempDir();
        mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
        writeFileSync(join(dir, '.atmos/pro/sts/default.yaml'), b.body);
        const config = pageConfig(page);
        out.push(...witnessesOf(lintPaths([dir], config ? { config } : {}), `docs/rules/${id}.md ${heading}`, checkoutOf));
      }
    }
  }
  return out;
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TOKEN_CLAIMS = new Set(['sub', 'repository', 'repository_owner', 'ref', 'ref_type', 'environment', 'actor', 'workflow_ref', 'sha']);

/** Why a claim set could not come from a default-format GitHub token, or undefined when it could. */
function unrealistic(w: Claims): string | undefined {
  const extra = Object.keys(w).filter((k) => !TOKEN_CLAIMS.has(k));
  if (extra.length) return `unknown claims ${extra.join(', ')}`;
  for (const k of ['sub', 'repository', 'repository_owner', 'ref', 'ref_type', 'actor', 'workflow_ref', 'sha']) if (w[k] === undefined) return `no ${k}`;
  if (!OWNER.test(w.repository_owner!) || w.repository_owner!.includes('--')) return 'repository_owner is not an owner login (GitHub logins have single hyphens)';
  if (!new RegExp(`^${w.repository_owner}/[A-Za-z0-9._-]+$`).test(w.repository!)) return 'repository is not OWNER/REPO of repository_owner';
  const sub = parseSubject(w.sub!);
  if (!sub) return 'sub is not a default-format subject';
  if (`${sub.owner}/${sub.repo}` !== w.repository) return 'sub names another repository';
  const ctx = sub.context;
  if (w.environment !== undefined) {
    if (ctx.kind !== 'environment' || ctx.environment !== w.environment) return 'an environment job has the subject `...:environment:ENV`';
  } else if (ctx.kind === 'environment') return 'an environment subject without an environment claim';
  else if (ctx.kind === 'pull_request' && !w.ref!.startsWith('refs/pull/')) return 'a pull_request job has the ref refs/pull/N/merge';
  else if (ctx.kind === 'ref' && ctx.ref !== w.ref) return 'the subject names another ref';
  if (w.ref!.startsWith('refs/pull/') && ctx.kind === 'ref') return 'a pull_request job has the subject `...:pull_request`';
  if (w.ref_type !== (w.ref!.startsWith('refs/tags/') ? 'tag' : 'branch')) return 'ref_type does not fit the ref';
  if (!w.workflow_ref!.startsWith(`${w.repository}/.github/workflows/`) || !w.workflow_ref!.endsWith(`@${w.ref}`)) return 'workflow_ref is not the calling repository\'s workflow at the ref';
  if (!/^[0-9a-f]{40}$/.test(w.sha!)) return 'sha is not 40 lowercase hex digits';
  if (!/^[A-Za-z0-9-]+(?:\[bot\])?$/.test(w.actor!)) return 'actor is not a login';
  return undefined;
}

describe('witnesses', () => {
  const all = collectWitnesses();
  const label = (w: Witnessed) => `${w.source.replace(`${ROOT}/`, '')} ${w.finding.line}:${w.finding.column} ${w.finding.ruleId}`;

  it('there are witnesses from every rule that finds "too broad"', () => {
    const rules = new Set(all.map((w) => w.finding.ruleId));
    for (const id of ['security/any-owner', 'security/owner-prefix', 'security/untrusted-owner', 'security/unbound-caller', 'security/repo-prefix', 'permissions/broad-write', 'permissions/escalation', 'permissions/pull-request-write', 'interplay/order-dependent-grant']) expect(rules).toContain(id);
    expect(all.length).toBeGreaterThanOrEqual(40);
  });

  it.each(all.map((w) => [label(w), w] as const))('%s: the simulator mints for it', (_, w) => {
    const read = readSourcePolicy(w.dir, w.name);
    expect(read.kind).toBe('valid');
    if (read.kind !== 'valid') return;
    const evaluation = evaluate(read.compiled, w.finding.witness!);
    expect(evaluation.matched, JSON.stringify(w.finding.witness)).toBe(true);
  });

  it.each(all.map((w) => [label(w), w] as const))('%s: it has the shape of a real token', (_, w) => {
    expect(unrealistic(w.finding.witness!), JSON.stringify(w.finding.witness)).toBeUndefined();
  });

  /** A checkout whose default policy holds these rules (YAML list items). */
  const checkoutWith = (rules: readonly string[]) => {
    const dir = tempDir();
    mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
    writeFileSync(join(dir, '.atmos/pro/sts/default.yaml'), `apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n${rules.join('')}`);
    return dir;
  };
  /** The witness is a whole token under the template, and `simulate --claims` mints for it from the checkout. */
  const expectReplays = (f: Finding, dir: string, template: readonly string[]) => {
    const w = f.witness!;
    expect(tokenProblem(w, template), JSON.stringify(w)).toBeUndefined();
    const run = runCli(['simulate', '--claims', '-', '--source', `acme/modules=${dir}`, '--format', 'json', '--expect', 'minted'], { input: JSON.stringify(w) });
    expect(run.code, `${f.ruleId} ${JSON.stringify(w)} ${run.stderr}`).toBe(0);
  };

  it('under a custom subject template, witnesses are whole tokens whose subject follows it, and `simulate --claims` mints for them', () => {
    const template = ['repo', 'context', 'job_workflow_ref'];
    const dir = checkoutWith([
      '    - match:\n        subject: "repo:*:environment:prod:job_workflow_ref:acme/shared/*"\n      permissions:\n        contents: write\n',
      '    - match:\n        repository_owner: acme\n        subject: "*:pull_request:job_workflow_ref:*"\n      permissions:\n        pull_requests: write\n',
    ]);
    const found = lintPaths([dir], { config: { subjectTemplate: template } }).findings.filter((f) => f.witness);
    expect(found.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['security/any-owner', 'permissions/pull-request-write']));
    expect(lintPaths([dir], { config: { subjectTemplate: template } }).findings.map((f) => f.ruleId)).not.toContain('correctness/dead-matcher');
    for (const f of found) {
      expect(f.witness!.sub!.startsWith(`repo:${f.witness!.repository}:`), JSON.stringify(f.witness)).toBe(true);
      expectReplays(f, dir, template);
    }
    const pr = found.find((f) => f.ruleId === 'permissions/pull-request-write')!.witness!;
    expect(pr.sub).toMatch(/^repo:acme\/[^:]+:pull_request:job_workflow_ref:/);
  });

  it('a rule that admits no token (`ref: main`) is reported once, as dead, and by no rule about its callers', () => {
    const dir = checkoutWith(['    - match:\n        repository_owner: "*"\n        ref: main\n      permissions:\n        contents: write\n']);
    const ids = lintPaths([dir]).findings.map((f) => f.ruleId).filter((id) => id !== 'style/schema-header');
    expect(ids).toEqual(['correctness/dead-matcher']);
  });

  it('under a template that reads a value twice (`[repo, context, ref]`), a witness is a token its rule admits, and a rule no token satisfies gets no caller finding', () => {
    const template = ['repo', 'context', 'ref'];
    // Rule 1 names two different refs for the one ref a token has; rule 2 the same ref twice.
    const dir = checkoutWith([
      '    - match:\n        subject: "repo:acme/*:ref:refs/heads/main:ref:refs/heads/dev"\n      permissions:\n        contents: write\n',
      '    - match:\n        subject: "repo:acme/*:ref:refs/heads/main:ref:refs/heads/main"\n      permissions:\n        contents: write\n',
    ]);
    const findings = lintPaths([dir], { config: { subjectTemplate: template } }).findings;
    const callerFindings = (line: number) => findings.filter((f) => /^(security|permissions|interplay)\//.test(f.ruleId) && f.line >= line && f.line < line + 4).map((f) => f.ruleId);
    expect(callerFindings(7)).toEqual([]);
    expect(callerFindings(11)).toEqual(expect.arrayContaining(['permissions/broad-write', 'permissions/escalation']));
    const witnessed = findings.filter((f) => f.witness);
    expect(witnessed.length).toBeGreaterThanOrEqual(2);
    for (const f of witnessed) {
      expect(f.witness!.sub).toBe(`repo:${f.witness!.repository}:ref:refs/heads/main:ref:refs/heads/main`);
      expectReplays(f, dir, template);
    }
  });

  it('through the CLI: `sts-policy simulate --claims` mints for a few witnesses', () => {
    const picks = ['security/any-owner', 'security/owner-prefix', 'security/repo-prefix', 'permissions/pull-request-write'].map((id) => all.find((w) => w.finding.ruleId === id && w.source.includes('fixtures/rules'))!);
    for (const w of picks) {
      const claims = join(tempDir(), 'claims.json');
      writeFileSync(claims, JSON.stringify(w.finding.witness));
      const args = ['simulate', '--claims', claims, '--source', `acme/modules=${w.dir}`, '--format', 'json', '--expect', 'minted'];
      if (w.name !== 'default') args.push('--policy-name', w.name);
      const run = runCli(args);
      expect(run.stderr, label(w)).toBe('');
      expect(run.code, label(w)).toBe(0);
      const report = JSON.parse(run.stdout) as { tokens: { repositories: string[] }[] };
      expect(report.tokens.flatMap((t) => t.repositories)).toEqual(['acme/modules']);
    }
  });
});

describe('a rule that admits no token is reported once, by correctness/contradiction, and left out of the interplay rules', () => {
  it.each([
    ['interplay-redundant-rule/valid/dead-duplicate.yaml', [11, 14]],
    ['interplay-order-dependent-grant/valid/dead-rule.yaml', [13]],
    // Under a subject template: the token model for that template decides.
    ['interplay-redundant-rule/valid/dead-duplicate-template.yaml', [13, 16]],
    ['correctness-contradiction/invalid/template-environment-vs-ref-subject.yaml', [12]],
  ] as const)('%s', (file, lines) => {
    const { findings } = lintFile(join(RULES, file), configFor('', join(RULES, file)));
    expect(findings.filter((f) => f.ruleId === 'correctness/contradiction').map((f) => f.line)).toEqual(lines);
    expect(findings.filter((f) => f.ruleId === 'correctness/dead-matcher' || f.ruleId.startsWith('interplay/'))).toEqual([]);
  });
});

describe('interplay rules on a policy checked without its broken rules (positions differ from rule numbers)', () => {
  it('a duplicate after a broken rule is reported as redundant, with its own rule numbers', () => {
    const dir = join(tempDir(), '.atmos', 'pro', 'sts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'default.yaml');
    const rule = '    - match:\n        repository: acme/app\n      permissions:\n        contents: write\n';
    writeFileSync(file, 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n    - match:\n        colour: blue\n' + rule + rule);
    const { findings } = lintPaths([file]);
    expect(findings.filter((f) => f.ruleId === 'interplay/redundant-rule').map((f) => f.message)).toEqual([
      'rule 3 is redundant: every caller it admits is admitted by rule 2 (line 9) with the same or a higher grant; remove it',
    ]);
  });
});
