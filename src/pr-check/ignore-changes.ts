// Which `# sts-policy-ignore` suppressions a new version of a policy adds over its old version: the
// gate (`pr-check`) takes ignores from the base revision, so a pull request cannot relax its own
// check; a suppression it adds counts only with a code owner's approval.
import { SourceText } from '../load/text.js';
import { parseIgnores, type IgnoredFinding } from '../lint/ignores.js';

/**
 * The suppressions in `ignored` (findings of the new text that its ignore comments hid) that no
 * ignore of the old text already made: same rule, same reason, on a line written the same way.
 * Counted, so copying an old ignore onto a second, identical line is an addition too.
 */
export function addedSuppressions(oldText: string | undefined, newText: string, ignored: readonly IgnoredFinding[]): IgnoredFinding[] {
  const before = new Map<string, number>();
  if (oldText !== undefined) {
    const source = new SourceText(oldText.replace(/^\uFEFF/, ''));
    for (const d of parseIgnores(source)) {
      if (d.problem || d.reason === undefined) continue;
      for (const { id } of d.ids) for (const line of d.lines) bump(before, key(id, d.reason, source.lineText(line)));
    }
  }
  const after = new SourceText(newText.replace(/^\uFEFF/, ''));
  return ignored.filter((f) => {
    const k = key(f.ruleId, f.ignoredBy.reason, after.lineText(f.line));
    const left = before.get(k) ?? 0;
    if (left > 0) before.set(k, left - 1);
    return left === 0;
  });
}

const key = (id: string, reason: string, line: string) => `${id}\u0000${reason}\u0000${line.trim()}`;
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
