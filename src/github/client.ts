// The one GitHub API client (pr-check, audit): Octokit, imported here only and lazily so other
// commands never load it, with retries for 5xx, network errors and timeouts, honoured secondary
// and primary rate limits, a count of every HTTP request (retries included), an optional deadline
// for the whole conversation, and every failure as an `ApiError` whose text never holds the token.
import type { Octokit } from '@octokit/rest';
import { VERSION } from '../version.js';

export interface ClientOptions {
  /** REST base URL: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  apiUrl: string;
  token: string;
  /** Retries per request after the first attempt. */
  retries: number;
  /**
   * The unit of every wait: a retry backs off (n+1)² units, and a server's `retry-after` or rate
   * limit reset of S seconds waits S units. 1000 ms in real use; tests shorten it.
   */
  retryBaseMs: number;
  /** One attempt's time limit; a timed-out attempt is retried like a 5xx. None when absent. */
  timeoutMs?: number;
  /** The whole conversation must end within this many milliseconds. */
  deadlineMs?: number;
  /** The longest primary rate-limit wait honoured; a longer one ends the run's requests as failed. */
  maxWaitMs: number;
  onEvent?: (e: ClientEvent) => void;
  /** Octokit's own request log (already redacted); dropped when absent, never sent to the console. */
  log?: { debug(message: string): void; warn(message: string): void };
}

export type ClientEvent =
  | { kind: 'attempt-failed'; what: string; status?: number }
  | { kind: 'rate-limited'; limit: 'secondary' | 'primary' | 'too-many-requests'; waitMs: number; retrying: boolean };

export interface RequestStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  graphql: number;
  rest: number;
  /** Logical calls; `requests - calls` attempts were retries. */
  calls: number;
}

export interface GraphqlError {
  message: string;
  type?: string;
  path?: (string | number)[];
}

export interface GraphqlResult<T> {
  /** Partial data comes with errors: a field that failed is null and has an error with its path. */
  data: T | null;
  errors: GraphqlError[];
}

export type ApiErrorKind = 'auth' | 'rate-limit' | 'not-found' | 'forbidden' | 'server' | 'other';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    readonly status?: number,
    /** GitHub's own words (or the network's), redacted, for callers that phrase the failure themselves. */
    readonly detail: string = message,
  ) {
    super(message);
  }
}

export interface GitHubClient {
  /** The configured Octokit, for paginated REST calls; wrap what it throws with `apiError`. */
  readonly octokit: Octokit;
  graphql<T>(query: string, variables: Record<string, unknown>): Promise<GraphqlResult<T>>;
  rest<T>(route: string, params: Record<string, unknown>): Promise<T>;
  /** Anything a call threw, as an ApiError. */
  apiError(e: unknown): ApiError;
  readonly stats: RequestStats;
  /** Why requests now fail without being sent (a rate limit reset beyond `maxWaitMs`). */
  readonly exhausted: string | undefined;
  /** The deadline passed: every call in flight was aborted. */
  readonly timedOut: boolean;
}

// Octokit's throttling puts every GraphQL request in its "write" group (one at a time, 1 s apart)
// since it cannot tell a query from a mutation; we only read and bound our own concurrency.
const PASS_THROUGH_GROUP = { key: () => ({ schedule: (_options: unknown, fn: (...a: unknown[]) => unknown, ...args: unknown[]) => fn(...args) }) };

