// pr-check's reports for the job's log and tools: the text report, the JSON report (version 1),
// the Action's step outputs and the findings to annotate. Input is echoed inert (report/inert.ts);
// the pull request is passed without its token, so no renderer can print it.
import { relative } from 'node:path';
import type { Finding } from '../model.js';
import type { PolicyCheck, PrCheckOptions, PrCheckResult, SettingsCheck } from '../pr-check/check.js';
import type { PullRequestContext } from '../pr-check/event.js';
import type { CommentOutcome } from '../pr-check/comment.js';
import { plural } from './summary.js';
import { inert as plain } from './inert.js';

/** What the reports say about the pull request. */
export type PullRequest = Pick<PullRequestContext, 'owner' | 'repo' | 'number' | 'author'>;
/** GitHub shows at most this many annotations per level (error, warning, notice) per step. */
export const ANNOTATIONS_PER_LEVEL = 10;

/** pr-check's own findings first (they decide the verdict), then lint's; at most 10 per level. */
export function pickAnnotations(result: PrCheckResult): Finding[] {
  const own = result.findings.filter((f) => f.ruleId.startsWith('pr-check/'));
  const rest = result.findings.filter((f) => !f.ruleId.startsWith('pr-check/'));
  const count = new Map<string, number>();
  return [...own, ...rest].filter((f) => {
    const n = (count.get(f.severity) ?? 0) + 1;
    count.set(f.severity, n);
    return n <= ANNOTATIONS_PER_LEVEL;
  });
}

/** Annotation paths are relative to the workspace, which may hold the repository in a subfolder. */
export function withWorkspacePaths(findings: readonly Finding[], repo: string, workspace: string | undefined): Finding[] {
  const prefix = workspace ? relative(workspace, repo).split('\\').join('/') : '';
  if (!prefix || prefix.startsWith('..')) return [...findings];
  return findings.map((f) => ({ ...f, path: `${prefix}/${f.path}` }));
}


export const short = (sha: string) => sha.slice(0, 12);
export const approvalText = { 'not-needed': 'not needed', approved: 'approved', missing: 'missing', 'not-checked': 'not checked' } as const;

export function changeText(p: PolicyCheck, md: (s: string) => string): string {
  return `${p.diff.change}${p.renamedFrom ? ` (renamed from ${md(p.renamedFrom)})` : ''}${p.renamedTo ? ` (renamed to ${md(p.renamedTo)})` : ''}`;
}

export function settingsText(s: SettingsCheck): string {
  return `${s.path} ${s.change} by this pull request: lint used the base revision's settings, and the change needs a code owner's approval`;
}

export function ownersText(p: PolicyCheck, md: (s: string) => string): string {
  if (!p.owners) return 'none';
  return p.owners.owners.length ? `${p.owners.owners.map(md).join(' ')} (line ${p.owners.line})` : `none (line ${p.owners.line} un-owns it)`;
}

