// The one GitHub client (src/github/client.ts) under pr-check and audit: one user agent with the
// version, one ApiError with kinds, the token redacted from every error. A local HTTP server stands in for GitHub.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createGitHubClient } from '../src/github/client.js';
import { createGithubApi } from '../src/pr-check/github-api.js';
import { VERSION } from '../src/version.js';

const TOKEN = 'ghs_0123456789abcdefSECRET';
const agents: string[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    agents.push(String(req.headers['user-agent']));
    const [status, message] = req.url!.includes('/reviews') ? [500, 'Server Error'] : [422, `Validation Failed: ${TOKEN} is not a valid ref`];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const quiet = { debug: () => {}, warn: () => {} };

describe('one GitHub client', () => {
  it('audit and pr-check send one user agent naming the version', async () => {
    agents.length = 0;
    const client = await createGitHubClient({ apiUrl: url, token: TOKEN, retries: 0, retryBaseMs: 1, maxWaitMs: 1000 });
    await client.rest('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'app' }).catch(() => undefined);
    const api = await createGithubApi({ baseUrl: url, token: TOKEN, owner: 'acme', repo: 'app', pullNumber: 7, log: quiet, retryBaseMs: 1 });
    await api.listReviews().catch(() => undefined);
    expect(agents.length).toBeGreaterThanOrEqual(2);
    for (const agent of agents) expect(agent.startsWith(`sts-policy/${VERSION} `)).toBe(true);
  });

  it('an error that echoes the token never carries it', async () => {
    const client = await createGitHubClient({ apiUrl: url, token: TOKEN, retries: 0, retryBaseMs: 1, maxWaitMs: 1000 });
    const err = await client.rest('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'app' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'other', status: 422 });
    expect((err as ApiError).message).toContain('Validation Failed: *** is not a valid ref');
    expect(JSON.stringify([(err as ApiError).message, (err as ApiError).detail])).not.toContain(TOKEN);
  });

  it("pr-check's failures are the same ApiError, with a kind and its own wording", async () => {
    const api = await createGithubApi({ baseUrl: url, token: TOKEN, owner: 'acme', repo: 'app', pullNumber: 7, log: quiet, retryBaseMs: 1 });
    const err = await api.listReviews().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ kind: 'server', status: 500, message: 'GitHub API: listing the reviews of pull request #7 failed (HTTP 500): Server Error' });
  });
});
