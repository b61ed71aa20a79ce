// Table-driven: every seed example is valid; every file in fixtures/invalid yields exactly the
// findings in its `.out` beside it (line:column severity rule-id message), in order; UPDATE_GOLDEN=1
// rewrites the `.out` files.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
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
