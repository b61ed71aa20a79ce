// Owner and repository binding under a custom subject template (issue 18): each checkout in
// fixtures/subject-template/ declares its org's `include_claim_keys` in its own .sts-policy.yaml,
// read as lint reads it. A subject's `repository_owner:`, `repository:` or `repo` part pins the
// caller like the claims do; a prefix there admits look-alikes, with a witness that is a whole
// token under the template and mints through `simulate --claims`.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths, type Finding } from '../src/index.js';
import { tokenProblem } from '../src/analysis/token-model.js';
import { ROOT, runCli } from './helpers/cli.js';

const DIR = join(ROOT, 'fixtures/subject-template');
const TEMPLATES: Record<string, string[]> = {
  'owner-context': ['repository_owner', 'context'],
  'repository-context': ['repository', 'context'],
  'trusted-owner': ['repository_owner', 'context'],
  'context-workflow': ['context', 'job_workflow_ref'],
};
const OWNER_RULES = ['security/any-owner', 'security/untrusted-owner', 'security/owner-prefix', 'security/repo-prefix', 'security/unbound-caller', 'permissions/broad-write'];

/** The owner and repository findings of one policy of a checkout, linted with the checkout's own settings. */
function findingsOf(checkout: string, policy: string): Finding[] {
  const result = lintPaths([join(DIR, checkout, `.atmos/pro/sts/${policy}.yaml`)]);
  expect(result.errors).toEqual([]);
  expect(result.files.map((f) => f.valid)).toEqual([true]);
  return result.findings.filter((f) => OWNER_RULES.includes(f.ruleId));
}

describe('owner binding under the template of the checkout\'s .sts-policy.yaml', () => {
  it.each([
    ['owner-context', 'pinned', 'security/any-owner'],
    ['owner-context', 'pinned', 'security/owner-prefix'],
    ['owner-context', 'pinned', 'security/unbound-caller'],
    ['repository-context', 'infra-pinned', 'security/repo-prefix'],
    ['trusted-owner', 'trusted', 'security/untrusted-owner'],
    ['context-workflow', 'bound', 'security/unbound-caller'],
  ])('%s/%s: no %s', (checkout, policy, rule) => {
    expect(findingsOf(checkout, policy).filter((f) => f.ruleId === rule)).toEqual([]);
  });

  it('a write grant to one pinned owner names that owner\'s repositories, not any owner', () => {
    const writes = findingsOf('owner-context', 'pinned').filter((f) => f.ruleId === 'permissions/broad-write');
    expect(writes.map((f) => [f.line, f.severity])).toEqual([[14, 'warning']]);
    expect(writes[0]!.message).toContain('(e.g. `acme/app`, `acme/other-repo`)');
    expect(writes[0]!.witness?.repository_owner).toBe('acme');
  });

  it.each([
    ['owner-context', 'lookalike', 'security/owner-prefix', 10, 'error', (w: Record<string, string>) => w.repository_owner === 'acme-evil', 'Pin the owner exactly: `repository_owner:acme:*`'],
    ['owner-context', 'any-owner', 'security/any-owner', 10, 'warning', (w: Record<string, string>) => w.repository_owner === 'evil-org', 'admits callers from ANY owner'],
    ['owner-context', 'any-owner', 'permissions/broad-write', 12, 'error', (w: Record<string, string>) => w.repository_owner === 'evil-org', 'to callers from any owner'],
    ['trusted-owner', 'partner', 'security/untrusted-owner', 10, 'error', (w: Record<string, string>) => w.repository_owner === 'acme-labs', 'admits the owner `acme-labs`'],
    ['repository-context', 'infra-prefix', 'security/repo-prefix', 10, 'warning', (w: Record<string, string>) => w.repository === 'acme/infra-sandbox', 'also `acme/infra-sandbox`'],
    ['context-workflow', 'shared-workflow', 'security/unbound-caller', 10, 'warning', (w: Record<string, string>) => w.repository_owner === 'evil-org', 'nothing binds the calling repository'],
  ] as const)('%s/%s: %s at line %i (%s), its witness a whole token under the template that mints', (checkout, policy, rule, line, severity, fits, says) => {
    const found = findingsOf(checkout, policy).filter((f) => f.ruleId === rule);
    expect(found.map((f) => [f.line, f.severity])).toEqual([[line, severity]]);
    expect(found[0]!.message).toContain(says);
    const w = found[0]!.witness!;
    expect(fits(w as Record<string, string>), JSON.stringify(w)).toBe(true);
    const template = TEMPLATES[checkout]!;
    expect(tokenProblem(w, template), JSON.stringify(w)).toBeUndefined();
    const run = runCli(['simulate', '--claims', '-', '--source', `acme/modules=${join(DIR, checkout)}`, '--policy-name', policy, '--format', 'json', '--expect', 'minted'], { input: JSON.stringify(w) });
    expect(run.code, `${JSON.stringify(w)} ${run.stderr}`).toBe(0);
  });

  it('the same subjects under GitHub\'s default template bind no owner we can read (the template is what binds them)', () => {
    const result = lintPaths([join(DIR, 'owner-context/.atmos/pro/sts/lookalike.yaml')], { config: {} });
    expect(result.findings.map((f) => f.ruleId)).not.toContain('security/owner-prefix');
  });
});
