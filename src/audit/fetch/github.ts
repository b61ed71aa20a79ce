// Reads source repos from GitHub: the org's repo list (100 per GraphQL page), then the policy
// folder of many repos per GraphQL request (aliases), skipping repos whose default-branch commit
// the cache already holds. A batch GitHub cannot answer is split; a repo whose folder GraphQL
// cannot return (a tree too large) is read through REST; what still fails is "unknown". An answer
// that may be incomplete (a null node, a GraphQL error, fewer repos than `totalCount`) is never
// read as "no policy": its repos are unknown.
import { MAX_POLICY_BYTES, type ReadResult } from '../../load/read.js';
import { ApiError, type GitHubClient, type GraphqlError, type GraphqlResult } from '../../github/client.js';
import { isPolicyCandidate } from '../analyze/analyze.js';
import type { PolicyDirEntry, RepoSnapshot } from '../model.js';
import { readBlobs, restPolicyDir, restRepoHead, type PendingBlob } from './rest.js';
import { errorMessage, headSnapshot, notAFolder, tooLarge } from './snapshot.js';
import { LIST_QUERY, PAGE_SIZE, SYMLINK_MODE, aliasVariables, contentQuery, headsQuery, type EntryNode, type ListAnswer, type RepoContentNode, type RepoHeadNode } from './queries.js';
import type { SnapshotCache } from './cache.js';
import type { Progress } from '../../report/audit/progress.js';

export interface GitHubSourceOptions {
  client: GitHubClient;
  /** List every repo of this organization (unless `repos` is given). */
  org?: string;
  /** `OWNER/REPO` to read instead of listing. */
  repos?: readonly string[];
  cache?: SnapshotCache;
  /** Repos per content query. */
  batchSize: number;
  /** Content queries in flight at once. */
  concurrency: number;
  progress: Progress;
}

export interface GitHubFetch {
  snapshots: RepoSnapshot[];
  /** The org listing, when one was made; `error` when it stopped early (the result is partial). */
  listing?: { org: string; total: number; listed: number; /** Repos GitHub counts but did not list: unknown. */ unlisted?: number; error?: string };
  cacheHits: number;
}

/** A failure that makes the whole audit meaningless (bad token, no such org): a usage error. */
export class AuditFatal extends Error {
  override name = 'AuditFatal';
}

/** Consecutive failed requests after which the remaining repos are given up as unknown. */
const BREAKER = 6;

export async function fetchFromGitHub(opts: GitHubSourceOptions): Promise<GitHubFetch> {
  return new Fetcher(opts).run();
}

class Fetcher {
  private readonly out = new Map<string, RepoSnapshot>();
  /** Listed heads by lower-cased name: an unreadable repo still shows its branch and flags. */
  private readonly heads = new Map<string, RepoHeadNode>();
  private cacheHits = 0;
  private consecutiveFailures = 0;

  constructor(private readonly o: GitHubSourceOptions) {}

  async run(): Promise<GitHubFetch> {
    const { progress } = this.o;
    let listing: GitHubFetch['listing'];
    let heads: RepoHeadNode[] | undefined;
    let names: string[];
    if (this.o.repos?.length) {
      names = [...new Set(this.o.repos)];
      // Without a cache every repo's content is read anyway: the heads come with it.
      if (this.o.cache) heads = await this.readHeads(names);
    } else {
      const l = await this.listOrg(this.o.org!);
      listing = { org: l.login, total: l.total, listed: l.heads.length, ...(l.unlisted ? { unlisted: l.unlisted } : {}), ...(l.error ? { error: l.error } : {}) };
      heads = l.heads;
      names = heads.map((h) => h.nameWithOwner);
    }
    progress.phase('reading policy folders', names.length);
    const toRead: string[] = [];
    if (heads) {
      for (const h of heads) this.heads.set(h.nameWithOwner.toLowerCase(), h);
      for (const h of heads) {
        const settled = this.settle(h);
        if (settled) this.done(settled);
        else toRead.push(h.nameWithOwner);
      }
      for (const n of names) if (!heads.some((h) => h.nameWithOwner.toLowerCase() === n.toLowerCase()) && !this.out.has(n)) toRead.push(n);
    } else toRead.push(...names);
    const batches: string[][] = [];
    for (let i = 0; i < toRead.length; i += this.o.batchSize) batches.push(toRead.slice(i, i + this.o.batchSize));
    await pool(batches, this.o.concurrency, (b) => this.readBatch(b));
    const snapshots = [...this.out.values()].sort((a, b) => (a.repo.toLowerCase() < b.repo.toLowerCase() ? -1 : a.repo.toLowerCase() > b.repo.toLowerCase() ? 1 : 0));
    return { snapshots, listing, cacheHits: this.cacheHits };
  }

