// Which pairs of rules the interplay rules ask about, and how many they may ask (SPEC.md §4
// "Bounds of the analysis"). Every matcher's language is indexed per claim by the prefix all its
// words share (`acme/infra` of `acme/infra-*`), so pairs that prefixes already separate (`acme/a`
// vs `acme/b`) are never asked; so is the caller's repository that `repository`, `workflow_ref` and a
// `subject` name (and its owner), so that `repository: acme/a` and `subject: repo:acme/b:...` are
// told apart too.
// The pairs still asked are counted against one bound per rule.
import type { Claims, Rule } from '../model.js';
import { CLAIM_NAMES, TOKEN_CLAIM } from '../model.js';
import { coReachable, NotAnalysable, searchesRun, type NFA } from './nfa.js';
import { matcherNfa, ownerLanguages, repoLanguages, type Template } from './rule-analysis.js';

/** Policies of at most this many rules ask every pair (building the index would cost more). */
const SMALL_POLICY = 32;

/**
 * What one interplay rule may spend on one policy: pair questions, and automaton searches among
 * them (most questions are settled by a likely word or a literal; a search costs far more).
 */
export const MAX_PAIR_QUESTIONS = 500_000;
export const MAX_PAIR_SEARCHES = 40_000;
/** Token-search states one pair question may explore (a whole-token coverage question, token-search.ts). */
export const MAX_PAIR_TOKEN_STATES = 50_000;
/** The last resort, for searches that each explore many states: CPU seconds (output then depends on the machine). */
export const MAX_PAIR_CPU_SECONDS = 3;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** The prefix every word of the language starts with, the longest such; undefined when it has no word. */
export function commonPrefix(nfa: NFA): string | undefined {
  if (nfa.literal !== undefined) return nfa.literal;
  const live = coReachable(nfa);
  let states = nfa.starts.filter((q) => live.has(q));
  if (!states.length) return undefined;
  for (let prefix = ''; ; ) {
    // A word ends here, or two words part here: the prefix is complete (a live state that is
    // not final has a live edge, so the walk never runs dry).
    if (states.some((q) => nfa.finals.has(q))) return prefix;
    let cp = -1;
    const next = new Set<number>();
    for (const q of states)
      for (const e of nfa.edges[q]!) {
        if (!live.has(e.to)) continue;
        if (e.ranges.length !== 2 || e.ranges[0] !== e.ranges[1] || (cp >= 0 && cp !== e.ranges[0])) return prefix;
        cp = e.ranges[0]!;
        next.add(e.to);
      }
    prefix += String.fromCodePoint(cp);
    states = [...next];
  }
}

/** Per claim of one rule: its matcher's common prefix and whether that is its only word (`null`: no word). */
type ClaimInfo = Map<string, { prefix: string; literal: boolean } | null>;

/** The caller's owner and repository, indexed for overlaps as claims of their own. */
const CALLER_KEYS = ['caller owner', 'caller repository'];

/** Per rule: the caller keys its matchers bind (see `callerPrefix`). */
const callerInfo = (rule: Rule, template: Template): ClaimInfo =>
  new Map(
    [
      [CALLER_KEYS[0]!, callerPrefix(() => ownerLanguages(rule, template).map((o) => o.owners))] as const,
      [CALLER_KEYS[1]!, callerPrefix(() => repoLanguages(rule, template).map((r) => r.repos))] as const,
    ].filter((e): e is [string, { prefix: string; literal: boolean } | null] => e[1] !== undefined),
  );

/**
 * The prefix of the owner (or `OWNER/REPO`) of every token the rule admits, the longest its
 * binding matchers give; `null` when it admits none, undefined when no matcher binds it. An
 * immutable subject's `OWNER@ID/...` names them only up to the `@`.
 */
