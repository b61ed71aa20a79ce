// `sts-policy pr-check` end to end: real git repositories (base and head commits, CODEOWNERS variants)
// checked through the built CLI, talking to a fake GitHub API on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, spawnAsync } from './helpers/cli.js';
import { startFakeGithub, type FakeGithub, type FakeGithubOptions, type FakeReview } from './helpers/fake-github.js';
import { latestReviews } from '../src/pr-check/approvals.js';
import type { Finding } from '../src/model.js';
import { tempDirs } from './helpers/temp.js';

const TOKEN = 'ghs_S3cretT0kenValue_do_not_print_1234567890';
const OWNER = 'acme';
const REPO = 'platform';
const PR = 7;

const servers: FakeGithub[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
const temp = tempDirs('sts-policy-pr-check-');

const policy = (name: string, match: Record<string, string>, permissions?: Record<string, string>) =>
  [
    '# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json',
    'apiVersion: atmos-pro.com/v1alpha1',
    'kind: TrustPolicy',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  rules:',
    '    - match:',
    ...Object.entries(match).map(([k, v]) => `        ${k}: ${JSON.stringify(v)}`),
    ...(permissions ? ['      permissions:', ...Object.entries(permissions).map(([k, v]) => `        ${k}: ${v}`)] : []),
    '',
  ].join('\n');

const BASE_POLICY = policy('default', { repository: 'acme/infra', ref: 'refs/heads/main' });
const WIDER = policy('default', { repository: 'acme/infra' });
const NARROWER = policy('default', { repository: 'acme/infra', ref: 'refs/heads/main', environment: 'production' });
const INVALID = policy('default', { repositoryowner: 'acme' });
const DEFAULT = '.atmos/pro/sts/default.yaml';

type Files = Record<string, string | null>;

interface Repo {
  dir: string;
  base: string;
  head: string;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();
}

function apply(dir: string, files: Files): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    if (content === null) unlinkSync(file);
    else {
      mkdirSync(dirname(file), { recursive: true });
      if (content.startsWith('symlink:')) symlinkSync(content.slice('symlink:'.length), file);
      else writeFileSync(file, content);
    }
  }
}

/** A repository with a base commit on main and a head commit on a feature branch. */
function makeRepo(base: Files, head: Files, opts: { renames?: [string, string][] } = {}): Repo {
  const dir = join(temp(), 'repo');
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  apply(dir, base);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base', '--allow-empty');
  git(dir, 'checkout', '-qb', 'feature');
  for (const [from, to] of opts.renames ?? []) git(dir, 'mv', from, to);
  apply(dir, head);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'head', '--allow-empty');
  return { dir, base: git(dir, 'rev-parse', 'main'), head: git(dir, 'rev-parse', 'feature') };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
}

/** Runs the built CLI without blocking this process's event loop (the fake API lives here). */
function runAsync(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<Omit<Run, 'summary'>> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|RUNNER_|ACTIONS_|STS_POLICY_)/.test(k)));
  return spawnAsync(process.execPath, [CLI, ...args], { cwd, env: { ...clean, NO_COLOR: '1', FORCE_COLOR: undefined, ...env } });
}

interface Online {
  repo: Repo;
  author?: string;
  github?: Omit<FakeGithubOptions, 'token' | 'owner' | 'repo' | 'pullNumber'>;
  args?: string[];
  env?: Record<string, string>;
  server?: FakeGithub;
}

/** pr-check as a pull_request job runs it; asserts the token never appears anywhere it writes. */
async function prCheck(o: Online): Promise<Run & { github: FakeGithub }> {
  const github = o.server ?? (await startFakeGithub({ token: TOKEN, owner: OWNER, repo: REPO, pullNumber: PR, ...o.github }));
  if (!o.server) servers.push(github);
  const dir = temp();
  const event = join(dir, 'event.json');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(event, JSON.stringify({ action: 'synchronize', pull_request: { number: PR, base: { sha: o.repo.base }, head: { sha: o.repo.head }, user: { login: o.author ?? 'pat' } } }));
  const r = await runAsync(['pr-check', ...(o.args ?? [])], o.repo.dir, {
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: TOKEN,
    GITHUB_STEP_SUMMARY: summaryFile,
    STS_POLICY_RETRY_BASE_MS: '1',
    ...o.env,
  });
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '';
  for (const [where, out] of [['stdout', r.stdout], ['stderr', r.stderr], ['summary', summary], ...github.comments.map((c) => ['comment', c.body])] as const) expect(out, `token in ${where}`).not.toContain(TOKEN);
  return { ...r, summary, github };
}

async function offlineCheck(repo: Repo, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const dir = temp();
  const summaryFile = join(dir, 'summary.md');
  const r = await runAsync(['pr-check', '--base', repo.base, '--head', repo.head, ...args], repo.dir, { GITHUB_STEP_SUMMARY: summaryFile, ...env });
  return { ...r, summary: existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '' };
}

const approve = (user: string, commit_id: string): FakeReview => ({ user, state: 'APPROVED', commit_id });
const json = (r: Run) => JSON.parse(r.stdout) as { result: string; policies: { path: string; approval: string; approvedBy: string[]; ignoredApprovals: { login: string; reason: string }[]; verdict: string; change: string; renamedFrom?: string }[]; failures: { path: string; reason: string }[]; codeowners: { path: string | null; errors: unknown[]; edits: unknown[]; ownershipChanges: unknown[] } };
const reviewCalls = (g: FakeGithub) => g.requests.filter((q) => q.path.endsWith(`/pulls/${PR}/reviews`));

const ownedBy = (owner: string) => ({ '.github/CODEOWNERS': `* @someone-else\n/.atmos/pro/sts/ ${owner}\n` });
const widened = (owner = '@alice') => makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy(owner) }, { [DEFAULT]: WIDER });

