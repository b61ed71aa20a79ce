// CODEOWNERS at a revision (pr-check): GitHub's first location holding a file, and what a pull
// request's edit of it changes for trust policies. Ownership is decided by the base revision's file.
import { POLICY_DIR } from '../model.js';
import type { PrCheckResult, RevisionReader } from './check.js';
import { CODEOWNERS_LOCATIONS, MAX_CODEOWNERS_BYTES, parseCodeowners, ruleFor, type Codeowners, type CodeownersRule } from './codeowners.js';

export interface CodeownersAt {
  path: string;
  codeowners: Codeowners;
}

/** The first of GitHub's CODEOWNERS locations that holds a file at `rev`; one over 3 MB is not loaded. */
export function readCodeowners(rev: RevisionReader): CodeownersAt | null {
  const entries = rev.entries([...CODEOWNERS_LOCATIONS]);
  for (const path of CODEOWNERS_LOCATIONS) {
    const e = entries.get(path);
    if (!e || e.type !== 'blob' || e.mode === '120000') continue;
    const bytes = rev.blob(e.oid, MAX_CODEOWNERS_BYTES - 1);
    if (bytes === 'too-large') return { path, codeowners: { rules: [], errors: [{ line: 1, column: 1, message: `${path} is 3 MB or more: GitHub does not load it`, source: '' }] } };
    return { path, codeowners: parseCodeowners(new TextDecoder().decode(bytes)) };
  }
  return null;
}

/** CODEOWNERS rules the pull request adds or removes that cover a policy path (of either revision), and the owners it would change. */
export function codeownersEdits(before: CodeownersAt | null, after: CodeownersAt | null, policyPaths: readonly string[]): Pick<PrCheckResult['codeowners'], 'edits' | 'ownershipChanges'> {
  const probes = [...new Set([`${POLICY_DIR}/default.yaml`, ...policyPaths])].sort();
  const key = (r: CodeownersRule) => `${r.pattern}\u0000${r.owners.join(' ')}`;
  const covering = (r: CodeownersRule) => probes.some((p) => r.matcher.matches(p.split('/')));
  const rulesOf = (co: CodeownersAt | null) => co?.codeowners.rules ?? [];
  const beforeKeys = new Set(rulesOf(before).map(key));
  const afterKeys = new Set(rulesOf(after).map(key));
  const edits: PrCheckResult['codeowners']['edits'] = [
    ...rulesOf(after).filter((r) => !beforeKeys.has(key(r)) && covering(r)).map((r) => ({ side: 'added' as const, path: after!.path, line: r.line, pattern: r.pattern, owners: r.owners })),
    ...rulesOf(before).filter((r) => !afterKeys.has(key(r)) && covering(r)).map((r) => ({ side: 'removed' as const, path: before!.path, line: r.line, pattern: r.pattern, owners: r.owners })),
  ];
  const ownersAt = (co: CodeownersAt | null, p: string) => (co ? (ruleFor(co.codeowners, p)?.owners ?? null) : null);
  const ownershipChanges = probes
    .map((path) => ({ path, before: ownersAt(before, path), after: ownersAt(after, path) }))
    .filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after));
  return { edits, ownershipChanges };
}
