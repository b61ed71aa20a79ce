// Which sets of rules can match one token together, over every token the model allows
// (token-model.ts), each with a witness token. The search walks the model's graph and runs every
// rule's matchers while the token is generated; its state is the set of rules still matching (with
// their automata's states) and the rules already matched. A free value (owner, name, ref, ...) is
// explored character by character once per distinct set of reading automaton states, memoised, and
// its ways to end are applied to every rule: rules with the same pattern share the work, rules
// that do not read the value are carried past it. States are memoised too, so the cost follows the
// policy's distinct patterns, not a product of claim values. Past MAX_TOKEN_STATES states (outer and
// inner) it gives up with NotAnalysable, which the callers report as undecided.
import { CLAIM_NAMES, type ClaimName, type Claims, type Matcher } from '../model.js';
import { boundsOf, fromLiteral, NotAnalysable, rangesContain, representative, type NFA } from './nfa.js';
import { matcherNfa } from './matcher-nfa.js';
import { shapeNfa } from './shapes.js';
import { DEFAULT_TOKEN, tokenClaims, tokenModel, type ModelNode, type TokenValues, type TokenVariable } from './token-model.js';

/** The documented bound: search states (classes of partly generated tokens) explored per question. */
export const MAX_TOKEN_STATES = 300_000;

export interface TokenClass {
  /** The rules (indices into the input) that all match the witness, and no other rule does. */
  rules: readonly number[];
  witness: Claims;
}

/** A matcher the search runs: a policy's, or a claim's exact value (a question that fixes a claim). */
export type SearchMatcher = Matcher | { claim: ClaimName; value: string };
const searchNfa = (m: SearchMatcher): NFA => ('value' in m ? fromLiteral(m.value) : matcherNfa(m));

const EMPTY = -2;
const DONE = -1;
const COLON = 0x3a;
const ESCAPED_COLON = [0x25, 0x33, 0x41]; // `%3A`
const CLAIM_INDEX = new Map<ClaimName, number>(CLAIM_NAMES.map((c, i) => [c, i]));

/** A rule still matching: per matcher, its automaton's state set (DONE once its claim is complete). */
interface Live {
  rule: number;
  sets: number[];
  /** Per replay slot (token-model.ts `Replay`): the relation recorded for the rule's subject matcher, or undefined. */
  rels: readonly (number | undefined)[];
  /** The same rule in the same states has the same id: search states are keyed by these. */
  id: number;
}

/** A way for a value to end, from a segment's start: its text and the reading automata still alive (state set by position). */
interface Exit {
  text: string;
  alive: Map<number, number>;
}

type Step = { variable: TokenVariable; text: string } | { set: Partial<TokenValues> };

interface State {
  node: number;
  live: Live[];
  matched: number[];
  prev: number;
  step: Step | undefined;
}

// Automaton state sets, interned per automaton (by its process-wide id), and steps of a set by a
// character, memoised across searches: lint asks one search per witness, over the same shapes.
// Cleared between searches once large (ids stay stable within one search).
const MAX_INTERNED = 400_000;
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
/** Ways a value can end from a segment, by node and the reading sets' profile (the sets are global, so these are too). */
const exitMemo = new Map<string, Exit[]>();
/**
 * Relations recorded for replays: what a value does to an automaton from each of its states (state
 * to interned set; a state absent maps to nothing), interned, with each state set's forward closure
 * (the states a replay can start from).
 */
const relations: Map<number, number>[] = [];
const relationIds = new Map<string, number>();
const ahead = new Map<number, number[]>();
const internRelation = (rel: Map<number, number>): number => {
  const key = [...rel].join(';');
  let id = relationIds.get(key);
  if (id === undefined) relationIds.set(key, (id = relations.push(rel) - 1));
  return id;
};
/** The states reachable from a state set (itself included). */
const reachableFrom = (set: number): number[] => {
  let out = ahead.get(set);
  if (!out) {
    const edges = setNfa[set]!.edges;
    const seen = new Set(setStates[set]);
    for (const q of seen) for (const e of edges[q]!) seen.add(e.to);
    ahead.set(set, (out = [...seen].sort((a, b) => a - b)));
  }
  return out;
};

