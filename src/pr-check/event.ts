// The pull request a GitHub Actions job runs for, read from its event file and environment. Every
// problem is an EventError that says what to set or how to run instead (the CLI exits 2 on it).
import { closeSync, openSync, readSync } from 'node:fs';

export class EventError extends Error {
  override name = 'EventError';
}

const MAX_EVENT_BYTES = 25 * 1024 * 1024;

export interface PullRequestContext {
  owner: string;
  repo: string;
  number: number;
  base: string;
  head: string;
  author: string;
  apiUrl: string;
  token: string;
}

export function pullRequestContext(opts: { tokenEnv: string; apiUrl?: string }, env: NodeJS.ProcessEnv): PullRequestContext {
  const eventPath = env.GITHUB_EVENT_PATH;
  if (!eventPath) throw new EventError('GITHUB_EVENT_PATH is not set: run pr-check in a GitHub Actions pull_request job, or offline with --base REV --head REV');
  const event = readEvent(eventPath);
  const pr = (event as { pull_request?: Record<string, unknown> }).pull_request as
    | { number?: unknown; base?: { sha?: unknown }; head?: { sha?: unknown }; user?: { login?: unknown } }
    | undefined;
  if (!pr) throw new EventError(`the event in ${eventPath} has no pull_request: run pr-check on pull_request (or pull_request_target) events`);
  const sha = (v: unknown, what: string) => {
    if (typeof v !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(v)) throw new EventError(`the event's ${what} is not a commit id`);
    return v;
  };
  if (typeof pr.number !== 'number' || !Number.isSafeInteger(pr.number) || pr.number < 1) throw new EventError("the event's pull_request.number is not a pull request number");
  const author = pr.user?.login;
  if (typeof author !== 'string' || !author) throw new EventError("the event's pull_request.user.login is missing");
  const full = env.GITHUB_REPOSITORY ?? (event as { repository?: { full_name?: unknown } }).repository?.full_name;
  const m = typeof full === 'string' ? /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full) : null;
  if (!m) throw new EventError('GITHUB_REPOSITORY is not set to OWNER/REPO');
  const token = env[opts.tokenEnv];
  if (!token) throw new EventError(`no token in $${opts.tokenEnv}: pass the job's token (env: ${opts.tokenEnv}: \${{ github.token }}) or name another variable with --token-env`);
  const apiUrl = opts.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com';
  if (!/^https?:\/\//.test(apiUrl)) throw new EventError(`not an API URL: ${JSON.stringify(apiUrl)}`);
  return { owner: m[1]!, repo: m[2]!, number: pr.number, base: sha(pr.base?.sha, 'pull_request.base.sha'), head: sha(pr.head?.sha, 'pull_request.head.sha'), author, apiUrl, token };
}

function readEvent(path: string): unknown {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new EventError(`cannot read the event file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const buf = Buffer.alloc(MAX_EVENT_BYTES + 1);
    let n = 0;
    for (let got; n < buf.length && (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got;
    if (n > MAX_EVENT_BYTES) throw new EventError(`the event file ${path} is over ${MAX_EVENT_BYTES} bytes`);
    return JSON.parse(buf.subarray(0, n).toString('utf8'));
  } catch (e) {
    if (e instanceof EventError) throw e;
    throw new EventError(`the event file ${path} is not JSON`);
  } finally {
    closeSync(fd);
  }
}
