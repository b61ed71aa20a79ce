// pr-check's markdown: the job summary and the body of its pull request comment. Policy text comes
// from the pull request: values are escaped code spans (report/markdown.ts).
import type { Finding } from '../model.js';
import type { PrCheckOptions, PrCheckResult } from '../pr-check/check.js';
import { code, text } from './markdown.js';
import { diffMarkdown } from './diff.js';
import { ANNOTATIONS_PER_LEVEL, approvalText, changeText, ownersText, settingsText, short, type PullRequest } from './pr-check.js';
import { plural } from './summary.js';

export function prCheckMarkdown(r: PrCheckResult, opts: Pick<PrCheckOptions, 'failOn' | 'allowStaleApprovals'>, pr: PullRequest | undefined): string {
  const out = [`## ${r.failures.length ? '❌ sts-policy pr-check failed' : '✅ sts-policy pr-check passed'}`, ''];
  const approvals = !r.approvalsChecked ? '**not checked** (offline: `--base`/`--head`)' : opts.allowStaleApprovals ? 'checked (approvals of earlier commits count)' : 'checked against the head commit';
  out.push(`${pr ? `Pull request #${pr.number} by ${code(pr.author)}: c` : 'C'}hanges from ${code(short(r.from))} to ${code(short(r.head))} (base ${code(short(r.base))}). Approvals: ${approvals}. Fails on: ${code(opts.failOn)}.`, '');
  for (const n of r.notes) out.push(`> ${text(n)}`, '');
  if (r.policies.length) {
    out.push('| policy | change | access | code owners (base CODEOWNERS) | approval | findings |', '| --- | --- | --- | --- | --- | --- |');
    for (const p of r.policies) {
      const approval = p.approval === 'approved' ? `✅ by ${p.approvedBy.map(code).join(', ')}` : p.approval === 'missing' ? '❌ missing' : approvalText[p.approval];
      out.push(`| ${code(p.path)} | ${changeText(p, code)} | **${p.diff.verdict}** | ${ownersText(p, code)} | ${approval} | ${counts(p.findings)} |`);
    }
    out.push('');
  } else out.push('No trust policy changed.', '');
  if (r.settings) {
    const approval = r.settings.approval === 'approved' ? `✅ approved by ${r.settings.approvedBy.map(code).join(', ')}` : r.settings.approval === 'missing' ? '❌ approval missing' : `approval ${approvalText[r.settings.approval]}`;
    out.push(`**Lint settings:** ${settingsText(r.settings)}; ${approval}.`, '');
  }
  const addedIgnores = r.policies.flatMap((p) => p.addedIgnores.map((f) => `- ${code(p.path)} line ${f.ignoredBy.line}: ${code(f.ruleId)} (${code(f.ignoredBy.reason)}): ${p.approval === 'approved' ? 'approved by a code owner, so honoured' : 'not honoured without a code owner approval; the finding is reported'}`));
  if (addedIgnores.length) out.push('### Ignore comments this pull request adds', '', 'Ignores come from the base revision: one the pull request adds counts only once a code owner approves.', '', ...addedIgnores, '');
  if (r.failures.length) {
    out.push('### Why it fails', '');
    for (const f of r.failures) out.push(`- ${code(f.path)}: ${text(f.message)}`);
    out.push('');
  }
  const ignored = r.policies.flatMap((p) => p.ignoredApprovals.map((i) => `- ${code(p.path)}: approval by ${code(i.login)} not counted: ${text(i.reason)}`));
  if (ignored.length) out.push('### Approvals not counted', '', ...ignored, '');
  if (r.policies.length) out.push(diffMarkdown(r.policies.map((p) => p.diff)));
  // Messages quote policy text: a code span keeps any URL in it from becoming a link.
  if (r.findings.length) {
    out.push('### Findings', '', '| file | line | severity | rule | message |', '| --- | --- | --- | --- | --- |');
    for (const f of r.findings) out.push(`| ${code(f.path)} | ${f.line}:${f.column} | ${f.severity} | ${code(f.ruleId)} | ${code(f.message)}${f.witness ? ` (witness: ${code(JSON.stringify(f.witness))})` : ''} |`);
    out.push('');
  }
  if (r.ignored.length) {
    out.push('### Suppressed by `# sts-policy-ignore` comments', '', '| file | line | rule | message |', '| --- | --- | --- | --- |');
    for (const f of r.ignored) out.push(`| ${code(f.path)} | ${f.line}:${f.column} | ${code(f.ruleId)} | ${code(f.message)} |`);
    out.push('');
  }
  const co = r.codeowners;
  if (co.errors.length || co.edits.length || co.ownershipChanges.length || !co.path) {
    out.push('### CODEOWNERS', '', co.path ? `Read from ${code(co.path)} of the base revision.` : 'The base revision has no CODEOWNERS file (`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`).', '');
    for (const e of co.errors) out.push(`- error on line ${e.line}: ${text(e.message)}: ${code(e.source)}`);
    if (co.edits.length || co.ownershipChanges.length) out.push('', '**This pull request edits CODEOWNERS lines that cover trust policies.** They take effect only once merged; this check used the base revision.', '');
    for (const e of co.edits) out.push(`- ${e.side} ${code(e.path)} line ${e.line}: ${code(`${e.pattern} ${e.owners.join(' ')}`.trim())}`);
    for (const c of co.ownershipChanges) out.push(`- ${code(c.path)}: owners ${c.before?.length ? c.before.map(code).join(' ') : 'none'} → ${c.after?.length ? c.after.map(code).join(' ') : 'none'}`);
    out.push('');
  }
  return out.join('\n') + '\n';
}

function counts(findings: readonly Finding[]): string {
  const n = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const parts = [[n('error'), 'error'], [n('warning'), 'warning'], [n('info'), 'info']] as const;
  return parts.filter(([k]) => k).map(([k, w]) => `${k} ${w}${k === 1 ? '' : 's'}`).join(', ') || 'none';
}

/** The summary's note on findings left unannotated (GitHub's limit per level), empty when none was. */
export const annotationNote = (skipped: number) =>
  skipped > 0 ? `\n${plural(skipped, 'finding')} ${skipped === 1 ? 'was' : 'were'} not annotated (GitHub shows at most ${ANNOTATIONS_PER_LEVEL} annotations per level per step); every finding is listed above.\n` : '';

/** Cuts at a line boundary and says so. */
export function cap(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let cut = s.slice(0, max - 200);
  cut = cut.slice(0, cut.lastIndexOf('\n') + 1);
  return `${cut}\n… the report was cut here; the job's log has all of it (\`sts-policy pr-check --format json\`).\n`;
}

