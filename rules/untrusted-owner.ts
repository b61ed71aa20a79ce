import { defineRule } from '../src/rules/framework.js';
import { admitsAnyOwner, leakyOwnerMatcher, ownerLanguages, ownerWitness, ruleWitness } from '../src/analysis/rule-analysis.js';

export default defineRule({
  meta: { id: 'security/untrusted-owner', severity: 'warning', category: 'security', description: 'A rule admits an owner outside the trusted owners (config `owners:`, else the source repo\'s owner).' },
  check(ctx) {
    const trusted = ctx.trustedOwners;
    if (!trusted?.length) return;
    for (const rule of ctx.policy.rules) {
      const langs = ownerLanguages(rule);
      // No owner to read (none bound, or only a custom-template subject such as `repository_owner:*`).
      if (!langs.length || admitsAnyOwner(rule)) continue;
      const owner = ownerWitness(langs.map((l) => l.owners), [...trusted], trusted[0]);
      if (owner === undefined) continue;
      const witness = ruleWitness(rule, { owner });
      const m = leakyOwnerMatcher(rule)!;
      ctx.report({
        span: m.span,
        message: `rule ${rule.index + 1} admits the owner \`${owner}\`, which is not a trusted owner (${trusted.map((o) => `\`${o}\``).join(', ')})`,
        witness,
      });
    }
  },
});