describe('pr-check: approvals through the GitHub API', () => {
  it("passes a widening approved by a code owner on the head commit (reviews read across pages; latest state counts)", async () => {
    const repo = widened();
    const reviews: FakeReview[] = [
      { user: 'carol', state: 'COMMENTED', commit_id: repo.head },
      { user: 'alice', state: 'CHANGES_REQUESTED', commit_id: repo.base },
      { user: 'dave', state: 'COMMENTED', commit_id: repo.head },
      approve('alice', repo.head),
      { user: 'alice', state: 'COMMENTED', commit_id: repo.head },
    ];
    const r = await prCheck({ repo, github: { reviews, maxPerPage: 2 }, args: ['--format', 'json'] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = json(r);
    expect(report.result).toBe('pass');
    expect(report.policies).toMatchObject([{ path: DEFAULT, verdict: 'wider', approval: 'approved', approvedBy: ['alice'] }]);
    expect(reviewCalls(r.github).map((q) => new URLSearchParams(q.query).get('page') ?? '1')).toEqual(['1', '2', '3']);
    expect(r.summary).toContain('✅ sts-policy pr-check passed');
    expect(r.summary).toContain('✅ by `alice`');
  });

  it.each([
    ['a reviewer who is not a code owner', 'bob', 'pat', 'not a code owner of this path'],
    ['the pull request author, even an owner', 'alice', 'alice', 'the pull request author'],
  ])('fails when the approval comes from %s', async (_what, reviewer, author, reason) => {
    const repo = widened();
    const r = await prCheck({ repo, author, github: { reviews: [approve(reviewer, repo.head)] }, args: ['--format', 'json'] });
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report.policies[0]).toMatchObject({ approval: 'missing', approvedBy: [], ignoredApprovals: [{ login: reviewer, reason }] });
    expect(report.failures).toEqual([{ path: DEFAULT, reason: 'unapproved', message: expect.stringContaining('without an approval from a code owner') }]);
    expect(r.summary).toContain('❌ sts-policy pr-check failed');
  });

  it('fails on an approval of an older commit unless --allow-stale-approvals', async () => {
    const repo = widened();
    const github = { reviews: [approve('alice', repo.base)] };
    const stale = await prCheck({ repo, github, args: ['--format', 'json'] });
    expect(stale.code).toBe(1);
    expect(json(stale).policies[0]!.ignoredApprovals[0]!.reason).toContain('older commit');
    const allowed = await prCheck({ repo, github, args: ['--allow-stale-approvals'] });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('approval: approved (alice)');
  });

  it("fails when the owner's latest review requests changes or was dismissed", async () => {
    const repo = widened();
    for (const state of ['CHANGES_REQUESTED', 'DISMISSED'] as const) {
      const r = await prCheck({ repo, github: { reviews: [approve('alice', repo.head), { user: 'alice', state, commit_id: repo.head }] } });
      expect(r.code, state).toBe(1);
    }
  });

  it("counts an active member of an owning team, not a pending one or an outsider", async () => {
    const repo = widened('@acme/security');
    const teams = { 'acme/security': { erin: 'active', frank: 'pending' } } as const;
    const erin = await prCheck({ repo, github: { teams, reviews: [approve('erin', repo.head)] } });
    expect(erin.code).toBe(0);
    expect(erin.github.requests.some((q) => q.method === 'GET' && q.path === '/orgs/acme/teams/security/memberships/erin')).toBe(true);
    for (const login of ['frank', 'gina']) {
      const r = await prCheck({ repo, github: { teams, reviews: [approve(login, repo.head)] } });
      expect(r.code, login).toBe(1);
      // GitHub's 404 for a non-member is an ordinary "no", not something to warn about.
      expect(r.stderr, login).toBe('');
    }
  });

  it('passes an equivalent or narrower change without any approval, and does not ask the API for reviews', async () => {
    for (const after of [NARROWER, BASE_POLICY.replace('# yaml', '#  yaml')]) {
      const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: after });
      const r = await prCheck({ repo, args: ['--format', 'json'] });
      expect(r.code).toBe(0);
      expect(json(r).policies[0]!.approval).toBe('not-needed');
      expect(reviewCalls(r.github)).toEqual([]);
    }
  });

  it('--fail-on any-change needs an approval for a narrower change too; escalation does not for new access', async () => {
    const narrower = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: NARROWER });
    expect((await prCheck({ repo: narrower, args: ['--fail-on', 'any-change'] })).code).toBe(1);
    expect((await prCheck({ repo: widened(), args: ['--fail-on', 'escalation'] })).code).toBe(0);
  });

  it('--fail-on escalation needs an approval for new callers that get write or a sensitive permission', async () => {
    const addRule = (permissions: Record<string, string>) =>
      `${BASE_POLICY}    - match:\n        repository_owner: "acme"\n        ref: "refs/tags/release-*"\n      permissions:\n${Object.entries(permissions).map(([k, v]) => `        ${k}: ${v}\n`).join('')}`;
    for (const permissions of [{ contents: 'write' }, { workflows: 'write' }, { administration: 'write' }, { organization_secrets: 'read' }] as Record<string, string>[]) {
      const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: addRule(permissions) });
      const r = await prCheck({ repo, args: ['--fail-on', 'escalation', '--format', 'json'] });
      expect(r.code, JSON.stringify(permissions)).toBe(1);
      expect(json(r).failures).toEqual([{ path: DEFAULT, reason: 'unapproved', message: expect.stringContaining('without an approval') }]);
      const approved = await prCheck({ repo, args: ['--fail-on', 'escalation'], github: { reviews: [approve('alice', repo.head)] } });
      expect(approved.code, JSON.stringify(permissions)).toBe(0);
    }
    // Read-only new access is "wider", not an escalation.
    const readOnly = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: addRule({ contents: 'read', issues: 'read' }) });
    expect((await prCheck({ repo: readOnly, args: ['--fail-on', 'escalation'] })).code).toBe(0);
  });
});

