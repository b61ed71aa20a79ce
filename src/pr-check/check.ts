// `pr-check` as a library call: what a pull request changes in trust policies, whether each change
// is valid, who owns each policy path (CODEOWNERS of the base revision, so a pull request cannot
// grant itself ownership), and whether a code owner approved every change that widens access, every
// ignore comment the pull request adds and any change to `.sts-policy.yaml` (lint settings and
// ignores are the base revision's). Everything is read from git objects; nothing in the work tree is trusted.
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { POLICY_DIR, type Finding, type Severity } from '../model.js';
import { policyNameOf } from '../load/discover.js';
import { MAX_POLICY_BYTES } from '../load/read.js';
import { lintPaths } from '../lint/lint.js';
import { CONFIG_FILE, originOwner } from '../lint/config.js';
import type { LintConfig } from '../rules/framework.js';
import { gitPairs } from '../diff/sources.js';
import { diffPairs, type PolicyDiff } from '../diff/report.js';
import { withGithubTemplate, type GithubTemplateSource } from '../load/subject-template.js';
import { baseSettings } from './settings.js';
import { failed, type FailOn } from '../diff/verdict.js';
import { GitError } from '../simulate/simulate.js';
import { plural } from '../report/summary.js';
import type { Review } from './github-api.js';
import type { IgnoredFinding } from '../lint/ignores.js';
import { addedSuppressions } from './ignore-changes.js';
import { CODEOWNERS_LOCATIONS, MAX_CODEOWNERS_BYTES, parseCodeowners, parseOwner, ruleFor, type Codeowners, type CodeownersError, type CodeownersRule } from './codeowners.js';

export type { FailOn };

/** The pull request's reviews and the org's teams, as the GitHub API reports them. */
export interface ApprovalSource {
  author: string;
  reviews(): Promise<Review[]>;
  isTeamMember(org: string, slug: string, login: string): Promise<boolean>;
}

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
  /** Lint findings of the head version (ignores of the base revision applied). */
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

