// A regex's automaton, from the program re2js compiles (so regex semantics are RE2's own, not a
// re-implementation of its syntax), assertions and case folding included.
import { compileRegex } from '../../validate/regex.js';
import orbitData from '../../generated/re2-case-orbit.json' with { type: 'json' };
import { ANY, MAX_CP, normalise, single, subtract, type Ranges } from './ranges.js';
import { makeEdge, makeNfa, NotAnalysable, settle, type Edge, type NFA } from './automaton.js';

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
export function buildRegex(pattern: string): NFA {
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