  private done(s: RepoSnapshot): void {
    this.out.set(s.repo, s);
    // Only folders read at a commit: flags (disabled, archived) come fresh from GitHub each run.
    if (!s.error && s.dir && s.via !== 'cache' && s.commit) this.o.cache?.put(s);
    this.o.progress.advance(1);
  }

  private unknown(repo: string, error: string, head = this.heads.get(repo.toLowerCase())): void {
    const s = head ? headSnapshot(head, 'graphql') : { repo, archived: false, empty: false, disabled: false, defaultBranch: null, commit: null, via: 'graphql' as const, pathPrefix: `${repo}/`, notes: [] };
    this.done({ ...s, error });
  }

  // ---- listing and heads ----

  /**
   * The org's repos, checked for integrity: a null node, any GraphQL error, or fewer repos than
   * `totalCount` leaves repos unlisted; they are counted as unknown and the result is partial.
   */
  private async listOrg(org: string): Promise<{ login: string; heads: RepoHeadNode[]; total: number; unlisted?: number; error?: string }> {
    const heads: RepoHeadNode[] = [];
    const errors: string[] = [];
    let cursor: string | null = null;
    let total = 0;
    let login = org;
    const incomplete = (why: string) => {
      const unlisted = Math.max(total - heads.length, 0);
      return { login, heads, total, unlisted, error: `the repository list is incomplete: ${heads.length} of ${total || '?'} repos listed${unlisted ? `, ${unlisted} unknown` : ''} (${why})` };
    };
    this.o.progress.phase('listing repositories');
    for (;;) {
      let res: GraphqlResult<ListAnswer>;
      try {
        res = await this.o.client.graphql<ListAnswer>(LIST_QUERY, { org, first: PAGE_SIZE, cursor });
      } catch (e) {
        if (e instanceof ApiError && e.kind === 'auth') throw new AuditFatal(e.message);
        return incomplete(`the list stopped: ${errorMessage(e)}`);
      }
      const conn = res.data?.organization?.repositories;
      if (!conn) {
        if (!heads.length && res.errors.some((x) => x.type === 'NOT_FOUND')) throw new AuditFatal(`organization ${JSON.stringify(org)} not found, or not visible to this token (for a user's repos, pass --repo OWNER/REPO)`);
        return incomplete(`the list stopped: ${res.errors.map((x) => x.message).join('; ') || 'no data'}`);
      }
      login = res.data!.organization!.login;
      total = conn.totalCount;
      const nodes = conn.nodes ?? [];
      for (const n of nodes) if (n) heads.push(n);
      const nulls = nodes.filter((n) => !n).length;
      if (nulls) errors.push(`${nulls} empty (null) ${nulls === 1 ? 'entry' : 'entries'} in a page`);
      errors.push(...res.errors.map((x) => `GitHub error${x.path?.length ? ` at ${x.path.join('.')}` : ''}: ${x.message}`));
      this.o.progress.note(`listed ${heads.length} of ${total} repositories`, true);
      if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) {
        if (heads.length < total) errors.push(`GitHub counts ${total} repos but returned ${heads.length}`);
        return errors.length ? incomplete(errors.join('; ')) : { login, heads, total };
      }
      cursor = conn.pageInfo.endCursor;
    }
  }

  /** Heads of explicitly named repos (100 per request); unreadable ones are settled as unknown. */
  private async readHeads(names: string[]): Promise<RepoHeadNode[]> {
    const heads: RepoHeadNode[] = [];
    this.o.progress.phase('checking default branches');
    for (let i = 0; i < names.length; i += PAGE_SIZE) {
      const chunk = names.slice(i, i + PAGE_SIZE);
      try {
        const res = await this.o.client.graphql<Record<string, RepoHeadNode | null>>(headsQuery(chunk.length), aliasVariables(chunk));
        chunk.forEach((n, k) => {
          const node = res.data?.[`r${k}`];
          if (node) heads.push(node);
          else this.unknown(n, aliasError(res.errors, `r${k}`, false));
        });
      } catch (e) {
        if (e instanceof ApiError && e.kind === 'auth') throw new AuditFatal(e.message);
        // Heads are an optimisation: the content query reads them again.
      }
    }
    return heads;
  }

  /** A repo that needs no content request: disabled, empty, no default branch, or cached. */
  private settle(h: RepoHeadNode, useCache = true): RepoSnapshot | undefined {
    const s = headSnapshot(h, 'graphql');
    if (h.isDisabled) return { ...s, notes: [...s.notes, 'disabled by GitHub: its contents cannot be read, by sts-policy or by STS'] };
    if (h.isEmpty) return { ...s, dir: { kind: 'absent' }, notes: [...s.notes, 'empty repository: nothing is committed, so there is no policy'] };
    if (!h.defaultBranchRef?.target) return { ...s, dir: { kind: 'absent' }, notes: [...s.notes, 'no default branch, so STS finds no policy'] };
    const cached = useCache ? this.o.cache?.get(s.repo, s.commit!) : undefined;
    if (cached) {
      this.cacheHits++;
      // Archiving changes no commit: flags come from GitHub, the folder from the cache.
      return { ...cached, archived: s.archived, disabled: s.disabled, empty: s.empty, defaultBranch: s.defaultBranch, notes: s.notes, via: 'cache' };
    }
    return undefined;
  }

  // ---- content ----

  private async readBatch(repos: string[]): Promise<void> {
    if (this.o.client.exhausted || this.consecutiveFailures >= BREAKER) {
      const why = this.o.client.exhausted ?? `given up after ${BREAKER} consecutive failed requests to GitHub`;
      for (const r of repos) this.unknown(r, why);
      return;
    }
    let res;
    try {
      res = await this.o.client.graphql<Record<string, RepoContentNode | null>>(contentQuery(repos.length), aliasVariables(repos));
      this.consecutiveFailures = 0;
    } catch (e) {
      this.consecutiveFailures++;
      if (e instanceof ApiError && e.kind === 'auth') throw new AuditFatal(e.message);
      if (e instanceof ApiError && e.kind === 'server') {
        // A query GitHub cannot finish (often one heavy repo): halve it, then REST for a single repo.
        if (repos.length > 1) {
          const mid = Math.ceil(repos.length / 2);
          await this.readBatch(repos.slice(0, mid));
          await this.readBatch(repos.slice(mid));
          return;
        }
        return this.viaRest(repos[0]!, this.heads.get(repos[0]!.toLowerCase()), errorMessage(e));
      }
      for (const r of repos) this.unknown(r, errorMessage(e));
      return;
    }
    const global = res.errors.filter((x) => !x.path?.length);
    // No data at all (a query GitHub refused as too costly, say): split it like a failed one.
    if (!res.data && repos.length > 1) {
      this.consecutiveFailures++;
      const mid = Math.ceil(repos.length / 2);
      await this.readBatch(repos.slice(0, mid));
      await this.readBatch(repos.slice(mid));
      return;
    }
    // An error without a path may have nulled any field (a folder's `object` among them): nothing in
    // this answer can be told from "no policy", so every repo of the batch is unknown.
    if (global.length) {
      for (const r of repos) this.unknown(r, `GitHub answered with an error: ${global.map((x) => x.message).join('; ')}`);
      return;
    }
    const listed = !this.o.repos?.length;
    for (let i = 0; i < repos.length; i++) {
      const alias = `r${i}`;
      const node = res.data?.[alias];
      const errors = res.errors.filter((x) => x.path?.[0] === alias);
      if (!node) {
        this.unknown(repos[i]!, errors.length ? aliasError(errors, alias, listed) : 'GitHub returned no data for this repository');
        continue;
      }
      const settled = this.settle(node, false);
      if (settled) {
        this.done(settled);
        continue;
      }
      // An error inside the repo (its tree): GraphQL could not return the folder; REST can.
      if (errors.length) {
        await this.viaRest(node.nameWithOwner, node, errors.map((x) => x.message).join('; '));
        continue;
      }
      await this.fromGraphql(node);
    }
  }

  private async fromGraphql(node: RepoContentNode): Promise<void> {
    const s = headSnapshot(node, 'graphql');
    const obj = node.object;
    if (!obj) return this.done({ ...s, dir: { kind: 'absent' } });
    if (obj.__typename !== 'Tree') return this.done({ ...s, dir: notAFolder(obj.__typename === 'Commit' ? 'a git submodule' : 'a file or a symbolic link') });
    const entries: PolicyDirEntry[] = [];
    const pending: PendingBlob[] = [];
    for (const e of obj.entries ?? []) {
      const entry = entryFromNode(e);
      entries.push(entry);
      if (entry.type === 'file' && isPolicyCandidate(e.name)) {
        const read = readFromBlob(e);
        if (read) entry.read = read;
        else pending.push({ entry, oid: e.oid });
      }
    }
    try {
      await readBlobs(this.o.client, s.repo, pending);
    } catch (e) {
      return this.done({ ...s, error: `could not read a policy file through REST: ${errorMessage(e)}` });
    }
    this.done({ ...s, dir: { kind: 'entries', entries } });
  }

  /** Reads one repo's policy folder through REST; what still fails makes the repo unknown. */
  private async viaRest(repo: string, head: RepoHeadNode | undefined, why: string): Promise<void> {
    try {
      head ??= await restRepoHead(this.o.client, repo);
      if (head.isDisabled) return this.done(this.settle(head)!);
      const s: RepoSnapshot = { ...headSnapshot(head, 'rest'), notes: [`read through REST: GraphQL could not return its policy folder (${why})`] };
      const ref = s.commit ?? s.defaultBranch;
      if (!ref) return this.done({ ...s, dir: { kind: 'absent' }, notes: [...s.notes, 'no default branch, so STS finds no policy'] });
      const dir = await restPolicyDir(this.o.client, s.repo, ref);
      this.done('error' in dir ? { ...s, error: dir.error } : { ...s, dir });
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'auth') throw new AuditFatal(e.message);
      const gone = e instanceof ApiError && e.kind === 'not-found' ? 'not found: the repository was deleted, renamed or made inaccessible during the audit' : errorMessage(e);
      this.unknown(head?.nameWithOwner ?? repo, `GraphQL could not read it (${why}); REST: ${gone}`, head);
    }
  }
}

