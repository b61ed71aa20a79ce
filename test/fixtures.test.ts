// Table-driven: every seed example is valid; every file in fixtures/invalid yields exactly the
// findings in its `.out` beside it (line:column severity rule-id message), in order; UPDATE_GOLDEN=1
// rewrites the `.out` files.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths } from '../src/index.js';
import { ROOT } from './helpers/cli.js';
import { expectGolden, outLine } from './helpers/golden.js';

const invalidDir = join(ROOT, 'fixtures/invalid');
const validDir = join(ROOT, 'fixtures/valid');

describe('fixtures/invalid: one file per validity condition', () => {
  const cases = readdirSync(invalidDir).filter((f) => f.endsWith('.yaml'));
  it('covers every validity condition of SPEC.md §4', () => expect(cases.length).toBeGreaterThanOrEqual(45));
  it.each(cases)('%s', (file) => {
    const result = lintPaths([join(invalidDir, file)]);
    expectGolden(join(invalidDir, file.replace(/\.yaml$/, '.out')), result.findings.map((f) => outLine(f) + '\n').join(''));
    for (const f of result.findings) {
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.column).toBeGreaterThanOrEqual(1);
      expect(f.endLine * 10_000 + f.endColumn).toBeGreaterThanOrEqual(f.line * 10_000 + f.column);
      expect(f.message.length).toBeGreaterThan(20);
    }
    // `valid` is STS's view: only file, yaml and schema errors predict trust_policy_invalid.
    const invalid = result.findings.some((f) => f.severity === 'error' && /^(file|yaml|schema)\//.test(f.ruleId));
    expect(result.files[0]?.valid).toBe(!invalid);
  });
});

describe('fixtures/valid: every example of the seed policy reference', () => {
  const repos = readdirSync(validDir);
  // Valid is not the same as safe: the documented match-all opt-in admits any owner, and the
  // documented permissions example grants write to a whole owner. Lint says so; nothing else.
  const warnings: Record<string, string[]> = { 'match-all': ['warning security/any-owner'], permissions: ['warning permissions/broad-write'] };
  it.each(repos)('%s lints with no error, and no warning beyond the documented trade-off', (repo) => {
    const result = lintPaths([join(validDir, repo)]);
    expect(result.files.length).toBe(1);
    expect(result.files[0]!.valid).toBe(true);
    expect(result.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.ruleId}`)).toEqual(warnings[repo] ?? []);
    expect(result.files[0]!.validated?.policy?.rules.length).toBeGreaterThan(0);
  });
  it('includes the seven documented examples', () => {
    for (const name of ['match-all', 'owner', 'exact-subject', 'owner-environment', 'any-rule', 'permissions', 'named-ci']) expect(existsSync(join(validDir, name))).toBe(true);
  });
});

describe('every independent problem in one pass', () => {
  it('a schema error in one rule hides neither the security nor the correctness findings of the others', () => {
    const result = lintPaths([join(ROOT, 'fixtures/one-pass/default.yaml')]);
    expect(result.files.map((f) => f.valid)).toEqual([false]);
    expect(result.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.ruleId}`)).toEqual([
      '10:18 error security/owner-prefix',
      '15:9 error schema/unknown-permission',
      '18:14 error correctness/dead-matcher',
    ]);
    // STS evaluates none of it: the invalid policy has no rules to simulate, only lint's partial view.
    expect(result.files[0]!.validated?.policy).toBeUndefined();
    expect(result.files[0]!.validated?.partial?.rules.map((r) => r.index)).toEqual([0, 2]);
  });

  it('a problem outside the rules (apiVersion) leaves every rule linted, rule interplay included', () => {
    const text = readFileSync(join(ROOT, 'fixtures/one-pass/default.yaml'), 'utf8').replace('v1alpha1\nkind', 'v1alpha2\nkind').replace('pull-requests', 'pull_requests');
    const dir = mkdtempSync(join(tmpdir(), 'sts-policy-one-pass-'));
    try {
      writeFileSync(join(dir, 'default.yaml'), text);
      const ids = lintPaths([join(dir, 'default.yaml')]).findings.map((f) => `${f.line} ${f.ruleId}`);
      expect(ids).toEqual(['3 schema/api-version', '10 security/owner-prefix', '12 interplay/order-dependent-grant', '18 correctness/dead-matcher']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
