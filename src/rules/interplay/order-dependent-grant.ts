// `interplay/order-dependent-grant`: two rules admit a common caller but grant different
// permissions, so that caller's grant depends on the order of the rules (the first match decides).
// Reordering or editing one rule silently changes what the caller gets.
// Witness: a whole token GitHub can issue (SPEC.md §5) that both rules admit.
import { defineRule, relatedAt } from '../framework.js';
import { NotAnalysable } from '../../analysis/nfa.js';
import { callersMeet, grantCovers, grantKey, ruleGrant, rulesOverlap, rulesWitness, tokensCover } from '../../analysis/rule-analysis.js';
import { MAX_PAIR_TOKEN_STATES, PairBudget, ruleIndex, ruleSet, throwIfSkipped } from '../../analysis/rule-index.js';
import type { Rule } from '../../model.js';

const fmt = (g: Record<string, string>) => `{${Object.entries(g).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;

export default defineRule({
  meta: { id: 'interplay/order-dependent-grant', severity: 'warning', category: 'interplay',
    messages: { orderDependent: "rules {{first}} and {{second}} overlap (e.g. `{{sub}}`) but grant differently ({{firstGrant}} vs {{secondGrant}}): STS uses the first match (sts-policy's assumption), so the grant depends on rule order. Make the rules disjoint, or merge them" },
    description: 'Overlapping rules with different grants: which grant a caller gets depends on rule order.' },
  check(ctx) {
    const rules = ctx.policy.rules;
    const grants = rules.map(ruleGrant);
    const keys = grants.map(grantKey);
    const template = ctx.config.subjectTemplate;
    const index = ruleIndex(rules, template);
    const budget = new PairBudget(rules);
    // Rules granting alike never differ: the index leaves them out without visiting them.
    const byGrant = new Map<string, number[]>();
    keys.forEach((k, i) => (byGrant.get(k) ?? byGrant.set(k, []).get(k)!).push(i));
    const sameGrant = new Map([...byGrant].map(([k, members]) => [k, ruleSet(rules.length, members)]));
    /** Does `a` admit every token `b` admits? No when the search passes its bound: the overlap is still real. */
    const covers = (a: Rule, b: Rule) => {
      try {
        return tokensCover(a, b, template, MAX_PAIR_TOKEN_STATES);
      } catch (e) {
        if (e instanceof NotAnalysable) return false;
        throw e;
      }
    };
    for (let j = 0; j < rules.length; j++)
      for (const i of index.overlapCandidates(j, sameGrant.get(keys[j]!))) {
        const [a, b] = [rules[i]!, rules[j]!];
        const [ga, gb] = [grants[i]!, grants[j]!];
        budget.spend(j);
        if (!rulesOverlap(a, b) || !callersMeet(a, b, template)) continue;
        // A later rule covered (over whole tokens) by an earlier, stronger one is reported as redundant instead.
        if (grantCovers(ga, gb) && covers(a, b)) continue;
        // Matchers that overlap claim by claim may still admit no token together (SPEC.md §5).
        const witness = rulesWitness([a, b], {}, template);
        if (!witness) continue;
        ctx.report({
          span: b.matchers[0]?.keySpan ?? b.span,
          messageId: 'orderDependent',
          data: { first: a.index + 1, second: b.index + 1, sub: witness.sub ?? '', firstGrant: fmt(ga), secondGrant: fmt(gb) },
          witness,
          related: [relatedAt(a.matchers[0]?.keySpan ?? a.span, `rule ${a.index + 1}, which grants ${fmt(ga)} to the callers both admit (it comes first)`)],
        });
        break;
      }
    throwIfSkipped(index);
  },
});
