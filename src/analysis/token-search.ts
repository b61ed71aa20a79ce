// Which sets of rules can match one token together, over every token the model allows
// (token-model.ts), each with a witness token. The search walks the model's graph and runs every
// rule's matchers while the token is generated, character by character; its state is the set of
// rules still matching (with their automata's states) and the rules already matched. States are
// memoised, so tokens that no rule tells apart are explored once: the cost follows the policy's
// distinct patterns, not a product of claim values. Past MAX_TOKEN_STATES states it gives up with
// NotAnalysable, which the callers report as undecided.
import { CLAIM_NAMES, type ClaimName, type Claims, type Matcher } from '../model.js';
import { boundsOf, NotAnalysable, rangesContain, representative, type NFA } from './nfa.js';
import { matcherNfa } from './matcher-nfa.js';
import { shapeNfa } from './shapes.js';
import { DEFAULT_TOKEN, TOKEN_MODEL, tokenClaims, type TokenValues, type TokenVariable } from './token-model.js';

/** The documented bound: search states (classes of partly generated tokens) explored per question. */
export const MAX_TOKEN_STATES = 300_000;

export interface TokenClass {
  /** The rules (indices into the input) that all match the witness, and no other rule does. */
  rules: readonly number[];
  witness: Claims;
}

const EMPTY = -2;
const DONE = -1;
const COLON = 0x3a;
const ESCAPED_COLON = [0x25, 0x33, 0x41]; // `%3A`
const CLAIM_INDEX = new Map<ClaimName, number>(CLAIM_NAMES.map((c, i) => [c, i]));

/** A rule still matching: per matcher, its automaton's state set (DONE once its claim is complete). */
interface Live {
  rule: number;
  sets: number[];
  /** The same rule in the same states has the same id: search states are keyed by these. */
  id: number;
}

type Step = { variable: TokenVariable; text: string } | { set: Partial<TokenValues> };

interface State {
  node: number;
  /** The segment's value automaton state set (segments only). */
  shape: number;
  /** At a segment's first character: its fallback value is tried first. */
  entry: boolean;
  live: Live[];
  matched: number[];
  prev: number;
  step: Step | undefined;
}

/**
 * Every combination of rules that some token of the model matches exactly (the empty one included
 * when some token matches none), each with a witness token.
 */
