// A fake GitHub on 127.0.0.1 for `sts-policy audit`: the GraphQL endpoint (a schema subset with
// GitHub's own field names, executed by graphql-js, so aliases, fragments, variables and partial
// errors behave as on github.com) and the REST endpoints the audit falls back to. Faults are
// injected per request: 5xx bursts, secondary and primary rate limits, GraphQL timeouts, held
// requests, reset connections, repos that vanish after listing.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { CLI, ROOT } from './cli.js';

export type FakeFile = string | Uint8Array | { symlink: string } | { submodule: string };

export interface FakeRepoSpec {
  name: string;
  /** Defaults to the fake's organization. */
  owner?: string;
  /** Repo-relative paths (`.atmos/pro/sts/default.yaml`) to contents. */
  files?: Record<string, FakeFile>;
  /** `null`: the repo has no default branch (and is not empty). */
  defaultBranch?: string | null;
  archived?: boolean;
  /** No commits at all: no default branch either. */
  empty?: boolean;
  disabled?: boolean;
  /** GraphQL cannot return `.atmos/pro/sts` for this repo: an error on its `object` field. */
  hugeTree?: boolean;
  /** The REST tree listing of `.atmos/pro/sts` is truncated too. */
  restTruncated?: boolean;
  /** The repo is deleted the first time a `repository(owner, name)` query reads it. */
  vanishOnRead?: boolean;
  /** Its OIDC subject customization (GET .../actions/oidc/customization/sub); default: GitHub's default template. */
  oidc?: { use_default: boolean; include_claim_keys?: string[] };
}

export type FaultKind =
  | 'status' // an HTTP error status (5xx by default)
  | 'secondary-limit' // 403 with GitHub's secondary rate limit message and retry-after
  | 'primary-limit' // 403 with x-ratelimit-remaining: 0 and x-ratelimit-reset
  | 'graphql-rate-limited' // HTTP 200 with a RATE_LIMITED GraphQL error
  | 'graphql-timeout' // HTTP 200 with "Something went wrong while executing your query"
  | 'hold' // no answer for holdMs, then the connection is dropped
  | 'reset' // the connection is destroyed at once
  | 'tamper'; // HTTP 200 with the real GraphQL answer rewritten by `tamper` (null nodes, partial errors)

export interface Fault {
  kind: FaultKind;
  status?: number;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** Matching requests to let through first. */
  after?: number;
  retryAfter?: number;
  /** Seconds from now for x-ratelimit-reset. */
  resetIn?: number;
  holdMs?: number;
  when?: (r: RequestInfo) => boolean;
  /** For `tamper`: the answer GitHub would give, rewritten. */
  tamper?: (body: Obj) => Obj;
}

export interface RequestInfo {
  method: string;
  /** The path GitHub.com would see (GHES's /api/v3 prefix and /api/graphql mapped back). */
  path: string;
  /** The path as requested. */
  rawPath: string;
  graphql?: { query: string; variables: Record<string, unknown> };
}

export interface RequestRecord extends RequestInfo {
  status: number | 'dropped';
  fault?: FaultKind;
}

type Obj = Record<string, unknown>;

const SDL = /* GraphQL */ `
  type Query {
    organization(login: String!): Organization
    repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
    rateLimit: RateLimit
  }
  type RateLimit { cost: Int! limit: Int! remaining: Int! resetAt: String! }
  type Organization {
    login: String!
    repositories(first: Int, after: String, orderBy: RepositoryOrder, isArchived: Boolean, isFork: Boolean): RepositoryConnection!
  }
  input RepositoryOrder { field: RepositoryOrderField! direction: OrderDirection! }
  enum RepositoryOrderField { CREATED_AT UPDATED_AT PUSHED_AT NAME STARGAZERS }
  enum OrderDirection { ASC DESC }
  type RepositoryConnection { totalCount: Int! pageInfo: PageInfo! nodes: [Repository] }
  type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! endCursor: String startCursor: String }
  type Repository {
    name: String!
    nameWithOwner: String!
    isArchived: Boolean!
    isEmpty: Boolean!
    isDisabled: Boolean!
    isFork: Boolean!
    defaultBranchRef: Ref
    object(expression: String, oid: String): GitObject
  }
  type Ref { name: String! prefix: String! target: GitObject }
  interface GitObject { oid: String! abbreviatedOid: String! }
  type Commit implements GitObject { oid: String! abbreviatedOid: String! }
  type Tree implements GitObject { oid: String! abbreviatedOid: String! entries: [TreeEntry!] }
  type Blob implements GitObject {
    oid: String!
    abbreviatedOid: String!
    byteSize: Int!
    isBinary: Boolean
    isTruncated: Boolean!
    text: String
  }
  type TreeEntry { name: String! type: String! mode: Int! oid: String! path: String object: GitObject }
`;