describe('pr-check: API failures are exit 3, never a pass', () => {
  it('retries a 5xx and then succeeds', async () => {
    const repo = widened();
    const r = await prCheck({ repo, github: { reviews: [approve('alice', repo.head)], failures: [{ path: '/reviews', status: 502, message: 'Bad Gateway', times: 1 }] } });
    expect(r.code).toBe(0);
    expect(reviewCalls(r.github).map((q) => q.status)).toEqual([502, 200]);
  });

  it('retries a 403 secondary rate limit after its retry-after, and a 429', async () => {
    const repo = widened();
    for (const failure of [
      { path: '/reviews', status: 403, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', headers: { 'retry-after': '1' }, times: 1 },
      { path: '/reviews', status: 429, message: 'Too Many Requests', times: 1 },
    ]) {
      const r = await prCheck({ repo, github: { reviews: [approve('alice', repo.head)], failures: [failure] } });
      expect(r.code, String(failure.status)).toBe(0);
      expect(reviewCalls(r.github).map((q) => q.status)).toEqual([failure.status, 200]);
      expect(r.stderr).not.toContain('at '); // a warning at most, never a stack
    }
  });

  it.each([
    ['a persistent 5xx', { path: '/reviews', status: 503, message: 'Service Unavailable', times: Infinity }],
    ['a persistent secondary rate limit', { path: '/reviews', status: 403, message: 'You have exceeded a secondary rate limit.', headers: { 'retry-after': '1' }, times: Infinity }],
    ['a persistent 429', { path: '/reviews', status: 429, message: 'Too Many Requests', times: Infinity }],
    ['a 5xx on team membership', { path: '/memberships/', status: 500, message: 'Server Error', times: Infinity }],
    ['a 401', { path: '/reviews', status: 401, message: 'Bad credentials', times: Infinity }],
  ])('%s', async (_what, failure) => {
    const repo = widened('@acme/security');
    const r = await prCheck({ repo, github: { reviews: [approve('erin', repo.head)], teams: { 'acme/security': { erin: 'active' } }, failures: [failure] } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/GitHub API: .* failed \(HTTP \d+\)/);
    expect(r.stderr).toContain('this is not a pass');
    expect(r.stdout).not.toContain('PASS');
    expect(r.summary).toContain('could not complete');
    expect(r.github.requests.length).toBeLessThan(20);
  });

  it('exit 3 when nothing answers at the API URL', async () => {
    const github = await startFakeGithub({ token: TOKEN, owner: OWNER, repo: REPO, pullNumber: PR });
    const url = github.url;
    await github.close();
    const r = await prCheck({ repo: widened(), env: { GITHUB_API_URL: url } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('GitHub API');
  });
});

describe('pr-check --comment', () => {
  it('creates one comment, then updates the same one; a look-alike by the PR author is left alone', async () => {
    const repo = widened();
    const server = await startFakeGithub({
      token: TOKEN,
      owner: OWNER,
      repo: REPO,
      pullNumber: PR,
      maxPerPage: 1,
      comments: [
        { id: 1, body: 'LGTM', user: { login: 'carol', type: 'User' }, html_url: 'https://github.test/c/1' },
        { id: 2, body: '<!-- sts-policy:pr-check -->\nfake pass by the author', user: { login: 'pat', type: 'User' }, html_url: 'https://github.test/c/2' },
      ],
    });
    servers.push(server);
    const first = await prCheck({ repo, server, args: ['--comment'], env: { STS_POLICY_DEBUG: '1' } });
    expect(first.code).toBe(1);
    expect(server.comments).toHaveLength(3);
    const ours = server.comments[2]!;
    expect(ours.body.startsWith('<!-- sts-policy:pr-check -->\n')).toBe(true);
    expect(ours.body).toContain('❌ sts-policy pr-check failed');
    expect(first.stdout).toContain('comment created');
    expect(server.comments[1]!.body).toContain('fake pass by the author');

    const second = await prCheck({ repo, server, args: ['--comment', '--allow-stale-approvals'] });
    expect(second.stdout).toContain('comment updated');
    expect(server.comments).toHaveLength(3);
    expect(server.comments[2]!.id).toBe(ours.id);
    expect(server.comments[2]!.body).toContain('approvals of earlier commits count');
    expect(server.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(server.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
  });

  it("a fork's read-only token (403 on the comment) leaves the verdict to the check: summary and annotations still report", async () => {
    const repo = widened();
    const forbidden = { method: 'POST', path: '/comments', status: 403, message: 'Resource not accessible by integration', times: Infinity };
    const passed = await prCheck({ repo, github: { reviews: [approve('alice', repo.head)], failures: [forbidden] }, args: ['--comment'], env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: repo.dir } });
    expect(passed.code).toBe(0);
    expect(passed.stderr).toContain('commenting on pull request #7 failed (HTTP 403): Resource not accessible by integration');
    expect(passed.stderr).toContain('the comment was not written');
    expect(passed.stdout).toContain('comment not written');
    expect(passed.summary).toContain('✅ sts-policy pr-check passed');
    const failed = await prCheck({ repo, github: { failures: [forbidden] }, args: ['--comment'], env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: repo.dir } });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^::error .*title=pr-check\/unapproved/m);
    expect(failed.summary).toContain('❌ sts-policy pr-check failed');
  });

  it('other comment failures (a 5xx that persists) are still exit 3', async () => {
    const repo = widened();
    const r = await prCheck({ repo, github: { reviews: [approve('alice', repo.head)], failures: [{ method: 'POST', path: '/comments', status: 502, message: 'Bad Gateway', times: Infinity }] }, args: ['--comment'] });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('this is not a pass');
  });

  it('a pull request that changes no policy gets no new comment; an existing one is updated', async () => {
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice'), 'README.md': 'a\n' }, { 'README.md': 'b\n' });
    const none = await prCheck({ repo, args: ['--comment'] });
    expect(none.code).toBe(0);
    expect(none.github.comments).toEqual([]);
    expect(none.github.requests.filter((q) => q.method === 'POST')).toEqual([]);
    expect(none.summary).toContain('No trust policy changed.');
    const earlier = { id: 5, body: '<!-- sts-policy:pr-check -->\nold report', user: { login: 'github-actions[bot]', type: 'Bot' as const }, html_url: 'https://github.test/c/5' };
    const kept = await prCheck({ repo, github: { comments: [earlier] }, args: ['--comment'] });
    expect(kept.code).toBe(0);
    expect(kept.github.comments).toHaveLength(1);
    expect(kept.github.comments[0]!.body).toContain('No trust policy changed.');
  });
});

describe('pr-check: CODEOWNERS', () => {
  it('reads the base revision: a pull request that makes its author the owner is still unapproved, and is called out', async () => {
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: WIDER, '.github/CODEOWNERS': '* @someone-else\n/.atmos/pro/sts/ @mallory\n' });
    const r = await prCheck({ repo, author: 'pat', github: { reviews: [approve('mallory', repo.head)] }, args: ['--format', 'json'] });
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report.codeowners.edits).toEqual([
      { side: 'added', path: '.github/CODEOWNERS', line: 2, pattern: '/.atmos/pro/sts/', owners: ['@mallory'] },
      { side: 'removed', path: '.github/CODEOWNERS', line: 2, pattern: '/.atmos/pro/sts/', owners: ['@alice'] },
    ]);
    expect(report.codeowners.ownershipChanges).toContainEqual({ path: DEFAULT, before: ['@alice'], after: ['@mallory'] });
    expect(r.summary).toContain('edits CODEOWNERS lines that cover trust policies');
  });

  it("uses GitHub's search order: .github/CODEOWNERS, then CODEOWNERS, then docs/CODEOWNERS", async () => {
    const cases: [Files, string][] = [
      [{ '.github/CODEOWNERS': '* @alice\n', CODEOWNERS: '* @bob\n', 'docs/CODEOWNERS': '* @carol\n' }, 'alice'],
      [{ CODEOWNERS: '* @bob\n', 'docs/CODEOWNERS': '* @carol\n' }, 'bob'],
      [{ 'docs/CODEOWNERS': '* @carol\n' }, 'carol'],
    ];
    for (const [files, owner] of cases) {
      const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...files }, { [DEFAULT]: WIDER });
      const r = await prCheck({ repo, github: { reviews: ['alice', 'bob', 'carol'].map((u) => approve(u, repo.head)) }, args: ['--format', 'json'] });
      expect(json(r).policies[0]!.approvedBy, owner).toEqual([owner]);
    }
  });

  it('a policy path without a code owner fails even when the change is narrower: no file, no matching rule, or an owner-less rule', async () => {
    for (const files of [{}, { '.github/CODEOWNERS': '/src/ @alice\n' }, { '.github/CODEOWNERS': '* @alice\n/.atmos/pro/sts/default.yaml\n' }] as Files[]) {
      const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...files }, { [DEFAULT]: NARROWER });
      const r = await prCheck({ repo, args: ['--format', 'json'] });
      expect(r.code).toBe(1);
      expect(json(r).failures).toEqual([{ path: DEFAULT, reason: 'no-code-owner', message: expect.any(String) }]);
    }
  });

  it('a pull request appending a hostile owner token (a long run of dots) to CODEOWNERS is read in linear time', async () => {
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: NARROWER, '.github/CODEOWNERS': `* @someone-else\n/.atmos/pro/sts/ @alice\n/docs/ a@${'.'.repeat(400_000)}\n` });
    const started = Date.now();
    const r = await prCheck({ repo, args: ['--format', 'json'] });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(0);
    expect(json(r).policies[0]).toMatchObject({ verdict: 'narrower', approval: 'not-needed' });
  }, 30_000);

  it('reports unsupported CODEOWNERS syntax of the base revision', async () => {
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, '.github/CODEOWNERS': '/.atmos/ @alice\n!/.atmos/pro/ @bob\n' }, { [DEFAULT]: NARROWER });
    const r = await prCheck({ repo, args: ['--format', 'json'] });
    expect(r.code).toBe(0);
    expect(json(r).codeowners.errors).toMatchObject([{ line: 2, message: expect.stringContaining('negation') }]);
    expect(r.summary).toContain('error on line 2');
  });
});