function callerPrefix(languages: () => readonly NFA[]): { prefix: string; literal: boolean } | null | undefined {
  let best: { prefix: string; literal: boolean } | undefined;
  try {
    for (const lang of languages()) {
      const prefix = commonPrefix(lang);
      if (prefix === undefined) return null;
      const at = prefix.indexOf('@');
      const key = at < 0 ? { prefix, literal: lang.literal !== undefined } : { prefix: prefix.slice(0, at), literal: false };
      if (!best || key.prefix.length > best.prefix.length) best = key;
    }
  } catch (e) {
    // A projection not analysed binds nothing here: the rule is asked with every other.
    if (!(e instanceof NotAnalysable)) throw e;
    return undefined;
  }
  return best;
}

interface Node {
  children: Map<string, Node>;
  /** Rules whose language has more words than this prefix, all starting with it. */
  open: number[];
  /** Rules whose language is exactly this prefix. */
  exact: number[];
  /** Every rule at or below this node. */
  below: number[];
  /** The lists above as bit sets, made once asked for when long (an owner's node holds most rules). */
  bits: Partial<Record<'open' | 'exact' | 'below', Uint32Array>>;
}

const newNode = (): Node => ({ children: new Map(), open: [], exact: [], below: [], bits: {} });
/** Files rule `p` at the node of `prefix`, as open or exact. */
function insert(root: Node, p: number, prefix: string, literal: boolean): void {
  let node = root;
  node.below.push(p);
  for (const ch of prefix) {
    let child = node.children.get(ch);
    if (!child) node.children.set(ch, (child = newNode()));
    node = child;
    node.below.push(p);
  }
  (literal ? node.exact : node.open).push(p);
}

const setBits = (bits: Uint32Array, xs: readonly number[]) => {
  for (const x of xs) bits[x >>> 5]! |= 1 << (x & 31);
};

/** A set of rule positions, as the index's questions take it. */
export function ruleSet(size: number, positions: readonly number[]): Uint32Array {
  const bits = new Uint32Array((size + 31) >>> 5);
  setBits(bits, positions);
  return bits;
}

/** The rules of one policy indexed per claim by their matchers' common prefixes. */
export class RuleIndex {
  readonly words: number;
  /** Per claim: rules without a matcher for it. */
  private readonly without = new Map<string, Uint32Array>();
  private readonly tries = new Map<string, Node>();
  /** Per rule and claim: the common prefix and whether it is the whole language (`null`: no word). */
  private readonly info: (ClaimInfo | undefined)[];
  /** Per claim: the rules filed under it, each under the claim of its longest prefix (for coverage). */
  private readonly keyed = new Map<string, Node>();
  /** Per rule: the prefixes of its caller's owner and repository (see `callerInfo`), once indexed. */
  private caller: ClaimInfo[] = [];
  /** Rules left out of every pair (a matcher not analysed), with the reason. */
  readonly skipped: { rule: Rule; reason: string }[] = [];
  private readonly usable: Uint32Array;
  /** Whether the tries are built: a small policy asks every pair (building them would cost more). */
  private readonly indexed: boolean;
  /** Scratch bit sets of one question (reused: a fresh pair per question dominated the garbage collector). */
  private readonly acc: Uint32Array;
  private readonly allowed: Uint32Array;

