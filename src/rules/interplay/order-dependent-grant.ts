import { defineRule, relatedAt } from '../framework.js';
import { grantCovers, ruleCovers, ruleGrant, rulesOverlap, ruleWitness } from '../../analysis/rule-analysis.js';
import type { Rule } from '../../model.js';

const fmt = (g: Record<string, string>) => `{${Object.entries(g).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;

export default defineRule({
  meta: { id: 'interplay/order-dependent-grant', severity: 'warning', category: 'interplay',
    messages: { orderDependent: "rules {{first}} and {{second}} overlap{{example}} but grant differently ({{firstGrant}} vs {{secondGrant}}): STS uses the first match (sts-policy's assumption), so the grant depends on rule order. Make the rules disjoint, or merge them" },
    description: 'Overlapping rules with different grants: which grant a caller gets depends on rule order.' },
  check(ctx) {
    const rules = ctx.policy.rules;
    const grants = rules.map(ruleGrant);
    const keys = grants.map(grantKey);
    for (let j = 0; j < rules.length; j++)
      for (let i = 0; i < j; i++) {
        const [a, b] = [rules[i]!, rules[j]!];
        const [ga, gb] = [grants[i]!, grants[j]!];
        if (keys[i] === keys[j] || !rulesOverlap(a, b)) continue;
        // A later rule fully covered by an earlier, stronger one is reported as redundant instead.
        if (ruleCovers(a, b) && grantCovers(ga, gb)) continue;
        const witness = ruleWitness(merge(a, b));
        ctx.report({
          span: b.matchers[0]?.keySpan ?? b.span,
          messageId: 'orderDependent',
          data: { first: a.index + 1, second: b.index + 1, example: witness ? ` (e.g. \`${witness.sub}\`)` : '', firstGrant: fmt(ga), secondGrant: fmt(gb) },
          witness,
          related: [relatedAt(a.matchers[0]?.keySpan ?? a.span, `rule ${a.index + 1}, which grants ${fmt(ga)} to the callers both admit (it comes first)`)],
        });
        break;
      }
  },
});

const grantKey = (g: Record<string, string>) => Object.keys(g).sort().map((k) => `${k}=${g[k]}`).join(',');

/** A rule admitting exactly the claim sets both rules admit (for a witness of the overlap). */
function merge(a: Rule, b: Rule): Rule {
  return { ...a, matchers: [...a.matchers, ...b.matchers.filter((m) => !a.matchers.some((x) => x.claim === m.claim))] };
}
