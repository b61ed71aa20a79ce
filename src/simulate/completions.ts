// A policy's answers over whole tokens (SPEC.md §5). A caller known by some claims only (a test
// case's subject, simulate --subject) stands for every token GitHub can issue with those claims:
// its completions. The given claims are fixed (matched exactly), the others free within the model,
// and the rules run over all completions at once with the automata (token-search.ts): exact, not
// sampled, and bounded (past the search's budget the answer is undecided). Each distinct first
// matching rule (or none) comes with a witness token, evaluated as any caller is.
import { CLAIM_NAMES, type ClaimName, type Claims } from '../model.js';
import { MAX_TOKEN_STATES, tokenClasses, type SearchMatcher } from '../analysis/token-search.js';
import { NotAnalysable } from '../analysis/nfa.js';
import { claimValue } from '../engine/claims.js';
import { evaluate, type CompiledPolicy, type Evaluation } from '../engine/evaluate.js';

/** One answer some completions get: the first matching rule (none: denied), shown on a witness. */
export interface Completion {
  witness: Claims;
  evaluation: Evaluation;
}

export type Completions =
  /** Every claim given (environment's presence follows the subject): the claims are the token. */
  | { kind: 'given' }
  /** No token of the model has these claims (a custom subject, a value GitHub never issues): the claims are taken as given. */
  | { kind: 'outside' }
  | { kind: 'undecided'; reason: string }
  /** The claims not given, and each answer (in search order: shortest witness first). */
  | { kind: 'answers'; free: ClaimName[]; answers: Completion[] };

/** `template`: the org's subject template (GitHub's default when absent), which the tokens' subjects follow. */
export function completions(compiled: CompiledPolicy, claims: Claims, { maxStates = MAX_TOKEN_STATES, template }: { maxStates?: number; template?: readonly string[] } = {}): Completions {
  const given = CLAIM_NAMES.filter((c) => claimValue(claims, c) !== undefined);
  const free = CLAIM_NAMES.filter((c) => !given.includes(c));
  if (free.every((c) => c === 'environment')) return { kind: 'given' };
  const fixed: SearchMatcher[] = given.map((claim) => ({ claim, value: claimValue(claims, claim)! }));
  // A rule that rejects a given claim's value matches no completion: only the others are searched
  // (a 10,000-rule policy leaves a handful).
  const open = compiled.rules.filter((r) => r.matchers.every((m) => !given.includes(m.matcher.claim) || m.test(claimValue(claims, m.matcher.claim)!)));
  const rules = [...open.map((r) => compiled.policy.rules[r.index]!), { matchers: fixed }];
  let classes;
  try {
    classes = tokenClasses(rules, { template, maxStates, required: [rules.length - 1], every: true });
  } catch (e) {
    if (e instanceof NotAnalysable) return { kind: 'undecided', reason: e.message };
    throw e;
  }
  if (!classes.length) return { kind: 'outside' };
  // A class's first rule decides (the fixed claims' rule is last); one witness per first rule.
  const byRule = new Map<number, Claims>();
  for (const c of classes) {
    const first = c.rules[0]! < open.length ? open[c.rules[0]!]!.index : -1;
    if (!byRule.has(first)) byRule.set(first, c.witness);
  }
  return { kind: 'answers', free, answers: [...byRule.values()].map((witness) => ({ witness, evaluation: evaluate(compiled, witness) })) };
}

/** How an answer to claims taken as given (absent ones absent) turns on the claims not given. */
export type Dependence =
  | { kind: 'undecided'; reason: string }
  /** `claims`: the ones not given that decide; `answers`: those the tokens with the given claims get instead. */
  | { kind: 'depends'; claims: ClaimName[]; answers: Completion[] };

/** Undefined when every token with the given claims gets the answer `evaluation` (of the claims as given). */
export function dependence(compiled: CompiledPolicy, claims: Claims, evaluation: Evaluation, template?: readonly string[]): Dependence | undefined {
  const comp = completions(compiled, claims, { template });
  if (comp.kind === 'undecided') return comp;
  if (comp.kind !== 'answers') return undefined;
  const answers = comp.answers.filter((a) => a.evaluation.rule !== evaluation.rule);
  if (!answers.length) return undefined;
  return { kind: 'depends', claims: [...new Set(answers.flatMap((a) => freeClaimsRead(compiled, comp.free, a.evaluation.rule)))], answers };
}

/**
 * The free claims that tell `answers` apart: those whose values differ between the witnesses and
 * that some rule reads (all differing ones if no rule reads any).
 */
export function decidingClaims(compiled: CompiledPolicy, free: readonly ClaimName[], answers: readonly Completion[]): ClaimName[] {
  const differ = free.filter((c) => answers.some((a) => claimValue(a.witness, c) !== claimValue(answers[0]!.witness, c)));
  const read = differ.filter((c) => compiled.rules.some((r) => r.matchers.some((m) => m.matcher.claim === c)));
  return read.length ? read : differ;
}

/** The free claims a rule reads (0-based), or any rule when `rule` is undefined (a denial reads them all). */
export function freeClaimsRead(compiled: CompiledPolicy, free: readonly ClaimName[], rule: number | undefined): ClaimName[] {
  const rules = rule === undefined ? compiled.rules : [compiled.rules[rule]!];
  return free.filter((c) => rules.some((r) => r.matchers.some((m) => m.matcher.claim === c)));
}

/** `claim is value` for a person (an empty value is shown as `""`; an absent one as absent). */
export function claimIs(witness: Claims, claim: ClaimName): string {
  const v = claimValue(witness, claim);
  return v === undefined ? `${claim} is absent` : `${claim} is ${v === '' ? '""' : v}`;
}
