import { defineRule } from '../framework.js';
import { admitsAnyOwner, bindsCaller, leakyOwnerMatcher, ownerLanguages, ownerWitness, ruleWitness } from '../../analysis/rule-analysis.js';

export default defineRule({
  meta: { id: 'security/untrusted-owner', severity: 'warning', category: 'security',
    messages: { untrustedOwner: 'rule {{rule}} admits the owner `{{owner}}`, which is not a trusted owner ({{trusted}})' },
    description: 'A rule admits an owner outside the trusted owners (config `owners:`, else the source repo\'s owner).' },
  check(ctx) {
    const trusted = ctx.trustedOwners;
    if (!trusted?.length) return;
    for (const rule of ctx.policy.rules) {
      if (!bindsCaller(rule) || admitsAnyOwner(rule)) continue;
      const owner = ownerWitness(ownerLanguages(rule).map((l) => l.owners), [...trusted], trusted[0]);
      if (owner === undefined) continue;
      const witness = ruleWitness(rule, { owner });
      const m = leakyOwnerMatcher(rule)!;
      ctx.report({
        span: m.span,
        messageId: 'untrustedOwner',
        data: { rule: rule.index + 1, owner: String(owner), trusted: trusted.map((o) => `\`${o}\``).join(', ') },
        witness,
      });
    }
  },
});
