// `interplay/redundant-rule`: a rule every caller of which another rule admits with the same or a
// higher grant (a pasted duplicate, `acme/infra` after `acme/*`, `repository: acme/x` after
// `repository_owner: acme`). Coverage is over whole tokens (SPEC.md §5, with the config's subject
// template): claim by claim first, then the token search for the pairs whose claims differ.
// Removing such a rule changes nothing; keeping it misleads a reviewer about what the policy grants.
// Witness: none; the covering rule is named and pointed at (a related location).
import { defineRule, relatedAt } from '../framework.js';
import { NotAnalysable } from '../../analysis/nfa.js';
import { grantCovers, grantKey, ruleCovers, ruleGrant, ruleWitness, tokensCover } from '../../analysis/rule-analysis.js';
import { MAX_PAIR_TOKEN_STATES, PairBudget, ruleIndex, ruleSet, throwIfSkipped } from '../../analysis/rule-index.js';
import type { Rule } from '../../model.js';

export default defineRule({
  meta: { id: 'interplay/redundant-rule', severity: 'info', category: 'interplay',
    messages: { redundant: 'rule {{rule}} is redundant: every caller it admits is admitted by rule {{coveringRule}} (line {{coveringLine}}) with the same or a higher grant; remove it' },
    description: 'A rule fully covered by another rule with the same or a higher grant.' },
  check(ctx) {
    const template = ctx.config.subjectTemplate;
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
    /** Does `b` admit every token `a` admits? undefined when the search passed its bound (named at the end, never taken as yes). */
    const covers = (b: Rule, a: Rule): boolean | undefined => undecided(`whether rule ${b.index + 1} admits every caller of rule ${a.index + 1}`, () => tokensCover(b, a, template, MAX_PAIR_TOKEN_STATES));
    const undecided = <T>(question: string, ask: () => T): T | undefined => {
      try {
        return ask();
      } catch (e) {
        if (!(e instanceof NotAnalysable)) throw e;
        budget.skip(question, e.message);
        return undefined;
      }
    };
    // Positions, not rule indices: a policy with a broken rule is checked without it.
    for (let pa = 0; pa < rules.length; pa++) {
      const a = rules[pa]!;
      const ga = grants[pa]!;
      /** Does rule `at` make `a` redundant? `firstPass`: only where it covers `a` claim by claim. */
      const coveredBy = (at: number, firstPass: boolean): boolean => {
        const b = rules[at]!;
        const gb = grants[at]!;
        budget.spend(pa);
        if (!(firstPass ? ruleCovers(b, a) : covers(b, a))) return false;
        // A later rule with a higher grant: the first match decides, so removing `a` would raise its callers' grant.
        if (b.index > a.index && !grantCovers(ga, gb)) return false;
        // Two rules admitting the same tokens: report the later one only.
        return !(a.index < b.index && grantCovers(ga, gb) && covers(a, b) !== false);
      };
      const except = lowerThan(ga);
      // Only rules whose prefixes allow covering `a` claim by claim, with a grant covering its own, are asked first, in rule order.
      let by = first(index.coverCandidates(pa, except), (at) => coveredBy(at, true));
      // A rule the index left out (a matcher not analysed) is named by it, and asked nothing more.
      if (by === undefined && !index.analysed(pa)) continue;
      if (by === undefined) {
        // Then over whole tokens: the rules that admit a token of `a` (its witness), each asked by the
        // token search. (A rule that admits no token never gets here: it is dead or contradictory.)
        const witness = undecided(`whether rule ${a.index + 1} admits any token`, () => ruleWitness(a, {}, template));
        if (!witness) continue;
        by = first(index.tokenCandidates(witness, except), (at) => at !== pa && coveredBy(at, false));
        if (by === undefined) continue;
      }
      const b = rules[by]!;
      ctx.report({ span: a.matchers[0]?.keySpan ?? a.span, messageId: 'redundant',
        data: { rule: a.index + 1, coveringRule: b.index + 1, coveringLine: b.span.line },
        related: [relatedAt(b.matchers[0]?.keySpan ?? b.span, `rule ${b.index + 1}, which admits every caller of rule ${a.index + 1}`)],
      });
    }
    throwIfSkipped(index, budget);
  },
});

function first(xs: Iterable<number>, keep: (x: number) => boolean): number | undefined {
  for (const x of xs) if (keep(x)) return x;
  return undefined;
}
