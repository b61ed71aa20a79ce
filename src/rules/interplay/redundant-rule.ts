// `interplay/redundant-rule`: a rule every caller of which another rule admits with the same or a
// higher grant (a pasted duplicate, `acme/infra` after `acme/*`). Removing it changes nothing; keeping
// it misleads a reviewer about what the policy grants.
// Witness: none; the covering rule is named and pointed at (a related location).
import { defineRule, relatedAt } from '../framework.js';
import { grantCovers, grantKey, ruleCovers, ruleGrant, ruleWitness } from '../../analysis/rule-analysis.js';
import { PairBudget, ruleIndex, ruleSet, throwIfSkipped } from '../../analysis/rule-index.js';

export default defineRule({
  meta: { id: 'interplay/redundant-rule', severity: 'info', category: 'interplay',
    messages: { redundant: 'rule {{rule}} is redundant: every caller it admits is admitted by rule {{coveringRule}} (line {{coveringLine}}) with the same or a higher grant; remove it' },
    description: 'A rule fully covered by another rule with the same or a higher grant.' },
  check(ctx) {
    const rules = ctx.policy.rules;
    const index = ruleIndex(rules, ctx.config.subjectTemplate);
    const budget = new PairBudget(rules);
    const grants = rules.map(ruleGrant);
    // Per grant: the rules whose grant does not cover it, which the index leaves out unasked.
    const lower = new Map<string, Uint32Array>();
    const lowerThan = (g: Record<string, string>) => {
      const key = grantKey(g);
      let set = lower.get(key);
      if (!set) lower.set(key, (set = ruleSet(rules.length, rules.flatMap((_, b) => (grantCovers(grants[b]!, g) ? [] : [b])))));
      return set;
    };
    // Positions, not rule indices: a policy with a broken rule is checked without it.
    for (let pa = 0; pa < rules.length; pa++) {
      const a = rules[pa]!;
      const ga = grants[pa]!;
      // Only rules whose prefixes allow covering `a`, with a grant covering its own, are asked, in rule order.
      for (const at of index.coverCandidates(pa, lowerThan(ga))) {
        const b = rules[at]!;
        const gb = grants[at]!;
        if (a === b) continue;
        budget.spend(pa);
        if (!ruleCovers(b, a)) continue;
        // A later rule with a higher grant: the first match decides, so removing `a` would raise its callers' grant.
        if (b.index > a.index && !grantCovers(ga, gb)) continue;
        // Two identical rules: report the later one only.
        if (ruleCovers(a, b) && grantCovers(ga, gb) && a.index < b.index) continue;
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
