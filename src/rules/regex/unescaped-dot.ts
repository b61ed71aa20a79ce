// `regex/unescaped-dot`: an unescaped `.` in a regex matcher (not followed by a quantifier), which
// matches any character: `acme/docs.internal` also admits `acme/docsXinternal`. A look-alike
// repository can then mint.
// Witness: none as a token; the message names a value the regex admits that the escaped form does not.
import { defineRule } from '../framework.js';
import { findWord, fromRegex } from '../../analysis/nfa.js';
import { matcherNfa } from '../../analysis/rule-analysis.js';
import { shapeNfa, CLAIM_SHAPE } from '../../analysis/shapes.js';
import { replaceDots, wildcardDots } from '../../analysis/regex-dots.js';

export default defineRule({
  meta: { id: 'regex/unescaped-dot', severity: 'warning', category: 'regex', fixable: 'unsafe',
    messages: { unescapedDot: 'the `.` at offset {{offset}} of `{{pattern}}` matches any character, so the regex also admits `{{lookalike}}`: escape it as `\\\\.` (in YAML double quotes) or `\\.`' },
    description: 'An unescaped `.` in a regex matches any character, admitting look-alike values.' },
  check(ctx) {
    for (const rule of ctx.policy.rules)
      for (const m of rule.matchers) {
        if (m.kind !== 'regex') continue;
        // A `.` followed by a quantifier (`.*`) is a deliberate wildcard: only single dots are suspects.
        for (const dot of wildcardDots(m.pattern).filter((d) => !d.quantified)) {
          const escaped = replaceDots(m.pattern, [dot], '\\.');
          const lookalike = findWord({ include: [matcherNfa(m), shapeNfa(CLAIM_SHAPE[m.claim])], exclude: [fromRegex(escaped)] });
          if (lookalike === undefined) continue;
          ctx.report({
            span: m.span,
            messageId: 'unescapedDot',
            data: { offset: dot.at, pattern: m.pattern, lookalike: String(lookalike) },
            fix: { range: [m.span.start, m.span.end], text: JSON.stringify(escaped), safe: false, description: `escape the dot: ${escaped}` },
          });
          break;
        }
      }
  },
});
