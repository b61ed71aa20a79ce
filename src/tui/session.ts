// The evaluation side of `explore`: policies are compiled once (when loaded); each keystroke
// re-evaluates only the policies whose matched claims changed, with the engine's fast path, and
// traces only the policy on screen.
import type { Claims, Permissions } from '../model.js';
import { TOKEN_CLAIM } from '../model.js';
import { evaluate, firstMatch, grantOf, type Evaluation } from '../engine/evaluate.js';
import type { Outcome } from '../simulate/simulate.js';
import type { SourceEntry } from './sources.js';

export type ExploreOutcome = Exclude<Outcome, 'not_installed_in_workspace'>;

export interface EntryResult {
  outcome: ExploreOutcome;
  /** The deciding rule (0-based) when minted, else -1. */
  rule: number;
  /** The grant when minted (`metadata: read` included). */
  permissions: Permissions | null;
}

const ABSENT = '\u0000';

export class ExploreSession {
  /** The token claims each policy's matchers read: a keystroke elsewhere cannot change its outcome. */
  private readonly reads: (readonly string[])[];
  private readonly keys: (string | undefined)[];
  private readonly cache: EntryResult[];
  private traced: { entry: number; key: string; evaluation: Evaluation } | undefined;
  /** How many policies were actually evaluated since the session began (the rest came from the cache). */
  evaluations = 0;

  constructor(readonly entries: readonly SourceEntry[]) {
    this.reads = entries.map((e) => [...new Set(e.compiled?.rules.flatMap((r) => r.matchers.map((m) => TOKEN_CLAIM[m.matcher.claim])) ?? [])].sort());
    this.keys = entries.map(() => undefined);
    this.cache = entries.map((e) => fixedResult(e) ?? { outcome: 'trust_policy_denied', rule: -1, permissions: null });
  }

  /** Every entry's predicted outcome for these claims. */
  results(claims: Claims): readonly EntryResult[] {
    const out = this.cache.slice();
    this.entries.forEach((entry, i) => {
      const compiled = entry.compiled;
      if (!compiled) return;
      const key = this.keyOf(i, claims);
      if (key === this.keys[i]) return;
      this.keys[i] = key;
      this.evaluations++;
      const rule = firstMatch(compiled, claims);
      out[i] = this.cache[i] = rule < 0 ? { outcome: 'trust_policy_denied', rule, permissions: null } : { outcome: 'minted', rule, permissions: grantOf(compiled.rules[rule]!.permissions) };
    });
    return out;
  }

  /** The full trace of one valid policy (rules, matchers, reasons), for the policy on screen. */
  explain(entry: number, claims: Claims): Evaluation | undefined {
    const compiled = this.entries[entry]?.compiled;
    if (!compiled) return undefined;
    const key = this.keyOf(entry, claims);
    if (this.traced?.entry === entry && this.traced.key === key) return this.traced.evaluation;
    const evaluation = evaluate(compiled, claims);
    this.traced = { entry, key, evaluation };
    return evaluation;
  }

  private keyOf(i: number, claims: Claims): string {
    return this.reads[i]!.map((c) => (typeof claims[c] === 'string' ? claims[c] : ABSENT)).join('\u0001');
  }
}

function fixedResult(e: SourceEntry): EntryResult | undefined {
  if (e.status === 'missing') return { outcome: 'no_trust_policy', rule: -1, permissions: null };
  if (e.status === 'invalid') return { outcome: 'trust_policy_invalid', rule: -1, permissions: null };
  return undefined;
}

/** The rule worth showing: the deciding one, else the one with the fewest failing matchers. */
export function focusRule(evaluation: Evaluation): number {
  if (evaluation.rule !== undefined) return evaluation.rule;
  let best = 0;
  let fewest = Infinity;
  for (const r of evaluation.trace) {
    const failing = r.matchers.filter((m) => !m.matched).length;
    if (failing < fewest) {
      best = r.rule;
      fewest = failing;
    }
  }
  return best;
}
