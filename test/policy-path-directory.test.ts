// SPEC.md §4: a directory at the policy path is never followed; it is reported as file/directory
// (predicting trust_policy_invalid), whether found by walking a repository or named explicitly.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintPaths } from '../src/index.js';

const repo = mkdtempSync(join(tmpdir(), 'sts-policy-dir-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const policyPath = join(repo, '.atmos/pro/sts/default.yaml');
mkdirSync(policyPath, { recursive: true });
// Whatever sits inside the directory is not read as a policy.
writeFileSync(join(policyPath, 'default.yaml'), 'apiVersion: atmos-pro.com/v1alpha1\n');

describe('a directory at .atmos/pro/sts/<name>.yaml', () => {
  it.each([
    ['the repository is linted', repo],
    ['the policy path is named', policyPath],
  ])('is reported as file/directory when %s', (_, path) => {
    const result = lintPaths([path]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.path, `${f.line}:${f.column}`, f.severity, f.ruleId])).toEqual([[policyPath, '1:1', 'error', 'file/directory']]);
    expect(result.files).toMatchObject([{ path: policyPath, policyName: 'default', valid: false }]);
  });
});
