// Which part of a claim value makes a matcher fail, in code points, read from the engine's own
// explanation (the glob explanation names the offset where matching stops) and the pattern.
import type { MatcherTrace } from '../engine/evaluate.js';

/** [start, end) in code points; start === end === length means "the value ends too early". */
export interface Highlight {
  start: number;
  end: number;
}

const cps = (s: string) => Array.from(s);

export function failingPart(m: MatcherTrace): Highlight | undefined {
  if (m.matched || m.value === null) return undefined;
  const len = cps(m.value).length;
  const reason = m.reason ?? '';
  if (m.kind === 'regex') return { start: 0, end: len };
  const pieces = m.pattern.split('*');
  const head = cps(pieces[0]!).length;
  const tail = cps(pieces[pieces.length - 1]!).length;
  let at: RegExpExecArray | null;
  if (/^the value ends at offset \d+/.test(reason)) return { start: len, end: len };
  if ((at = /^glob stops matching at offset (\d+)/.exec(reason))) return { start: clamp(+at[1]!, len), end: len };
  if ((at = /^the value continues after offset (\d+)/.exec(reason))) return { start: clamp(+at[1]!, len), end: len };
  if (/^the value does not end with/.test(reason)) return { start: clamp(Math.max(head, len - tail), len), end: len };
  if ((at = /does not occur after offset (\d+)/.exec(reason))) return { start: clamp(+at[1]!, len), end: Math.max(clamp(+at[1]!, len), len - tail) };
  return { start: 0, end: len };
}

const clamp = (n: number, len: number) => Math.max(0, Math.min(n, len));
