// Questions over languages: the shortest word in some and none of others, by bounded breadth-first
// search over products (readable characters preferred), each answered once per process.
import { rangesContain } from './ranges.js';
import { NotAnalysable, type Edge, type NFA } from './automaton.js';
import { MAX_CACHED } from './languages.js';
import { admitsWord } from './simulate.js';

export interface SearchOptions {
  /** The word must be in every one of these languages. */
  include: readonly NFA[];
  /** ... and in none of these (determinised on the fly). */
  exclude?: readonly NFA[];
  /** Product states explored before giving up with NotAnalysable. */
  maxStates?: number;
}

export const DEFAULT_MAX_STATES = 20_000;

/** Characters a person reads easily come first, so the shortest witness is also a readable one. */
const PREFERRED = 'abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ_./:@';
const RANK = new Map([...PREFERRED].map((c, i) => [c.codePointAt(0)!, i]));

const PREFERRED_CPS = [...PREFERRED].map((c) => c.codePointAt(0)!);
const MAX_PREFERRED = Math.max(...PREFERRED_CPS);
/** Rank by code point below 128 (a table: ranking is in the search's innermost loop). */
const ASCII_RANK = Int32Array.from({ length: 128 }, (_, c) => RANK.get(c) ?? 1000 + c);

/** BEST_ASCII[lo * 128 + hi]: the best-ranked preferred character in [lo, hi], or -1. */
const BEST_ASCII = new Int32Array(128 * 128).fill(-1);
for (let lo = 0; lo < 128; lo++) {
  let best = -1;
  for (let hi = lo; hi < 128; hi++) {
    if (RANK.has(hi) && (best < 0 || RANK.get(hi)! < RANK.get(best)!)) best = hi;
    BEST_ASCII[lo * 128 + hi] = best;
  }
}

/** A readable character of [lo, hi] (the ranking above), to stand for the whole interval. */
export function representative(lo: number, hi: number): number {
  if (lo === hi || lo > MAX_PREFERRED) return lo;
  const best = BEST_ASCII[lo * 128 + Math.min(hi, 127)]!;
  if (best >= 0) return best;
  return lo <= 0x21 && hi >= 0x21 ? 0x21 : lo;
}

/** Per automaton (by its edge lists, which derived automata share): each state's sorted, distinct range bounds. */
const boundsCache = new WeakMap<Edge[][], (readonly number[])[]>();
export function boundsOf(edges: Edge[][], q: number): readonly number[] {
  let per = boundsCache.get(edges);
  if (!per) boundsCache.set(edges, (per = []));
  let b = per[q];
  if (!b) {
    const points: number[] = [];
    for (const e of edges[q]!) for (let j = 0; j < e.ranges.length; j += 2) points.push(e.ranges[j]!, e.ranges[j + 1]! + 1);
    per[q] = b = sortedUnique(points);
  }
  return b;
}

/** Merges sorted, distinct `b` into the sorted, distinct first `n` entries of `into`; returns the new length (no allocation once `into` has grown). */
function mergeBoundsInto(into: number[], n: number, b: readonly number[], scratch: number[]): number {
  if (!b.length) return n;
  let i = 0;
  let j = 0;
  let m = 0;
  while (i < n || j < b.length) {
    const x = j >= b.length || (i < n && into[i]! <= b[j]!) ? into[i]! : b[j]!;
    if (i < n && into[i] === x) i++;
    if (j < b.length && b[j] === x) j++;
    scratch[m++] = x;
  }
  for (let k = 0; k < m; k++) into[k] = scratch[k]!;
  return m;
}

/** Bits of one state id in a numeric seen-set key (automata this big fall back to string keys). */
const ID_BITS = 17;
const ID_SPAN = 2 ** ID_BITS;

/**
 * The shortest word in every `include` language and no `exclude` language, or undefined: a
 * breadth-first search over product states (readable characters first within a length).
 */
