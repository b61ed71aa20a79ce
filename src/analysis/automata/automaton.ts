// The automaton type and its construction: every NFA and edge is made here (one object shape),
// with edge lists shared between automata where they are equal, and the error a bound raises.
import { singles, type Ranges } from './ranges.js';

export interface Edge {
  ranges: Ranges;
  to: number;
}

export interface NFA {
  readonly starts: number[];
  readonly edges: Edge[][];
  readonly finals: ReadonlySet<number>;
  /** Set when the language is exactly this one word: questions about it need no search. */
  readonly literal: string | undefined;
  /** Identity for the caches. */
  readonly id: number;
}

let nextId = 1;
/**
 * Every automaton and edge is made here, with the same fields in the same order: the search's hot
 * loops then see one object shape (mixed shapes cost repeated deoptimisation and recompilation).
 */
export const makeNfa = (starts: number[], edges: Edge[][], finals: ReadonlySet<number>, literal?: string): NFA => ({ starts, edges, finals, literal, id: nextId++ });
export const makeEdge = (ranges: Ranges, to: number): Edge => ({ ranges, to });

/** Lists of one edge reading one ASCII character, by target and character: automata never change a list. */
const onlyEdges = new Map<number, Edge[]>();
const MAX_ONLY_EDGES = 100_000;

/** A state's list of one edge; shared between automata when the edge reads one ASCII character (a small-integer key). */
export function only(ranges: Ranges, to: number): Edge[] {
  const cp = ranges[0]!;
  if (cp >= 128 || to >= 0x800000 || ranges !== singles.get(cp)) return [makeEdge(ranges, to)];
  const key = to * 128 + cp;
  let list = onlyEdges.get(key);
  if (!list) {
    if (onlyEdges.size >= MAX_ONLY_EDGES) onlyEdges.clear();
    onlyEdges.set(key, (list = [makeEdge(ranges, to)]));
  }
  return list;
}

/** A state's edges as stored: a list of one shared (`only`), else a copy at its final length (a list grown by push keeps room for 16). */
export const settled = (out: readonly Edge[]): Edge[] => (out.length === 1 ? only(out[0]!.ranges, out[0]!.to) : out.slice());

/** Every state's edges as stored (see `settled`): for automata built by push. */
export const settle = (edges: readonly (readonly Edge[])[]): Edge[][] => edges.map(settled);

export const EMPTY: NFA = makeNfa([], [[]], new Set());

/** A construction or search hit its bound, or a construct cannot be analysed: reported, never hidden. */
export class NotAnalysable extends Error {
  override name = 'NotAnalysable';
}

/** The states from which a final state can be reached. */
export function coReachable(nfa: NFA): Set<number> {
  const rev: number[][] = nfa.edges.map(() => []);
  nfa.edges.forEach((out, s) => out.forEach((e) => rev[e.to]!.push(s)));
  const live = new Set(nfa.finals);
  const stack = [...nfa.finals];
  while (stack.length) for (const p of rev[stack.pop()!]!) if (!live.has(p)) (live.add(p), stack.push(p));
  return live;
}
