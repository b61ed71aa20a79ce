// `sts-policy pr-check`: the pull-request gate for trust policies. Reads the pull_request event (or
// --base/--head offline), runs the library check, and reports: text or JSON on stdout, workflow-command
// annotations, a job summary, and optionally one PR comment it keeps up to date.
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { checkPullRequest, type FailOn, type PrCheckResult } from '../pr-check/check.js';
import { gitTopLevel } from '../load/git.js';
import { formatGithub } from '../report/github.js';
import { writeActionOutputs } from '../report/action-outputs.js';
import { text } from '../report/markdown.js';
import { pickAnnotations, prCheckJson, prCheckOutputs, prCheckText, withWorkspacePaths } from '../report/pr-check.js';
import { annotationNote, cap, prCheckMarkdown } from '../report/pr-comment.js';
import { ApiError, createGithubApi, type GithubApi } from '../pr-check/github-api.js';
import { COMMENT_MARKER, upsertComment, type CommentOutcome } from '../pr-check/comment.js';
import { SubjectTemplateReader } from '../github/subject-template.js';
import { UsageError, EXIT } from './errors.js';
import { EventError, pullRequestContext, type PullRequestContext } from '../pr-check/event.js';

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

const MAX_COMMENT_CHARS = 60_000;
const MAX_SUMMARY_BYTES = 1_000_000;

export async function runPrCheck(opts: PrCheckCliOptions): Promise<number> {
  const env = process.env;
  let pr: PullRequestContext | undefined;
  try {
    pr = opts.base !== undefined || opts.head !== undefined ? offline(opts) : pullRequestContext(opts, env);
  } catch (e) {
    if (e instanceof EventError) throw new UsageError(e.message);
    throw e;
  }
  const redact = (s: string) => (pr?.token && pr.token.length >= 8 ? s.split(pr.token).join('***') : s);
  const repo = topLevel(opts.repo);
  const warn = (m: string) => process.stderr.write(redact(`sts-policy: ${m}\n`));
  let api: GithubApi | undefined;
  let result: PrCheckResult;
  try {
    if (pr) {
      const retryBase = Number(env.STS_POLICY_RETRY_BASE_MS);
      api = await createGithubApi({
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
    if (e instanceof ApiError) {
      warn(`${e.message}\nsts-policy: the check could not complete: this is not a pass`);
      appendSummary(env, redact(`## ❌ sts-policy pr-check could not complete\n\n${text(e.message)}\n\nThis is not a pass: re-run the job.\n`));
      return EXIT.internal;
    }
    throw e;
  }

  const failedCheck = result.failures.length > 0;
  const annotated = pickAnnotations(result);
  const body = prCheckMarkdown(result, opts, pr);
  appendSummary(env, redact(cap(body + annotationNote(result.findings.length - annotated.length), MAX_SUMMARY_BYTES)));

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

  if (env.GITHUB_OUTPUT) writeActionOutputs(env.GITHUB_OUTPUT, prCheckOutputs(result));
  const inActions = env.GITHUB_ACTIONS === 'true';
  if (opts.format === 'json') process.stdout.write(redact(JSON.stringify(prCheckJson(result, opts, pr, comment), null, 2) + '\n'));
  else {
    // Policy content is echoed below: stop workflow-command processing around it, so nothing a
    // pull request writes can be read by the runner as a command.
    const stop = inActions ? randomUUID() : undefined;
    if (stop) process.stdout.write(`::stop-commands::${stop}\n`);
    process.stdout.write(redact(prCheckText(result, pr, comment)));
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

function topLevel(dir: string): string {
  const top = gitTopLevel(dir);
  if (top === undefined) throw new UsageError(`${dir} is not inside a git repository (--repo)`);
  return top;
}

function appendSummary(env: NodeJS.ProcessEnv, markdown: string): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
}