function search(include: readonly NFA[], exclude: readonly NFA[], max: number): string | undefined {
  if (!include.length) throw new Error('findWord needs at least one language');
  // A single-word language answers by membership alone.
  const word = include.find((n) => n.literal !== undefined)?.literal;
  if (word !== undefined) return admitsWord(include, exclude, word) ? word : undefined;
  // Product states live in flat lists (a lint of many policies runs tens of thousands of searches,
  // and their garbage was most of what the run allocated): state s has the included automata's
  // states inc[s*k ...], the excluded automata's state sets excTuples[exc[s]], and was reached by
  // character ch[s] from prev[s]. The queue is the list itself, so its order is breadth-first.
  const k = include.length;
  const inc: number[] = [];
  const exc: number[] = [];
  const prev: number[] = [];
  const ch: number[] = [];
  // The excluded automata's state sets, interned: an id per distinct tuple, and each step memoised.
  const excTuples: (readonly number[])[][] = [];
  const excIds = new Map<string, number>();
  const excSteps = new Map<number, number>();
  const internExc = (tuple: (readonly number[])[]): number => {
    let key = '';
    for (let i = 0; i < tuple.length; i++) key += (i ? ';' : '') + tuple[i]!.join(',');
    let id = excIds.get(key);
    if (id === undefined) excIds.set(key, (id = excTuples.push(tuple) - 1));
    return id;
  };
  // The seen-set key of a product state: a number while it fits in 53 bits, else a string (a given
  // state always gets the same kind of key, so the two never stand for one state).
  const numeric = k * ID_BITS < 53 && include.every((n) => n.edges.length <= ID_SPAN);
  const excSpan = 2 ** (53 - k * ID_BITS);
  const seen = new Set<number | string>();
  const tuple: number[] = new Array<number>(k).fill(0);
  const keyOf = (excId: number): number | string => {
    if (!numeric || excId >= excSpan) return `${tuple.join(',')}|${excId}`;
    let key = excId;
    for (let i = 0; i < k; i++) key = key * ID_SPAN + tuple[i]!;
    return key;
  };
  const add = (excId: number, from: number, c: number): void => {
    const key = keyOf(excId);
    if (seen.has(key)) return;
    seen.add(key);
    if (seen.size > max) throw new NotAnalysable(`the search explored more than ${max} states`);
    for (let i = 0; i < k; i++) inc.push(tuple[i]!);
    exc.push(excId);
    prev.push(from);
    ch.push(c);
  };
  // Every combination of one state per list, first list slowest: the order states are queued in
  // decides which of two equally short words is found, and reports quote the word.
  const lists: number[][] = include.map(() => []);
  const at: number[] = new Array<number>(k).fill(0);
  const addProduct = (excId: number, from: number, c: number): void => {
    at.fill(0);
    for (;;) {
      for (let i = 0; i < k; i++) tuple[i] = lists[i]![at[i]!]!;
      add(excId, from, c);
      let i = k - 1;
      for (; i >= 0 && ++at[i]! === lists[i]!.length; i--) at[i] = 0;
      if (i < 0) return;
    }
  };
  for (let i = 0; i < k; i++) for (const q of include[i]!.starts) if (!lists[i]!.includes(q)) lists[i]!.push(q);
  // An included automaton without start states accepts nothing (the odometer needs every list non-empty).
  if (lists.some((l) => !l.length)) return undefined;
  addProduct(internExc(exclude.map((n) => sortedUnique(n.starts))), -1, -1);

  const points: number[] = [];
  const merged: number[] = [];
  const reps: number[] = [];
  const ranks: number[] = [];
  for (let s = 0; s < exc.length; s++) {
    const base = s * k;
    const excTuple = excTuples[exc[s]!]!;
    if (accepting(include, exclude, inc, base, excTuple)) return spell(prev, ch, s);
    // The characters that can lead somewhere different: one representative per interval between range bounds.
    let n = 0;
    for (let i = 0; i < k; i++) n = mergeBoundsInto(points, n, boundsOf(include[i]!.edges, inc[base + i]!), merged);
    for (let i = 0; i < excTuple.length; i++) for (const q of excTuple[i]!) n = mergeBoundsInto(points, n, boundsOf(exclude[i]!.edges, q), merged);
    // Representatives in rank order (a stable insertion sort: a handful each).
    reps.length = 0;
    ranks.length = 0;
    for (let j = 0; j + 1 < n; j++) {
      const c = representative(points[j]!, points[j + 1]! - 1);
      const r = rankOf(c);
      let to = reps.length;
      for (; to > 0 && ranks[to - 1]! > r; to--) (reps[to] = reps[to - 1]!), (ranks[to] = ranks[to - 1]!);
      reps[to] = c;
      ranks[to] = r;
    }
    for (const c of reps) {
      let live = true;
      for (let i = 0; i < k && live; i++) {
        const t = lists[i]!;
        t.length = 0;
        for (const e of include[i]!.edges[inc[base + i]!]!) if (rangesContain(e.ranges, c) && !t.includes(e.to)) t.push(e.to);
        live = t.length > 0;
      }
      if (!live) continue;
      let excId = 0;
      if (exclude.length) {
        const stepKey = exc[s]! * 0x110000 + c;
        let next = excSteps.get(stepKey);
        if (next === undefined) {
          const out: (readonly number[])[] = [];
          for (let i = 0; i < excTuple.length; i++) {
            const t: number[] = [];
            for (const q of excTuple[i]!) for (const e of exclude[i]!.edges[q]!) if (rangesContain(e.ranges, c)) t.push(e.to);
            out.push(sortedUnique(t));
          }
          excSteps.set(stepKey, (next = internExc(out)));
        }
        excId = next;
      }
      addProduct(excId, s, c);
    }
  }
  return undefined;
}

