// `pr-check` as a library call: what a pull request changes in trust policies, whether each change
// is valid, who owns each policy path (CODEOWNERS of the base revision, so a pull request cannot
// grant itself ownership), and whether a code owner approved every change that widens access, every
// ignore comment the pull request adds and any change to `.sts-policy.yaml` (lint settings and
// ignores are the base revision's). Everything is read from git objects; nothing in the work tree is trusted.
import { POLICY_DIR, type Finding, type Severity } from '../model.js';
import { policyNameOf } from '../load/discover.js';
import { MAX_POLICY_BYTES } from '../load/read.js';
import { CONFIG_FILE } from '../lint/config.js';
import type { LintConfig } from '../rules/framework.js';
import { gitPairs } from '../diff/sources.js';
import { diffPairs, type PolicyDiff } from '../diff/policy-diff.js';
import { withGithubTemplate, type GithubTemplateSource } from '../github/subject-template.js';
import { baseSettings } from './settings.js';
import { failed, type FailOn } from '../diff/verdict.js';
import { blob, mergeBase, nameStatus, originOwner, policyPathsAt, resolveCommit, textAt, treeEntries, type TreeEntry } from '../load/git.js';
import { plural } from '../report/summary.js';
import { judgeApprovals, type ApprovalSource } from './approvals.js';
import type { IgnoredFinding } from '../lint/ignores.js';
import { addedSuppressions } from './ignore-changes.js';
import { CODEOWNERS_LOCATIONS, ruleFor, type CodeownersError } from './codeowners.js';
import { codeownersEdits, readCodeowners } from './codeowners-at.js';
import { lintHead } from './scratch-lint.js';

export type { FailOn };

export interface PrCheckOptions {
  repo: string;
  base: string;
  head: string;
  failOn: FailOn;
  allowStaleApprovals?: boolean;
  /** Absent: offline, approvals are "not checked". */
  approvals?: ApprovalSource;
  /** Trusted owners for lint rules when the base config names none (default: the origin remote's owner). */
  trustedOwners?: readonly string[];
  /** With a token: the subject template GitHub uses for this repository. */
  githubTemplate?: GithubTemplateSource;
}

export type Approval = 'not-needed' | 'approved' | 'missing' | 'not-checked';

export interface PolicyCheck {
  path: string;
  diff: PolicyDiff;
  renamedFrom?: string;
  renamedTo?: string;
  /** The deciding CODEOWNERS rule of the base revision; null when none matches. */
  owners: { line: number; owners: string[] } | null;
  needsApproval: boolean;
  approval: Approval;
  approvedBy: string[];
  ignoredApprovals: { login: string; reason: string }[];
  /** Lint findings of the head version (ignores of the base revision applied), and `analysis/subject-template`. */
  findings: Finding[];
  /** Suppressions by `# sts-policy-ignore` comments the pull request adds: honoured only once a code owner approved. */
  addedIgnores: IgnoredFinding[];
}

/** A change to `.sts-policy.yaml`: lint still uses the base revision's settings; the change needs a code owner's approval. */
export interface SettingsCheck extends Pick<PolicyCheck, 'path' | 'owners' | 'needsApproval' | 'approval' | 'approvedBy' | 'ignoredApprovals'> {
  change: 'added' | 'removed' | 'modified';
}

export type FailureReason = 'invalid' | 'lint-errors' | 'no-code-owner' | 'unapproved';

export interface PrCheckResult {
  base: string;
  head: string;
  /** Where the pull request's changes start (the merge base of base and head). */
  from: string;
  notes: string[];
  policies: PolicyCheck[];
  /** Everything to annotate: lint findings of changed files (near misses included) and pr-check's own. */
  findings: Finding[];
  /** Lint findings that `# sts-policy-ignore` comments suppressed (those the pull request adds only when approved). */
  ignored: IgnoredFinding[];
  /** When the pull request edits `.sts-policy.yaml`. */
  settings: SettingsCheck | null;
  codeowners: {
    /** The base revision's CODEOWNERS file, or null when it has none. */
    path: string | null;
    errors: CodeownersError[];
    /** When the pull request edits CODEOWNERS: the rules covering policy paths it adds or removes. */
    edits: { side: 'added' | 'removed'; path: string; line: number; pattern: string; owners: string[] }[];
    /** ...and the policy paths whose owners it would change. */
    ownershipChanges: { path: string; before: string[] | null; after: string[] | null }[];
  };
  approvalsChecked: boolean;
  failures: { path: string; reason: FailureReason; message: string }[];
}

/** A revision's tree entries and blobs, as CODEOWNERS reading and the scratch lint need them. */
export interface RevisionReader {
  entries(paths: readonly string[]): Map<string, TreeEntry>;
  blob(oid: string, max: number): Buffer | 'too-large';
}

