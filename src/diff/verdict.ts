// The pass/fail decision over policy diffs (`--fail-on`), shared by `diff` and `pr-check`.
import type { PolicyDiff } from './policy-diff.js';
import { isEscalation } from './access-diff.js';

export type FailOn = 'wider' | 'escalation' | 'any-change';

/**
 * Whether the diffs fail the check: wider (or incomparable, undecided) access, an escalation (a
 * higher grant, or new access reaching write/admin or a sensitive permission: isEscalation), or any change.
 */
export function failed(diffs: readonly PolicyDiff[], failOn: FailOn | undefined): boolean {
  if (!failOn) return false;
  if (failOn === 'any-change') return diffs.some((d) => d.verdict !== 'equivalent');
  if (failOn === 'escalation') return diffs.some((d) => d.gains.some(isEscalation) || d.verdict === 'undecided');
  return diffs.some((d) => d.verdict === 'wider' || d.verdict === 'incomparable' || d.verdict === 'undecided');
}