describe('pr-check: the changes it finds', () => {
  it('an added near miss and an invalid policy fail; a deleted policy is narrower', async () => {
    const repo = makeRepo(
      { [DEFAULT]: BASE_POLICY, '.atmos/pro/sts/old.yaml': policy('old', { repository: 'acme/old' }), ...ownedBy('@alice') },
      { [DEFAULT]: INVALID, '.atmos/pro/sts/ci.yml': policy('ci', { repository: 'acme/ci' }), '.atmos/pro/sts/old.yaml': null },
    );
    const r = await prCheck({ repo, args: ['--format', 'json'] });
    expect(r.code).toBe(1);
    const report = json(r);
    expect(report.policies.map((p) => [p.path, p.change, p.verdict])).toEqual([
      [DEFAULT, 'modified', 'narrower'],
      ['.atmos/pro/sts/old.yaml', 'removed', 'narrower'],
    ]);
    expect(report.failures).toEqual(
      expect.arrayContaining([
        { path: DEFAULT, reason: 'invalid', message: expect.stringContaining('trust_policy_invalid') },
        { path: DEFAULT, reason: 'lint-errors', message: expect.any(String) },
        { path: '.atmos/pro/sts/ci.yml', reason: 'lint-errors', message: expect.any(String) },
      ]),
    );
  });

  it('a rename is a removed policy and an added one that needs approval', async () => {
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { '.atmos/pro/sts/ci.yaml': BASE_POLICY.replace('name: default', 'name: ci') }, { renames: [[DEFAULT, '.atmos/pro/sts/ci.yaml']] });
    const r = await prCheck({ repo, github: { reviews: [approve('alice', repo.head)] }, args: ['--format', 'json'] });
    expect(r.code).toBe(0);
    expect(json(r).policies).toMatchObject([
      { path: '.atmos/pro/sts/ci.yaml', change: 'added', verdict: 'wider', renamedFrom: DEFAULT, approval: 'approved' },
      { path: DEFAULT, change: 'removed', verdict: 'narrower', approval: 'not-needed' },
    ]);
  });

  it('checks a valid policy whose subjects have a custom template\'s shape (no crash)', async () => {
    const custom = policy('default', { subject: 'repository_owner:acme:job_workflow_ref:acme/wf/.github/workflows/*@refs/heads/main' });
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: custom });
    const r = await prCheck({ repo, args: ['--format', 'json'], github: { reviews: [approve('alice', repo.head)] } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Under GitHub's default template (no subjectTemplate configured) no token carries such a subject: nobody gains.
    expect(json(r).policies[0]).toMatchObject({ change: 'modified', verdict: 'narrower', approval: 'not-needed' });
  });

  it("offline, with the base revision's subjectTemplate, such subjects are read with it: the diff is decided and the gain needs approval", async () => {
    const before = policy('default', { subject: 'repository_owner:acme:job_workflow_ref:acme/wf/.github/workflows/deploy.yml@refs/heads/main' });
    const after = policy('default', { subject: 'repository_owner:acme:job_workflow_ref:acme/wf/.github/workflows/*@refs/heads/main' });
    const repo = makeRepo({ [DEFAULT]: before, '.sts-policy.yaml': 'subjectTemplate: [repository_owner, job_workflow_ref]\n', ...ownedBy('@alice') }, { [DEFAULT]: after });
    const r = await offlineCheck(repo, ['--format', 'json']);
    expect(r.stderr).toBe('');
    const p = json(r).policies[0] as unknown as { gains: { witness: { sub: string } }[] };
    expect(p).toMatchObject({ change: 'modified', verdict: 'wider', approval: 'not-checked' });
    expect(p.gains[0]!.witness.sub).toMatch(/^repository_owner:acme:job_workflow_ref:acme\/wf\/\.github\/workflows\/.*@refs\/heads\/main$/);
  });

  describe('with a token, the subject template GitHub uses (GET .../actions/oidc/customization/sub)', () => {
    const before = policy('default', { subject: 'repository_owner:acme:job_workflow_ref:acme/wf/.github/workflows/deploy.yml@refs/heads/main' });
    const after = policy('default', { subject: 'repository_owner:acme:job_workflow_ref:acme/wf/.github/workflows/*@refs/heads/main' });
    const REPO_ROUTE = `/repos/${OWNER}/${REPO}/actions/oidc/customization/sub`;
    const ORG_ROUTE = `/orgs/${OWNER}/actions/oidc/customization/sub`;
    const notesOf = (r: Run) => (JSON.parse(r.stdout) as { notes: string[] }).notes;
    const templateRequests = (g: FakeGithub) => g.requests.filter((q) => q.path.endsWith('/actions/oidc/customization/sub')).map((q) => q.path);
    const templateFindings = (r: Run) => (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId === 'analysis/subject-template').map(({ path, line, column, endLine, endColumn, severity, message, docsUrl }) => ({ path, line, column, endLine, endColumn, severity, message, docsUrl }));
    /** The first `subject` matcher's key: line 9 of the head version. */
    const AT_SUBJECT = { path: DEFAULT, line: 9, column: 9, endLine: 9, endColumn: 16, docsUrl: 'https://github.com/sts-policy/sts-policy/blob/main/docs/rules/analysis/subject-template.md' };

    it("a repository that opted in without keys gets the org's template: the diff is decided with it", async () => {
      const repo = makeRepo({ [DEFAULT]: before, ...ownedBy('@alice') }, { [DEFAULT]: after });
      const r = await prCheck({ repo, args: ['--format', 'json'], github: { oidc: { repo: { use_default: false }, org: { include_claim_keys: ['repository_owner', 'job_workflow_ref'] } } } });
      expect(r.stderr).toBe('');
      expect(json(r).policies[0]).toMatchObject({ verdict: 'wider', approval: 'missing' });
      expect(notesOf(r)).toEqual([]);
      expect(templateRequests(r.github)).toEqual([REPO_ROUTE, ORG_ROUTE]);
    });

    it("GitHub's template wins over a different subjectTemplate in .sts-policy.yaml, and the disagreement is an info finding at the policy's subject matcher", async () => {
      const repo = makeRepo({ [DEFAULT]: before, '.sts-policy.yaml': 'subjectTemplate: [repo, context]\n', ...ownedBy('@alice') }, { [DEFAULT]: after });
      const r = await prCheck({ repo, args: ['--format', 'json'], github: { oidc: { repo: { use_default: false, include_claim_keys: ['repository_owner', 'job_workflow_ref'] } } } });
      expect(json(r).policies[0]).toMatchObject({ verdict: 'wider' });
      expect(templateFindings(r)).toEqual([
        { ...AT_SUBJECT, severity: 'info', message: `GitHub uses the subject template [repository_owner, job_workflow_ref] for ${OWNER}/${REPO} (the repository's OIDC customization), not subjectTemplate [repo, context] of the base revision's .sts-policy.yaml: \`subject\` matchers were analysed with GitHub's; write \`subjectTemplate: [repository_owner, job_workflow_ref]\` there` },
      ]);
      // The finding says it all: no note repeats it.
      expect(notesOf(r)).toEqual([]);
      // The org's template is not asked for: the repository has its own.
      expect(templateRequests(r.github)).toEqual([REPO_ROUTE]);
    });

    it('a failed read is a warning naming the endpoint, the HTTP status and the permission to grant, never taken as the default: the settings\' template is used', async () => {
      const repo = makeRepo({ [DEFAULT]: before, '.sts-policy.yaml': 'subjectTemplate: [repository_owner, job_workflow_ref]\n', ...ownedBy('@alice') }, { [DEFAULT]: after });
      const r = await prCheck({ repo, args: ['--format', 'json'], github: { failures: [{ path: REPO_ROUTE, status: 403, message: 'Resource not accessible by integration', times: Infinity }] } });
      expect(json(r).policies[0]).toMatchObject({ verdict: 'wider' });
      expect(templateFindings(r)).toEqual([
        { ...AT_SUBJECT, severity: 'warning', message: `the subject template GitHub uses for ${OWNER}/${REPO} could not be read, so \`subject\` matchers were analysed with subjectTemplate [repository_owner, job_workflow_ref] of the base revision's .sts-policy.yaml, unconfirmed: \`GET ${REPO_ROUTE}\` answered HTTP 403: grant the token the "Actions" repository permission (read) (a classic token needs \`repo\`)` },
      ]);
      expect(notesOf(r)).toEqual([]);
      // Without settings, the fallback is GitHub's default template, unconfirmed; the org's failure names its permission.
      const bare = makeRepo({ [DEFAULT]: before, ...ownedBy('@alice') }, { [DEFAULT]: after });
      const o = await prCheck({ repo: bare, args: ['--format', 'json'], github: { oidc: { repo: { use_default: false } }, failures: [{ path: ORG_ROUTE, status: 404, times: Infinity }] } });
      expect(templateFindings(o)).toEqual([
        { ...AT_SUBJECT, severity: 'warning', message: `the subject template GitHub uses for ${OWNER}/${REPO} could not be read, so \`subject\` matchers were analysed with GitHub's default template [repo, context], unconfirmed: \`GET ${ORG_ROUTE}\` answered HTTP 404: grant the token the "Administration" organization permission (read) (a classic token needs \`read:org\`; a job's GITHUB_TOKEN cannot have it)` },
      ]);
      expect(notesOf(o)).toEqual([]);
      expect(json(o).policies[0]).toMatchObject({ verdict: 'equivalent' });
    });

    it('a failed read does not fail the check: approved, it passes, with the warning in the text report, the annotations and the PR comment', async () => {
      const repo = makeRepo({ [DEFAULT]: before, '.sts-policy.yaml': 'subjectTemplate: [repository_owner, job_workflow_ref]\n', ...ownedBy('@alice') }, { [DEFAULT]: after });
      const r = await prCheck({ repo, args: ['--comment'], env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: repo.dir }, github: { reviews: [approve('alice', repo.head)], failures: [{ path: REPO_ROUTE, status: 403, times: Infinity }] } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^ {4}9:9 {2}warning {2}the subject template GitHub uses for acme\/platform could not be read, .*HTTP 403.* {2}analysis\/subject-template$/m);
      expect(r.stdout).not.toMatch(/^note: .*customization/m);
      expect(r.stdout).toMatch(/^::warning file=\.atmos\/pro\/sts\/default\.yaml,line=9,col=9,endLine=9,endColumn=16,title=analysis\/subject-template::the subject template GitHub uses for acme\/platform could not be read, /m);
      const comment = r.github.comments[0]!.body;
      expect(comment).toContain('✅ sts-policy pr-check passed');
      expect(comment).toMatch(/\| `\.atmos\/pro\/sts\/default\.yaml` \| 9:9 \| warning \| `analysis\/subject-template` \| ``the subject template GitHub uses for acme\/platform could not be read, /);
      expect(comment).toMatch(/\| `\.atmos\/pro\/sts\/default\.yaml` \| modified \| \*\*wider\*\* \|.*\| 1 warning \|/);
      expect(comment).not.toMatch(/^> .*customization/m);
    });

    it("the settings may make it gate: at `error` (base revision's `rules:`) a failed read fails the check", async () => {
      const settings = 'subjectTemplate: [repository_owner, job_workflow_ref]\nrules:\n  analysis/subject-template: error\n';
      const repo = makeRepo({ [DEFAULT]: before, '.sts-policy.yaml': settings, ...ownedBy('@alice') }, { [DEFAULT]: after });
      const r = await prCheck({ repo, args: ['--format', 'json'], github: { reviews: [approve('alice', repo.head)], failures: [{ path: REPO_ROUTE, status: 403, times: Infinity }] } });
      expect(r.code).toBe(1);
      expect(templateFindings(r).map((f) => f.severity)).toEqual(['error']);
      expect(json(r).failures).toEqual([{ path: DEFAULT, reason: 'lint-errors', message: '1 error finding' }]);
    });

    it('without a token (offline) nothing is read and there is no such finding: the settings\' template is used, as before', async () => {
      const repo = makeRepo({ [DEFAULT]: before, '.sts-policy.yaml': 'subjectTemplate: [repository_owner, job_workflow_ref]\n', ...ownedBy('@alice') }, { [DEFAULT]: after });
      const r = await offlineCheck(repo, ['--format', 'json']);
      expect(r.stderr).toBe('');
      expect(json(r).policies[0]).toMatchObject({ verdict: 'wider' });
      expect(templateFindings(r)).toEqual([]);
      expect(notesOf(r)).toEqual([]);
    });

    it('only the changed policies are checked, so an unchanged policy matching `subject` asks nothing and gets no finding', async () => {
      const CI = '.atmos/pro/sts/ci.yaml';
      const repo = makeRepo({ [DEFAULT]: BASE_POLICY, [CI]: policy('ci', { subject: 'repo:acme/app:ref:refs/heads/main' }), ...ownedBy('@alice') }, { [DEFAULT]: WIDER });
      const r = await prCheck({ repo, args: ['--format', 'json'], github: { failures: [{ path: REPO_ROUTE, status: 403, times: Infinity }] } });
      expect(json(r).policies.map((p) => p.path)).toEqual([DEFAULT]);
      expect(templateRequests(r.github)).toEqual([]);
      expect(templateFindings(r)).toEqual([]);
    });

    it('policies that never match `subject` need no template: nothing is asked', async () => {
      const r = await prCheck({ repo: widened(), args: ['--format', 'json'] });
      expect(templateRequests(r.github)).toEqual([]);
    });
  });

  it('a symlink committed at the policy path is an error, never followed', async () => {
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: null });
    apply(repo.dir, { [DEFAULT]: 'symlink:/etc/passwd' });
    git(repo.dir, 'add', '-A');
    git(repo.dir, 'commit', '-qm', 'link');
    const r = await prCheck({ repo: { ...repo, head: git(repo.dir, 'rev-parse', 'HEAD') }, args: ['--format', 'json'] });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('file/symlink');
    expect(r.stdout).not.toContain('root:');
  });

  it('lint settings come from the base revision: a pull request cannot switch a rule off', async () => {
    const escalating = policy('default', { repository: 'acme/infra', ref: 'refs/heads/main' }, { contents: 'admin' });
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: escalating, '.sts-policy.yaml': 'rules:\n  permissions/unsupported-level:\n    severity: off\n' });
    const r = await prCheck({ repo, github: { reviews: [approve('alice', repo.head)] }, args: ['--format', 'json'] });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('permissions/unsupported-level');
  });
});

