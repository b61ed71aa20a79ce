import { defineRule } from '../src/rules/framework.js';
import { findWord, fromRegex } from '../src/analysis/nfa.js';
import { matcherNfa } from '../src/analysis/rule-analysis.js';
import { shapeNfa, CLAIM_SHAPE } from '../src/analysis/shapes.js';

/** Offsets of `.` outside classes and escapes, not followed by a quantifier (`.*` is deliberate). */
function bareDots(p: string): number[] {
  const out: number[] = [];
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '.' && !inClass && !/[*+?{]/.test(p[i + 1] ?? '')) out.push(i);
  }
  return out;
}

export default defineRule({
  meta: { id: 'regex/unescaped-dot', severity: 'warning', category: 'regex', fixable: 'unsafe', description: 'An unescaped `.` in a regex matches any character, admitting look-alike values.' },
  check(ctx) {
    for (const rule of ctx.policy.rules)
      for (const m of rule.matchers) {
        if (m.kind !== 'regex') continue;
        for (const at of bareDots(m.pattern)) {
          const escaped = `${m.pattern.slice(0, at)}\\.${m.pattern.slice(at + 1)}`;
          const lookalike = findWord({ include: [matcherNfa(m), shapeNfa(CLAIM_SHAPE[m.claim])], exclude: [fromRegex(escaped)] });
          if (lookalike === undefined) continue;
          ctx.report({
            span: m.span,
            message: `the \`.\` at offset ${at} of \`${m.pattern}\` matches any character, so the regex also admits \`${lookalike}\`: escape it as \`\\\\.\` (in YAML double quotes) or \`\\.\``,
            fix: { range: [m.span.start, m.span.end], text: JSON.stringify(escaped), safe: false, description: `escape the dot: ${escaped}` },
          });
          break;
        }
      }
  },
});