const schema = buildSchema(SDL);
/** GitHub truncates Blob.text of large blobs; the fake does it from this size on. */
export const GRAPHQL_TEXT_LIMIT = 512 * 1024;

interface GitBlob {
  kind: 'blob';
  oid: string;
  bytes: Buffer;
  mode: number;
}
interface GitTree {
  kind: 'tree';
  oid: string;
  entries: Map<string, GitNode>;
}
interface GitLink {
  kind: 'commit';
  oid: string;
}
type GitNode = GitBlob | GitTree | GitLink;

interface Repo {
  spec: FakeRepoSpec;
  owner: string;
  version: number;
  root?: GitTree;
  commit?: string;
}

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');

function buildTree(files: Record<string, FakeFile>): GitTree {
  const root: GitTree = { kind: 'tree', oid: '', entries: new Map() };
  for (const [path, file] of Object.entries(files)) {
    const parts = path.split('/');
    let dir = root;
    for (const seg of parts.slice(0, -1)) {
      let next = dir.entries.get(seg);
      if (!next || next.kind !== 'tree') dir.entries.set(seg, (next = { kind: 'tree', oid: '', entries: new Map() }));
      dir = next;
    }
    const name = parts[parts.length - 1]!;
    if (typeof file === 'object' && 'submodule' in file) dir.entries.set(name, { kind: 'commit', oid: sha1(file.submodule) });
    else {
      const symlink = typeof file === 'object' && 'symlink' in file;
      const bytes = symlink ? Buffer.from((file as { symlink: string }).symlink) : typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(file as Uint8Array);
      dir.entries.set(name, { kind: 'blob', oid: sha1(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes])), bytes, mode: symlink ? 0o120000 : 0o100644 });
    }
  }
  const hash = (t: GitTree): string => (t.oid = sha1([...t.entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, e]) => `${n}:${e.kind === 'tree' ? hash(e) : e.oid}`).join('\n')));
  hash(root);
  return root;
}

const MODE = { tree: 0o40000, commit: 0o160000 } as const;
const modeOf = (n: GitNode) => (n.kind === 'blob' ? n.mode : MODE[n.kind]);

export class FakeGitHub {
  readonly org: string;
  readonly token: string;
  readonly requests: RequestRecord[] = [];
  /** The org's OIDC subject customization (GET /orgs/{org}/actions/oidc/customization/sub). */
  orgOidc: { include_claim_keys: string[] } = { include_claim_keys: [] };
  private readonly repos = new Map<string, Repo>();
  private readonly faults: (Fault & { seen: number; hits: number })[] = [];
  private server?: Server;
  private readonly open = new Set<import('node:net').Socket>();
  url = '';

  constructor(opts: { org: string; repos?: FakeRepoSpec[]; token?: string }) {
    this.org = opts.org;
    this.token = opts.token ?? 'test-token';
    for (const r of opts.repos ?? []) this.setRepo(r);
  }

  /** Adds or replaces a repo; a changed repo gets a new default-branch commit. */
  setRepo(spec: FakeRepoSpec): void {
    const owner = spec.owner ?? this.org;
    const key = `${owner}/${spec.name}`.toLowerCase();
    const version = (this.repos.get(key)?.version ?? 0) + 1;
    const repo: Repo = { spec, owner, version };
    if (!spec.empty) {
      repo.root = buildTree(spec.files ?? {});
      repo.commit = sha1(`${key}\n${version}\n${repo.root.oid}`);
    }
    this.repos.set(key, repo);
  }

  /** Changes one file (or deletes it with `undefined`) in a new commit. */
  writeFile(name: string, path: string, content: FakeFile | undefined): void {
    const repo = this.repo(this.org, name);
    if (!repo) throw new Error(`no repo ${name}`);
    const files = { ...(repo.spec.files ?? {}) };
    if (content === undefined) delete files[path];
    else files[path] = content;
    this.setRepo({ ...repo.spec, files });
  }