describe('pr-check: ignores and settings come from the base revision', () => {
  const ANY_WRITE = policy('default', { repository_owner: '*', ref: 'refs/heads/main' }, { contents: 'write' });
  const IGNORE = ' # sts-policy-ignore permissions/broad-write -- release bot needs it';
  const ignoring = (text: string) => text.replace('        contents: write\n', `        contents: write${IGNORE}\n`);

  it('an ignore comment the pull request adds does not hide an error without a code owner approval, and the report says so', async () => {
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: ignoring(ANY_WRITE) });
    const r = await prCheck({ repo, args: ['--format', 'json'], env: { GITHUB_ACTIONS: '' } });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: { ruleId: string; line: number }[]; ignored: unknown[]; failures: { reason: string; message: string }[]; policies: { addedIgnores: { ruleId: string }[] }[] };
    expect(report.ignored).toEqual([]);
    expect(report.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['permissions/broad-write', 'pr-check/ignore-added']));
    expect(report.policies[0]!.addedIgnores.map((f) => f.ruleId)).toEqual(['permissions/broad-write']);
    expect(report.failures.map((f) => f.reason).sort()).toEqual(['lint-errors', 'unapproved']);
    expect(report.failures.find((f) => f.reason === 'unapproved')!.message).toContain('1 suppression by ignore comments it adds');
    expect(r.summary).toContain('Ignore comments this pull request adds');

    const approved = await prCheck({ repo, args: ['--format', 'json'], github: { reviews: [approve('alice', repo.head)] } });
    const ok = JSON.parse(approved.stdout) as typeof report;
    expect(ok.findings.map((f) => f.ruleId)).not.toContain('permissions/broad-write');
    expect(ok.failures).toEqual([]);
    expect(approved.code).toBe(0);
  });

  it('an ignore the base revision already has keeps working; copying it to another line is an addition', async () => {
    const two = (extra: string) => ignoring(ANY_WRITE) + extra;
    const second = `    - match:\n        repository_owner: "*"\n        ref: "refs/heads/release"\n      permissions:\n        contents: write${IGNORE}\n`;
    const kept = makeRepo({ [DEFAULT]: two(''), ...ownedBy('@alice') }, { [DEFAULT]: two('').replace('# yaml-language-server', '#  yaml-language-server') });
    const r = await prCheck({ repo: kept, args: ['--format', 'json'] });
    expect(json(r).failures).toEqual([]);
    expect(r.code).toBe(0);
    const copied = makeRepo({ [DEFAULT]: two(''), ...ownedBy('@alice') }, { [DEFAULT]: two(second) });
    const c = await prCheck({ repo: copied, args: ['--format', 'json'], github: { reviews: [] } });
    expect(c.code).toBe(1);
    expect((JSON.parse(c.stdout) as { policies: { addedIgnores: { line: number }[] }[] }).policies[0]!.addedIgnores.map((f) => f.line)).toEqual([17]);
  });

  it('a change to .sts-policy.yaml needs an approval from its code owner; lint keeps the base settings', async () => {
    const codeowners = { '.github/CODEOWNERS': '* @someone-else\n/.atmos/pro/sts/ @alice\n/.sts-policy.yaml @alice\n' };
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...codeowners }, { '.sts-policy.yaml': 'rules:\n  security/untrusted-owner: off\n' });
    const r = await prCheck({ repo, args: ['--format', 'json'] });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { settings: { path: string; change: string; approval: string }; failures: { path: string; reason: string; message: string }[] };
    expect(report.settings).toMatchObject({ path: '.sts-policy.yaml', change: 'added', approval: 'missing' });
    expect(report.failures).toEqual([{ path: '.sts-policy.yaml', reason: 'unapproved', message: expect.stringContaining('changes the lint settings') }]);
    expect(r.summary).toContain('**Lint settings:**');
    const approved = await prCheck({ repo, github: { reviews: [approve('alice', repo.head)] } });
    expect(approved.code).toBe(0);
  });
});