  /** `template`: the subject template, which decides what a subject says of the caller. */
  constructor(
    readonly rules: readonly Rule[],
    readonly template?: Template,
  ) {
    this.indexed = rules.length > SMALL_POLICY;
    this.words = (rules.length + 31) >>> 5;
    this.usable = new Uint32Array(this.words);
    this.acc = new Uint32Array(this.words);
    this.allowed = new Uint32Array(this.words);
    this.info = rules.map((rule) => {
      const perClaim: ClaimInfo = new Map();
      try {
        for (const m of rule.matchers) {
          const nfa = matcherNfa(m);
          const prefix = this.indexed ? commonPrefix(nfa) : '';
          perClaim.set(m.claim, prefix === undefined ? null : { prefix, literal: nfa.literal !== undefined });
        }
      } catch (e) {
        if (!(e instanceof NotAnalysable)) throw e;
        this.skipped.push({ rule, reason: e.message });
        return undefined;
      }
      return perClaim;
    });
    this.info.forEach((perClaim, p) => perClaim && setBits(this.usable, [p]));
    if (!this.indexed) return;
    // The caller is indexed like a claim (for overlaps only: coverage is asked claim by claim).
    this.caller = rules.map((rule, p) => (this.info[p] ? callerInfo(rule, template) : new Map()));
    for (const c of [...CLAIM_NAMES, ...CALLER_KEYS]) (this.without.set(c, new Uint32Array(this.words)), this.tries.set(c, newNode()));
    for (const c of CLAIM_NAMES) this.keyed.set(c, newNode());
    // One pass over the rules (each trie still gets its rules in order), without an array per rule.
    this.info.forEach((perClaim, p) => {
      if (!perClaim) return;
      for (const c of CLAIM_NAMES) this.file(c, p, perClaim.get(c));
      for (const c of CALLER_KEYS) this.file(c, p, this.caller[p]!.get(c));
      // For coverage, the rule is filed under the claim of its longest prefix; a rule with a dead matcher under none.
      let key: { claim: string; at: { prefix: string; literal: boolean } } | undefined;
      for (const [claim, at] of perClaim) {
        if (!at) return;
        if (!key || at.prefix.length > key.at.prefix.length) key = { claim, at };
      }
      if (key) insert(this.keyed.get(key.claim)!, p, key.at.prefix, key.at.literal);
    });
  }

  /** Files rule `p` in the trie of `claim` by the prefix of its language (`null`: no word), or among the rules without it. */
  private file(claim: string, p: number, at: { prefix: string; literal: boolean } | null | undefined): void {
    if (at === undefined) this.without.get(claim)![p >>> 5]! |= 1 << (p & 31);
    // A language without a word is in no trie: it shares words with no rule's matcher.
    else if (at) insert(this.tries.get(claim)!, p, at.prefix, at.literal);
  }

  /**
   * Rules (positions, ascending) that may admit every claim set rule `a` admits: each of their
   * matchers has a claim `a` matches too, with a prefix of `a`'s prefix (a literal: `a`'s own
   * literal). None when some matcher of `a` admits nothing (such a rule is dead, not covered).
   * Rules in `except` (see `ruleSet`) are left out.
   */
  coverCandidates(a: number, except?: Uint32Array): Iterable<number> {
    const mine = this.info[a];
    if (!mine || [...mine.values()].includes(null)) return [];
    const { acc } = this;
    if (!this.indexed) {
      acc.set(this.usable);
      this.leaveOut(except);
      return this.list(this.rules.length, (b) => b !== a);
    }
    acc.fill(0);
    for (const [c, at] of mine) {
      // Each rule is filed under one claim (its longest prefix), so few are met on the way.
      let node: Node | undefined = this.keyed.get(c);
      for (const ch of at!.prefix) {
        if (!node) break;
        this.add(acc, node, 'open');
        node = node.children.get(ch);
      }
      if (node) (this.add(acc, node, 'open'), at!.literal && this.add(acc, node, 'exact'));
    }
    this.leaveOut(except);
    return this.list(this.rules.length, (b) => b !== a && this.prefixesCover(b, mine));
  }

  /** Is the rule at position `p` in the pairs? (not left out: see `skipped`) */
  analysed(p: number): boolean {
    return this.info[p] !== undefined;
  }

  /** Does every matcher of rule `b` have a prefix of the prefix `mine` has for its claim? */
  private prefixesCover(b: number, mine: ClaimInfo): boolean {
    for (const [c, theirs] of this.info[b]!) {
      const at = mine.get(c);
      if (!at || !theirs || !at.prefix.startsWith(theirs.prefix) || (theirs.literal && !(at.literal && at.prefix === theirs.prefix))) return false;
    }
    return true;
  }

