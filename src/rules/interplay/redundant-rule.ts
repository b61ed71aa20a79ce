import { defineRule } from '../framework.js';
import { grantCovers, ruleCovers, ruleGrant, rulesOverlap, ruleWitness } from '../../analysis/rule-analysis.js';
import type { Rule } from '../../model.js';

const fmt = (g: Record<string, string>) => `{${Object.entries(g).map(([k, v]) => `${k}: ${v}`).join(', ')}}`;

export const redundantRule = defineRule({
  meta: { id: 'interplay/redundant-rule', severity: 'info', category: 'interplay', description: 'A rule fully covered by another rule with the same or a higher grant.' },
  check(ctx) {
    const rules = ctx.policy.rules;
    for (const a of rules) {
      for (const b of rules) {
        if (a === b || !ruleCovers(b, a) || !grantCovers(ruleGrant(b), ruleGrant(a))) continue;
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
  },
});

export const orderDependentGrant = defineRule({
  meta: { id: 'interplay/order-dependent-grant', severity: 'warning', category: 'interplay', description: 'Overlapping rules with different grants: which grant a caller gets depends on rule order.' },
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
          message: `rules ${a.index + 1} and ${b.index + 1} overlap${witness ? ` (e.g. \`${witness.sub}\`)` : ''} but grant differently (${fmt(ga)} vs ${fmt(gb)}): STS uses the first match (sts-policy's assumption), so the grant depends on rule order. Make the rules disjoint, or merge them`,
          witness,
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
