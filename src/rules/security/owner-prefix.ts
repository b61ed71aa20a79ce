import { defineRule } from '../framework.js';
import { admitsAnyOwner, admitsUnboundedOwners, bindsCaller, leakyOwnerMatcher, ownerHint, ownerLanguages, ownerWitness, ruleWitness } from '../../analysis/rule-analysis.js';

export default defineRule({
  meta: { id: 'security/owner-prefix', severity: 'warning', category: 'security',
    messages: { ownerPrefix: '`{{pattern}}` also admits the owner `{{owner}}`{{example}}: anyone can register a look-alike organization. {{remedy}}' },
    description: 'An owner pattern such as `repo:acme*` also admits look-alike owners such as `acme-evil`.' },
  check(ctx) {
    // With trusted owners configured, security/untrusted-owner reports exactly; this rule covers the rest.
    if (ctx.trustedOwners?.length) return;
    for (const rule of ctx.policy.rules) {
      if (!bindsCaller(rule) || admitsAnyOwner(rule) || !admitsUnboundedOwners(rule)) continue;
      const hint = ownerHint(rule) ?? 'acme';
      const owner = ownerWitness(ownerLanguages(rule).map((l) => l.owners), [hint], hint);
      const witness = owner ? ruleWitness(rule, { owner }) : undefined;
      const m = leakyOwnerMatcher(rule)!;
      ctx.report({
        span: m.span,
        messageId: 'ownerPrefix',
        data: {
          pattern: m.pattern,
          owner: String(owner),
          example: witness ? ` (e.g. \`${witness.sub}\`)` : '',
          remedy: m.claim === 'repository_owner' ? `Pin the owner exactly: \`${hint}\`` : `End the owner with \`/\`: \`${m.claim === 'subject' ? `repo:${hint}/*` : `${hint}/*`}\``,
        },
        witness,
      });
    }
  },
});