  removeRepo(name: string, owner = this.org): void {
    this.repos.delete(`${owner}/${name}`.toLowerCase());
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault, seen: 0, hits: 0 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  resetLog(): void {
    this.requests.length = 0;
  }

  count(kind?: 'graphql' | 'rest'): number {
    return this.requests.filter((r) => !kind || (kind === 'graphql') === r.path.startsWith('/graphql')).length;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.open.add(s);
      s.on('close', () => this.open.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private repo(owner: string, name: string): Repo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    // GitHub Enterprise Server: REST under /api/v3, GraphQL at /api/graphql.
    const path = url.pathname === '/api/graphql' ? '/graphql' : url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const info: RequestInfo = { method: req.method ?? 'GET', path, rawPath: url.pathname };
    if (info.path === '/graphql' && info.method === 'POST') {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Obj };
        info.graphql = { query: body.query, variables: body.variables ?? {} };
      } catch {
        return this.send(res, info, 400, { message: 'Problems parsing JSON' });
      }
    }
    const fault = this.faults.find((f) => (f.when ? f.when(info) : true) && f.seen++ >= (f.after ?? 0) && f.hits < (f.times ?? 1));
    if (fault) {
      fault.hits++;
      if (fault.kind === 'tamper' && info.graphql) return this.send(res, info, 200, fault.tamper!(await this.graphql(info.graphql)));
      return this.fail(fault, info, res);
    }
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${this.token}` && auth !== `bearer ${this.token}` && auth !== `Bearer ${this.token}`)
      return this.send(res, info, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (info.graphql) return this.send(res, info, 200, await this.graphql(info.graphql));
    if (info.method === 'GET') return this.rest(info, url, res);
    return this.send(res, info, 404, { message: 'Not Found' });
  }

  private fail(f: Fault, info: RequestInfo, res: ServerResponse): void {
    const record = (status: number | 'dropped') => this.requests.push({ ...info, status, fault: f.kind });
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    const json = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      record(status);
      res.writeHead(status, { ...headers, ...extra }).end(JSON.stringify(body));
    };
    const reset = String(Math.floor(Date.now() / 1000) + (f.resetIn ?? 1));
    switch (f.kind) {
      case 'status':
        return json(f.status ?? 502, { message: f.status === 429 ? 'Too Many Requests' : 'Server Error' }, f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
      case 'secondary-limit':
        return json(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' }, { 'retry-after': String(f.retryAfter ?? 1) });
      case 'primary-limit':
        return json(403, { message: 'API rate limit exceeded for user ID 1.' }, { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': reset });
      case 'graphql-rate-limited':
        return json(200, { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit already exceeded for user ID 1.' }] }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset });
      case 'graphql-timeout':
        return json(200, { data: null, errors: [{ message: 'Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `ABCD:1234` when reporting this issue.' }] });
      case 'hold':
        record('dropped');
        setTimeout(() => res.socket?.destroy(), f.holdMs ?? 5_000).unref();
        return;
      case 'reset':
        record('dropped');
        res.socket?.destroy();
        return;
    }
  }

  private send(res: ServerResponse, info: RequestInfo, status: number, body: unknown): void {
    this.requests.push({ ...info, status });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) });
    res.end(JSON.stringify(body));
  }

  // ---- GraphQL ----

  private async graphql(req: { query: string; variables: Obj }): Promise<Obj> {
    const result = await graphql({ schema, source: req.query, rootValue: this.root(), variableValues: req.variables });
    const out: Obj = {};
    if (result.errors?.length)
      out.errors = result.errors.map((e) => ({ message: e.message, ...(e.path ? { path: e.path } : {}), ...(e.locations ? { locations: e.locations } : {}), ...(e.extensions?.type ? { type: e.extensions.type } : {}) }));
    if ('data' in result) out.data = result.data ?? null;
    return out;
  }

  private root(): Obj {
    return {
      organization: ({ login }: { login: string }) => {
        const owned = [...this.repos.values()].filter((r) => r.owner.toLowerCase() === login.toLowerCase());
        if (!owned.length && login.toLowerCase() !== this.org.toLowerCase()) throw notFound(`Could not resolve to an Organization with the login of '${login}'.`);
        return {
          login: this.org,
          repositories: (args: { first?: number; after?: string; isArchived?: boolean }) => {
            if (args.first === undefined) throw new GraphQLError('You must provide a `first` or `last` value to properly paginate the `repositories` connection.');
            if (args.first > 100) throw new GraphQLError(`Requesting ${args.first} records on the \`repositories\` connection exceeds the \`first\` limit of 100 records.`);
            const all = [...this.repos.values()].filter((r) => r.owner.toLowerCase() === login.toLowerCase() && (args.isArchived === undefined || Boolean(r.spec.archived) === args.isArchived)).sort((a, b) => (a.spec.name.toLowerCase() < b.spec.name.toLowerCase() ? -1 : 1));
            const start = args.after ? Number(Buffer.from(args.after, 'base64').toString().split(':')[1]) + 1 : 0;
            const page = all.slice(start, start + args.first);
            const cursor = (i: number) => Buffer.from(`cursor:${i}`).toString('base64');
            return {
              totalCount: all.length,
              nodes: page.map((r) => this.repositoryNode(r)),
              pageInfo: { hasNextPage: start + args.first < all.length, hasPreviousPage: start > 0, startCursor: page.length ? cursor(start) : null, endCursor: page.length ? cursor(start + page.length - 1) : null },
            };
          },
        };
      },
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const repo = this.repo(owner, name);
        if (!repo) throw notFound(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
        if (repo.spec.vanishOnRead) {
          this.repos.delete(`${repo.owner}/${repo.spec.name}`.toLowerCase());
          throw notFound(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
        }
        return this.repositoryNode(repo);
      },
      rateLimit: () => ({ cost: 1, limit: 5000, remaining: 4999, resetAt: new Date(Date.now() + 3_600_000).toISOString() }),
    };
  }

  private repositoryNode(repo: Repo): Obj {
    const branch = repo.spec.empty || repo.spec.defaultBranch === null ? null : (repo.spec.defaultBranch ?? 'main');
    return {
      name: repo.spec.name,
      nameWithOwner: `${repo.owner}/${repo.spec.name}`,
      isArchived: Boolean(repo.spec.archived),
      isEmpty: Boolean(repo.spec.empty),
      isDisabled: Boolean(repo.spec.disabled),
      isFork: false,
      defaultBranchRef: branch && repo.commit ? { name: branch, prefix: 'refs/heads/', target: { __typename: 'Commit', oid: repo.commit, abbreviatedOid: repo.commit.slice(0, 7) } } : null,
      object: ({ expression }: { expression?: string }) => {
        const m = /^(HEAD|[0-9a-f]{40}):(.*)$/.exec(expression ?? '');
        if (!m || !repo.root || !branch) return null;
        if (m[1] !== 'HEAD' && m[1] !== repo.commit) return null;
        const node = this.lookup(repo.root, m[2]!);
        if (node?.kind === 'tree' && repo.spec.hugeTree) throw new GraphQLError('The tree is too large to be listed: use the REST trees API.');
        return node ? this.objectNode(node) : null;
      },
    };
  }

  private lookup(root: GitTree, path: string): GitNode | undefined {
    let node: GitNode | undefined = root;
    for (const seg of path.split('/').filter(Boolean)) node = node?.kind === 'tree' ? node.entries.get(seg) : undefined;
    return node;
  }

  private objectNode(node: GitNode): Obj {
    const base = { oid: node.oid, abbreviatedOid: node.oid.slice(0, 7) };
    if (node.kind === 'commit') return { __typename: 'Commit', ...base };
    if (node.kind === 'tree')
      return {
        __typename: 'Tree',
        ...base,
        entries: [...node.entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, e]) => ({ name, type: e.kind, mode: modeOf(e), oid: e.oid, object: () => this.objectNode(e) })),
      };
    const binary = node.bytes.includes(0);
    const truncated = node.bytes.length > GRAPHQL_TEXT_LIMIT;
    // GitHub decodes text leniently (invalid UTF-8 becomes U+FFFD); the client must notice.
    return { __typename: 'Blob', ...base, byteSize: node.bytes.length, isBinary: binary, isTruncated: truncated, text: binary ? null : node.bytes.subarray(0, GRAPHQL_TEXT_LIMIT).toString('utf8') };
  }

  // ---- REST ----

  private rest(info: RequestInfo, url: URL, res: ServerResponse): void {
    const parts = info.path.split('/').slice(1);
    if (parts[0] === 'orgs' && parts.slice(2).join('/') === 'actions/oidc/customization/sub') return this.send(res, info, 200, this.orgOidc);
    if (parts[0] !== 'repos' || parts.length < 3) return this.send(res, info, 404, { message: 'Not Found' });
    const [, owner, name, kind, ...rest] = parts.map(decodeURIComponent) as [string, string, string, string | undefined, ...string[]];
    const repo = this.repo(owner, name);
    if (repo && kind === 'actions' && rest.join('/') === 'oidc/customization/sub') return this.send(res, info, 200, repo.spec.oidc ?? { use_default: true });
    if (repo && kind === undefined) {
      const branch = repo.spec.empty || repo.spec.defaultBranch === null ? null : (repo.spec.defaultBranch ?? 'main');
      return this.send(res, info, 200, { full_name: `${repo.owner}/${repo.spec.name}`, archived: Boolean(repo.spec.archived), disabled: Boolean(repo.spec.disabled), default_branch: branch ?? 'main', size: repo.spec.empty ? 0 : 1 });
    }
    if (!repo || !repo.root) return this.send(res, info, 404, { message: 'Not Found' });
    if (repo.spec.disabled) return this.send(res, info, 403, { message: 'Repository access blocked' });
    if (kind === 'contents') {
      const ref = url.searchParams.get('ref');
      if (ref && ref !== repo.commit && ref !== (repo.spec.defaultBranch ?? 'main')) return this.send(res, info, 404, { message: 'No commit found for the ref' });
      // Octokit sends `{path}` %2F-encoded: one segment that decodes to a path.
      const path = rest.join('/');
      const node = this.lookup(repo.root, path);
      if (!node) return this.send(res, info, 404, { message: 'Not Found' });
      if (node.kind === 'tree')
        return this.send(
          res,
          info,
          200,
          [...node.entries].map(([n, e]) => ({ name: n, path: `${path}/${n}`, sha: e.oid, size: e.kind === 'blob' ? e.bytes.length : 0, type: e.kind === 'tree' ? 'dir' : e.kind === 'commit' ? 'submodule' : e.mode === 0o120000 ? 'symlink' : 'file' })),
        );
      return this.send(res, info, 200, { name: path.split('/').pop(), path, sha: node.oid, type: node.kind === 'blob' ? 'file' : 'submodule', size: node.kind === 'blob' ? node.bytes.length : 0 });
    }
    if (kind === 'git' && rest[0] === 'trees' && rest[1]) {
      const tree = this.findObject(repo.root, rest[1]);
      if (!tree || tree.kind !== 'tree') return this.send(res, info, 404, { message: 'Not Found' });
      const recursive = url.searchParams.has('recursive');
      const out: Obj[] = [];
      const walk = (t: GitTree, prefix: string) => {
        for (const [n, e] of [...t.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
          out.push({ path: prefix + n, mode: modeOf(e).toString(8).padStart(6, '0'), type: e.kind, sha: e.oid, ...(e.kind === 'blob' ? { size: e.bytes.length } : {}) });
          if (recursive && e.kind === 'tree') walk(e, `${prefix}${n}/`);
        }
      };
      walk(tree, '');
      return this.send(res, info, 200, { sha: tree.oid, tree: repo.spec.restTruncated ? out.slice(0, 1) : out, truncated: Boolean(repo.spec.restTruncated) });
    }
    if (kind === 'git' && rest[0] === 'blobs' && rest[1]) {
      const blob = this.findObject(repo.root, rest[1]);
      if (!blob || blob.kind !== 'blob') return this.send(res, info, 404, { message: 'Not Found' });
      return this.send(res, info, 200, { sha: blob.oid, size: blob.bytes.length, encoding: 'base64', content: blob.bytes.toString('base64') });
    }
    return this.send(res, info, 404, { message: 'Not Found' });
  }

  private findObject(t: GitTree, oid: string): GitNode | undefined {
    if (t.oid === oid) return t;
    for (const e of t.entries.values()) {
      if (e.oid === oid) return e;
      if (e.kind === 'tree') {
        const found = this.findObject(e, oid);
        if (found) return found;
      }
    }
    return undefined;
  }
}

