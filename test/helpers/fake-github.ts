// A fake GitHub REST API on 127.0.0.1 for `pr-check` end-to-end tests: pull request reviews (paginated
// with Link headers), team memberships, issue comments (list, create, update), and injected failures
// (5xx, 403 secondary rate limit with retry-after, 429). It checks the token on every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReview {
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commit_id: string;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
  html_url: string;
}

export interface Failure {
  method?: string;
  /** Matches when the request path (without query) contains this. */
  path: string;
  status: number;
  message?: string;
  headers?: Record<string, string>;
  /** How many matching requests fail; Infinity for a persistent failure. */
  times: number;
}

export interface FakeGithubOptions {
  token: string;
  owner: string;
  repo: string;
  pullNumber: number;
  reviews?: FakeReview[];
  /** `org/slug` -> login -> membership state. */
  teams?: Record<string, Record<string, 'active' | 'pending'>>;
  comments?: FakeComment[];
  /** The server never returns more than this per page (GitHub: 100). */
  maxPerPage?: number;
  failures?: Failure[];
  /** Who the token acts as when it writes comments. */
  botLogin?: string;
  /** OIDC subject customizations (GET .../actions/oidc/customization/sub); default: the repo uses GitHub's default, the org has no template. */
  oidc?: { repo?: { use_default: boolean; include_claim_keys?: string[] }; org?: { include_claim_keys: string[] } };
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface FakeGithub {
  url: string;
  requests: RequestRecord[];
  comments: FakeComment[];
  failures: Failure[];
  close(): Promise<void>;
}

export async function startFakeGithub(opts: FakeGithubOptions): Promise<FakeGithub> {
  const comments = [...(opts.comments ?? [])];
  const failures = [...(opts.failures ?? [])];
  const requests: RequestRecord[] = [];
  let nextId = 1000 + comments.length;
  let base = '';
  const repoPath = `/repos/${opts.owner}/${opts.repo}`;

  const server = createServer((req, res) => {
    void handle(req, res).catch((e) => send(res, 500, { message: String(e) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const path = url.pathname.split('/').map(decodeURIComponent).join('/');
    const record: RequestRecord = { method, path, query: url.search, status: 0 };
    requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      send(res, status, body, headers);
    };
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${opts.token}` && auth !== `bearer ${opts.token}`) return reply(401, { message: 'Bad credentials' });
    const failure = failures.find((f) => f.times > 0 && path.includes(f.path) && (!f.method || f.method === method));
    if (failure) {
      failure.times--;
      return reply(failure.status, { message: failure.message ?? 'Server Error' }, failure.headers);
    }
    const body = method === 'POST' || method === 'PATCH' ? JSON.parse((await readBody(req)) || '{}') : {};

    if (method === 'GET' && path === `${repoPath}/pulls/${opts.pullNumber}/reviews`)
      return page(url, opts.reviews ?? [], (r, i) => ({ id: i + 1, user: { login: r.user, type: 'User' }, state: r.state, commit_id: r.commit_id, body: '' }), reply);
    const team = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path);
    if (method === 'GET' && team) {
      const state = opts.teams?.[`${team[1]}/${team[2]}`]?.[team[3]!];
      return state ? reply(200, { state, role: 'member', url: `${base}${path}` }) : reply(404, { message: 'Not Found' });
    }
    if (path === `${repoPath}/issues/${opts.pullNumber}/comments`) {
      if (method === 'GET') return page(url, comments, (c) => c, reply);
      if (method === 'POST') {
        const c: FakeComment = { id: nextId++, body: String(body.body), user: { login: opts.botLogin ?? 'github-actions[bot]', type: 'Bot' }, html_url: `https://github.test/${opts.owner}/${opts.repo}/pull/${opts.pullNumber}#issuecomment-${nextId}` };
        comments.push(c);
        return reply(201, c);
      }
    }
    if (method === 'GET' && path === `${repoPath}/actions/oidc/customization/sub`) return reply(200, opts.oidc?.repo ?? { use_default: true });
    if (method === 'GET' && path === `/orgs/${opts.owner}/actions/oidc/customization/sub`) return reply(200, opts.oidc?.org ?? { include_claim_keys: [] });
    const commentPrefix = `${repoPath}/issues/comments/`;
    if (method === 'PATCH' && path.startsWith(commentPrefix)) {
      const c = comments.find((x) => String(x.id) === path.slice(commentPrefix.length));
      if (!c) return reply(404, { message: 'Not Found' });
      if (c.user.login !== (opts.botLogin ?? 'github-actions[bot]')) return reply(403, { message: 'Resource not accessible by integration' });
      c.body = String(body.body);
      return reply(200, c);
    }
    return reply(404, { message: `no route for ${method} ${path}` });
  }

  function page<T>(url: URL, items: readonly T[], render: (item: T, index: number) => unknown, reply: (s: number, b: unknown, h?: Record<string, string>) => void): void {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), opts.maxPerPage ?? 100);
    const n = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number) => {
      const u = new URL(url.pathname, base);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    const headers: Record<string, string> = {};
    if (n < last) headers.link = `<${link(n + 1)}>; rel="next", <${link(last)}>; rel="last"`;
    reply(200, items.slice((n - 1) * perPage, n * perPage).map((item, i) => render(item, (n - 1) * perPage + i)), headers);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    comments,
    failures,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