export function prCheckText(r: PrCheckResult, pr: PullRequest | undefined, comment: CommentOutcome | undefined): string {
  const out = [`sts-policy pr-check: ${pr ? `pull request #${pr.number} by ${plain(pr.author)}, ` : ''}changes from ${short(r.from)} to ${short(r.head)} (base ${short(r.base)})`];
  if (!r.approvalsChecked) out.push('approvals: not checked (offline: --base/--head)');
  for (const n of r.notes) out.push(`note: ${plain(n)}`);
  const byPath = new Map<string, Finding[]>();
  for (const f of r.findings) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
  const line = (f: Finding) => `    ${f.line}:${f.column}  ${f.severity}  ${plain(f.message)}  ${plain(f.ruleId)}${f.witness ? `\n      witness: ${plain(JSON.stringify(f.witness))}` : ''}`;
  for (const p of r.policies) {
    out.push('', `  ${plain(p.path)}  ${plain(changeText(p, (s) => s))}  access ${p.diff.verdict}  owners: ${plain(ownersText(p, (s) => s))}  approval: ${approvalText[p.approval]}${p.approvedBy.length ? ` (${plain(p.approvedBy.join(', '))})` : ''}`);
    for (const c of [...p.diff.gains, ...p.diff.losses]) out.push(`    ${c.kind} via rule ${c.rule + 1} (line ${c.line}), witness: ${plain(JSON.stringify(c.witness))}`);
    for (const i of p.ignoredApprovals) out.push(`    approval by ${plain(i.login)} not counted: ${i.reason}`);
    for (const f of p.addedIgnores) out.push(`    ignore added by this pull request (line ${f.ignoredBy.line}, ${f.ruleId}): ${p.approval === 'approved' ? 'approved, honoured' : 'not honoured without a code owner approval'}`);
    for (const f of byPath.get(p.path) ?? []) out.push(line(f));
    byPath.delete(p.path);
  }
  if (r.settings) out.push('', `  ${settingsText(r.settings)}  approval: ${approvalText[r.settings.approval]}${r.settings.approvedBy.length ? ` (${plain(r.settings.approvedBy.join(', '))})` : ''}`);
  for (const [path, findings] of byPath) {
    out.push('', `  ${plain(path)}`);
    for (const f of findings) out.push(line(f));
  }
  for (const e of r.codeowners.errors) out.push(`  ${plain(r.codeowners.path ?? 'CODEOWNERS')} (base) line ${e.line}: ${plain(e.message)}`);
  for (const c of r.codeowners.ownershipChanges) out.push(`  CODEOWNERS edit: ${plain(c.path)} owners ${plain(c.before?.join(' ') || 'none')} -> ${plain(c.after?.join(' ') || 'none')} once merged`);
  if (comment) out.push('', comment.action === 'not-written' ? 'comment not written (the token may not comment): see the job summary' : `comment ${comment.action}: ${plain(comment.url)}`);
  out.push('', r.failures.length ? `FAIL: ${plural(r.failures.length, 'problem')}` : `PASS: ${plural(r.policies.length, 'trust policy change')} checked`);
  for (const f of r.failures) out.push(`  - ${plain(f.path)}: ${plain(f.message)}`);
  return out.join('\n') + '\n';
}

/** The Action's step outputs: the verdict, whether an approval is missing, and counts. */
export function prCheckOutputs(r: PrCheckResult) {
  const count = (severity: Finding['severity']) => r.findings.filter((f) => f.severity === severity).length;
  return {
    verdict: r.failures.length ? 'fail' : 'pass',
    'needs-approval': r.policies.some((p) => p.needsApproval && p.approval !== 'approved'),
    policies: r.policies.length,
    errors: count('error'),
    warnings: count('warning'),
  };
}

export function prCheckJson(r: PrCheckResult, opts: Pick<PrCheckOptions, 'failOn'>, pr: PullRequest | undefined, comment: CommentOutcome | undefined) {
  return {
    version: 1,
    result: r.failures.length ? 'fail' : 'pass',
    failOn: opts.failOn,
    pullRequest: pr ? { repository: `${pr.owner}/${pr.repo}`, number: pr.number, author: pr.author } : null,
    base: r.base,
    head: r.head,
    from: r.from,
    approvalsChecked: r.approvalsChecked,
    policies: r.policies.map((p) => ({
      path: p.path,
      change: p.diff.change,
      ...(p.renamedFrom ? { renamedFrom: p.renamedFrom } : {}),
      ...(p.renamedTo ? { renamedTo: p.renamedTo } : {}),
      verdict: p.diff.verdict,
      ...(p.diff.reason ? { reason: p.diff.reason } : {}),
      owners: p.owners,
      needsApproval: p.needsApproval,
      approval: p.approval,
      approvedBy: p.approvedBy,
      ignoredApprovals: p.ignoredApprovals,
      addedIgnores: p.addedIgnores,
      gains: p.diff.gains,
      losses: p.diff.losses,
      invalid: p.diff.invalid,
    })),
    findings: r.findings,
    ignored: r.ignored,
    settings: r.settings,
    codeowners: r.codeowners,
    failures: r.failures,
    notes: r.notes,
    ...(comment ? { comment } : {}),
  };
}