export async function createGitHubClient(opts: ClientOptions): Promise<GitHubClient> {
  const [{ Octokit }, { retry }, { throttling }] = await Promise.all([import('@octokit/rest'), import('@octokit/plugin-retry'), import('@octokit/plugin-throttling')]);
  const stats: RequestStats = { requests: 0, graphql: 0, rest: 0, calls: 0 };
  const emit = (e: ClientEvent) => opts.onEvent?.(e);
  const redact = (s: string) => (opts.token ? s.split(opts.token).join('***') : s);
  const deadline = opts.deadlineMs === undefined ? undefined : AbortSignal.timeout(opts.deadlineMs);
  let exhausted: string | undefined;

  const fetchCounted = async (url: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const what = new URL(String(url)).pathname;
    // Sent no more: a 403 that neither plugin retries, so the caller fails at once.
    if (exhausted) return Response.json({ message: exhausted }, { status: 403 });
    for (let attempt = 0; ; attempt++) {
      stats.requests++;
      if (what.endsWith('/graphql')) stats.graphql++;
      else stats.rest++;
      const timeout = opts.timeoutMs === undefined ? undefined : AbortSignal.timeout(opts.timeoutMs);
      const signals = [init.signal, timeout].filter((s): s is AbortSignal => Boolean(s));
      let res: Response;
      try {
        res = await fetch(url, { ...init, signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0] });
      } catch (e) {
        emit({ kind: 'attempt-failed', what });
        // An abort is not retried by Octokit; a TypeError with a cause becomes a retried 500.
        if (timeout?.aborted && !init.signal?.aborted) throw new TypeError('fetch failed', { cause: new Error(`no answer within ${opts.timeoutMs} ms`) });
        throw e;
      }
      if (res.status >= 500) emit({ kind: 'attempt-failed', what, status: res.status });
      // A 429 that is not a "secondary rate limit" is retried by Octokit without its retry-after: honour it here.
      const retryAfter = res.status === 429 ? Number(res.headers.get('retry-after') ?? NaN) : NaN;
      if (Number.isFinite(retryAfter) && retryAfter >= 0 && attempt < opts.retries && !/secondary rate/i.test(await res.clone().text())) {
        const waitMs = retryAfter * opts.retryBaseMs;
        if (waitMs <= opts.maxWaitMs) {
          emit({ kind: 'rate-limited', limit: 'too-many-requests', waitMs, retrying: true });
          await new Promise((r) => setTimeout(r, waitMs));
          continue;
        }
      }
      return res;
    }
  };

  const onLimit = (limit: 'secondary' | 'primary') => (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) => {
    const waitMs = retryAfter * opts.retryBaseMs;
    if (limit === 'primary' && waitMs > opts.maxWaitMs) {
      exhausted = `GitHub's API rate limit is exhausted until ${new Date(Date.now() + retryAfter * 1000).toISOString()} (longer than the --max-wait of ${Math.round(opts.maxWaitMs / 1000)} s)`;
      emit({ kind: 'rate-limited', limit, waitMs, retrying: false });
      return false;
    }
    const retrying = retryCount < opts.retries;
    emit({ kind: 'rate-limited', limit, waitMs, retrying });
    return retrying;
  };

  const debug = (m: string) => opts.log?.debug(redact(m));
  const octokit = new (Octokit.plugin(retry, throttling))({
    auth: opts.token,
    baseUrl: opts.apiUrl.replace(/\/+$/, ''),
    userAgent: `sts-policy/${VERSION}`,
    // Octokit logs through `console` otherwise, which would mix into the report. Its per-request
    // error lines are debug: a failure that matters becomes an ApiError.
    log: { debug, info: debug, warn: (m: string) => opts.log?.warn(redact(m)), error: debug },
    request: { fetch: fetchCounted, ...(deadline ? { signal: deadline } : {}) },
    retry: { retries: opts.retries, retryAfterBaseValue: opts.retryBaseMs },
    throttle: {
      retryAfterBaseValue: opts.retryBaseMs,
      onSecondaryRateLimit: onLimit('secondary'),
      onRateLimit: onLimit('primary'),
      write: PASS_THROUGH_GROUP as never,
    },
  });

  const apiError = (e: unknown): ApiError => {
    if (e instanceof ApiError) return e;
    if (deadline?.aborted) {
      const message = `no answer within ${Math.round(opts.deadlineMs! / 1000)}s`;
      return new ApiError(message, 'other');
    }
    return toApiError(e, exhausted, redact);
  };

  return {
    octokit,
    stats,
    apiError,
    get exhausted() {
      return exhausted;
    },
    get timedOut() {
      return deadline?.aborted ?? false;
    },
    async graphql<T>(query: string, variables: Record<string, unknown>): Promise<GraphqlResult<T>> {
      stats.calls++;
      try {
        return { data: (await octokit.graphql<T>(query, variables)) ?? null, errors: [] };
      } catch (e) {
        const partial = e as { name?: string; data?: T; errors?: GraphqlError[] };
        // GraphQL errors arrive with HTTP 200: keep the partial data and the errors' paths.
        if (partial.name === 'GraphqlResponseError' && Array.isArray(partial.errors)) {
          if (partial.errors.some((x) => x.type === 'RATE_LIMITED')) throw new ApiError(exhausted ?? "GitHub's GraphQL rate limit is exhausted", 'rate-limit');
          return { data: partial.data ?? null, errors: partial.errors.map((x) => ({ ...x, message: redact(x.message) })) };
        }
        throw apiError(e);
      }
    },
    async rest<T>(route: string, params: Record<string, unknown>): Promise<T> {
      stats.calls++;
      try {
        return (await octokit.request(route, params)).data as T;
      } catch (e) {
        throw apiError(e);
      }
    },
  };
}

function toApiError(e: unknown, exhausted: string | undefined, redact: (s: string) => string): ApiError {
  const err = e as { status?: number; message?: string; response?: { data?: { errors?: GraphqlError[] } } };
  const status = typeof err.status === 'number' ? err.status : undefined;
  const message = redact(err.message ?? String(e));
  const error = (text: string, kind: ApiErrorKind) => new ApiError(text, kind, status, message);
  if (exhausted) return error(exhausted, 'rate-limit');
  if (status === 401) return error(`GitHub rejected the token (401 ${message})`, 'auth');
  if (/rate limit/i.test(message) || err.response?.data?.errors?.some((x) => x.type === 'RATE_LIMITED')) return error(`rate limited: ${message}`, 'rate-limit');
  if (status === 404) return error(`not found (404)`, 'not-found');
  if (status === 403) return error(`forbidden (403 ${message})`, 'forbidden');
  if (status !== undefined && status >= 500) return error(status === 500 ? `no usable answer from GitHub: ${message}` : `GitHub answered ${status} ${message}`, 'server');
  return error(message, 'other');
}
