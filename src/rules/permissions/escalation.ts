// `permissions/escalation`: a grant that lets the caller gain more than the rule states (secrets
// from read; contents, workflows, administration and the like from write: it can rewrite this policy
// or the workflows that guard it). Info when the rule pins one caller.
// Witness: a token of a caller that gets the escalation-capable grant.
import { defineRule } from '../framework.js';
import { pinsOneCaller, ruleGrant, levelRank, ruleWitness } from '../../analysis/rule-analysis.js';
import { sensitivePermission } from '../../validate/permissions.js';

export default defineRule({
  meta: {
    id: 'permissions/escalation',
    severity: 'warning',
    category: 'permissions',
    messages: { escalation: '`{{permission}}: {{level}}` is escalation-capable: {{why}}' },
    description: 'A grant that lets a caller escalate: secrets, workflows, administration, hooks, runners, org-level permissions, actions/environments: write, or contents: write that reaches the policy itself.',
  },
  check(ctx) {
    for (const rule of ctx.policy.rules) {
      const grant = ruleGrant(rule);
      for (const [perm, level] of Object.entries(grant)) {
        const sensitive = sensitivePermission(perm);
        let why: string | undefined;
        if (sensitive && levelRank(level) >= levelRank(sensitive.level)) why = sensitive.why;
        // `contents: write` lets the caller rewrite .atmos/pro/sts/ itself and widen its own access.
        else if (perm === 'contents' && levelRank(level) >= 2) why = 'it can push to this repository, including .atmos/pro/sts/, and so rewrite this policy to widen its own access (unless branch protection and CODEOWNERS stop it)';
        if (!why) continue;
        // A caller pinned exactly (the most common legitimate write grant) is a fact to know, not a warning.
        ctx.report({ span: rule.permissionSpans[perm] ?? rule.span, messageId: 'escalation', data: { permission: perm, level, why }, witness: ruleWitness(rule, {}, ctx.config.subjectTemplate), severity: pinsOneCaller(rule, ctx.config.subjectTemplate) ? 'info' : undefined });
      }
    }
  },
});
