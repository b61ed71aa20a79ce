// The diff of every policy pair: change kind, verdict, and witness-backed gains and losses.
import type { PolicyPair } from './sources.js';
import { diffAccess, type AccessChange, type Verdict } from './access-diff.js';
import type { Finding } from '../model.js';

export type Change = 'added' | 'removed' | 'modified' | 'unchanged';

export interface PolicyDiff {
  path: string;
  change: Change;
  verdict: Verdict;
  gains: AccessChange[];
  losses: AccessChange[];
  /** Validity errors of either side: an invalid version grants nothing (STS fails closed). */
  invalid: { before: Finding[]; after: Finding[] };
  reason?: string;
  /** What reading either side assumed, e.g. a merge key taken as a merge (absent when nothing). */
  notes?: string[];
}

/** `template`: the subject template of the lint settings (absent: GitHub's default), named in a note. */
export function diffPairs(pairs: readonly PolicyPair[], template?: readonly string[]): PolicyDiff[] {
  return pairs.map((p) => {
    const change: Change = !p.before ? 'added' : !p.after ? 'removed' : p.before.text === p.after.text ? 'unchanged' : 'modified';
    const invalid = { before: p.before?.invalid ?? [], after: p.after?.invalid ?? [] };
    const notes = [...(p.before?.notes ?? []).map((n) => `before: ${n}`), ...(p.after?.notes ?? []).map((n) => `after: ${n}`)];
    if (template?.length) notes.push(`subjects follow the subject template [${template.join(', ')}] of the lint settings`);
    const noted = notes.length ? { notes } : {};
    if (change === 'unchanged') return { path: p.path, change, verdict: 'equivalent', gains: [], losses: [], invalid, ...noted };
    const d = diffAccess(p.before?.policy ?? null, p.after?.policy ?? null, template);
    return { path: p.path, change, ...d, invalid, ...noted };
  });
}
