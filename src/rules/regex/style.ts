// `regex/style`: regex habits that do nothing here or hurt elsewhere: a leading `^` or trailing `$`
// (matchers are always anchored) and nested quantifiers such as `(a+)+`. STS answers the same; the
// finding keeps patterns plain and portable. The anchors have a safe fix.
// Witness: none (what STS answers does not change).
import { defineRule } from '../framework.js';

export default defineRule({
  meta: { id: 'regex/style', severity: 'info', category: 'regex', fixable: 'safe',
    messages: {
      redundantAnchor: '`{{anchors}}` is redundant: regex matchers always match the whole value',
      nestedQuantifier: 'nested quantifier in `{{pattern}}`: safe under RE2, but catastrophic backtracking if this pattern is reused in a backtracking engine; simplify it',
    },
    description: 'Redundant `^`/`$` anchors (regex matchers are always anchored) and nested quantifiers.' },
  check(ctx) {
    for (const rule of ctx.policy.rules)
      for (const m of rule.matchers) {
        if (m.kind !== 'regex') continue;
        const p = m.pattern;
        const leading = p.startsWith('^');
        const trailing = p.endsWith('$') && !p.endsWith('\\$');
        if (leading || trailing) {
          const bare = p.slice(leading ? 1 : 0, trailing ? -1 : undefined);
          ctx.report({ span: m.span, messageId: 'redundantAnchor', data: { anchors: `${leading ? '^' : ''}${leading && trailing ? '…' : ''}${trailing ? '$' : ''}` }, fix: { range: [m.span.start, m.span.end], text: JSON.stringify(bare), safe: true, description: `write ${bare}` } });
        }
        // `(a+)+`: harmless under RE2 (linear time), catastrophic if the pattern is copied to a backtracking engine.
        if (/\([^()]*[+*][^()]*\)[+*{]/.test(p))
          ctx.report({ span: m.span, messageId: 'nestedQuantifier', data: { pattern: p } });
      }
  },
});
