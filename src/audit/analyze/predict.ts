// With a caller (--caller or --claims): STS's predicted answer for every audited repo, grouped into
// the server's wire shape {tokens, excluded}. A repo that could not be read has no prediction.
import type { Claims, Policy } from '../../model.js';
import { compilePolicy, evaluate, type CompiledPolicy } from '../../engine/evaluate.js';
import { toWire, type RepoPrediction, type WireResponse } from '../../simulate/simulate.js';
import { isValidityError } from '../../validate/policy.js';
import type { RepoAudit } from '../model.js';

export interface AuditPrediction {
  claims: Claims;
  notes: string[];
  policyName: string;
  wire: WireResponse;
  repos: RepoPrediction[];
  /** Repos read as unknown or disabled: STS's answer for them cannot be predicted. */
  unpredicted: { repo: string; reason: string }[];
}

export function predictForCaller(audits: readonly RepoAudit[], claims: Claims, policyName: string, notes: string[]): AuditPrediction {
  const compiled = new WeakMap<Policy, CompiledPolicy>();
  const repos: RepoPrediction[] = [];
  const unpredicted: AuditPrediction['unpredicted'] = [];
  for (const a of audits) {
    if (a.status === 'unknown' || a.status === 'disabled') {
      unpredicted.push({ repo: a.repo, reason: a.snapshot.error ?? 'disabled by GitHub' });
      continue;
    }
    const file = a.policies.find((p) => p.name === policyName);
    if (!file) {
      repos.push({ repo: a.repo, outcome: 'no_trust_policy', notes: [] });
      continue;
    }
    const policy = file.valid ? file.validated?.policy : undefined;
    if (!policy) {
      repos.push({ repo: a.repo, outcome: 'trust_policy_invalid', policyPath: file.path, findings: file.findings.filter(isValidityError), notes: [] });
      continue;
    }
    let c = compiled.get(policy);
    if (!c) compiled.set(policy, (c = compilePolicy(policy)));
    const evaluation = evaluate(c, claims);
    repos.push({ repo: a.repo, outcome: evaluation.matched ? 'minted' : 'trust_policy_denied', policyPath: file.path, evaluation, notes: [] });
  }
  return { claims, notes, policyName, wire: toWire(repos), repos, unpredicted };
}
