// The GitHub REST calls `pr-check` makes, through the one GitHub client (src/github/client.ts).
// Every failure becomes an ApiError with GitHub's status (exit 3, never a pass; the command alone
// lets a 403 on its comment, a fork's read-only token, pass as a warning); the token is never logged or echoed.
import { ApiError, createGitHubClient } from '../github/client.js';

export { ApiError };

export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
}

export interface GithubApiOptions {
  /** `https://api.github.com`, or GHES's `https://HOST/api/v3` (GITHUB_API_URL). */
  baseUrl: string;
  token: string;
  owner: string;
  repo: string;
  pullNumber: number;
  log: Logger;
  /** Milliseconds per unit of back-off (retry-after seconds, and plugin-retry's (n+1)² schedule). */
  retryBaseMs?: number;
  /** The whole conversation with the API must end within this many milliseconds. */
  deadlineMs?: number;
}

export interface Review {
  login: string;
  state: string;
  commitId: string | null;
}

export interface IssueComment {
  id: number;
  body: string;
  login: string | undefined;
  url: string;
}

export interface GithubApi {
  listReviews(): Promise<Review[]>;
  /** An active member of `@org/slug`? A 404 (not a member, or a team the token cannot see) is no. */
  isTeamMember(org: string, slug: string, login: string): Promise<boolean>;
  listComments(): Promise<IssueComment[]>;
  createComment(body: string): Promise<IssueComment>;
  updateComment(id: number, body: string): Promise<IssueComment>;
  /** Any other GET, Octokit-style (for modules that take an Octokit-like client). */
  request(route: string, params: Record<string, string>): Promise<{ data: unknown }>;
}

/** Retries of a failed or rate-limited request, and the longest `retry-after` worth waiting for. */
const RETRIES = 2;
const MAX_RETRY_AFTER_SECONDS = 60;
/** Pagination bound: 50 pages of 100. */
const MAX_PAGES = 50;
const DEFAULT_DEADLINE_MS = 5 * 60_000;

const LIMITS = { secondary: 'secondary rate limit', primary: 'rate limit', 'too-many-requests': 'rate limit (429)' } as const;

export async function createGithubApi(opts: GithubApiOptions): Promise<GithubApi> {
  const base = opts.retryBaseMs ?? 1000;
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const client = await createGitHubClient({
    apiUrl: opts.baseUrl,
    token: opts.token,
    retries: RETRIES,
    retryBaseMs: base,
    deadlineMs,
    maxWaitMs: MAX_RETRY_AFTER_SECONDS * base,
    log: opts.log,
    onEvent: (e) => {
      if (e.kind === 'rate-limited') opts.log.warn(`GitHub ${LIMITS[e.limit]}: ${e.retrying ? `retrying after ${base ? e.waitMs / base : 0}s` : 'giving up'}`);
    },
  });
  const { octokit } = client;
  const { owner, repo, pullNumber } = opts;

  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      const err = client.apiError(e);
      if (client.timedOut) throw new ApiError(`GitHub API: ${what}: ${err.message}`, err.kind);
      throw new ApiError(`GitHub API: ${what} failed${err.status ? ` (HTTP ${err.status})` : ''}: ${err.detail}`, err.kind, err.status, err.detail);
    }
  };

  async function paginate<T>(what: string, pages: AsyncIterable<{ data: T[] }>): Promise<T[]> {
    const all: T[] = [];
    let n = 0;
    for await (const page of pages) {
      if (++n > MAX_PAGES) throw new ApiError(`${what}: more than ${MAX_PAGES} pages; refusing to read further`, 'other');
      all.push(...page.data);
    }
    return all;
  }

  const comment = (c: { id: number; body?: string | null; user?: { login: string } | null; html_url: string }): IssueComment => ({ id: c.id, body: c.body ?? '', login: c.user?.login, url: c.html_url });

  return {
    listReviews: () =>
      call(`listing the reviews of pull request #${pullNumber}`, async () => {
        const reviews = await paginate('reviews', octokit.paginate.iterator(octokit.rest.pulls.listReviews, { owner, repo, pull_number: pullNumber, per_page: 100 }));
        return reviews.flatMap((r) => (r.user ? [{ login: r.user.login, state: r.state, commitId: r.commit_id ?? null }] : []));
      }),
    isTeamMember: (org, slug, login) =>
      call(`checking whether ${login} is a member of @${org}/${slug}`, async () => {
        try {
          const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login });
          return data.state === 'active';
        } catch (e) {
          if ((e as { status?: number }).status === 404) return false;
          throw e;
        }
      }),
    listComments: () =>
      call(`listing the comments of pull request #${pullNumber}`, async () =>
        (await paginate('comments', octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: pullNumber, per_page: 100 }))).map(comment),
      ),
    createComment: (body) => call(`commenting on pull request #${pullNumber}`, async () => comment((await octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body })).data)),
    updateComment: (id, body) => call(`updating comment ${id}`, async () => comment((await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body })).data)),
    request: (route, params) => call(route, async () => ({ data: (await octokit.request(route, params)).data })),
  };
}