function entryFromNode(e: EntryNode): PolicyDirEntry {
  if (e.type === 'tree') return { name: e.name, type: 'dir', children: (e.object?.entries ?? []).filter((c) => c.type === 'blob').map((c) => c.name) };
  if (e.type === 'commit') return { name: e.name, type: 'submodule' };
  if (e.mode === SYMLINK_MODE) return { name: e.name, type: 'symlink' };
  return { name: e.name, type: 'file', ...(e.object?.byteSize !== undefined ? { size: e.object.byteSize } : {}) };
}

/** The read of a policy file from GraphQL's Blob, or undefined when only its bytes can tell. */
function readFromBlob(e: EntryNode): ReadResult | undefined {
  const b = e.object;
  if (!b || b.byteSize === undefined) return undefined;
  if (b.byteSize > MAX_POLICY_BYTES) return tooLarge(b.byteSize);
  if (b.isBinary) return { ok: false, ruleId: 'file/not-utf8', message: 'GitHub reports the file as binary, not UTF-8 text: it is not parsed, and sts-policy predicts `trust_policy_invalid`' };
  const text = b.text;
  // GitHub decodes leniently (a bad byte becomes U+FFFD) and truncates long texts: then read bytes.
  if (typeof text !== 'string' || b.isTruncated || text.includes('\uFFFD') || Buffer.byteLength(text, 'utf8') !== b.byteSize) return undefined;
  return { ok: true, text };
}

function aliasError(errors: readonly GraphqlError[], alias: string, listed: boolean): string {
  const mine = errors.filter((x) => x.path?.[0] === alias);
  if (mine.some((x) => x.type === 'NOT_FOUND'))
    return listed ? 'not found: the repository was deleted, renamed or made inaccessible during the audit (or is not visible to this token)' : 'not found, or not visible to this token';
  if (mine.some((x) => x.type === 'FORBIDDEN')) return `forbidden: ${mine.map((x) => x.message).join('; ')}`;
  return mine.map((x) => x.message).join('; ') || 'GitHub returned no data for this repository';
}

/** Runs `fn` over `items`, at most `n` at a time. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}
