import { defineRule, relatedAt } from '../framework.js';
import { grantCovers, ruleCovers, ruleGrant, ruleWitness } from '../../analysis/rule-analysis.js';
import { PairBudget, ruleIndex, throwIfSkipped } from '../../analysis/rule-index.js';

export default defineRule({
  meta: { id: 'interplay/redundant-rule', severity: 'info', category: 'interplay',
    messages: { redundant: 'rule {{rule}} is redundant: every caller it admits is admitted by rule {{coveringRule}} (line {{coveringLine}}) with the same or a higher grant; remove it' },
    description: 'A rule fully covered by another rule with the same or a higher grant.' },
  check(ctx) {
    const rules = ctx.policy.rules;
    const index = ruleIndex(rules);
    const budget = new PairBudget(rules);
    for (const a of rules) {
      // Only rules whose prefixes allow covering `a` are asked, in rule order.
      for (const at of index.coverCandidates(a.index)) {
        const b = rules[at]!;
        if (a === b) continue;
        budget.spend(a.index);
        if (!ruleCovers(b, a) || !grantCovers(ruleGrant(b), ruleGrant(a))) continue;
        // A later rule with a higher grant: the first match decides, so removing `a` would raise its callers' grant.
        if (b.index > a.index && !grantCovers(ruleGrant(a), ruleGrant(b))) continue;
        // Two identical rules: report the later one only.
        if (ruleCovers(a, b) && grantCovers(ruleGrant(a), ruleGrant(b)) && a.index < b.index) continue;
        // A rule that admits nothing is reported as dead or contradictory, not as covered (searched last: it is costly).
        if (!ruleWitness(a, {}, ctx.config.subjectTemplate)) break;
        ctx.report({ span: a.matchers[0]?.keySpan ?? a.span, messageId: 'redundant',
          data: { rule: a.index + 1, coveringRule: b.index + 1, coveringLine: b.span.line },
          related: [relatedAt(b.matchers[0]?.keySpan ?? b.span, `rule ${b.index + 1}, which admits every caller of rule ${a.index + 1}`)],
        });
        break;
      }
    }
    throwIfSkipped(index);
  },
});