function clearIfLarge(): void {
  if (setStates.length < MAX_INTERNED && steps.size < 4 * MAX_INTERNED) return;
  setStates.length = setNfa.length = setFinal.length = 0;
  setIds.clear();
  steps.clear();
  exitMemo.clear();
  relations.length = 0;
  relationIds.clear();
  ahead.clear();
}

export interface TokenSearchOptions {
  /** The org's subject template (`include_claim_keys`); GitHub's default when absent. */
  template?: readonly string[];
  maxStates?: number;
  /** Only the first combination that holds all these rules (a witness search: tokens losing one are not explored). */
  required?: readonly number[];
  /** With `required`: every combination holding them, not only the first (the tokens a question's fixed claims allow). */
  every?: boolean;
}

/**
 * Every combination of rules that some token of the model matches exactly (the empty one included
 * when some token matches none), each with a witness token. With `required`, only tokens all those
 * rules match (the others are not explored): the first such combination (a witness search), or
 * with `every` each of them (the tokens a question's fixed claims allow).
 */
export function tokenClasses(rules: readonly { matchers: readonly SearchMatcher[] }[], { template, maxStates = MAX_TOKEN_STATES, required, every = false }: TokenSearchOptions = {}): TokenClass[] {
  clearIfLarge();
  const model = tokenModel(template);
  const nodes = model.nodes;

  // Per rule: its matchers' automata, and which matcher (if any) reads each claim.
  const nfas = rules.map((r) => r.matchers.map(searchNfa));
  const byClaim = rules.map((r) => {
    const at = new Int32Array(CLAIM_NAMES.length).fill(-1);
    r.matchers.forEach((m, i) => (at[CLAIM_INDEX.get(m.claim)!] = i));
    return at;
  });
  const matcherOn = (rule: number, claim: ClaimName) => byClaim[rule]![CLAIM_INDEX.get(claim)!]!;

  const liveIds = new Map<string, number>();
  const makeLive = (rule: number, sets: number[], rels: readonly (number | undefined)[] = []): Live => {
    const key = rels.length ? `${rule}:${sets.join('.')}|${rels.join('.')}` : `${rule}:${sets.join('.')}`;
    let id = liveIds.get(key);
    if (id === undefined) liveIds.set(key, (id = liveIds.size));
    return { rule, sets, rels, id };
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
      else out.push(makeLive(l.rule, sets, l.rels));
    }
    return [out ?? live, done ? done.sort((a, b) => a - b) : matched];
  };

  /** The live rules after the subject reads again a value produced earlier: each subject matcher's recorded relation applied. */
  const replay = (live: Live[], slot: number): Live[] =>
    live.flatMap((l) => {
      const m = matcherOn(l.rule, 'subject');
      if (m < 0 || l.sets[m] === DONE) return [l];
      const rel = relations[l.rels[slot]!]!;
      const cur = l.sets[m]!;
      const to = intern(setNfa[cur]!, setStates[cur]!.flatMap((q) => (rel.has(q) ? setStates[rel.get(q)!]! : [])));
      if (to === EMPTY) return [];
      const sets = l.sets.slice();
      sets[m] = to;
      const rels = l.rels.slice();
      rels[slot] = undefined;
      return [makeLive(l.rule, sets, rels.some((r) => r !== undefined) ? rels : [])];
    });

  let explored = 0;
  // Per character of a step, the stamp of the automaton that reads it (no set per automaton).
  const marks: number[] = [];
  let stamp = 0;
  const exitsOf = (node: number, profile: readonly { set: number; escape: boolean }[]): Exit[] => {
    const key = `${model.id}:${node}|${profile.map((p) => `${p.escape ? 'e' : ''}${p.set}`).join(',')}`;
    const known = exitMemo.get(key);
    if (known) return known;
    const n = nodes[node] as Extract<ModelNode, { kind: 'segment' }>;
    const shapeStart = intern(shapeNfa(n.shape), shapeNfa(n.shape).starts);
    // Inner states: the value's shape state set and the alive reading positions as [pos, set, pos, set, ...].
    const inner: { shape: number; alive: number[]; prev: number; cp: number }[] = [];
    const seen = new Set<string>();
    const exits = new Map<string, Exit>();
    const exit = (alive: readonly number[], text: string) => {
      const sig = alive.join(',');
      if (exits.has(sig)) return;
      const map = new Map<number, number>();
      for (let i = 0; i < alive.length; i += 2) map.set(alive[i]!, alive[i + 1]!);
      exits.set(sig, { text, alive: map });
    };
    const stepAlive = (alive: readonly number[], cp: number): number[] => {
      const out: number[] = [];
      for (let i = 0; i < alive.length; i += 2) {
        const set = profile[alive[i]!]!.escape && cp === COLON ? stepAll(alive[i + 1]!, ESCAPED_COLON) : step(alive[i + 1]!, cp);
        if (set !== EMPTY) out.push(alive[i]!, set);
      }
      return out;
    };
    const push = (shape: number, alive: number[], prev: number, cp: number) => {
      const k = `${shape}|${alive.join(',')}`;
      if (seen.has(k)) return;
      seen.add(k);
      if (++explored > maxStates) throw new NotAnalysable(`the token search explored more than ${maxStates} classes of tokens`);
      inner.push({ shape, alive, prev, cp });
    };
    const textOf = (i: number) => {
      const cps: number[] = [];
      for (let at = i; at >= 0 && inner[at]!.cp >= 0; at = inner[at]!.prev) cps.push(inner[at]!.cp);
      return String.fromCodePoint(...cps.reverse());
    };
    const start = profile.flatMap((p, pos) => [pos, p.set]);
    // The fallback value first: a readable witness.
    let fbShape = shapeStart;
    let fbAlive = start;
    for (const cp of codePoints(n.fallback)) if (fbShape !== EMPTY) (fbShape = step(fbShape, cp)), (fbAlive = stepAlive(fbAlive, cp));
    if (fbShape !== EMPTY && setFinal[fbShape]) exit(fbAlive, n.fallback);
    push(shapeStart, start, -1, -1);
    for (let i = 0; i < inner.length; i++) {
      const { shape, alive } = inner[i]!;
      if (setFinal[shape]) exit(alive, textOf(i));
      // One character per interval that no automaton in play tells apart; intervals that only the
      // value's shape splits, into the same shape state, are one (a ref's many character ranges).
      const points: number[] = [];
      for (let j = 0; j < alive.length; j += 2) {
        const set = alive[j + 1]!;
        for (const q of setStates[set]!) points.push(...boundsOf(setNfa[set]!.edges, q));
        if (profile[alive[j]!]!.escape) points.push(COLON, COLON + 1);
      }
      const coarse = [...new Set(points)].sort((x, y) => x - y);
      for (const q of setStates[shape]!) points.push(...boundsOf(setNfa[shape]!.edges, q));
      const fine = [...new Set(points)].sort((x, y) => x - y);
      const taken = new Set<number>();
      const reps: number[] = [];
      const shapes: number[] = [];
      for (let j = 0; j + 1 < fine.length; j++) {
        const cp = representative(fine[j]!, fine[j + 1]! - 1);
        const to = step(shape, cp);
        const group = lowerBound(coarse, cp + 1) * 0x100000000 + to;
        if (to !== EMPTY && !taken.has(group)) taken.add(group), reps.push(cp), shapes.push(to);
      }
      // Each reading automaton is stepped only by the characters its edges read: most read one here.
      const next: number[][] = reps.map(() => []);
      for (let j = 0; j < alive.length; j += 2) {
        const pos = alive[j]!;
        const set = alive[j + 1]!;
        const escape = profile[pos]!.escape;
        const mark = ++stamp;
        for (const q of setStates[set]!)
          for (const e of setNfa[set]!.edges[q]!)
            for (let k = 0; k < e.ranges.length; k += 2)
              for (let r = lowerBound(reps, e.ranges[k]!); r < reps.length && reps[r]! <= e.ranges[k + 1]!; r++) marks[r] = mark;
        if (escape) {
          const r = reps.indexOf(COLON);
          if (r >= 0) marks[r] = mark;
        }
        for (let r = 0; r < reps.length; r++) {
          if (marks[r] !== mark) continue;
          const to = escape && reps[r] === COLON ? stepAll(set, ESCAPED_COLON) : step(set, reps[r]!);
          if (to !== EMPTY) next[r]!.push(pos, to);
        }
      }
      reps.forEach((cp, r) => push(shapes[r]!, next[r]!, i, cp));
    }
    const out = [...exits.values()];
    exitMemo.set(key, out);
    return out;
  };

  const states: State[] = [];
  const seen = new Set<string>();
  /** Runs the instant steps from `node` and queues the state reached, unless already seen. */
  const reach = (node: number, live: Live[], matched: number[], prev: number, stepTaken: Step | undefined) => {
    let n = nodes[node]!;
    while (n.kind === 'feed' || n.kind === 'end' || n.kind === 'absent' || n.kind === 'replay') {
      if (n.kind === 'replay') live = replay(live, n.slot);
      else [live, matched] = apply(live, matched, n.claim, n.kind, n.kind === 'feed' ? codePoints(n.text) : undefined);
      node = n.next;
      n = nodes[node]!;
    }
    if (required && !required.every((r) => matched.includes(r) || live.some((l) => l.rule === r))) return;
    let key = `${node}|${matched.join(',')}|`;
    for (const l of live) key += `${l.id},`;
    if (seen.has(key)) return;
    seen.add(key);
    if (++explored > maxStates) throw new NotAnalysable(`the token search explored more than ${maxStates} classes of tokens`);
    states.push({ node, live, matched, prev, step: stepTaken });
  };

  const classes = new Map<string, number>();
  reach(0, rules.map((_, rule) => makeLive(rule, nfas[rule]!.map((nfa) => intern(nfa, nfa.starts)))), [], -1, undefined);
  for (let s = 0; s < states.length; s++) {
    const { node, live, matched } = states[s]!;
    const n = nodes[node]!;
    if (n.kind === 'final') {
      const key = matched.join(',');
      if (!classes.has(key)) classes.set(key, s);
      if (required && !every) break;
    } else if (n.kind === 'fork') {
      // A choice no remaining matcher can tell apart: one branch answers for all.
      const relevant = live.some((l) => n.claims.some((c) => matcherOn(l.rule, c) >= 0 && l.sets[matcherOn(l.rule, c)] !== DONE));
      for (const b of relevant ? n.branches : n.branches.slice(0, 1)) reach(b.next, live, matched, s, { set: b.set });
    } else if (n.kind === 'segment') {
      // The rules reading this value, by the automaton state sets they are in: rules with the same
      // pattern share a position, and the rules that do not read it are carried past unchanged.
      const positions = new Map<string, number>();
      const profile: { set: number; escape: boolean }[] = [];
      const position = (set: number, escape: boolean) => {
        const key = `${escape ? 'e' : ''}${set}`;
        let pos = positions.get(key);
        if (pos === undefined) positions.set(key, (pos = profile.push({ set, escape }) - 1));
        return pos;
      };
      const reading = live.map((l) =>
        n.readers.flatMap((r) => {
          const m = matcherOn(l.rule, r.claim);
          return m < 0 || l.sets[m] === DONE ? [] : [{ m, pos: position(l.sets[m]!, r.escapeColon) }];
        }),
      );
      // A subject that reads this value again later (a replay) records where the value takes its
      // matcher from each state the matcher may then be in: the value is not generated twice.
      const recording = live.map((l) => {
        const m = matcherOn(l.rule, 'subject');
        if (!n.replays.length || m < 0 || l.sets[m] === DONE) return [];
        const nfa = setNfa[l.sets[m]!]!;
        const ahead = intern(nfa, reachableFrom(l.sets[m]!));
        return n.replays.map((r) => {
          const from = stepAll(ahead, codePoints(r.after));
          return { slot: r.slot, from: from === EMPTY ? [] : setStates[from]!.map((q) => [q, position(intern(nfa, [q]), r.escapeColon)] as const) };
        });
      });
      // Rules by the positions they read, so each way out visits only the rules it keeps alive; rules
      // that only record are visited by every way out.
      const byPosition: number[][] = profile.map(() => []);
      const recordingOnly: number[] = [];
      const carried: number[] = [];
      live.forEach((_, at) => (reading[at]!.length ? byPosition[reading[at]![0]!.pos]!.push(at) : (recording[at]!.length ? recordingOnly : carried).push(at)));
      for (const exit of profile.length ? exitsOf(node, profile) : [{ text: n.fallback, alive: new Map<number, number>() }]) {
        const kept = new Map<number, Live>();
        const keep = (at: number) => {
          const l = live[at]!;
          const sets = l.sets.slice();
          if (!reading[at]!.every(({ m, pos: p }) => (sets[m] = exit.alive.get(p) ?? EMPTY) !== EMPTY)) return;
          let rels = l.rels;
          for (const { slot, from } of recording[at]!) {
            const rel = new Map<number, number>();
            for (const [q, p] of from) if (exit.alive.has(p)) rel.set(q, exit.alive.get(p)!);
            // The value takes the subject's matcher nowhere: its replay ends the rule.
            if (!rel.size) return;
            if (rels === l.rels) rels = rels.slice();
            (rels as (number | undefined)[])[slot] = internRelation(rel);
          }
          kept.set(at, makeLive(l.rule, sets, rels));
        };
        for (const pos of exit.alive.keys()) for (const at of byPosition[pos]!) keep(at);
        for (const at of recordingOnly) keep(at);
        // The carried and the kept rules merged in rule order, as every state's list is.
        const keptAt = [...kept.keys()].sort((a, b) => a - b);
        const after: Live[] = [];
        for (let i = 0, j = 0; i < carried.length || j < keptAt.length; )
          after.push(j >= keptAt.length || (i < carried.length && carried[i]! < keptAt[j]!) ? live[carried[i++]!]! : kept.get(keptAt[j++]!)!);
        reach(n.next, after, matched, s, { variable: n.variable, text: exit.text });
      }
    }
  }
  return [...classes].map(([, s]) => ({ rules: states[s]!.matched, witness: witnessAt(states, s, model.template) }));
}

/** The token whose generation led to state `s`: the steps on its path, defaults elsewhere. */
function witnessAt(states: readonly State[], s: number, template: readonly string[]): Claims {
  const path: Step[] = [];
  for (let at = s; at >= 0; at = states[at]!.prev) if (states[at]!.step) path.push(states[at]!.step!);
  const values: TokenValues = { ...DEFAULT_TOKEN, free: {} };
  const written = new Set<TokenVariable>();
  for (const st of path.reverse()) {
    if ('set' in st) Object.assign(values, st.set);
    else {
      const [into, key] = st.variable.startsWith('free:') ? [values.free, st.variable.slice(5)] : [values as unknown as Record<string, string>, st.variable];
      if (!written.has(st.variable)) (written.add(st.variable), (into[key] = ''));
      into[key] += st.text;
    }
  }
  return tokenClaims(values, template);
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

