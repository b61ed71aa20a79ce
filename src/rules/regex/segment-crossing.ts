// `regex/segment-crossing`: a `.*` (or `.+`, `.{n,}`) in a regex matcher that runs across a
// separator between a claim's parts (the `:` of a subject, the `/` or `@` of a workflow_ref). The
// pattern then admits more than its shape suggests, such as another repository's callers.
// Witness: a real claim value admitted only because the wildcard crosses, and the bounded pattern.
import { defineRule } from '../framework.js';
import { acceptsWord, findWord, fromRegex } from '../../analysis/nfa.js';
import { matcherNfa, ruleWitness, tokenClaim, type WitnessGoal } from '../../analysis/rule-analysis.js';
import { parseSubject } from '../../engine/claims.js';
import { shapeNfa, CLAIM_SHAPE } from '../../analysis/shapes.js';
import { replaceDots, wildcardDots } from '../../analysis/regex-dots.js';
import type { ClaimName } from '../../model.js';

/**
 * Which crossings change who is admitted: a subject's `:` between the repository and the context
 * (refs and environment names never hold a raw `:`), and the `/` or `@` around `OWNER/REPO` in a
 * workflow_ref. A wildcard in the workflow's path or ref (after the second `/`) may span `/` at
 * will: `refs/heads/.*` covers `release/v1` on purpose. A repository has one `/`: nothing to cross.
 */
const CROSSINGS: Partial<Record<ClaimName, { separators: string; beforeSlash: number }>> = {
  subject: { separators: ':', beforeSlash: Infinity },
  workflow_ref: { separators: '/@', beforeSlash: 2 },
};

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
  meta: { id: 'regex/segment-crossing', severity: 'warning', category: 'regex', fixable: 'unsafe',
    messages: { crossing: '`.*` in `{{pattern}}` also spans {{spanned}}, so the regex admits `{{admitted}}`, not one {{unit}}: bound it (`{{segment}}`) or spell the parts out' },
    description: 'A `.*` in a regex spans the `:` or `/` between a claim\'s parts, admitting more repositories or contexts than the pattern suggests.' },
  check(ctx) {
    for (const rule of ctx.policy.rules)
      for (const m of rule.matchers) {
        const crossing = CROSSINGS[m.claim];
        if (m.kind !== 'regex' || !crossing) continue;
        // Each wildcard (`.*`, `.+`, `.{2,}`) before the nth `/`, bounded to one segment.
        const wildcards = wildcardDots(m.pattern).filter((d) => d.quantified && d.slashesBefore < crossing.beforeSlash);
        if (!wildcards.length) continue;
        const segment = replaceDots(m.pattern, wildcards, `[^${crossing.separators}]`);
        // A real claim value the regex admits only by letting `.*` run across a separator.
        const admitted = findWord({ include: [matcherNfa(m), shapeNfa(CLAIM_SHAPE[m.claim])], exclude: [fromRegex(segment)] });
        if (admitted === undefined) continue;
        // A whole token for the caller the crossing value names, kept when its own value crosses too.
        const witness = ruleWitness(rule, goalOf(m.claim, admitted), ctx.config.subjectTemplate);
        const value = witness?.[tokenClaim(m.claim)];
        const shows = value !== undefined && !acceptsWord(fromRegex(segment), value);
        const shown = [...crossing.separators].map((s) => `\`${s}\``).join(' or ');
        ctx.report({
          span: m.span,
          messageId: 'crossing',
          data: { pattern: m.pattern, spanned: shown, admitted: shows ? value : admitted, unit: m.claim === 'subject' ? 'repository and context' : 'segment', segment },
          witness: shows ? witness : undefined,
          fix: { range: [m.span.start, m.span.end], text: JSON.stringify(segment), safe: false, description: `bound the wildcard to one segment: ${segment}` },
        });
      }
  },
});