export async function checkPullRequest(opts: PrCheckOptions): Promise<PrCheckResult> {
  const { repo } = opts;
  const at = (rev: string): RevisionReader => ({ entries: (paths) => treeEntries(repo, rev, paths), blob: (oid, max) => blob(repo, oid, max) });
  const base = resolveCommit(repo, opts.base);
  const head = resolveCommit(repo, opts.head);
  const notes: string[] = [];
  let from = mergeBase(repo, base, head);
  if (!from) {
    notes.push('base and head have no merge base in this clone (a shallow checkout?): changes are taken from base to head');
    from = base;
  }
  const changes = nameStatus(repo, from, head);
  // Lint settings come from the base revision's `.sts-policy.yaml`, like CODEOWNERS: a pull request cannot relax them.
  const settings = baseSettings(textAt(repo, base, CONFIG_FILE, MAX_POLICY_BYTES));
  notes.push(...settings.notes);
  const touched = new Map<string, { renamedFrom?: string; renamedTo?: string }>();
  for (const c of changes) {
    const now = policyPathOf(c.path);
    const old = c.oldPath !== undefined ? policyPathOf(c.oldPath) : undefined;
    if (now) touched.set(now, { ...touched.get(now), ...(c.status === 'R' && c.oldPath ? { renamedFrom: c.oldPath } : {}) });
    if (old && c.status === 'R') touched.set(old, { ...touched.get(old), renamedTo: c.path });
  }
  const pairs = gitPairs(repo, from, head).filter((p) => touched.has(p.path));
  // Only the changed policies are linted and diffed: only they need GitHub's template, and get its findings (head version first).
  const template = await withGithubTemplate(settings.config, pairs.flatMap((p) => [p.after?.policy, p.before?.policy]), opts.githubTemplate, `the base revision's ${CONFIG_FILE}`);
  const config = template.config;
  const trusted = opts.trustedOwners ?? [originOwner(repo)].filter((o): o is string => Boolean(o));
  const lint = lintHead(at(head), changes.filter((c) => c.status !== 'D').map((c) => c.path), config, trusted);
  notes.push(...lint.notes);
  const diffs = diffPairs(pairs, config.subjectTemplate);

  const baseOwners = readCodeowners(at(base));
  const ownersOf = (path: string) => {
    const rule = baseOwners ? ruleFor(baseOwners.codeowners, path) : undefined;
    return rule ? { line: rule.line, owners: rule.owners } : null;
  };
  const pending = (needsApproval: boolean) => ({ needsApproval, approval: (needsApproval ? (opts.approvals ? 'missing' : 'not-checked') : 'not-needed') as Approval, approvedBy: [], ignoredApprovals: [] });
  const policies: PolicyCheck[] = diffs.map((diff) => {
    const added = addedIgnoresOf(repo, from, head, diff.path, lint.ignored);
    return { path: diff.path, diff, ...touched.get(diff.path), owners: ownersOf(diff.path), ...pending(failed([diff], opts.failOn) || added.length > 0), findings: [], addedIgnores: added };
  });
  const configChange = changes.find((c) => c.path === CONFIG_FILE || c.oldPath === CONFIG_FILE);
  const settingsCheck: SettingsCheck | null = configChange ? { path: CONFIG_FILE, change: configChange.status === 'A' ? 'added' : configChange.path !== CONFIG_FILE || configChange.status === 'D' ? 'removed' : 'modified', owners: ownersOf(CONFIG_FILE), ...pending(true) } : null;

  if (opts.approvals) await judgeApprovals([...policies, ...(settingsCheck ? [settingsCheck] : [])], opts.approvals, head, opts.allowStaleApprovals ?? false);

  // A suppression the pull request adds without an approval hides nothing: its finding is reported.
  const unapproved = new Set(policies.filter((p) => p.approval !== 'approved').flatMap((p) => p.addedIgnores));
  const ignored = lint.ignored.filter((f) => !unapproved.has(f));
  const lintFindings = [...lint.findings, ...[...unapproved].map(({ ignoredBy: _, ...f }) => f), ...template.findings];
  for (const p of policies) p.findings = lintFindings.filter((f) => f.path === p.path);

  const codeowners: PrCheckResult['codeowners'] = { path: baseOwners?.path ?? null, errors: baseOwners?.codeowners.errors ?? [], edits: [], ownershipChanges: [] };
  const own: Finding[] = [];
  if (changes.some((c) => isCodeownersPath(c.path) || (c.oldPath !== undefined && isCodeownersPath(c.oldPath)))) {
    const headOwners = readCodeowners(at(head));
    Object.assign(codeowners, codeownersEdits(baseOwners, headOwners, [...policyPathsAt(repo, base), ...policyPathsAt(repo, head)]));
    for (const e of headOwners?.codeowners.errors ?? []) own.push(finding(headOwners!.path, 'pr-check/codeowners-syntax', 'warning', `CODEOWNERS: ${e.message}`, e.line, e.column));
    for (const e of codeowners.edits.filter((x) => x.side === 'added'))
      own.push(finding(e.path, 'pr-check/codeowners-edit', 'warning', `this pull request changes the code owners of trust policies (\`${e.pattern}\` ${e.owners.join(' ') || '(no owners)'}); pr-check reads CODEOWNERS from the base revision, so the change applies only once merged`, e.line));
  }

  const failures: PrCheckResult['failures'] = [];
  const fail = (path: string, reason: FailureReason, message: string, line = 1) => {
    failures.push({ path, reason, message });
    own.push(finding(path, `pr-check/${reason}`, 'error', message, line));
  };
  const noOwner = (what: string, o: PolicyCheck['owners']) =>
    o ? `CODEOWNERS line ${o.line} of the base revision leaves ${what} without a code owner` : baseOwners ? `no CODEOWNERS rule of the base revision covers ${what}` : `the base revision has no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS): ${what} has no code owner`;
  const approvers = (o: PolicyCheck['owners']) => `without an approval from a code owner of this path (${o?.owners.join(', ') || 'none'})`;
  for (const p of policies) {
    for (const f of p.approval === 'approved' ? [] : p.addedIgnores)
      own.push(finding(p.path, 'pr-check/ignore-added', 'warning', `this pull request adds an ignore of \`${f.ruleId}\` ("${f.ignoredBy.reason}"); pr-check takes ignores from the base revision, so it counts only with a code owner's approval and the finding is reported`, f.ignoredBy.line));
    if (p.diff.change === 'removed') continue;
    if (p.diff.invalid.after.length) failures.push({ path: p.path, reason: 'invalid', message: `the new version is invalid: STS would answer trust_policy_invalid (${plural(p.diff.invalid.after.length, 'validity error')})` });
    if (!p.owners?.owners.length) fail(p.path, 'no-code-owner', noOwner('this trust policy', p.owners));
    const why = [...(failed([p.diff], opts.failOn) ? [`access ${p.diff.verdict === 'undecided' ? 'may have widened (undecided)' : `is ${p.diff.verdict}`}`] : []), ...(p.addedIgnores.length ? [`${plural(p.addedIgnores.length, 'suppression')} by ignore comments it adds`] : [])];
    if (p.approval === 'missing') fail(p.path, 'unapproved', `${why.join(', and ')} ${approvers(p.owners)}`, p.diff.gains[0]?.line ?? p.addedIgnores[0]?.ignoredBy.line ?? 1);
  }
  if (settingsCheck) {
    if (!settingsCheck.owners?.owners.length) fail(CONFIG_FILE, 'no-code-owner', noOwner(`the lint settings (${CONFIG_FILE})`, settingsCheck.owners));
    else if (settingsCheck.approval === 'missing') fail(CONFIG_FILE, 'unapproved', `this pull request changes the lint settings (pr-check used the base revision's) ${approvers(settingsCheck.owners)}`);
  }
  const errorsByPath = new Map<string, number>();
  for (const f of lintFindings) if (f.severity === 'error') errorsByPath.set(f.path, (errorsByPath.get(f.path) ?? 0) + 1);
  for (const [path, n] of errorsByPath) failures.push({ path, reason: 'lint-errors', message: plural(n, 'error finding') });

  return { base, head, from, notes, policies, findings: [...lintFindings, ...own], ignored, settings: settingsCheck, codeowners, approvalsChecked: Boolean(opts.approvals), failures };
}

