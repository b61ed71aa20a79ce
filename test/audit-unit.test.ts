// The audit's parts in-process: the access map's summaries and cross-owner decision, the snapshot
// cache, progress on a terminal and in a log, and the GitHub client against the fake server.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RepoAnalyzer } from '../src/audit/analyze/analyze.js';
import { AccessMapper, sortGrants } from '../src/audit/analyze/access.js';
import { SnapshotCache } from '../src/audit/fetch/cache.js';
import { createProgress } from '../src/report/audit/progress.js';
import { ApiError, createGitHubClient } from '../src/github/client.js';
import { predictForCaller } from '../src/audit/analyze/predict.js';
import { endpoints } from '../src/audit/fetch/github-url.js';
import type { RepoSnapshot } from '../src/audit/model.js';
import { PINNED, policy, startFake } from './helpers/fake-github-audit.js';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function snapshot(repo: string, files: Record<string, string>): RepoSnapshot {
  return {
    repo,
    archived: false,
    empty: false,
    disabled: false,
    defaultBranch: 'main',
    commit: 'a'.repeat(40),
    via: 'graphql',
    pathPrefix: `${repo}/`,
    notes: [],
    dir: { kind: 'entries', entries: Object.entries(files).map(([name, text]) => ({ name, type: 'file' as const, read: { ok: true as const, text } })) },
  };
}

const rules = (body: string) => policy('default', body);