  /**
   * Rules before `b` (positions, ascending) that may share a token with it, claim by claim and by
   * the caller's repository, less those in `except` (see `ruleSet`). Read before the next question.
   */
  overlapCandidates(b: number, except?: Uint32Array): Iterable<number> {
    const perClaim = this.info[b];
    if (!perClaim) return [];
    // Only rules before `b` are asked: the words past it are left as they are, never read.
    this.meeting(this.indexed ? [...perClaim, ...this.caller[b]!] : [], except, (b + 31) >>> 5);
    return this.list(b);
  }

  /**
   * Rules (positions, ascending, before and after) that may admit the token: per claim, the token's
   * value starts with their matcher's prefix (is their literal), and none has a matcher on a claim
   * the token lacks; less those in `except`. Read before the next question.
   */
  tokenCandidates(token: Claims, except?: Uint32Array): Iterable<number> {
    const values = CLAIM_NAMES.map((c) => [c, token[TOKEN_CLAIM[c]]] as const);
    this.meeting(this.indexed ? values.map(([c, v]) => [c, v === undefined ? null : { prefix: v, literal: true }]) : [], except, this.words);
    return this.list(this.rules.length);
  }

  /**
   * Sets the candidates (their first `words` words): the usable rules whose prefix for each claim
   * agrees with the entry's (`null`: rules without the claim), less `except`.
   */
  private meeting(entries: Iterable<readonly [string, { prefix: string; literal: boolean } | null]>, except: Uint32Array | undefined, words: number): void {
    const { acc, allowed } = this;
    acc.set(this.usable.subarray(0, words));
    for (const [c, at] of entries) {
      allowed.set(this.without.get(c)!.subarray(0, words));
      if (at) {
        const end = this.walk(c, at.prefix, allowed, true, words);
        // An open language's words reach below its prefix, where longer prefixes live.
        if (end && !at.literal) this.add(allowed, end, 'below', words);
      }
      for (let w = 0; w < words; w++) acc[w]! &= allowed[w]!;
    }
    this.leaveOut(except, words);
  }

  /** Clears the rules of `except` from the candidates (their first `words` words). */
  private leaveOut(except: Uint32Array | undefined, words = this.words): void {
    if (except) for (let w = 0; w < words; w++) this.acc[w]! &= ~except[w]!;
  }

  /** Sets the open rules on `prefix`'s path (and the exact ones at its end when `withExact`); returns its end node. */
  private walk(claim: string, prefix: string, bits: Uint32Array, withExact: boolean, words: number): Node | undefined {
    let node: Node | undefined = this.tries.get(claim)!;
    for (const ch of prefix) {
      this.add(bits, node, 'open', words);
      node = node.children.get(ch);
      if (!node) return undefined;
    }
    this.add(bits, node, 'open', words);
    if (withExact) this.add(bits, node, 'exact', words);
    return node;
  }

  /**
   * Sets the rules of one of the node's lists: one by one when few, else word by word from its bit
   * set (its first `words` words: a question about earlier rules reads no further).
   */
  private add(bits: Uint32Array, node: Node, list: 'open' | 'exact' | 'below', words = this.words): void {
    const xs = node[list];
    if (xs.length < 512) return setBits(bits, xs);
    const set = (node.bits[list] ??= ruleSet(this.rules.length, xs));
    for (let w = 0; w < words; w++) bits[w]! |= set[w]!;
  }

  /** The positions set in the candidates, below `end` and kept by `keep`, lazily: a loop that stops early reads few. */
  private *list(end: number, keep?: (p: number) => boolean, acc = this.acc): Generator<number> {
    for (let w = 0; w < this.words; w++)
      for (let word = acc[w]!; word; word &= word - 1) {
        const p = (w << 5) + 31 - Math.clz32(word & -word);
        if (p >= end) return;
        if (!keep || keep(p)) yield p;
      }
  }
}