function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { type: 'NOT_FOUND' } });
}

/** A policy file's text, valid for `name`, with the given rules (YAML list items under spec.rules). */
export function policyText(name: string, rules: string): string {
  return `apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: ${name}\nspec:\n  rules:\n${rules}`;
}

/**
 * Runs the built CLI without blocking the event loop (the fake server answers in this process),
 * capturing stdout, stderr and the exit code, like `runCli`.
 */
export function runCliAsync(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {}): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITHUB_TOKEN: undefined, GH_TOKEN: undefined, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(opts.input ?? '');
  });
}

// ---- for the audit tests: policy texts, running `audit` against the fake, the JSON report's shape ----

export const HEADER = '# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json\n';
export const policy = (name: string, rules: string) => HEADER + policyText(name, rules);
/** Valid and finding-free: acme/app on main may mint contents: read. */
export const PINNED = policy('default', '    - match:\n        repository: "acme/app"\n        ref: "refs/heads/main"\n');
export const POLICY_PATH = '.atmos/pro/sts/default.yaml';

export interface AuditJson {
  version: number;
  source: string;
  target: string;
  policyName: string | null;
  complete: boolean;
  partial: string[];
  requests?: { total: number; graphql: number; rest: number; retries: number; cacheHits: number; perRepo: number };
  listing?: { org: string; total: number; listed: number; error?: string };
  summary: Record<string, number>;
  repos: {
    repo: string;
    status: string;
    defaultBranch: string | null;
    commit: string | null;
    archived: boolean;
    empty: boolean;
    disabled: boolean;
    via: string;
    error?: string;
    notes: string[];
    policies: { name: string; path: string; valid: boolean }[];
    nearMisses: { path: string; message: string }[];
  }[];
  findings: { path: string; ruleId: string; severity: string; message: string; line: number; column: number; endLine: number; endColumn: number }[];
  ignored: { path: string; ruleId: string }[];
  access: {
    repo: string;
    policy: string;
    path: string;
    rule: number;
    line: number;
    callers: { owners: string[]; repos: string[]; refs: string[]; environments: string[]; other: string[] };
    permissions: Record<string, string>;
    crossOwner: boolean;
    foreignOwner?: string;
    write: boolean;
  }[];
  prediction?: {
    policyName: string;
    claims: Record<string, string>;
    tokens: { host: string; owner: string; repositories: string[]; permissions: Record<string, string> }[];
    excluded: { repo: string; reason: string }[];
    unpredicted: { repo: string; reason: string }[];
    repos: Record<string, { outcome: string; policyPath: string | null; rule: number | null; line: number | null; permissions: Record<string, string> | null }>;
  };
}

