import { defineRule } from '../src/rules/framework.js';
import { acceptsWord, findWord, fromRegex } from '../src/analysis/nfa.js';
import { matcherNfa, ruleWitness, tokenClaim, type WitnessGoal } from '../src/analysis/rule-analysis.js';
import { parseSubject } from '../src/engine/claims.js';
import { shapeNfa, CLAIM_SHAPE } from '../src/analysis/shapes.js';
import type { ClaimName } from '../src/model.js';

/** The separators between a structured claim's parts (`repo:OWNER/REPO:CONTEXT`, `OWNER/REPO/PATH@REF`). */
const SEPARATORS: Partial<Record<ClaimName, string>> = { subject: ':/', repository: '/', workflow_ref: '/@' };

/** The pattern with each quantified `.` (`.*`, `.+`, `.{2,}`) outside classes bounded to one segment. */
function bounded(p: string, separators: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      out += p.slice(i, i + 2);
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c === '.' && !inClass && /[*+?{]/.test(p[i + 1] ?? '') ? `[^${separators}]` : c;
  }
  return out;
}

/** The caller a crossing value names (its owner and repository), for a consistent witness token. */
function goalOf(claim: ClaimName, value: string): WitnessGoal {
  if (claim === 'subject') {
    const s = parseSubject(value);
    return s ? { owner: s.owner, repo: s.repo, pullRequest: s.context.kind === 'pull_request' } : {};
  }
  const [owner, repo] = value.split('/');
  return { owner, repo };
}

export default defineRule({
  meta: { id: 'regex/segment-crossing', severity: 'warning', category: 'regex', fixable: 'unsafe', description: 'A `.*` in a regex spans the `/`, `:` or `@` between a claim\'s parts, admitting more repositories or contexts than the pattern suggests.' },
  check(ctx) {
    for (const rule of ctx.policy.rules)
      for (const m of rule.matchers) {
        const separators = SEPARATORS[m.claim];
        if (m.kind !== 'regex' || !separators) continue;
        const segment = bounded(m.pattern, separators);
        if (segment === m.pattern) continue;
        // A real claim value the regex admits only by letting `.*` run across a separator.
        const crossing = findWord({ include: [matcherNfa(m), shapeNfa(CLAIM_SHAPE[m.claim])], exclude: [fromRegex(segment)] });
        if (crossing === undefined) continue;
        // A whole token for the caller the crossing value names, kept when its own value crosses too.
        const witness = ruleWitness(rule, goalOf(m.claim, crossing));
        const value = witness?.[tokenClaim(m.claim)];
        const shows = value !== undefined && !acceptsWord(fromRegex(segment), value);
        const shown = [...separators].map((s) => `\`${s}\``).join(' or ');
        ctx.report({
          span: m.span,
          message: `\`.*\` in \`${m.pattern}\` also spans ${shown}, so the regex admits \`${shows ? value : crossing}\`, not one ${m.claim === 'subject' ? 'repository and context' : 'segment'}: bound it (\`${segment}\`) or spell the parts out`,
          witness: shows ? witness : undefined,
          fix: { range: [m.span.start, m.span.end], text: JSON.stringify(segment), safe: false, description: `bound the wildcard to one segment: ${segment}` },
        });
      }
  },
});
