// Membership: is a word in a language, by direct simulation of the automaton (no search).
import { rangesContain } from './ranges.js';
import type { Edge, NFA } from './automaton.js';

/** Per automaton (by its edge lists): a stamp per state, so a simulation step collects each target once without a Set. */
let marks = new WeakMap<Edge[][], Int32Array>();
let stamp = 0;
/** The simulation's two state lists, reused (grown on demand). */
let from = new Int32Array(64);
let to = new Int32Array(64);

/** Is `word` in every `include` language and no `exclude` one? */
export const admitsWord = (include: readonly NFA[], exclude: readonly NFA[], word: string) => include.every((n) => acceptsWord(n, word)) && !exclude.some((n) => acceptsWord(n, word));

/** Is `word` in the language? A direct simulation, no search. */
export function acceptsWord(nfa: NFA, word: string): boolean {
  if (nfa.literal !== undefined) return nfa.literal === word;
  const { edges } = nfa;
  if (stamp > 0x3fffffff) {
    // Stamps only grow; before they overflow, every mark is forgotten.
    stamp = 0;
    marks = new WeakMap();
  }
  let mark = marks.get(edges);
  if (!mark) marks.set(edges, (mark = new Int32Array(edges.length)));
  if (from.length < edges.length) (from = new Int32Array(edges.length)), (to = new Int32Array(edges.length));
  let n = 0;
  for (const q of nfa.starts) from[n++] = q;
  for (let i = 0; i < word.length; ) {
    const cp = word.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    const s = ++stamp;
    let m = 0;
    for (let k = 0; k < n; k++)
      for (const e of edges[from[k]!]!)
        if (mark[e.to] !== s && rangesContain(e.ranges, cp)) {
          mark[e.to] = s;
          to[m++] = e.to;
        }
    if (!m) return false;
    [from, to] = [to, from];
    n = m;
  }
  for (let k = 0; k < n; k++) if (nfa.finals.has(from[k]!)) return true;
  return false;
}