export async function startFake(repos: FakeRepoSpec[], org = 'acme'): Promise<FakeGitHub> {
  const fake = new FakeGitHub({ org, repos });
  await fake.start();
  return fake;
}

/** `audit` against the fake, with short waits (1 ms per retry unit). */
export function audit(fake: FakeGitHub, args: string[], env: Record<string, string | undefined> = {}) {
  return runCliAsync(['audit', '--api-url', fake.url, '--retry-base-ms', '1', ...args], { env: { GITHUB_TOKEN: fake.token, ...env } });
}

export async function auditJson(fake: FakeGitHub, args: string[], expectCode?: number): Promise<AuditJson & { stderr: string; code: number | null }> {
  const r = await audit(fake, [...args, '--format', 'json']);
  if (expectCode !== undefined && r.code !== expectCode) throw new Error(`audit exited ${r.code}, expected ${expectCode}\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  return { ...(JSON.parse(r.stdout) as AuditJson), stderr: r.stderr, code: r.code };
}

export const byRepo = (j: AuditJson) => Object.fromEntries(j.repos.map((r) => [r.repo, r]));
export const ruleIdsOf = (j: AuditJson, repo: string) => j.findings.filter((f) => f.path.startsWith(`${repo}/`)).map((f) => f.ruleId).sort();

/** N repos named r000.. with the pinned policy. */
export const manyRepos = (n: number, files: Record<string, string> = { [POLICY_PATH]: PINNED }): FakeRepoSpec[] => Array.from({ length: n }, (_, i) => ({ name: `r${String(i).padStart(4, '0')}`, files }));

/** Writes repos as local clones `root/<owner>/<repo>` (working trees), for `audit --workspace`. */
export function writeClones(root: string, org: string, repos: readonly FakeRepoSpec[]): void {
  for (const spec of repos) {
    const dir = join(root, spec.owner ?? org, spec.name);
    mkdirSync(dir, { recursive: true });
    for (const [path, file] of Object.entries(spec.files ?? {})) {
      const target = join(dir, path);
      mkdirSync(dirname(target), { recursive: true });
      if (typeof file === 'object' && 'symlink' in file) symlinkSync(file.symlink, target);
      else if (typeof file === 'object' && 'submodule' in file) mkdirSync(target, { recursive: true });
      else writeFileSync(target, file);
    }
  }
}
