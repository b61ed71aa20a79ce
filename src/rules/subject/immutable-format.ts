// `subject/immutable-format`: a subject matcher that pins repositories in GitHub's classic format
// (`repo:acme/infra:...`) and never matches the immutable format (`repo:OWNER@ID/REPO@ID:...`) that
// repositories created, renamed or transferred after the cut-over get: their callers are denied.
// Witness: none; the message says which format it misses and what to match instead.
import { defineRule } from '../framework.js';
import { someWord } from '../../analysis/nfa.js';
import { likelyWords, matcherNfa } from '../../analysis/rule-analysis.js';
import { shapeNfa, SHAPE } from '../../analysis/shapes.js';

export default defineRule({
  meta: { id: 'subject/immutable-format', severity: 'info', category: 'correctness',
    messages: { classicOnly: "`{{pattern}}` matches only the classic subject: repos created, renamed or transferred after GitHub's immutable-subject cut-over get `repo:OWNER@ID/REPO@ID:...`, which it never matches. Prefer `repository` plus `ref` or `environment`, which keep their names" },
    description: 'A name-pinned `subject` stops matching once GitHub issues the immutable `repo:OWNER@ID/REPO@ID:` subject.' },
  check(ctx) {
    for (const rule of ctx.policy.rules)
      for (const m of rule.matchers) {
        if (m.claim !== 'subject') continue;
        const l = matcherNfa(m);
        if (!someWord({ include: [l, shapeNfa(SHAPE.classicSubject)] }, likelyWords(m)) || someWord({ include: [l, shapeNfa(SHAPE.immutableSubject)] }, likelyWords(m))) continue;
        ctx.report({
          span: m.span,
          messageId: 'classicOnly',
          data: { pattern: m.pattern },
        });
      }
  },
});