describe('pr-check: reports', () => {
  it('annotates at most 10 findings per level and says in the summary how many were left out', async () => {
    const nearMisses = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`.atmos/pro/sts/p${i}.yml`, 'x: 1\n']));
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: WIDER, ...nearMisses });
    const r = await prCheck({ repo, env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: repo.dir } });
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(10);
    expect(errors[0]).toContain('title=pr-check/unapproved');
    expect(errors[0]).toMatch(/file=\.atmos\/pro\/sts\/default\.yaml,line=\d+/);
    // 14 near misses and the unapproved widening are 15 errors: 5 were not annotated.
    expect(r.summary).toContain('5 findings were not annotated');
    // The report itself runs with workflow commands stopped.
    const stop = /^::stop-commands::(\S+)$/m.exec(r.stdout)![1];
    expect(r.stdout).toContain(`::${stop}::`);
    expect(r.stdout.indexOf('::error ')).toBeGreaterThan(r.stdout.indexOf(`::${stop}::`));
  });

  it('escapes everything a pull request controls: no HTML, links or mentions reach the markdown', async () => {
    const hostile = policy('default', { repository: 'acme/infra', environment: '@acme/everyone <img src=x onerror=alert(1)> [click](https://evil.example) `x` | y' });
    const repo = makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: hostile, '.atmos/pro/sts/<b>@everyone [x](https:evil)</b>.yml': 'x: 1\n', '.atmos/pro/sts/https:evil.example.yaml': 'x: 1\n' });
    const server = await startFakeGithub({ token: TOKEN, owner: OWNER, repo: REPO, pullNumber: PR });
    servers.push(server);
    const r = await prCheck({ repo, server, args: ['--comment'] });
    expect(r.code).toBe(1);
    for (const md of [r.summary, server.comments[0]!.body.replace('<!-- sts-policy:pr-check -->', '')]) {
      const prose = outsideCodeSpans(md);
      expect(prose).not.toMatch(/<[a-z!/]/i);
      expect(prose).not.toMatch(/@[A-Za-z]/);
      expect(prose).not.toMatch(/\]\(/);
      expect(prose).not.toMatch(/https?:|www\./i); // GitHub autolinks bare URLs
      expect(md).toContain('evil.example'); // it is shown, inside code
    }
  });

  it('never prints the token, even with debug logging and an error that echoes the request', async () => {
    const repo = widened();
    const r = await prCheck({ repo, env: { STS_POLICY_DEBUG: '1' }, github: { failures: [{ path: '/reviews', status: 500, message: `echo ${TOKEN}`, times: Infinity }] } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('***');
  });
});