/** Suppressions of a policy's head version that its version at `from` did not make. */
function addedIgnoresOf(repo: string, from: string, head: string, path: string, ignored: readonly IgnoredFinding[]): IgnoredFinding[] {
  const mine = ignored.filter((f) => f.path === path);
  if (!mine.length) return [];
  const [before, after] = [textAt(repo, from, path, MAX_POLICY_BYTES), textAt(repo, head, path, MAX_POLICY_BYTES)];
  return typeof after !== 'string' ? mine : addedSuppressions(before === 'too-large' ? undefined : before, after, mine);
}

/** The root policy path a changed path belongs to (`.atmos/pro/sts/x.yaml`, or a path inside it). */
function policyPathOf(path: string): string | undefined {
  if (!path.startsWith(`${POLICY_DIR}/`)) return undefined;
  const candidate = `${POLICY_DIR}/${path.slice(POLICY_DIR.length + 1).split('/')[0]}`;
  return policyNameOf(candidate) ? candidate : undefined;
}

const isCodeownersPath = (p: string) => (CODEOWNERS_LOCATIONS as readonly string[]).includes(p);

function finding(path: string, ruleId: string, severity: Severity, message: string, line = 1, column = 1): Finding {
  return { path, ruleId, severity, message, line, column, endLine: line, endColumn: column + 1, docsUrl: '', fix: null };
}
