// `sts-policy pr-check`: the pull-request gate for trust policies. Reads the pull_request event (or
// --base/--head offline), runs the library check, and reports: text or JSON on stdout, workflow-command
// annotations, a job summary, and optionally one PR comment it keeps up to date.
import { appendFileSync, closeSync, openSync, readSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { relative } from 'node:path';
import { checkPullRequest, type FailOn, type PolicyCheck, type PrCheckResult, type SettingsCheck } from '../pr-check/check.js';
import type { Finding } from '../model.js';
import { GitError } from '../simulate/simulate.js';
import { formatGithub } from '../report/github.js';
import { writeActionOutputs } from '../report/action-outputs.js';
import { plural } from '../report/summary.js';
import { code, text } from '../report/markdown.js';
import { markdown as diffMarkdown } from './diff.js';
import { ApiError, createGithubApi, type GithubApi } from '../pr-check/github-api.js';
import { SubjectTemplateReader } from '../load/subject-template.js';
import { UsageError, EXIT } from './errors.js';
import { inert as plain } from '../report/inert.js';

export interface PrCheckCliOptions {
  base?: string;
  head?: string;
  repo: string;
  apiUrl?: string;
  tokenEnv: string;
  comment?: boolean;
  failOn: FailOn;
  allowStaleApprovals?: boolean;
  format: 'text' | 'json';
}

export const COMMENT_MARKER = '<!-- sts-policy:pr-check -->';
/** GitHub shows at most this many annotations per level (error, warning, notice) per step. */
export const ANNOTATIONS_PER_LEVEL = 10;
const MAX_COMMENT_CHARS = 60_000;
const MAX_SUMMARY_BYTES = 1_000_000;
const MAX_EVENT_BYTES = 25 * 1024 * 1024;

interface PullRequestContext {
  owner: string;
  repo: string;
  number: number;
  base: string;
  head: string;
  author: string;
  apiUrl: string;
  token: string;
}

export async function runPrCheck(opts: PrCheckCliOptions): Promise<number> {
  const env = process.env;
  const pr = opts.base !== undefined || opts.head !== undefined ? offline(opts) : pullRequestContext(opts, env);
  const redact = (s: string) => (pr?.token && pr.token.length >= 8 ? s.split(pr.token).join('***') : s);
  const repo = topLevel(opts.repo);
  const warn = (m: string) => process.stderr.write(redact(`sts-policy: ${m}\n`));
  let api: GithubApi | undefined;
  let result: PrCheckResult;
  try {
    if (pr) {
      const retryBase = Number(env.STS_POLICY_RETRY_BASE_MS);
      api = createGithubApi({
        baseUrl: pr.apiUrl,
        token: pr.token,
        owner: pr.owner,
        repo: pr.repo,
        pullNumber: pr.number,
        retryBaseMs: Number.isFinite(retryBase) && retryBase >= 0 ? retryBase : undefined,
        log: { debug: (m) => (env.STS_POLICY_DEBUG ? warn(`debug: ${m}`) : undefined), warn: (m) => warn(`warning: ${m}`) },
      });
    }
    const source = api && pr ? { author: pr.author, reviews: api.listReviews, isTeamMember: api.isTeamMember } : undefined;
    const reader = api && new SubjectTemplateReader(api);
    const githubTemplate = reader && pr ? { repo: `${pr.owner}/${pr.repo}`, read: () => reader.forRepo(pr.owner, pr.repo) } : undefined;
    result = await checkPullRequest({ repo, base: pr?.base ?? opts.base!, head: pr?.head ?? opts.head!, failOn: opts.failOn, allowStaleApprovals: opts.allowStaleApprovals, approvals: source, trustedOwners: pr ? [pr.owner] : undefined, githubTemplate });
  } catch (e) {
    if (e instanceof GitError) throw new UsageError(e.message);
    if (e instanceof ApiError) {
      warn(`${e.message}\nsts-policy: the check could not complete: this is not a pass`);
      appendSummary(env, redact(`## ❌ sts-policy pr-check could not complete\n\n${text(e.message)}\n\nThis is not a pass: re-run the job.\n`));
      return EXIT.internal;
    }
    throw e;
  }

  const failedCheck = result.failures.length > 0;
  const annotated = pickAnnotations(result);
  const body = summaryMarkdown(result, opts, pr);
  const skipped = result.findings.length - annotated.length;
  const annotationNote = skipped > 0 ? `\n${plural(skipped, 'finding')} ${skipped === 1 ? 'was' : 'were'} not annotated (GitHub shows at most ${ANNOTATIONS_PER_LEVEL} annotations per level per step); every finding is listed above.\n` : '';
  appendSummary(env, redact(cap(body + annotationNote, MAX_SUMMARY_BYTES)));

  let comment: CommentOutcome | undefined;
  if (opts.comment && api && pr) {
    // A pull request that touches no policy gets no new comment; one written earlier is kept current.
    const quiet = !result.policies.length && !result.settings && !result.findings.length && !result.failures.length;
    try {
      comment = await upsertComment(api, pr.author, redact(`${COMMENT_MARKER}\n${cap(body, MAX_COMMENT_CHARS)}`), quiet);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      // A fork's token is read-only: the verdict stands, reported through the summary and annotations.
      if (e.status !== 403) {
        warn(`${e.message}\nsts-policy: the check could not complete: this is not a pass`);
        return EXIT.internal;
      }
      warn(`${e.message}\nsts-policy: the comment was not written (a fork pull request's token is read-only); the job summary and annotations carry the report, and the exit code is the check's verdict`);
      comment = { action: 'not-written', url: '' };
    }
  }

  if (env.GITHUB_OUTPUT) writeActionOutputs(env.GITHUB_OUTPUT, actionOutputs(result));
  const inActions = env.GITHUB_ACTIONS === 'true';
  if (opts.format === 'json') process.stdout.write(redact(JSON.stringify(jsonReport(result, opts, pr, comment), null, 2) + '\n'));
  else {
    // Policy content is echoed below: stop workflow-command processing around it, so nothing a
    // pull request writes can be read by the runner as a command.
    const stop = inActions ? randomUUID() : undefined;
    if (stop) process.stdout.write(`::stop-commands::${stop}\n`);
    process.stdout.write(redact(textReport(result, pr, comment)));
    if (stop) process.stdout.write(`::${stop}::\n`);
    if (inActions) process.stdout.write(formatGithub(withWorkspacePaths(annotated, repo, env.GITHUB_WORKSPACE)));
  }
  return failedCheck ? EXIT.findings : EXIT.ok;
}

function offline(opts: PrCheckCliOptions): undefined {
  if (opts.base === undefined || opts.head === undefined) throw new UsageError('--base and --head go together (offline mode)');
  if (opts.comment) throw new UsageError('--comment needs the pull_request event of a GitHub Actions job, not --base/--head');
  return undefined;
}

function pullRequestContext(opts: PrCheckCliOptions, env: NodeJS.ProcessEnv): PullRequestContext {
  const eventPath = env.GITHUB_EVENT_PATH;
  if (!eventPath) throw new UsageError('GITHUB_EVENT_PATH is not set: run pr-check in a GitHub Actions pull_request job, or offline with --base REV --head REV');
  const event = readEvent(eventPath);
  const pr = (event as { pull_request?: Record<string, unknown> }).pull_request as
    | { number?: unknown; base?: { sha?: unknown }; head?: { sha?: unknown }; user?: { login?: unknown } }
    | undefined;
  if (!pr) throw new UsageError(`the event in ${eventPath} has no pull_request: run pr-check on pull_request (or pull_request_target) events`);
  const sha = (v: unknown, what: string) => {
    if (typeof v !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(v)) throw new UsageError(`the event's ${what} is not a commit id`);
    return v;
  };
  if (typeof pr.number !== 'number' || !Number.isSafeInteger(pr.number) || pr.number < 1) throw new UsageError("the event's pull_request.number is not a pull request number");
  const author = pr.user?.login;
  if (typeof author !== 'string' || !author) throw new UsageError("the event's pull_request.user.login is missing");
  const full = env.GITHUB_REPOSITORY ?? (event as { repository?: { full_name?: unknown } }).repository?.full_name;
  const m = typeof full === 'string' ? /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full) : null;
  if (!m) throw new UsageError('GITHUB_REPOSITORY is not set to OWNER/REPO');
  const token = env[opts.tokenEnv];
  if (!token) throw new UsageError(`no token in $${opts.tokenEnv}: pass the job's token (env: ${opts.tokenEnv}: \${{ github.token }}) or name another variable with --token-env`);
  const apiUrl = opts.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com';
  if (!/^https?:\/\//.test(apiUrl)) throw new UsageError(`not an API URL: ${JSON.stringify(apiUrl)}`);
  return { owner: m[1]!, repo: m[2]!, number: pr.number, base: sha(pr.base?.sha, 'pull_request.base.sha'), head: sha(pr.head?.sha, 'pull_request.head.sha'), author, apiUrl, token };
}

function readEvent(path: string): unknown {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UsageError(`cannot read the event file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const buf = Buffer.alloc(MAX_EVENT_BYTES + 1);
    let n = 0;
    for (let got; n < buf.length && (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got;
    if (n > MAX_EVENT_BYTES) throw new UsageError(`the event file ${path} is over ${MAX_EVENT_BYTES} bytes`);
    return JSON.parse(buf.subarray(0, n).toString('utf8'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`the event file ${path} is not JSON`);
  } finally {
    closeSync(fd);
  }
}

function topLevel(dir: string): string {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    throw new UsageError(`${dir} is not inside a git repository (--repo)`);
  }
}

type CommentOutcome = { action: 'created' | 'updated' | 'not-written'; url: string };

async function upsertComment(api: GithubApi, author: string, body: string, quiet: boolean): Promise<CommentOutcome | undefined> {
  // Ours is the first comment that starts with the marker; one by the PR author is never taken for it.
  const mine = (await api.listComments()).find((c) => c.body.startsWith(COMMENT_MARKER) && c.login?.toLowerCase() !== author.toLowerCase());
  if (mine) return { action: 'updated', url: (await api.updateComment(mine.id, body)).url };
  if (quiet) return undefined;
  return { action: 'created', url: (await api.createComment(body)).url };
}

function appendSummary(env: NodeJS.ProcessEnv, markdown: string): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
}

/** Cuts at a line boundary and says so. */
function cap(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let cut = s.slice(0, max - 200);
  cut = cut.slice(0, cut.lastIndexOf('\n') + 1);
  return `${cut}\n… the report was cut here; the job's log has all of it (\`sts-policy pr-check --format json\`).\n`;
}

// --- annotations ---------------------------------------------------------------------------------

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
function withWorkspacePaths(findings: readonly Finding[], repo: string, workspace: string | undefined): Finding[] {
  const prefix = workspace ? relative(workspace, repo).split('\\').join('/') : '';
  if (!prefix || prefix.startsWith('..')) return [...findings];
  return findings.map((f) => ({ ...f, path: `${prefix}/${f.path}` }));
}

// --- reports -------------------------------------------------------------------------------------

const short = (sha: string) => sha.slice(0, 12);
const approvalText = { 'not-needed': 'not needed', approved: 'approved', missing: 'missing', 'not-checked': 'not checked' } as const;

function changeText(p: PolicyCheck, md: (s: string) => string): string {
  return `${p.diff.change}${p.renamedFrom ? ` (renamed from ${md(p.renamedFrom)})` : ''}${p.renamedTo ? ` (renamed to ${md(p.renamedTo)})` : ''}`;
}

function settingsText(s: SettingsCheck): string {
  return `${s.path} ${s.change} by this pull request: lint used the base revision's settings, and the change needs a code owner's approval`;
}

function ownersText(p: PolicyCheck, md: (s: string) => string): string {
  if (!p.owners) return 'none';
  return p.owners.owners.length ? `${p.owners.owners.map(md).join(' ')} (line ${p.owners.line})` : `none (line ${p.owners.line} un-owns it)`;
}

function textReport(r: PrCheckResult, pr: PullRequestContext | undefined, comment: CommentOutcome | undefined): string {
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

export function summaryMarkdown(r: PrCheckResult, opts: PrCheckCliOptions, pr: PullRequestContext | undefined): string {
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

/** The Action's step outputs: the verdict, whether an approval is missing, and counts. */
function actionOutputs(r: PrCheckResult) {
  const count = (severity: Finding['severity']) => r.findings.filter((f) => f.severity === severity).length;
  return {
    verdict: r.failures.length ? 'fail' : 'pass',
    'needs-approval': r.policies.some((p) => p.needsApproval && p.approval !== 'approved'),
    policies: r.policies.length,
    errors: count('error'),
    warnings: count('warning'),
  };
}

function jsonReport(r: PrCheckResult, opts: PrCheckCliOptions, pr: PullRequestContext | undefined, comment: { action: string; url: string } | undefined) {
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