export function tokenClasses(rules: readonly { matchers: readonly Matcher[] }[], maxStates = MAX_TOKEN_STATES): TokenClass[] {
  // Automaton state sets, interned per automaton; stepping a set by a character is memoised.
  const setStates: (readonly number[])[] = [];
  const setNfa: NFA[] = [];
  const setFinal: boolean[] = [];
  const setIds = new Map<string, number>();
  const intern = (nfa: NFA, states: readonly number[]): number => {
    if (!states.length) return EMPTY;
    const sorted = [...new Set(states)].sort((a, b) => a - b);
    const key = `${nfa.id}:${sorted.join(',')}`;
    let id = setIds.get(key);
    if (id === undefined) {
      id = setStates.push(sorted) - 1;
      setNfa.push(nfa);
      setFinal.push(sorted.some((q) => nfa.finals.has(q)));
      setIds.set(key, id);
    }
    return id;
  };
  const steps = new Map<number, number>();
  const step = (set: number, cp: number): number => {
    const key = set * 0x110000 + cp;
    let to = steps.get(key);
    if (to === undefined) {
      const nfa = setNfa[set]!;
      const out: number[] = [];
      for (const q of setStates[set]!) for (const e of nfa.edges[q]!) if (rangesContain(e.ranges, cp)) out.push(e.to);
      steps.set(key, (to = intern(nfa, out)));
    }
    return to;
  };
  const stepAll = (set: number, cps: readonly number[]) => {
    for (const cp of cps) if ((set = step(set, cp)) === EMPTY) break;
    return set;
  };

  // Per rule: its matchers' automata, and which matcher (if any) reads each claim.
  const nfas = rules.map((r) => r.matchers.map(matcherNfa));
  const byClaim = rules.map((r) => {
    const at = new Int32Array(CLAIM_NAMES.length).fill(-1);
    r.matchers.forEach((m, i) => (at[CLAIM_INDEX.get(m.claim)!] = i));
    return at;
  });
  const matcherOn = (rule: number, claim: ClaimName) => byClaim[rule]![CLAIM_INDEX.get(claim)!]!;

  const liveIds = new Map<string, number>();
  const makeLive = (rule: number, sets: number[]): Live => {
    const key = `${rule}:${sets.join('.')}`;
    let id = liveIds.get(key);
    if (id === undefined) liveIds.set(key, (id = liveIds.size));
    return { rule, sets, id };
  };

  /** The live rules after `claim` reads `cps` (or completes, or is absent); rules that fail move out, complete ones into `matched`. */
  const apply = (live: Live[], matched: number[], claim: ClaimName, how: 'feed' | 'end' | 'absent', cps: readonly number[] = []): [Live[], number[]] => {
    let out: Live[] | undefined;
    let done: number[] | undefined;
    for (let i = 0; i < live.length; i++) {
      const l = live[i]!;
      const m = matcherOn(l.rule, claim);
      if (m < 0 || l.sets[m] === DONE) {
        out?.push(l);
        continue;
      }
      out ??= live.slice(0, i);
      if (how === 'absent') continue;
      const set = how === 'feed' ? stepAll(l.sets[m]!, cps) : setFinal[l.sets[m]!] ? DONE : EMPTY;
      if (set === EMPTY) continue;
      const sets = l.sets.slice();
      sets[m] = set;
      if (sets.every((s) => s === DONE)) (done ??= matched.slice()).push(l.rule);
      else out.push(makeLive(l.rule, sets));
    }
    return [out ?? live, done ? done.sort((a, b) => a - b) : matched];
  };

  const states: State[] = [];
  const seen = new Set<string>();
  /** Runs the instant steps from `node` and queues the state reached, unless already seen. */
  const reach = (node: number, live: Live[], matched: number[], prev: number, stepTaken: Step | undefined, shape?: number) => {
    let n = TOKEN_MODEL[node]!;
    while (shape === undefined && (n.kind === 'feed' || n.kind === 'end' || n.kind === 'absent')) {
      [live, matched] = apply(live, matched, n.claim, n.kind, n.kind === 'feed' ? codePoints(n.text) : undefined);
      node = n.next;
      n = TOKEN_MODEL[node]!;
    }
    const entry = shape === undefined && n.kind === 'segment';
    if (entry) shape = intern(shapeNfa((n as { shape: string }).shape), shapeNfa((n as { shape: string }).shape).starts);
    let key = `${node}|${shape ?? -1}|${entry ? 1 : 0}|${matched.join(',')}|`;
    for (const l of live) key += `${l.id},`;
    if (seen.has(key)) return;
    seen.add(key);
    if (seen.size > maxStates) throw new NotAnalysable(`the token search explored more than ${maxStates} classes of tokens`);
    states.push({ node, shape: shape ?? -1, entry, live, matched, prev, step: stepTaken });
  };

  const classes = new Map<string, number>();
  reach(0, rules.map((_, rule) => makeLive(rule, nfas[rule]!.map((nfa) => intern(nfa, nfa.starts)))), [], -1, undefined);
  for (let s = 0; s < states.length; s++) {
    const { node, live, matched, shape } = states[s]!;
    const n = TOKEN_MODEL[node]!;
    if (n.kind === 'final') {
      const key = matched.join(',');
      if (!classes.has(key)) classes.set(key, s);
    } else if (n.kind === 'fork') {
      // A choice no remaining matcher can tell apart: one branch answers for all.
      const relevant = live.some((l) => n.claims.some((c) => matcherOn(l.rule, c) >= 0 && l.sets[matcherOn(l.rule, c)] !== DONE));
      for (const b of relevant ? n.branches : n.branches.slice(0, 1)) reach(b.next, live, matched, s, { set: b.set });
    } else if (n.kind === 'segment') {
      const readers: { at: number; m: number; escape: boolean }[] = [];
      live.forEach((l, at) => {
        for (const r of n.readers) {
          const m = matcherOn(l.rule, r.claim);
          if (m >= 0 && l.sets[m] !== DONE) readers.push({ at, m, escape: r.escapeColon });
        }
      });
      const advance = (cps: readonly number[]): [number, Live[]] => {
        let shapeTo = shape;
        for (const cp of cps) if ((shapeTo = step(shapeTo, cp)) === EMPTY) return [EMPTY, live];
        const changed = new Map<number, number[] | null>();
        for (const { at, m, escape } of readers) {
          let sets = changed.get(at);
          if (sets === null) continue;
          if (!sets) changed.set(at, (sets = live[at]!.sets.slice()));
          let set = sets[m]!;
          for (const cp of cps) if ((set = stepAll(set, escape && cp === COLON ? ESCAPED_COLON : [cp])) === EMPTY) break;
          if (set === EMPTY) changed.set(at, null);
          else sets[m] = set;
        }
        const next: Live[] = [];
        live.forEach((l, at) => {
          const sets = changed.get(at);
          if (sets === undefined) next.push(l);
          else if (sets) next.push(makeLive(l.rule, sets));
        });
        return [shapeTo, next];
      };
      // The fallback value first (a readable witness), whole: with no reader it is the only one needed.
      if (states[s]!.entry) {
        const [to, after] = advance(codePoints(n.fallback));
        if (to !== EMPTY && setFinal[to]) reach(n.next, after, matched, s, { variable: n.variable, text: n.fallback });
        if (!readers.length) continue;
      }
      // The value may end here (written even when empty, so no fallback stands in for it).
      if (setFinal[shape]) reach(n.next, live, matched, s, { variable: n.variable, text: '' });
      // One character per interval that no automaton in play tells apart; intervals that only the
      // value's shape splits, into the same shape state, are one (a ref's many character ranges).
      const points: number[] = [];
      for (const { at, m, escape } of readers) {
        const set = live[at]!.sets[m]!;
        for (const q of setStates[set]!) points.push(...boundsOf(setNfa[set]!.edges, q));
        if (escape) points.push(COLON, COLON + 1);
      }
      const coarse = [...new Set(points)].sort((a, b) => a - b);
      for (const q of setStates[shape]!) points.push(...boundsOf(setNfa[shape]!.edges, q));
      const fine = [...new Set(points)].sort((a, b) => a - b);
      const reps: number[] = [];
      const shapes: number[] = [];
      const taken = new Set<number>();
      for (let j = 0; j + 1 < fine.length; j++) {
        const cp = representative(fine[j]!, fine[j + 1]! - 1);
        const to = step(shape, cp);
        const group = lowerBound(coarse, cp + 1) * 0x100000000 + to;
        if (to !== EMPTY && !taken.has(group)) taken.add(group), reps.push(cp), shapes.push(to);
      }
      // Per character, the rules still matching after it. A rule reading this value survives only
      // the characters its first reading automaton has edges for: most rules name one character
      // here, so each is stepped by a few characters, not by all of them.
      const children: Live[][] = reps.map(() => []);
      const candidates: boolean[] = [];
      for (let at = 0, r = 0; at < live.length; at++) {
        const l = live[at]!;
        if (r >= readers.length || readers[r]!.at !== at) {
          for (const c of children) c.push(l);
          continue;
        }
        const mine = [];
        for (; r < readers.length && readers[r]!.at === at; r++) mine.push(readers[r]!);
        const first = mine[0]!;
        candidates.length = 0;
        if (first.escape) candidates.length = reps.length, candidates.fill(true);
        else {
          const set = l.sets[first.m]!;
          for (const q of setStates[set]!)
            for (const e of setNfa[set]!.edges[q]!)
              for (let k = 0; k < e.ranges.length; k += 2)
                for (let i = lowerBound(reps, e.ranges[k]!); i < reps.length && reps[i]! <= e.ranges[k + 1]!; i++) candidates[i] = true;
        }
        for (let i = 0; i < reps.length; i++) {
          if (!candidates[i]) continue;
          const cp = reps[i]!;
          const sets = l.sets.slice();
          let alive = true;
          for (const { m, escape } of mine) if ((sets[m] = escape && cp === COLON ? stepAll(sets[m]!, ESCAPED_COLON) : step(sets[m]!, cp)) === EMPTY) alive = false;
          if (alive) children[i]!.push(makeLive(l.rule, sets));
        }
      }
      reps.forEach((cp, i) => reach(node, children[i]!, matched, s, { variable: n.variable, text: String.fromCodePoint(cp) }, shapes[i]));
    }
  }
  return [...classes].map(([, s]) => ({ rules: states[s]!.matched, witness: witnessAt(states, s) }));
}

/** The token whose generation led to state `s`: the steps on its path, defaults elsewhere. */
function witnessAt(states: readonly State[], s: number): Claims {
  const path: Step[] = [];
  for (let at = s; at >= 0; at = states[at]!.prev) if (states[at]!.step) path.push(states[at]!.step!);
  const values: TokenValues = { ...DEFAULT_TOKEN };
  const written = new Set<TokenVariable>();
  for (const st of path.reverse()) {
    if ('set' in st) Object.assign(values, st.set);
    else {
      if (!written.has(st.variable)) (written.add(st.variable), ((values as unknown as Record<string, string>)[st.variable] = ''));
      (values as unknown as Record<string, string>)[st.variable] += st.text;
    }
  }
  return tokenClaims(values);
}

/** The first index of sorted `xs` whose value is at least `v`. */
function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const codePoints = (text: string) => Array.from(text, (c) => c.codePointAt(0)!);

