// Languages by pattern text (globs, literals, regexes) and the languages derived from them
// (after a prefix, projections, concatenation), each built once per process.
import { ANY, normalise, overlaps, rangesContain, single, subtract } from './ranges.js';
import { coReachable, EMPTY, makeEdge, makeNfa, only, settle, settled, type Edge, type NFA } from './automaton.js';
import { buildRegex } from './regex-program.js';

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
 * The states reached after reading some word of `prefix` from the starts: what may follow one of
 * its words (`prefix` a language, e.g. the subject-template keys before the owner's).
 */
function buildAfterLanguage(nfa: NFA, prefix: NFA): NFA {
  if (prefix.literal !== undefined) return afterPrefix(nfa, prefix.literal);
  // Pairs (prefix state, nfa state) reached by one word: p * width + q.
  const width = nfa.edges.length;
  const seen = new Set<number>();
  const reached = new Set<number>();
  const stack: number[] = [];
  const visit = (p: number, q: number) => {
    const key = p * width + q;
    if (seen.has(key)) return;
    seen.add(key);
    stack.push(key);
  };
  for (const p of prefix.starts) for (const q of nfa.starts) visit(p, q);
  while (stack.length) {
    const key = stack.pop()!;
    const p = Math.floor(key / width);
    const q = key % width;
    if (prefix.finals.has(p)) reached.add(q);
    for (const pe of prefix.edges[p]!) for (const qe of nfa.edges[q]!) if (overlaps(pe.ranges, qe.ranges)) visit(pe.to, qe.to);
  }
  return makeNfa([...reached].sort((a, b) => a - b), nfa.edges, nfa.finals);
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

// Caches. Automata are immutable, so the same pattern text (a policy's `acme/*`, a claim shape) is
// built once per process and every search over the same automata is answered once: linting many
// policies that share patterns costs little more than linting one.
export const MAX_CACHED = 50_000;

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
/** The states reached after reading some word of `prefix`: the language of what may follow one of its words. */
export const afterLanguage = (nfa: NFA, prefix: NFA) => cached(built, `l\u0000${nfa.id}\u0000${prefix.id}`, () => buildAfterLanguage(nfa, prefix));
/** The prefixes that end right before one of `separators` and can be completed to a word of the language. */
export const projectBefore = (nfa: NFA, separators: readonly number[]) => cached(built, `p\u0000${nfa.id}\u0000${separators.join(',')}`, () => buildProjectBefore(nfa, separators));
/** The concatenation of the languages, in order (e.g. a literal owner/repo prefix, then a claim shape). */
export const concat = (...parts: readonly NFA[]): NFA => parts.reduce((a, b) => cached(built, `c\u0000${a.id}\u0000${b.id}`, () => buildConcat(a, b)));
export const projectBeforeNth = (nfa: NFA, separator: number, n: number) => cached(built, `n\u0000${nfa.id}\u0000${separator}\u0000${n}`, () => buildProjectBeforeNth(nfa, separator, n));
