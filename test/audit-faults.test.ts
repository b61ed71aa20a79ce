// `sts-policy audit` when GitHub misbehaves, as it does: 5xx bursts, secondary and primary rate
// limits, GraphQL timeouts, requests that never answer, dropped connections, a repo deleted mid-run,
// a repo list that breaks off. Retries are counted, what was read is reported, and a partial result
// exits 3 with the unread repos "unknown" (never "no policy").
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGitHub, PINNED, POLICY_PATH, auditJson, byRepo, manyRepos, startFake, type Fault, type FakeRepoSpec, type RequestInfo } from './helpers/fake-github-audit.js';

type Obj = Record<string, unknown>;

const fakes: FakeGitHub[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});
async function fakeOrg(repos: FakeRepoSpec[], faults: Fault[] = []) {
  const f = await startFake(repos);
  for (const x of faults) f.inject(x);
  fakes.push(f);
  return f;
}

const isContent = (r: RequestInfo) => Boolean(r.graphql && !r.graphql.query.includes('organization('));
const isListing = (r: RequestInfo) => Boolean(r.graphql?.query.includes('organization('));
const statuses = (f: FakeGitHub) => f.requests.map((r) => (r.fault ? `${r.status}:${r.fault}` : String(r.status)));
/** Five repos, read in two content batches of three. */
const FIVE = manyRepos(5);
const SMALL_BATCHES = ['--org', 'acme', '--batch-size', '3', '--concurrency', '1'];

describe('audit: transient faults are retried and counted', () => {
  it('a burst of 502s and 503s', async () => {
    const fake = await fakeOrg(FIVE, [{ kind: 'status', status: 502, times: 2, when: isContent }, { kind: 'status', status: 503, times: 1, when: isListing }]);
    const j = await auditJson(fake, SMALL_BATCHES, 0);
    expect(j.complete).toBe(true);
    expect(j.summary.policy).toBe(5);
    expect(j.requests).toMatchObject({ total: 1 + 2 + 3, retries: 3 });
    expect(statuses(fake)).toEqual(['503:status', '200', '502:status', '502:status', '200', '200']);
    expect(j.stderr).toMatch(/GitHub answered 502/);
  });

  it('a secondary rate limit (403 with retry-after) is waited out', async () => {
    const fake = await fakeOrg(FIVE, [{ kind: 'secondary-limit', retryAfter: 3, times: 2, when: isContent }]);
    const j = await auditJson(fake, SMALL_BATCHES, 0);
    expect(j.summary.policy).toBe(5);
    expect(statuses(fake)).toEqual(['200', '403:secondary-limit', '403:secondary-limit', '200', '200']);
    expect(j.requests).toMatchObject({ total: 5, retries: 2 });
    // retry-after 3 s at 1 ms per unit (--retry-base-ms 1).
    expect(j.stderr).toMatch(/secondary rate limit: waiting 3 ms before retrying/);
  });

  it('a 429 that is not a secondary rate limit: its retry-after is honoured too', async () => {
    const fake = await fakeOrg(FIVE, [{ kind: 'status', status: 429, retryAfter: 4, times: 1, when: isContent }]);
    const j = await auditJson(fake, SMALL_BATCHES, 0);
    expect(j.summary.policy).toBe(5);
    expect(statuses(fake)).toEqual(['200', '429:status', '200', '200']);
    expect(j.requests).toMatchObject({ total: 4, retries: 1 });
    expect(j.stderr).toMatch(/GitHub answered 429 \(too many requests\): waiting 4 ms before retrying/);
  });

  it('the primary rate limit (REST-style 403 and GraphQL RATE_LIMITED) waits for the reset', async () => {
    const fake = await fakeOrg(FIVE, [
      { kind: 'primary-limit', resetIn: 2, when: isListing },
      { kind: 'graphql-rate-limited', resetIn: 2, when: isContent },
    ]);
    const j = await auditJson(fake, SMALL_BATCHES, 0);
    expect(j.summary.policy).toBe(5);
    expect(statuses(fake)).toEqual(['403:primary-limit', '200', '200:graphql-rate-limited', '200', '200']);
    expect(j.requests!.retries).toBe(2);
    expect(j.stderr).toMatch(/API rate limit is exhausted: waiting \d+ ms before retrying/);
  });

  it('GraphQL timeouts ("Something went wrong"), requests that never answer, and dropped connections', async () => {
    const fake = await fakeOrg(FIVE, [
      { kind: 'graphql-timeout', times: 1, when: isListing },
      { kind: 'hold', holdMs: 5_000, times: 1, when: isContent },
      { kind: 'reset', times: 1, after: 1, when: isContent },
    ]);
    const j = await auditJson(fake, [...SMALL_BATCHES, '--request-timeout', '1.5'], 0);
    expect(j.summary.policy).toBe(5);
    expect(j.complete).toBe(true);
    expect(statuses(fake)).toEqual(['200:graphql-timeout', '200', 'dropped:hold', '200', 'dropped:reset', '200']);
    expect(j.requests).toMatchObject({ total: 6, retries: 3 });
    expect(j.stderr).toMatch(/no answer \(network error or timeout\)/);
  });
});

