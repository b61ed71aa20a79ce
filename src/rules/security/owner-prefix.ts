// `security/owner-prefix`: an owner pattern that is a prefix, not a name (`repo:acme*`,
// `repository_owner: "acme*"`). It admits every owner that starts with it, and anyone can register
// `acme-evil`: an error (a warning when no whole token of such an owner fits the rule).
// Witness: a token from such a look-alike owner that the rule admits.
import { defineRule } from '../framework.js';
import { admitsAnyOwner, admitsUnboundedOwners, bindsCaller, leakyOwnerMatcher, ownerHint, ownerLanguages, ownerPin, ownerWitness, ruleWitness } from '../../analysis/rule-analysis.js';

export default defineRule({
  meta: { id: 'security/owner-prefix', severity: 'error', category: 'security',
    messages: { ownerPrefix: '`{{pattern}}` also admits the owner `{{owner}}`{{example}}: anyone can register a look-alike organization. {{remedy}}' },
    description: 'An owner pattern such as `repo:acme*` also admits look-alike owners such as `acme-evil`.' },
  check(ctx) {
    // With trusted owners configured, security/untrusted-owner reports exactly; this rule covers the rest.
    if (ctx.trustedOwners?.length) return;
    const template = ctx.config.subjectTemplate;
    for (const rule of ctx.policy.rules) {
      if (!bindsCaller(rule, template) || admitsAnyOwner(rule, template) || !admitsUnboundedOwners(rule, template)) continue;
      const hint = ownerHint(rule, template) ?? 'acme';
      const owner = ownerWitness(ownerLanguages(rule, template).map((l) => l.owners), [hint], hint);
      const witness = owner ? ruleWitness(rule, { owner }, template) : undefined;
      const m = leakyOwnerMatcher(rule, template)!;
      ctx.report({
        span: m.span,
        messageId: 'ownerPrefix',
        data: { pattern: m.pattern, owner: String(owner), example: witness ? ` (e.g. \`${witness.sub}\`)` : '', remedy: ownerPin(m, hint, template) },
        witness,
        // Without a whole token that mints, no look-alike is shown to get in: a warning.
        severity: witness ? undefined : 'warning',
      });
    }
  },
});