describe('access map', () => {
  const analyzer = new RepoAnalyzer({ config: {} });
  const grantsOf = (body: string, trusted?: string[]) => new AccessMapper(trusted).grants(analyzer.audit(snapshot('acme/modules', { 'default.yaml': rules(body) })));

  it('reads owners, repos, refs and environments from the matchers', () => {
    expect(grantsOf('    - match:\n        subject: "repo:acme/app:environment:prod%3Aeu"\n')[0]!.callers).toEqual({ owners: ['acme'], repos: ['acme/app'], refs: ['*'], environments: ['prod:eu'], other: [] });
    expect(grantsOf('    - match:\n        subject: "repo:acme/app:pull_request"\n')[0]!.callers.refs).toEqual(['pull requests (refs/pull/N/merge)']);
    expect(grantsOf('    - match:\n        repository_owner: "acme"\n        ref: "refs/tags/v*"\n        actor: "octocat"\n')[0]!.callers).toEqual({ owners: ['acme'], repos: ['acme/*'], refs: ['refs/tags/v*'], environments: ['*'], other: ['actor: octocat'] });
    expect(grantsOf('    - match:\n        repository: { regex: "acme/(app|lib)" }\n')[0]!.callers).toMatchObject({ owners: ['acme'], repos: ['/acme/(app|lib)/'] });
    expect(grantsOf('    - match:\n        environment: "production"\n')[0]!.callers).toMatchObject({ owners: ['*'], repos: ['*'], environments: ['production'] });
  });

  it('decides cross-owner exactly, against the source owner or the trusted owners', () => {
    expect(grantsOf('    - match:\n        repository: "acme/app"\n')[0]).toMatchObject({ crossOwner: false, write: false });
    expect(grantsOf('    - match:\n        subject: "repo:acme*"\n')[0]).toMatchObject({ crossOwner: true, foreignOwner: 'acme-evil' });
    expect(grantsOf('    - match:\n        environment: "production"\n')[0]).toMatchObject({ crossOwner: true, foreignOwner: '*' });
    expect(grantsOf('    - match:\n        repository: "partner/app"\n')[0]).toMatchObject({ crossOwner: true, foreignOwner: 'partner' });
    expect(grantsOf('    - match:\n        repository: "partner/app"\n', ['acme', 'partner'])[0]).toMatchObject({ crossOwner: false });
    expect(grantsOf('    - match:\n        repository: "acme/app"\n      permissions:\n        issues: admin\n')[0]).toMatchObject({ write: true, permissions: { metadata: 'read', issues: 'admin' } });
  });

  it('leaves out a rule no token GitHub can issue satisfies: it grants nobody anything', () => {
    const grants = grantsOf('    - match:\n        ref: main\n      permissions:\n        contents: write\n    - match:\n        repository: "acme/app"\n        environment: production\n        subject: "repo:acme/app:ref:*"\n    - match:\n        repository: "acme/app"\n');
    expect(grants.map((g) => g.rule)).toEqual([3]);
  });

  it('judges that with the subject template lint uses: every job has an environment under `[repo, context, environment]`', () => {
    const template = ['repo', 'context', 'environment'];
    const body = '    - match:\n        subject: "repo:acme/*:ref:*"\n        environment: production\n    - match:\n        subject: "repo:acme/*:ref:*"\n        environment: ref\n    - match:\n        repository: "acme/app"\n';
    const audit = analyzer.audit(snapshot('acme/modules', { 'default.yaml': rules(body) }));
    // The subject is repo:OWNER/REPO:environment:ENV:environment:ENV, holding `:ref:` only for the environment `ref`.
    expect(new AccessMapper(undefined, template).grants(audit).map((g) => g.rule)).toEqual([2, 3]);
    // With GitHub's default template an environment job's subject is repo:OWNER/REPO:environment:ENV: never `:ref:`.
    expect(new AccessMapper().grants(audit).map((g) => g.rule)).toEqual([3]);
  });

  it('sorts cross-owner grants first, then write grants', () => {
    const mk = (repo: string, crossOwner: boolean, write: boolean) => ({ repo, policy: 'default', path: '', rule: 1, line: 1, callers: { owners: [], repos: [], refs: [], environments: [], other: [] }, permissions: {}, crossOwner, write });
    expect(sortGrants([mk('a', false, false), mk('b', false, true), mk('c', true, false), mk('d', true, true)]).map((g) => g.repo)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('analyses one text once for many repos', () => {
    const a = analyzer.audit(snapshot('acme/one', { 'default.yaml': PINNED }));
    const b = analyzer.audit(snapshot('acme/two', { 'default.yaml': PINNED }));
    expect(a.policies[0]!.validated!.policy).toBe(b.policies[0]!.validated!.policy);
    expect(b.policies[0]!.path).toBe('acme/two/.atmos/pro/sts/default.yaml');
    const p = predictForCaller([a, b], { sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', repository_owner: 'acme', ref: 'refs/heads/main' }, 'default', []);
    expect(p.wire.tokens).toEqual([{ host: 'github.com', owner: 'acme', repositories: ['acme/one', 'acme/two'], permissions: { contents: 'read', metadata: 'read' } }]);
  });
});

describe('GitHub endpoints', () => {
  it('maps github.com and Enterprise Server API URLs to their web addresses', () => {
    expect(endpoints(undefined)).toEqual({ apiUrl: 'https://api.github.com', webUrl: 'https://github.com', host: 'github.com' });
    expect(endpoints('https://ghe.example.com/api/v3/')).toEqual({ apiUrl: 'https://ghe.example.com/api/v3', webUrl: 'https://ghe.example.com', host: 'ghe.example.com' });
    expect(() => endpoints('ghe.example.com')).toThrow(/not a URL/);
    expect(() => endpoints('ftp://ghe.example.com')).toThrow(/http/);
  });
});

describe('snapshot cache', () => {
  it('returns a snapshot for the same commit only, survives a restart, and is private', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sts-audit-cache-'));
    temps.push(dir);
    const c = new SnapshotCache(dir, 'github.com');
    const s = snapshot('Acme/App', { 'default.yaml': PINNED });
    c.put(s);
    c.put({ ...snapshot('acme/err', {}), error: 'boom' });
    c.save();
    const again = new SnapshotCache(dir, 'github.com');
    expect(again.problem).toBeUndefined();
    expect(again.get('acme/app', 'a'.repeat(40))).toMatchObject({ repo: 'Acme/App', via: 'cache' });
    expect(again.get('acme/app', 'b'.repeat(40))).toBeUndefined();
    expect(again.get('acme/err', 'a'.repeat(40))).toBeUndefined();
    const file = join(dir, 'audit-github.com.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, '{not json');
    expect(new SnapshotCache(dir, 'github.com').problem).toMatch(/unreadable/);
    expect(readFileSync(file, 'utf8')).toBe('{not json');
  });
});

describe('progress', () => {
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, s: { isTTY, columns: 100, write: (x: string) => out.push(x) } };
  };

  it('redraws one bar on a terminal, throttled, with notes as lines above it', () => {
    const { out, s } = stream(true);
    let now = 0;
    const p = createProgress(s, () => 7, () => now);
    p.phase('reading policy folders', 100);
    p.advance(10);
    now = 1000;
    p.advance(40);
    p.note('GitHub answered 502');
    p.done();
    expect(out[0]).toBe('\r\u001b[2Kreading policy folders [..............................] 0/100 · 7 requests');
    expect(out).toHaveLength(6);
    expect(out[1]).toBe('\r\u001b[2Kreading policy folders [###############...............] 50/100 · 7 requests');
    expect(out.slice(2)).toEqual(['\r\u001b[2K', 'sts-policy audit: GitHub answered 502\n', expect.stringContaining('50/100'), '\r\u001b[2K']);
  });

  it('writes plain lines elsewhere: one per tenth of the way', () => {
    const { out, s } = stream(false);
    const p = createProgress(s, () => 3);
    p.phase('reading policy folders', 200);
    for (let i = 0; i < 200; i++) p.advance(1);
    p.note('listed 100 of 200 repositories', true);
    expect(out).toHaveLength(11);
    expect(out[0]).toBe('sts-policy audit: reading policy folders (200 repos)\n');
    expect(out[10]).toBe('sts-policy audit: reading policy folders: 200/200 repos, 3 API requests\n');
  });
});

describe('GitHub client', () => {
  it('counts every request, keeps partial GraphQL data, and names failures', async () => {
    const fake = await startFake([{ name: 'app', files: {} }]);
    try {
      fake.inject({ kind: 'status', status: 502, times: 1 });
      const client = await createGitHubClient({ apiUrl: fake.url, token: fake.token, retries: 2, retryBaseMs: 1, timeoutMs: 5000, maxWaitMs: 1000 });
      const res = await client.graphql<Record<string, { nameWithOwner: string } | null>>('query { a: repository(owner: "acme", name: "app") { nameWithOwner } b: repository(owner: "acme", name: "nope") { nameWithOwner } }', {});
      expect(res.data).toEqual({ a: { nameWithOwner: 'acme/app' }, b: null });
      expect(res.errors).toEqual([expect.objectContaining({ type: 'NOT_FOUND', path: ['b'] })]);
      expect(client.stats).toEqual({ requests: 2, graphql: 2, rest: 0, calls: 1 });
      await expect(client.rest('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner: 'acme', repo: 'app', file_sha: 'f'.repeat(40) })).rejects.toMatchObject({ kind: 'not-found', status: 404 });
      const bad = await createGitHubClient({ apiUrl: fake.url, token: 'nope', retries: 2, retryBaseMs: 1, timeoutMs: 5000, maxWaitMs: 1000 });
      const err = await bad.graphql('query { rateLimit { remaining } }', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ kind: 'auth' });
      expect(bad.stats.requests).toBe(1);
    } finally {
      await fake.close();
    }
  });
});
