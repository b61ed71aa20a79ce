import { defineRule } from '../framework.js';
import { callersMeet, grantCovers, ruleCovers, ruleGrant, rulesOverlap, ruleWitness } from '../../analysis/rule-analysis.js';
import { PairBudget, ruleIndex, skippedMessage } from '../../analysis/rule-index.js';
import { NotAnalysable } from '../../analysis/nfa.js';
import { tokenWitness } from '../../analysis/token-witness.js';

const fmt = (g: Record<string, string>) => `{${Object.entries(g).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;

export const redundantRule = defineRule({
  meta: { id: 'interplay/redundant-rule', severity: 'info', category: 'interplay', description: 'A rule fully covered by another rule with the same or a higher grant.' },
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
        if (!ruleWitness(a)) break;
        ctx.report({ span: a.matchers[0]?.keySpan ?? a.span, message: `rule ${a.index + 1} is redundant: every caller it admits is admitted by rule ${b.index + 1} (line ${b.span.line}) with the same or a higher grant; remove it` });
        break;
      }
    }
    notAnalysed(index);
  },
});

export const orderDependentGrant = defineRule({
  meta: { id: 'interplay/order-dependent-grant', severity: 'warning', category: 'interplay', description: 'Overlapping rules with different grants: which grant a caller gets depends on rule order.' },
  check(ctx) {
    const rules = ctx.policy.rules;
    const grants = rules.map(ruleGrant);
    const keys = grants.map(grantKey);
    const index = ruleIndex(rules);
    const budget = new PairBudget(rules);
    for (let j = 0; j < rules.length; j++)
      for (const i of index.overlapCandidates(j)) {
        const [a, b] = [rules[i]!, rules[j]!];
        const [ga, gb] = [grants[i]!, grants[j]!];
        if (keys[i] === keys[j]) continue;
        budget.spend(j);
        if (!rulesOverlap(a, b) || !callersMeet(a, b)) continue;
        // A later rule fully covered by an earlier, stronger one is reported as redundant instead.
        if (ruleCovers(a, b) && grantCovers(ga, gb)) continue;
        // Matchers that overlap claim by claim may still admit no token together (SPEC.md §5).
        const witness = tokenWitness([a, b]);
        if (!witness) continue;
        ctx.report({
          span: b.matchers[0]?.keySpan ?? b.span,
          message: `rules ${a.index + 1} and ${b.index + 1} overlap (e.g. \`${witness.sub}\`) but grant differently (${fmt(ga)} vs ${fmt(gb)}): STS uses the first match (sts-policy's assumption), so the grant depends on rule order. Make the rules disjoint, or merge them`,
          witness,
        });
        break;
      }
    notAnalysed(index);
  },
});

/** Rules left out of the pairs are named once the others are checked (an `analysis/not-analysed` finding). */
function notAnalysed(index: ReturnType<typeof ruleIndex>): void {
  const message = skippedMessage(index);
  if (message) throw new NotAnalysable(message);
}

const grantKey = (g: Record<string, string>) => Object.keys(g).sort().map((k) => `${k}=${g[k]}`).join(',');