export async function checkPullRequest(opts: PrCheckOptions): Promise<PrCheckResult> {
  const { repo } = opts;
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
  const pairs = gitPairs(repo, from, head);
  const config = await withGithubTemplate(settings.config, pairs.flatMap((p) => [p.before?.policy, p.after?.policy]), opts.githubTemplate, notes);
  const trusted = opts.trustedOwners ?? [originOwner(repo)].filter((o): o is string => Boolean(o));
  const lint = lintHead(repo, head, changes.filter((c) => c.status !== 'D').map((c) => c.path), config, trusted);
  notes.push(...lint.notes);

  const touched = new Map<string, { renamedFrom?: string; renamedTo?: string }>();
  for (const c of changes) {
    const now = policyPathOf(c.path);
    const old = c.oldPath !== undefined ? policyPathOf(c.oldPath) : undefined;
    if (now) touched.set(now, { ...touched.get(now), ...(c.status === 'R' && c.oldPath ? { renamedFrom: c.oldPath } : {}) });
    if (old && c.status === 'R') touched.set(old, { ...touched.get(old), renamedTo: c.path });
  }
  const diffs = diffPairs(pairs.filter((p) => touched.has(p.path)), config.subjectTemplate);

  const baseOwners = readCodeowners(repo, base);
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
  const lintFindings = [...lint.findings, ...[...unapproved].map(({ ignoredBy: _, ...f }) => f)];
  for (const p of policies) p.findings = lintFindings.filter((f) => f.path === p.path);

  const codeowners: PrCheckResult['codeowners'] = { path: baseOwners?.path ?? null, errors: baseOwners?.codeowners.errors ?? [], edits: [], ownershipChanges: [] };
  const own: Finding[] = [];
  if (changes.some((c) => isCodeownersPath(c.path) || (c.oldPath !== undefined && isCodeownersPath(c.oldPath)))) {
    const headOwners = readCodeowners(repo, head);
    Object.assign(codeowners, codeownersEdits(repo, base, head, baseOwners, headOwners));
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

/** GitHub's rule: a reviewer's latest approving, change-requesting or dismissed review is their state. */
export function latestReviews(reviews: readonly Review[]): Map<string, Review> {
  const latest = new Map<string, Review>();
  for (const r of reviews) if (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED' || r.state === 'DISMISSED') latest.set(r.login.toLowerCase(), r);
  return latest;
}

async function judgeApprovals(policies: Pick<PolicyCheck, 'owners' | 'needsApproval' | 'approval' | 'approvedBy' | 'ignoredApprovals'>[], source: ApprovalSource, head: string, allowStale: boolean): Promise<void> {
  const pending = policies.filter((p) => p.needsApproval);
  if (!pending.length) return;
  const approvals = [...latestReviews(await source.reviews()).values()].filter((r) => r.state === 'APPROVED');
  const membership = new Map<string, Promise<boolean>>();
  const member = (org: string, slug: string, login: string) => {
    const key = `${org}/${slug}\u0000${login}`.toLowerCase();
    if (!membership.has(key)) membership.set(key, source.isTeamMember(org, slug, login));
    return membership.get(key)!;
  };
  for (const p of pending) {
    for (const r of approvals) {
      if (r.login.toLowerCase() === source.author.toLowerCase()) {
        p.ignoredApprovals.push({ login: r.login, reason: 'the pull request author' });
        continue;
      }
      if (!(await isOwner(r.login, p.owners?.owners ?? [], member))) {
        p.ignoredApprovals.push({ login: r.login, reason: 'not a code owner of this path' });
        continue;
      }
      if (!allowStale && r.commitId !== head) {
        p.ignoredApprovals.push({ login: r.login, reason: `approved an older commit (${(r.commitId ?? 'unknown').slice(0, 12)}), not the head commit` });
        continue;
      }
      p.approvedBy.push(r.login);
    }
    p.approval = p.approvedBy.length ? 'approved' : 'missing';
  }
}

async function isOwner(login: string, owners: readonly string[], member: (org: string, slug: string, login: string) => Promise<boolean>): Promise<boolean> {
  for (const o of owners) {
    const owner = parseOwner(o);
    if (owner?.kind === 'user' && owner.login.toLowerCase() === login.toLowerCase()) return true;
    if (owner?.kind === 'team' && (await member(owner.org, owner.slug, login))) return true;
  }
  return false;
}

// --- CODEOWNERS at a revision ---------------------------------------------------------------------

interface CodeownersAt {
  path: string;
  codeowners: Codeowners;
}

/** The first of GitHub's CODEOWNERS locations that holds a file at `rev`; one over 3 MB is not loaded. */
function readCodeowners(repo: string, rev: string): CodeownersAt | null {
  const entries = treeEntries(repo, rev, [...CODEOWNERS_LOCATIONS]);
  for (const path of CODEOWNERS_LOCATIONS) {
    const e = entries.get(path);
    if (!e || e.type !== 'blob' || e.mode === '120000') continue;
    const bytes = blob(repo, e.oid, MAX_CODEOWNERS_BYTES - 1);
    if (bytes === 'too-large') return { path, codeowners: { rules: [], errors: [{ line: 1, column: 1, message: `${path} is 3 MB or more: GitHub does not load it`, source: '' }] } };
    return { path, codeowners: parseCodeowners(new TextDecoder().decode(bytes)) };
  }
  return null;
}

function codeownersEdits(repo: string, base: string, head: string, before: CodeownersAt | null, after: CodeownersAt | null): Pick<PrCheckResult['codeowners'], 'edits' | 'ownershipChanges'> {
  const probes = [...new Set([`${POLICY_DIR}/default.yaml`, ...policyPathsAt(repo, base), ...policyPathsAt(repo, head)])].sort();
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

function policyPathsAt(repo: string, rev: string): string[] {
  return git(repo, ['ls-tree', '--name-only', '-z', rev, '--', `${POLICY_DIR}/`]).toString('utf8').split('\0').filter((p) => p && policyNameOf(p));
}

// --- linting the head versions of changed files -------------------------------------------------

/** Folders `lint` scans in a repository: the policy folder and the places people guess. */
const LINTED_TOP = /^(\.?atmos.*|\.github)$/i;
const MAX_LINTED_FILES = 2000;

/**
 * Lints what `lint` would find among the changed files, at the head revision: the changed files are
 * written from git objects into a scratch repository (policy blobs byte for byte, every other file
 * empty, since only its name matters; symlinks as dangling links) and linted there.
 */
function lintHead(repo: string, head: string, changed: readonly string[], config: LintConfig, trusted: readonly string[]): { findings: Finding[]; ignored: IgnoredFinding[]; notes: string[] } {
  const notes: string[] = [];
  let paths = changed.filter((p) => LINTED_TOP.test(p.split('/')[0]!) && safePath(p));
  if (changed.some((p) => !safePath(p))) notes.push('paths with `..`, `.git` or empty segments were not linted');
  if (paths.length > MAX_LINTED_FILES) {
    notes.push(`${paths.length} changed files under .atmos/ and .github/: only the first ${MAX_LINTED_FILES} were linted`);
    paths = paths.slice(0, MAX_LINTED_FILES);
  }
  if (!paths.length) return { findings: [], ignored: [], notes };
  const root = mkdtempSync(join(tmpdir(), 'sts-policy-pr-check-'));
  try {
    mkdirSync(join(root, '.git'));
    const entries = treeEntries(repo, head, paths);
    const links: string[] = [];
    for (const [path, e] of entries) {
      if (e.mode === '120000') links.push(path);
      else if (e.type === 'blob') writeScratch(root, path, policyNameOf(path) ? blob(repo, e.oid, MAX_POLICY_BYTES) : Buffer.alloc(0));
    }
    // Links last, so no file above is ever written through one; their targets are never followed.
    for (const path of links) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      try {
        symlinkSync('sts-policy-symlink-not-followed', join(root, path));
      } catch {
        /* a path already taken by a directory: that is what lint will report */
      }
    }
    // Settings are passed explicitly: nothing the pull request adds can stand in for the base config.
    const result = lintPaths([root], { config, trustedOwners: () => (trusted.length ? trusted : undefined) });
    const rel = <F extends Finding>(f: F): F => ({ ...f, path: relative(root, f.path).split(sep).join('/') });
    return { findings: result.findings.map(rel), ignored: result.ignored.map(rel), notes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function safePath(p: string): boolean {
  return !p.startsWith('/') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s.toLowerCase() !== '.git' && !s.includes('\0'));
}

/** Writes a scratch file without following links; a too-large blob becomes a sparse file of its size. */
function writeScratch(root: string, path: string, content: Buffer | 'too-large'): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW);
  try {
    if (content === 'too-large') ftruncateSync(fd, MAX_POLICY_BYTES + 1);
    else writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

// --- git ---------------------------------------------------------------------------------------

const GIT_TIMEOUT_MS = 60_000;

function git(repo: string, args: string[], maxBuffer = 64 * 1024 * 1024): Buffer {
  try {
    return execFileSync('git', ['-C', repo, ...args], { maxBuffer, timeout: GIT_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; code?: string; message?: string };
    const why = err.code === 'ENOBUFS' ? 'the output is too large' : (err.stderr?.toString().trim() || err.message || String(e));
    throw new GitError(`git ${args[0]} failed in ${repo}: ${why}`);
  }
}

function resolveCommit(repo: string, rev: string): string {
  if (!rev || rev.startsWith('-')) throw new GitError(`not a revision: ${JSON.stringify(rev)}`);
  try {
    return git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]).toString().trim();
  } catch {
    throw new GitError(`cannot find commit ${JSON.stringify(rev)} in ${repo} (in GitHub Actions, check out with \`fetch-depth: 0\` so base and head are both present)`);
  }
}

function mergeBase(repo: string, a: string, b: string): string | undefined {
  try {
    return git(repo, ['merge-base', a, b]).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

interface Change {
  /** A, M, D, R, C or T (git diff --name-status). */
  status: string;
  path: string;
  oldPath?: string;
}

function nameStatus(repo: string, from: string, to: string): Change[] {
  const parts = git(repo, ['diff', '--name-status', '-M', '-z', '--no-ext-diff', from, to, '--']).toString('utf8').split('\0');
  const out: Change[] = [];
  for (let i = 0; i < parts.length && parts[i]; ) {
    const status = parts[i++]![0]!;
    if (status === 'R' || status === 'C') {
      const oldPath = parts[i++]!;
      out.push({ status, oldPath, path: parts[i++]! });
    } else out.push({ status, path: parts[i++]! });
  }
  return out;
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
}

function treeEntries(repo: string, rev: string, paths: readonly string[]): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (let i = 0; i < paths.length; i += 200) {
    const out = git(repo, ['ls-tree', '-z', '--full-tree', rev, '--', ...paths.slice(i, i + 200).map((p) => `:(literal)${p}`)]).toString('utf8');
    for (const line of out.split('\0')) {
      if (!line) continue;
      const tab = line.indexOf('\t');
      const [mode, type, oid] = line.slice(0, tab).split(' ');
      entries.set(line.slice(tab + 1), { mode: mode!, type: type!, oid: oid! });
    }
  }
  return entries;
}

/** A regular file's text at `rev` (undefined when absent, a link or not a file). */
function textAt(repo: string, rev: string, path: string, max: number): string | 'too-large' | undefined {
  const e = treeEntries(repo, rev, [path]).get(path);
  if (!e || e.type !== 'blob' || e.mode === '120000') return undefined;
  const bytes = blob(repo, e.oid, max);
  return bytes === 'too-large' ? bytes : new TextDecoder().decode(bytes);
}

/** A blob's bytes, or 'too-large' past `max` bytes (checked before reading it). */
function blob(repo: string, oid: string, max: number): Buffer | 'too-large' {
  if (Number(git(repo, ['cat-file', '-s', oid]).toString().trim()) > max) return 'too-large';
  return git(repo, ['cat-file', 'blob', oid], max + 4096);
}
