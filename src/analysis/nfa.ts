// Symbolic, epsilon-free NFAs over Unicode code points, built from SPEC.md globs or from re2js's
// compiled RE2 program (so regex semantics are RE2's own, not a re-implementation of its syntax).
// Questions are answered by bounded breadth-first search over products, which also yields the
// shortest witness, with readable characters preferred.
import { compileRegex } from '../validate/regex.js';
import orbitData from '../generated/re2-case-orbit.json' with { type: 'json' };

export const MAX_CP = 0x10ffff;
/** Sorted, disjoint inclusive ranges: [lo0, hi0, lo1, hi1, ...]. */
export type Ranges = readonly number[];
export const ANY: Ranges = [0, MAX_CP];

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

/**
 * The range of one character, shared. A lint of many policies caches tens of thousands of
 * automata, whose edges were most of what the collector copied; most states have one edge that
 * reads one character, so edges and lists are shared too (see `only`).
 */
const singles = new Map<number, Ranges>();
function single(cp: number): Ranges {
  let r = singles.get(cp);
  if (!r) singles.set(cp, (r = [cp, cp]));
  return r;
}

/** Lists of one edge reading one ASCII character, by target and character: automata never change a list. */
const onlyEdges = new Map<number, Edge[]>();
const MAX_ONLY_EDGES = 100_000;