/** Is product state `s` (its included states from `base`) final in every included automaton and in no excluded one? */
function accepting(include: readonly NFA[], exclude: readonly NFA[], inc: readonly number[], base: number, exc: readonly (readonly number[])[]): boolean {
  for (let i = 0; i < include.length; i++) if (!include[i]!.finals.has(inc[base + i]!)) return false;
  for (let i = 0; i < exc.length; i++) for (const q of exc[i]!) if (exclude[i]!.finals.has(q)) return false;
  return true;
}

const rankOf = (c: number) => (c < 128 ? ASCII_RANK[c]! : 1000 + c);

/** `xs` sorted, without repeats: a new list, or `xs` itself when it has one element or none (callers never mutate it). */
function sortedUnique(xs: readonly number[]): readonly number[] {
  if (xs.length < 2) return xs;
  // Mostly a handful of states or bounds: an insertion sort (Array#sort allocates a work array per call).
  const out = xs.slice();
  if (out.length > 32) out.sort((a, b) => a - b);
  else
    for (let i = 1; i < out.length; i++) {
      const x = out[i]!;
      let j = i;
      for (; j > 0 && out[j - 1]! > x; j--) out[j] = out[j - 1]!;
      out[j] = x;
    }
  let n = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[n - 1]) out[n++] = out[i]!;
  out.length = n;
  return out;
}

function spell(prev: readonly number[], ch: readonly number[], s: number): string {
  const cps: number[] = [];
  for (let cur = s; cur >= 0 && ch[cur]! >= 0; cur = prev[cur]!) cps.push(ch[cur]!);
  return String.fromCodePoint(...cps.reverse());
}

const searches = new Map<string, string | undefined | NotAnalysable>();
let searched = 0;
/** How many searches ran so far (answers not found in the caches): a measure of work for budgets. */
export const searchesRun = () => searched;
/** Answers of someWord() that a likely word settled, without a search. */
const found = new Set<string>();

function searchKey(opts: SearchOptions): string {
  let key = '';
  for (const n of opts.include) key += `${n.id},`;
  if (opts.exclude) for (const n of opts.exclude) key += `|${n.id}`;
  if (opts.maxStates !== undefined) key += `#${opts.maxStates}`;
  return key;
}

/** The shortest word in every `include` language and no `exclude` language, or undefined. */
export const findWord = (opts: SearchOptions): string | undefined => answer(searchKey(opts), opts);

const NONE: readonly NFA[] = [];

/** findWord's answer, searched once per key. */
function answer(key: string, opts: SearchOptions): string | undefined {
  let hit = searches.get(key);
  if (hit === undefined && !searches.has(key)) {
    try {
      searched++;
      hit = search(opts.include, opts.exclude ?? NONE, opts.maxStates ?? DEFAULT_MAX_STATES);
    } catch (e) {
      if (!(e instanceof NotAnalysable)) throw e;
      hit = e;
    }
    if (searches.size >= MAX_CACHED * 4) searches.clear();
    searches.set(key, hit);
  }
  if (hit instanceof NotAnalysable) throw hit;
  return hit;
}

/**
 * Is there a word in every `include` language and no `exclude` one? Likely words are tried first
 * (a simulation each); the search decides when none is one. For questions of existence only.
 */
export function someWord(opts: SearchOptions, likely: readonly string[] = []): boolean {
  const key = searchKey(opts);
  if (found.has(key)) return true;
  if (!searches.has(key))
    for (const w of likely)
      if (admitsWord(opts.include, opts.exclude ?? NONE, w)) {
        if (found.size >= MAX_CACHED * 4) found.clear();
        found.add(key);
        return true;
      }
  return answer(key, opts) !== undefined;
}