const indexes = new WeakMap<readonly Rule[], RuleIndex>();
/** One index per policy (and subject template), shared by the interplay rules. */
export function ruleIndex(rules: readonly Rule[], template?: Template): RuleIndex {
  let index = indexes.get(rules);
  if (!index || (index.template ?? []).join() !== (template ?? []).join()) indexes.set(rules, (index = new RuleIndex(rules, template)));
  return index;
}

/** Counts the pair questions of one interplay rule and the searches they run; past a bound, it says where it stopped. */
export class PairBudget {
  private asked = 0;
  private readonly searchesBefore = searchesRun();
  /** Read at the 256th question: most policies never ask that many, and each read is a system call. */
  private cpuBefore: number | undefined;
  /** Pairs whose question passed its own bound (MAX_PAIR_TOKEN_STATES): undecided, named at the end. */
  readonly undecided: { question: string; reason: string }[] = [];
  constructor(private readonly rules: readonly Rule[]) {}

  /** A question left undecided (`whether rule 3 admits every caller of rule 7`): it counts as not checked, never as an answer. */
  skip(question: string, reason: string): void {
    this.undecided.push({ question, reason });
  }

  /** One more question while checking the rule at position `at` (of the loop that reports it). */
  spend(at: number): void {
    const searches = searchesRun() - this.searchesBefore;
    // The clock is read every 256 questions, from the 256th on.
    const slow = (this.asked & 255) === 255 && cpuSeconds() - (this.cpuBefore ??= cpuSeconds()) > MAX_PAIR_CPU_SECONDS;
    if (++this.asked <= MAX_PAIR_QUESTIONS && searches <= MAX_PAIR_SEARCHES && !slow) return;
    const count = (x: number) => x.toLocaleString('en-US');
    const bound = slow ? `${MAX_PAIR_CPU_SECONDS} s of CPU time` : searches > MAX_PAIR_SEARCHES ? `${count(MAX_PAIR_SEARCHES)} automaton searches` : `${count(MAX_PAIR_QUESTIONS)} questions about pairs of rules`;
    const n = this.rules.length;
    const rest = at + 1 === n ? `rule ${count(n)} was` : `rules ${count(at + 1)} to ${count(n)} were`;
    throw new NotAnalysable(`it reached its bound for one policy (${bound}) and stopped: ${rest} not checked`);
  }
}

/** Names the rules left out of the pairs and the pairs left undecided, once the others are checked (an `analysis/not-analysed` finding). */
export function throwIfSkipped(index: RuleIndex, budget?: PairBudget): void {
  const pairs = budget?.undecided ?? [];
  const named = pairs.slice(0, 5).map((p) => p.question);
  const more = pairs.length > 5 ? ` and ${pairs.length - 5} more` : '';
  const undecided = pairs.length ? `${named.join(', ')}${more} ${pairs.length === 1 ? 'was' : 'were'} not decided: ${pairs[0]!.reason}` : undefined;
  const message = [skippedMessage(index), undecided].filter(Boolean).join('; ');
  if (message) throw new NotAnalysable(message);
}

/** The reason rules were left out of the pairs (an analysis/not-analysed message), or undefined. */
function skippedMessage(index: RuleIndex): string | undefined {
  // A policy of one rule has no pair to leave out (its own rules report the matcher).
  if (!index.skipped.length || index.rules.length < 2) return undefined;
  const named = index.skipped.slice(0, 5).map((s) => `rule ${s.rule.index + 1}`);
  const more = index.skipped.length > 5 ? ` and ${index.skipped.length - 5} more` : '';
  const verb = index.skipped.length === 1 ? 'was' : 'were';
  return `${named.join(', ')}${more} ${verb} not compared with other rules: ${index.skipped[0]!.reason}`;
}