describe('pr-check offline (--base/--head)', () => {
  it('reports approvals as not checked and passes a valid, owned widening', async () => {
    const r = await offlineCheck(widened(), ['--format', 'json']);
    expect(r.code).toBe(0);
    expect(json(r).policies[0]!.approval).toBe('not-checked');
    expect(r.summary).toContain('**not checked**');
  });

  it('still fails on an invalid policy and on a missing code owner', async () => {
    const invalid = await offlineCheck(makeRepo({ [DEFAULT]: BASE_POLICY, ...ownedBy('@alice') }, { [DEFAULT]: INVALID }));
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('schema/unknown-claim');
    expect(invalid.stdout).toContain('approvals: not checked');
    const unowned = await offlineCheck(makeRepo({ [DEFAULT]: BASE_POLICY }, { [DEFAULT]: NARROWER }));
    expect(unowned.code).toBe(1);
    expect(unowned.stdout).toContain('no CODEOWNERS file');
  });

  it('usage errors are exit 2: --comment offline, a missing revision, no event, no token, no pull_request', async () => {
    const repo = widened();
    expect((await offlineCheck(repo, ['--comment'])).code).toBe(2);
    const missing = await runAsync(['pr-check', '--base', 'f'.repeat(40), '--head', repo.head], repo.dir, {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('fetch-depth: 0');
    const noEvent = await runAsync(['pr-check'], repo.dir, {});
    expect(noEvent.code).toBe(2);
    expect(noEvent.stderr).toContain('--base REV --head REV');
    const noToken = await prCheck({ repo, env: { GITHUB_TOKEN: '' } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('--token-env');
    const dir = temp();
    writeFileSync(join(dir, 'push.json'), JSON.stringify({ ref: 'refs/heads/main' }));
    const push = await runAsync(['pr-check'], repo.dir, { GITHUB_EVENT_PATH: join(dir, 'push.json'), GITHUB_REPOSITORY: 'acme/platform', GITHUB_TOKEN: TOKEN });
    expect(push.code).toBe(2);
    expect(push.stderr).toContain('no pull_request');
  });

  it('--token-env names the variable holding the token', async () => {
    const repo = widened();
    const r = await prCheck({ repo, args: ['--token-env', 'MY_APP_TOKEN'], env: { GITHUB_TOKEN: '', MY_APP_TOKEN: TOKEN }, github: { reviews: [approve('alice', repo.head)] } });
    expect(r.code).toBe(0);
  });
});

describe('latestReviews', () => {
  it("keeps each reviewer's latest approving, change-requesting or dismissed review; comments do not count", () => {
    const latest = latestReviews([
      { login: 'Alice', state: 'APPROVED', commitId: 'a' },
      { login: 'alice', state: 'COMMENTED', commitId: 'b' },
      { login: 'bob', state: 'APPROVED', commitId: 'a' },
      { login: 'bob', state: 'DISMISSED', commitId: 'a' },
    ]);
    expect([...latest.entries()].map(([k, r]) => [k, r.state, r.commitId])).toEqual([
      ['alice', 'APPROVED', 'a'],
      ['bob', 'DISMISSED', 'a'],
    ]);
  });
});

/** Markdown with its code spans removed: what GitHub would render as prose. */
function outsideCodeSpans(md: string): string {
  let out = '';
  for (let i = 0; i < md.length; ) {
    if (md[i] === '\\') {
      i += 2;
      continue;
    }
    if (md[i] === '`') {
      let n = 0;
      while (md[i + n] === '`') n++;
      const fence = '`'.repeat(n);
      const end = md.indexOf(fence, i + n);
      if (end >= 0) {
        i = end + n;
        continue;
      }
    }
    out += md[i++];
  }
  return out;
}
