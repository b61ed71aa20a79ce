import { defineRule } from '../framework.js';
import { ruleGrant, levelRank, ruleWitness } from '../../analysis/rule-analysis.js';

/** Grants that let a caller take over more than the repo's code: CI, settings, secrets. */
const ESCALATION: Record<string, { level: number; why: string }> = {
  workflows: { level: 2, why: 'it can change GitHub Actions workflows, which run with this repository\'s secrets and OIDC identity' },
  administration: { level: 2, why: 'it can change repository settings, branch protection and collaborators' },
  secrets: { level: 1, why: 'it can read or change Actions secret metadata and values' },
  actions: { level: 2, why: 'it can re-run, cancel and dispatch workflows' },
  environments: { level: 2, why: 'it can change deployment environments and their protection rules' },
};

export default defineRule({
  meta: { id: 'permissions/escalation', severity: 'warning', category: 'permissions', messages: { escalation: '`{{permission}}: {{level}}` is escalation-capable: {{why}}' }, description: 'A grant that lets a caller escalate: workflows, administration, secrets, actions: write, or contents: write that reaches the policy itself.' },
  check(ctx) {
    for (const rule of ctx.policy.rules) {
      const grant = ruleGrant(rule);
      for (const [perm, level] of Object.entries(grant)) {
        const esc = ESCALATION[perm];
        let why: string | undefined;
        if (esc && levelRank(level) >= esc.level) why = esc.why;
        // `contents: write` lets the caller rewrite .atmos/pro/sts/ itself and widen its own access.
        else if (perm === 'contents' && levelRank(level) >= 2) why = 'it can push to this repository, including .atmos/pro/sts/, and so rewrite this policy to widen its own access (unless branch protection and CODEOWNERS stop it)';
        if (!why) continue;
        ctx.report({ span: rule.permissionSpans[perm] ?? rule.span, messageId: 'escalation', data: { permission: perm, level, why }, witness: ruleWitness(rule) });
      }
    }
  },
});