describe('audit: faults that outlast the retries', () => {
  it('a query GitHub cannot finish is split, and the one heavy repo is read through REST', async () => {
    const heavy = (r: RequestInfo) => isContent(r) && Object.values(r.graphql!.variables).includes('heavy');
    const fake = await fakeOrg(
      ['alpha', 'beta', 'heavy', 'zulu'].map((name) => ({ name, files: { [POLICY_PATH]: PINNED } })),
      [{ kind: 'graphql-timeout', times: 1000, when: heavy }],
    );
    const j = await auditJson(fake, ['--org', 'acme', '--batch-size', '4', '--concurrency', '1', '--retries', '1'], 0);
    expect(j.complete).toBe(true);
    const r = byRepo(j);
    expect(Object.values(r).map((x) => [x.repo, x.status, x.via])).toEqual([
      ['acme/alpha', 'policy', 'graphql'],
      ['acme/beta', 'policy', 'graphql'],
      ['acme/heavy', 'policy', 'rest'],
      ['acme/zulu', 'policy', 'graphql'],
    ]);
    // listing; [alpha beta heavy zulu] x2; [alpha beta]; [heavy zulu] x2; [heavy] x2; REST x3; [zulu].
    expect(j.requests).toMatchObject({ total: 1 + 2 + 1 + 2 + 2 + 3 + 1, graphql: 9, rest: 3 });
  });

  it('a policy folder too large for GraphQL and for REST is unknown, never "no policy"', async () => {
    const fake = await fakeOrg([...manyRepos(2), { name: 'enormous', hugeTree: true, restTruncated: true, files: { [POLICY_PATH]: PINNED, '.atmos/pro/sts/other.yaml': PINNED } }]);
    const j = await auditJson(fake, ['--org', 'acme'], 3);
    expect(byRepo(j)['acme/enormous']).toMatchObject({ status: 'unknown', error: expect.stringMatching(/too many entries for GitHub to list/) });
    // listing + content; REST: contents of .atmos/pro, the tree recursive, then not recursive.
    expect(j.requests).toMatchObject({ total: 5, graphql: 2, rest: 3 });
  });

  it('a repo deleted after listing is unknown, the rest is reported, exit 3', async () => {
    const fake = await fakeOrg([...manyRepos(3), { name: 'doomed', vanishOnRead: true, files: { [POLICY_PATH]: PINNED } }]);
    const j = await auditJson(fake, ['--org', 'acme'], 3);
    const r = byRepo(j);
    expect(r['acme/doomed']).toMatchObject({ status: 'unknown', defaultBranch: 'main', error: expect.stringMatching(/deleted, renamed or made inaccessible during the audit/) });
    expect(j.repos.filter((x) => x.status === 'policy')).toHaveLength(3);
    expect(j.complete).toBe(false);
    expect(j.partial).toEqual(['1 repo could not be read']);
    expect(j.summary).toMatchObject({ unknown: 1, none: 0 });
  });

  it('GraphQL failing for good: after a few failed requests the rest is unknown, not "no policy"', async () => {
    const fake = await fakeOrg(manyRepos(30), [{ kind: 'status', status: 502, times: 10_000, when: isContent }]);
    const j = await auditJson(fake, ['--org', 'acme', '--batch-size', '10', '--concurrency', '1', '--retries', '1'], 3);
    expect(j.repos).toHaveLength(30);
    expect(j.repos.every((x) => x.status === 'unknown' || (x.status === 'policy' && x.via === 'rest'))).toBe(true);
    expect(j.repos.filter((x) => x.status === 'unknown').length).toBeGreaterThan(0);
    expect(j.repos.find((x) => x.status === 'unknown')!.error).toMatch(/502|given up/);
    // Bounded: a few batches and their halves, never a request storm.
    expect(j.requests!.total).toBeLessThan(60);
  });

  it('a repo list that breaks off: the repos listed are audited, the result is partial', async () => {
    const fake = await fakeOrg(manyRepos(150), [{ kind: 'status', status: 500, times: 10_000, after: 1, when: isListing }]);
    const j = await auditJson(fake, ['--org', 'acme', '--retries', '2'], 3);
    expect(j.listing).toMatchObject({ total: 150, listed: 100, unlisted: 50, error: expect.stringMatching(/100 of 150 repos listed, 50 unknown \(the list stopped/) });
    expect(j.repos).toHaveLength(100);
    expect(j.summary.policy).toBe(100);
    expect(j.partial[0]).toMatch(/list stopped/);
    expect(j.summary.unknown).toBe(50);
  });

  it('a rate-limit reset beyond --max-wait: no more requests, the unread repos are unknown', async () => {
    const fake = await fakeOrg(FIVE, [{ kind: 'primary-limit', resetIn: 3600, times: 10, when: isContent }]);
    const j = await auditJson(fake, [...SMALL_BATCHES, '--max-wait', '1'], 3);
    expect(j.repos.every((x) => x.status === 'unknown')).toBe(true);
    expect(j.repos[0]!.error).toMatch(/rate limit is exhausted until .*longer than the --max-wait/);
    // The listing, one rate-limited content request, then nothing more.
    expect(fake.count()).toBe(2);
    expect(j.stderr).toMatch(/not retrying/);
  });
});

describe('audit: answers that look complete but are not', () => {
  const listingPage = (r: RequestInfo) => isListing(r);
  const conn = (body: Obj) => ((body.data as Obj).organization as Obj).repositories as Obj;

  it('a listing page with a null repository node and a path-scoped error: unknown, partial, exit 3', async () => {
    const fake = await fakeOrg(FIVE, [
      {
        kind: 'tamper',
        when: listingPage,
        tamper: (body) => {
          const nodes = conn(body).nodes as unknown[];
          nodes[2] = null;
          return { ...body, errors: [{ type: 'FORBIDDEN', path: ['organization', 'repositories', 'nodes', 2], message: 'Resource protected by organization SAML enforcement.' }] };
        },
      },
    ]);
    const j = await auditJson(fake, ['--org', 'acme'], 3);
    expect(j.complete).toBe(false);
    expect(j.repos).toHaveLength(4);
    expect(j.listing).toMatchObject({ total: 5, listed: 4, unlisted: 1, error: expect.stringMatching(/1 empty \(null\) entry.*SAML/) });
    expect(j.summary).toMatchObject({ unknown: 1, none: 0, policy: 4 });
  });

  it('totalCount above the nodes returned with hasNextPage false: the missing repos are unknown, exit 3', async () => {
    const fake = await fakeOrg(FIVE, [{ kind: 'tamper', when: listingPage, tamper: (body) => ({ ...body, data: { organization: { ...((body.data as Obj).organization as Obj), repositories: { ...conn(body), totalCount: 7 } } } }) }]);
    const j = await auditJson(fake, ['--org', 'acme'], 3);
    expect(j.listing).toMatchObject({ total: 7, listed: 5, unlisted: 2, error: expect.stringMatching(/GitHub counts 7 repos but returned 5/) });
    expect(j.summary).toMatchObject({ unknown: 2, policy: 5 });
  });

  it('a content answer with `object: null` and a path-less SERVICE_UNAVAILABLE error is unknown, never "without a policy"', async () => {
    const fake = await fakeOrg(FIVE, [
      {
        kind: 'tamper',
        when: isContent,
        tamper: (body) => {
          const data = body.data as Record<string, Obj>;
          for (const node of Object.values(data)) node.object = null;
          return { ...body, errors: [{ type: 'SERVICE_UNAVAILABLE', message: 'Git storage is temporarily unavailable.' }] };
        },
      },
    ]);
    const j = await auditJson(fake, SMALL_BATCHES, 3);
    const r = byRepo(j);
    expect(Object.values(r).map((x) => x.status)).toEqual(['unknown', 'unknown', 'unknown', 'policy', 'policy']);
    expect(r['acme/r0000']).toMatchObject({ status: 'unknown', error: expect.stringContaining('Git storage is temporarily unavailable') });
    expect(j.summary).toMatchObject({ none: 0, unknown: 3 });
  });
});