/** A state's list of one edge; shared between automata when the edge reads one ASCII character (a small-integer key). */
function only(ranges: Ranges, to: number): Edge[] {
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
const settled = (out: readonly Edge[]): Edge[] => (out.length === 1 ? only(out[0]!.ranges, out[0]!.to) : out.slice());

/** Every state's edges as stored (see `settled`): for automata built by push. */
const settle = (edges: readonly (readonly Edge[])[]): Edge[][] => edges.map(settled);

const EMPTY: NFA = makeNfa([], [[]], new Set());

/** A construction or search hit its bound, or a construct cannot be analysed: reported, never hidden. */
export class NotAnalysable extends Error {
  override name = 'NotAnalysable';
}

function buildGlob(pattern: string): NFA {
  if (!pattern.includes('*') && !pattern.includes('?')) return buildLiteral(pattern);
  // Each state's edge list is made at its final length (a list grown by push keeps room for 16).
  const edges: Edge[][] = [];
  let loop = false;
  for (const ch of pattern) {
    if (ch === '*') loop = true;
    else {
      const s = edges.length;
      const ranges = ch === '?' ? ANY : single(ch.codePointAt(0)!);
      edges.push(loop ? [makeEdge(ANY, s), makeEdge(ranges, s + 1)] : only(ranges, s + 1));
      loop = false;
    }
  }
  edges.push(loop ? [makeEdge(ANY, edges.length)] : []);
  return makeNfa([0], edges, new Set([edges.length - 1]));
}

function buildLiteral(value: string): NFA {
  const edges: Edge[][] = [];
  for (const ch of value) edges.push(only(single(ch.codePointAt(0)!), edges.length + 1));
  edges.push([]);
  return makeNfa([0], edges, new Set([edges.length - 1]), value);
}

// re2js instruction opcodes and empty-width flags (re2js 2.10, mirroring Go's regexp/syntax).
const OP = { ALT: 1, ALT_MATCH: 2, CAPTURE: 3, EMPTY_WIDTH: 4, FAIL: 5, MATCH: 6, NOP: 7, RUNE: 8, RUNE1: 9, RUNE_ANY: 10, RUNE_ANY_NOT_NL: 11 };
const ASSERT = { BEGIN_LINE: 1, END_LINE: 2, BEGIN_TEXT: 4, END_TEXT: 8, WORD_BOUNDARY: 16, NO_WORD_BOUNDARY: 32 };
const FOLD_CASE = 1;

interface Inst {
  op: number;
  out: number;
  arg: number;
  runes: Int32Array;
  matchRune(r: number): boolean;
}

/** RE2's word characters for `\b` and `\B` (ASCII only, as in Go). */
const WORD_CHARS: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const NEWLINE: Ranges = [0x0a, 0x0a];
/** The characters an assertion looks at, as classes: a newline (line anchors), a word character (`\b`), the rest. */
interface CharClass {
  ranges: Ranges;
  newline: boolean;
  word: boolean;
}

/** The classes the program's assertions tell apart: one class when it has none but text anchors. */
function charClasses(inst: readonly Inst[]): CharClass[] {
  let flags = 0;
  for (const i of inst) if (i.op === OP.EMPTY_WIDTH) flags |= i.arg;
  const line = (flags & (ASSERT.BEGIN_LINE | ASSERT.END_LINE)) !== 0;
  const word = (flags & (ASSERT.WORD_BOUNDARY | ASSERT.NO_WORD_BOUNDARY)) !== 0;
  const rest = subtract(subtract(ANY, line ? NEWLINE : []), word ? WORD_CHARS : []);
  return [...(line ? [{ ranges: NEWLINE, newline: true, word: false }] : []), ...(word ? [{ ranges: WORD_CHARS, newline: false, word: true }] : []), { ranges: rest, newline: false, word: false }];
}

/**
 * The program as an automaton. Assertions (`^`, `$` under `(?m)`, `\b`, `\B`) look at the
 * characters around a position: a state is a rune instruction together with the class of the
 * character it read, and an assertion keeps only the next characters (or the end) it allows.
 */
function buildRegex(pattern: string): NFA {
  // The anchored program validation already compiled (and cached).
  const prog = (compileRegex(pattern) as unknown as { re2Input?: { prog?: { inst: Inst[]; start: number } } }).re2Input?.prog;
  if (!prog || !Array.isArray(prog.inst)) throw new NotAnalysable('the RE2 engine did not expose its program');
  const inst = prog.inst;
  const classes = charClasses(inst);
  const n = classes.length;
  // A mask of what may come next: bit k for class k, bit n for the end of the value.
  const END = 1 << n;
  const ALL = (END << 1) - 1;
  const maskOf = (keep: (c: CharClass) => boolean, end: boolean) => classes.reduce((m, c, k) => (keep(c) ? m | (1 << k) : m), end ? END : 0);
  const newlineOrEnd = maskOf((c) => c.newline, true);
  const wordNext = maskOf((c) => c.word, false);
  const otherOrEnd = maskOf((c) => !c.word, true);
  const stateOf = new Map<number, number>();
  const edges: Edge[][] = [];
  const finals = new Set<number>();
  const newState = () => (edges.push([]), edges.length - 1);

  /** From the instructions `from`, after a character of class `prev` (-1: at the start), the rune instructions reached and what may follow each. */
  const closure = (from: number[], prev: number): { runes: [number, number][]; match: boolean } => {
    const runes: [number, number][] = [];
    let match = false;
    const seen = new Set<number>();
    const atStart = prev < 0;
    const afterWord = !atStart && classes[prev]!.word;
    const stack: [number, number][] = from.map((pc) => [pc, ALL]);
    while (stack.length) {
      const [pc, allowed] = stack.pop()!;
      const key = pc * (ALL + 1) + allowed;
      if (seen.has(key)) continue;
      seen.add(key);
      const i = inst[pc]!;
      switch (i.op) {
        case OP.ALT:
        case OP.ALT_MATCH:
          stack.push([i.out, allowed], [i.arg, allowed]);
          break;
        case OP.CAPTURE:
        case OP.NOP:
          stack.push([i.out, allowed]);
          break;
        case OP.EMPTY_WIDTH: {
          if (i.arg & ASSERT.BEGIN_TEXT && !atStart) break;
          if (i.arg & ASSERT.BEGIN_LINE && !atStart && !classes[prev]!.newline) break;
          let next = allowed;
          if (i.arg & ASSERT.END_TEXT) next &= END;
          if (i.arg & ASSERT.END_LINE) next &= newlineOrEnd;
          if (i.arg & ASSERT.WORD_BOUNDARY) next &= afterWord ? otherOrEnd : wordNext;
          if (i.arg & ASSERT.NO_WORD_BOUNDARY) next &= afterWord ? wordNext : otherOrEnd;
          if (next) stack.push([i.out, next]);
          break;
        }
        case OP.MATCH:
          if (allowed & END) match = true;
          break;
        case OP.FAIL:
          break;
        case OP.RUNE:
        case OP.RUNE1:
        case OP.RUNE_ANY:
        case OP.RUNE_ANY_NOT_NL:
          if (allowed & ~END) runes.push([pc, allowed]);
          break;
        default:
          throw new NotAnalysable('lookbehind and other extensions are not analysed');
      }
    }
    return { runes, match };
  };

  const pending: number[] = [];
  const link = (state: number, c: { runes: [number, number][]; match: boolean }) => {
    if (c.match) finals.add(state);
    for (const [pc, allowed] of c.runes) {
      const read = rangesOf(inst[pc]!);
      for (let k = 0; k < n; k++) {
        if (!(allowed & (1 << k))) continue;
        // One class: every character, the instruction's own ranges (no split).
        const ranges = n === 1 ? read : subtract(read, subtract(ANY, classes[k]!.ranges));
        if (!ranges.length) continue;
        const id = pc * n + k;
        let to = stateOf.get(id);
        if (to === undefined) {
          to = newState();
          stateOf.set(id, to);
          pending.push(id);
        }
        edges[state]!.push(makeEdge(ranges, to));
      }
    }
  };
  const start = newState();
  link(start, closure([prog.start], -1));
  while (pending.length) {
    const id = pending.pop()!;
    link(stateOf.get(id)!, closure([inst[Math.floor(id / n)]!.out], id % n));
    if (edges.length > 50_000) throw new NotAnalysable('the regex expands to too many states');
  }
  return makeNfa([start], settle(edges), finals);
}

function rangesOf(i: Inst): Ranges {
  if (i.op === OP.RUNE_ANY) return ANY;
  if (i.op === OP.RUNE_ANY_NOT_NL) return [0, 9, 11, MAX_CP];
  const r = Array.from(i.runes);
  if (r.length === 1) {
    if (!(i.arg & FOLD_CASE)) return single(r[0]!);
    return normalise(foldOrbit(r[0]!).filter((c) => i.matchRune(c)).flatMap((c) => [c, c]));
  }
  return normalise(r);
}

let caseOrbit: Map<number, number> | undefined;
/** re2js's case orbit table (generated at build from its source): each code point to the next one it folds with. */
function orbitTable(): Map<number, number> {
  if (caseOrbit) return caseOrbit;
  // re2js's VLQ: base-64 digits of 5 bits, low first, bit 5 set on all but the last; pairs of (key delta, zigzag offset).
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-';
  const values: number[] = [];
  for (let i = 0, value = 0, shift = 0; i < orbitData.orbit.length; i++) {
    const d = digits.indexOf(orbitData.orbit[i]!);
    value |= (d & 31) << shift;
    if (d & 32) shift += 5;
    else (values.push(value), (value = 0), (shift = 0));
  }
  caseOrbit = new Map();
  for (let i = 0, key = 0; i < values.length; i += 2) {
    key += values[i]!;
    const zz = values[i + 1]!;
    caseOrbit.set(key, key + ((zz >>> 1) ^ -(zz & 1)));
  }
  return caseOrbit;
}

/** The code points RE2 folds `cp` with, `cp` included (re2js's simpleFold: its orbit table, else ASCII case). */
function foldOrbit(cp: number): number[] {
  const fold = (r: number) => {
    const next = orbitTable().get(r);
    if (next !== undefined) return next;
    if (r > 0x7f) return r;
    const s = String.fromCharCode(r);
    return (s.toLowerCase() !== s ? s.toLowerCase() : s.toUpperCase()).charCodeAt(0);
  };
  const orbit = [cp];
  for (let r = fold(cp); r !== cp && orbit.length < 8; r = fold(r)) orbit.push(r);
  return orbit;
}

/** Sorts and merges a flat list of range pairs. */
export function normalise(pairs: readonly number[]): number[] {
  const list: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += 2) list.push([pairs[i]!, pairs[i + 1]!]);
  list.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of list) {
    if (out.length && lo <= out[out.length - 1]! + 1) out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

export function rangesContain(r: Ranges, cp: number): boolean {
  for (let i = 0; i < r.length; i += 2) {
    if (cp < r[i]!) return false;
    if (cp <= r[i + 1]!) return true;
  }
  return false;
}

/** The states reached after reading `prefix` from the starts: the language of what may follow it. */
function buildAfterPrefix(nfa: NFA, prefix: string): NFA {
  if (nfa.literal !== undefined) return nfa.literal.startsWith(prefix) ? fromLiteral(nfa.literal.slice(prefix.length)) : EMPTY;
  let current = new Set(nfa.starts);
  for (const ch of prefix) {
    const cp = ch.codePointAt(0)!;
    const next = new Set<number>();
    for (const s of current) for (const e of nfa.edges[s]!) if (rangesContain(e.ranges, cp)) next.add(e.to);
    current = next;
  }
  return makeNfa([...current], nfa.edges, nfa.finals);
}

/**
 * The prefixes that end right before one of `separators` and can be completed to a word of the
 * language: e.g. the owner part of `OWNER/REPO` (separator `/`).
 */
function buildProjectBefore(nfa: NFA, separators: readonly number[]): NFA {
  if (nfa.literal !== undefined) {
    // A path cannot cross a separator, so only the part before the first one is a projection.
    const cps = Array.from(nfa.literal);
    const at = cps.findIndex((c) => separators.includes(c.codePointAt(0)!));
    return at < 0 ? EMPTY : fromLiteral(cps.slice(0, at).join(''));
  }
  const live = coReachable(nfa);
  const finals = new Set<number>();
  const sepRanges = normalise(separators.flatMap((c) => [c, c]));
  const edges = nfa.edges.map((out, s) => {
    const kept: Edge[] = [];
    for (const e of out) {
      if (separators.some((c) => rangesContain(e.ranges, c)) && live.has(e.to)) finals.add(s);
      const rest = subtract(e.ranges, sepRanges);
      if (rest.length) kept.push(rest === e.ranges ? e : makeEdge(rest, e.to));
    }
    // A state no separator leaves keeps its list.
    return kept.length === out.length && kept.every((e, i) => e === out[i]) ? out : settled(kept);
  });
  return makeNfa(nfa.starts, edges, finals);
}

/**
 * The prefixes that end right before the `n`th `separator` and can be completed to a word of the
 * language: e.g. the `OWNER/REPO` of `OWNER/REPO/.github/workflows/FILE@REF` (`/`, n = 2).
 */
function buildProjectBeforeNth(nfa: NFA, separator: number, n: number): NFA {
  if (nfa.literal !== undefined) {
    // A literal has one such prefix: the part before its nth separator, if it has that many.
    const cps = Array.from(nfa.literal);
    for (let i = 0, seen = 0; i < cps.length; i++) if (cps[i]!.codePointAt(0) === separator && ++seen === n) return fromLiteral(cps.slice(0, i).join(''));
    return EMPTY;
  }
  const live = coReachable(nfa);
  const sep = single(separator);
  // Product with a counter of separators read so far: state (q, k) is q * n + k.
  const edges: Edge[][] = Array.from({ length: nfa.edges.length * n }, () => []);
  const finals = new Set<number>();
  nfa.edges.forEach((out, q) => {
    for (let k = 0; k < n; k++)
      for (const e of out) {
        if (rangesContain(e.ranges, separator) && live.has(e.to)) {
          if (k === n - 1) finals.add(q * n + k);
          else edges[q * n + k]!.push(makeEdge(sep, e.to * n + k + 1));
        }
        const rest = subtract(e.ranges, sep);
        if (rest.length) edges[q * n + k]!.push(makeEdge(rest, e.to * n + k));
      }
  });
  return makeNfa(nfa.starts.map((q) => q * n), settle(edges), finals);
}

/** The words `u` + `v` with `u` in `a` and `v` in `b`; epsilon-free, so `a`'s finals take `b`'s start edges. */
function buildConcat(a: NFA, b: NFA): NFA {
  if (a.literal !== undefined && b.literal !== undefined) return fromLiteral(a.literal + b.literal);
  const offset = a.edges.length;
  const shifted = b.edges.map((out) => settled(out.map((e) => makeEdge(e.ranges, e.to + offset))));
  const edges = [...a.edges, ...shifted];
  const finals = new Set([...b.finals].map((q) => q + offset));
  const emptyInB = b.starts.some((q) => b.finals.has(q));
  for (const q of a.finals) {
    edges[q] = [...edges[q]!, ...b.starts.flatMap((s) => shifted[s]!)];
    if (emptyInB) finals.add(q);
  }
  return makeNfa(a.starts, edges, finals);
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

/** `a` without `b`: `a` itself when they do not overlap (automata share their ranges). */
export function subtract(a: Ranges, b: Ranges): Ranges {
  if (!overlaps(a, b)) return a;
  const out: number[] = [];
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i]!;
    const hi = a[i + 1]!;
    for (let j = 0; j < b.length && lo <= hi; j += 2) {
      const blo = b[j]!;
      const bhi = b[j + 1]!;
      if (bhi < lo || blo > hi) continue;
      if (blo > lo) out.push(lo, blo - 1);
      lo = bhi + 1;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}

function overlaps(a: Ranges, b: Ranges): boolean {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return true;
  }
  return false;
}

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

// Caches. Automata are immutable, so the same pattern text (a policy's `acme/*`, a claim shape) is
// built once per process and every search over the same automata is answered once: linting many
// policies that share patterns costs little more than linting one.
const MAX_CACHED = 50_000;

/** Languages by pattern text, one store per kind (the text is the key as it is); derived ones by a composite key. */
const globs = new Map<string, NFA | Error>();
const literals = new Map<string, NFA | Error>();
const regexes = new Map<string, NFA | Error>();
const built = new Map<string, NFA | Error>();
function cached(store: Map<string, NFA | Error>, key: string, make: () => NFA): NFA {
  let hit = store.get(key);
  if (hit === undefined) {
    try {
      hit = make();
      // A language of one word (`org-12` of `org-12/*`, the regex `refs/heads/main`) is answered
      // by membership alone wherever it is used (searches, projections, concatenations).
      if (hit.literal === undefined && store !== literals) {
        const word = onlyWord(hit);
        if (word !== undefined) hit = fromLiteral(word);
      }
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      hit = e;
    }
    if (store.size >= MAX_CACHED) store.clear();
    store.set(key, hit);
  }
  if (hit instanceof Error) throw hit;
  return hit;
}

/**
 * The language's only word, when its automaton spells one plainly: one start, then states with one
 * single-character edge each, ending in a final state with none. Undefined otherwise (also for
 * some one-word languages spelled another way: the answer is only ever a shortcut).
 */
function onlyWord(nfa: NFA): string | undefined {
  if (nfa.starts.length !== 1) return undefined;
  let word = '';
  for (let q = nfa.starts[0]!, steps = 0; ; steps++) {
    const out = nfa.edges[q]!;
    if (nfa.finals.has(q)) return out.length ? undefined : word;
    // A chain longer than the automaton has states loops.
    if (out.length !== 1 || out[0]!.ranges.length !== 2 || out[0]!.ranges[0] !== out[0]!.ranges[1] || steps >= nfa.edges.length) return undefined;
    word += String.fromCodePoint(out[0]!.ranges[0]!);
    q = out[0]!.to;
  }
}

export const fromGlob = (pattern: string) => cached(globs, pattern, () => buildGlob(pattern));
/** The language holding exactly `value`. */
export const fromLiteral = (value: string) => cached(literals, value, () => buildLiteral(value));
/** The NFA of an anchored RE2 regex, from the program re2js compiles (validated first). */
export const fromRegex = (pattern: string) => cached(regexes, pattern, () => buildRegex(pattern));
/** The states reached after reading `prefix` from the starts: the language of what may follow it. */
export const afterPrefix = (nfa: NFA, prefix: string) => cached(built, `a\u0000${nfa.id}\u0000${prefix}`, () => buildAfterPrefix(nfa, prefix));
/** The prefixes that end right before one of `separators` and can be completed to a word of the language. */
export const projectBefore = (nfa: NFA, separators: readonly number[]) => cached(built, `p\u0000${nfa.id}\u0000${separators.join(',')}`, () => buildProjectBefore(nfa, separators));
/** The concatenation of the languages, in order (e.g. a literal owner/repo prefix, then a claim shape). */
export const concat = (...parts: readonly NFA[]): NFA => parts.reduce((a, b) => cached(built, `c\u0000${a.id}\u0000${b.id}`, () => buildConcat(a, b)));
export const projectBeforeNth = (nfa: NFA, separator: number, n: number) => cached(built, `n\u0000${nfa.id}\u0000${separator}\u0000${n}`, () => buildProjectBeforeNth(nfa, separator, n));

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

/** Per automaton (by its edge lists): a stamp per state, so a simulation step collects each target once without a Set. */
let marks = new WeakMap<Edge[][], Int32Array>();
let stamp = 0;
/** The simulation's two state lists, reused (grown on demand). */
let from = new Int32Array(64);
let to = new Int32Array(64);

/** Is `word` in every `include` language and no `exclude` one? */
const admitsWord = (include: readonly NFA[], exclude: readonly NFA[], word: string) => include.every((n) => acceptsWord(n, word)) && !exclude.some((n) => acceptsWord(n, word));

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
