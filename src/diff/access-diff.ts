// The exact access diff of two versions of a policy (SPEC.md §4 worst case: a caller gets the union
// of every matching rule's grant), over the tokens GitHub can issue (SPEC.md §5, token-model.ts),
// their subjects following the org's template when one is given.
// The token search lists every combination of old and new rules some token matches, with a witness
// token; new access, lost access, escalations and reductions are read off those combinations, one
// change per responsible rule.
import type { Claims, Policy, Rule } from '../model.js';
import { ruleGrant, levelRank } from '../analysis/rule-analysis.js';
import { NotAnalysable } from '../analysis/nfa.js';
import { tokenClasses, type TokenClass } from '../analysis/token-search.js';
import { sensitivePermission } from '../validate/permissions.js';

export type Verdict = 'equivalent' | 'narrower' | 'wider' | 'incomparable' | 'undecided';
export type Grant = Record<string, string>;

export interface AccessChange {
  kind: 'new-access' | 'escalation' | 'lost-access' | 'reduction';
  witness: Claims;
  /** The worst-case grants for the witness before and after (null = denied). */
  before: Grant | null;
  after: Grant | null;
  /** The rule responsible (0-based) and its line: a new rule for gains, an old rule for losses. */
  rule: number;
  line: number;
}

export interface AccessDiff {
  verdict: Verdict;
  gains: AccessChange[];
  losses: AccessChange[];
  /** Why the verdict is undecided. */
  reason?: string;
}

/** Worst-case grant of a set of rules that all match one token: the highest level per permission. */
export function worstGrant(rules: readonly Rule[]): Grant | null {
  if (!rules.length) return null;
  const grant: Grant = {};
  for (const r of rules) for (const [p, l] of Object.entries(ruleGrant(r))) if (levelRank(l) > levelRank(grant[p])) grant[p] = l;
  return Object.fromEntries(Object.entries(grant).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Some permission of `a` at a strictly higher level than in `b`. */
const higher = (a: Grant, b: Grant) => Object.entries(a).some(([p, l]) => levelRank(l) > levelRank(b[p]));

/** `template`: the org's subject template (`subjectTemplate` in the lint settings); GitHub's default when absent. */
export function diffAccess(before: Policy | null, after: Policy | null, template?: readonly string[]): AccessDiff {
  const old = before?.rules ?? [];
  const now = after?.rules ?? [];
  let classes: TokenClass[];
  try {
    classes = tokenClasses([...old, ...now], { template });
  } catch (e) {
    if (e instanceof NotAnalysable) return { verdict: 'undecided', gains: [], losses: [], reason: e.message };
    throw e;
  }
  // First witness per (kind, responsible rule); classes come shortest search path first.
  const found = new Map<string, AccessChange>();
  const note = (kind: AccessChange['kind'], rule: Rule, witness: Claims, b: Grant | null, a: Grant | null) => {
    const key = `${kind}:${rule.index}`;
    if (!found.has(key)) found.set(key, { kind, witness, before: b, after: a, rule: rule.index, line: rule.span.line });
  };
  for (const c of classes) {
    const was = c.rules.filter((i) => i < old.length).map((i) => old[i]!);
    const is = c.rules.filter((i) => i >= old.length).map((i) => now[i - old.length]!);
    const b = worstGrant(was);
    const a = worstGrant(is);
    if (!b && a) for (const r of is) note('new-access', r, c.witness, b, a);
    if (b && !a) for (const r of was) note('lost-access', r, c.witness, b, a);
    if (b && a) {
      for (const r of is) if (higher(ruleGrant(r), b)) note('escalation', r, c.witness, b, a);
      for (const r of was) if (higher(ruleGrant(r), a)) note('reduction', r, c.witness, b, a);
    }
  }
  const byRule = (kinds: AccessChange['kind'][]) =>
    [...found.values()].filter((c) => kinds.includes(c.kind)).sort((x, y) => kinds.indexOf(x.kind) - kinds.indexOf(y.kind) || x.rule - y.rule);
  const gains = byRule(['new-access', 'escalation']);
  const losses = byRule(['lost-access', 'reduction']);
  const verdict: Verdict = gains.length && losses.length ? 'incomparable' : gains.length ? 'wider' : losses.length ? 'narrower' : 'equivalent';
  return { verdict, gains, losses };
}

/**
 * What `--fail-on escalation` counts: any higher grant for a caller that had access, and new access
 * that reaches `write`/`admin` or a sensitive permission (secrets, workflows, org-level, ...).
 */
export function isEscalation(change: AccessChange): boolean {
  if (change.kind === 'escalation') return true;
  if (change.kind !== 'new-access' || !change.after) return false;
  return Object.entries(change.after).some(([perm, level]) => {
    const sensitive = sensitivePermission(perm);
    return levelRank(level) >= 2 || (sensitive !== undefined && levelRank(level) >= levelRank(sensitive.level));
  });
}
