// `sts-policy audit --org` end to end: the built CLI against a fake GitHub on 127.0.0.1 (GraphQL
// through graphql-js, and the REST fallbacks). Every kind of repo, paging, the request budget, the
// cache, explicit repos, predictions for a caller, and exact request counts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Log } from 'sarif';
import { FakeGitHub, GRAPHQL_TEXT_LIMIT, HEADER, PINNED, POLICY_PATH, audit, auditJson, byRepo, manyRepos, policy, ruleIdsOf, runCliAsync, startFake, type AuditJson, type FakeRepoSpec } from './helpers/fake-github-audit.js';
import { validateSarif } from './helpers/sarif-schema.js';

const fakes: FakeGitHub[] = [];
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
async function fakeOrg(repos: FakeRepoSpec[], org = 'acme') {
  const f = await startFake(repos, org);
  fakes.push(f);
  return f;
}
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sts-audit-'));
  temps.push(d);
  return d;
}

const sts = (name: string) => `.atmos/pro/sts/${name}`;
const CROSS_WRITE = policy('default', '    - match:\n        repository: "partner/deployer"\n        ref: "refs/heads/main"\n      permissions:\n        contents: write\n');
const CROSS_READ = policy('default', '    - match:\n        repository: "partner/reader"\n        ref: "refs/heads/main"\n');
const SAME_WRITE = policy('default', '    - match:\n        repository: "acme/app"\n        environment: "production"\n      permissions:\n        contents: write\n');

describe('audit --org: the inventory', () => {
  it('classifies every kind of repo, reads the org in two GraphQL requests, and falls back to REST only where it must', async () => {
    const yamlPadding = `${HEADER}${'#'.repeat(100)}\n`.repeat(Math.ceil((GRAPHQL_TEXT_LIMIT + 10_000) / 101));
    const fake = await fakeOrg([
      { name: 'app', files: { [POLICY_PATH]: PINNED, [sts('tests/default.test.yaml')]: 'cases: []\n' } },
      { name: 'readme-only', files: { 'README.md': '# hi\n' } },
      { name: 'broken', files: { [POLICY_PATH]: 'apiVersion: nope\n' } },
      { name: 'yml', files: { [sts('default.yml')]: PINNED } },
      { name: 'capital', files: { [sts('Default.yaml')]: PINNED.replace('name: default', 'name: Default') } },
      { name: 'old', archived: true, files: { [POLICY_PATH]: PINNED } },
      { name: 'void', empty: true },
      { name: 'blocked', disabled: true, files: { [POLICY_PATH]: PINNED } },
      { name: 'branchless', defaultBranch: null, files: { [POLICY_PATH]: PINNED } },
      { name: 'huge', hugeTree: true, files: { [POLICY_PATH]: PINNED, [sts('sub/misplaced.yaml')]: PINNED } },
      { name: 'binary', files: { [POLICY_PATH]: Buffer.from([0x61, 0x00, 0x62]) } },
      { name: 'toolarge', files: { [POLICY_PATH]: `${PINNED}${'#'.repeat(1024 * 1024)}\n` } },
      { name: 'latin1', files: { [POLICY_PATH]: Buffer.concat([Buffer.from(PINNED), Buffer.from([0x23, 0xe9, 0x0a])]) } },
      { name: 'long', files: { [POLICY_PATH]: yamlPadding + PINNED.slice(HEADER.length) } },
      { name: 'linked', files: { [POLICY_PATH]: { symlink: '../../../policy.yaml' } } },
      { name: 'folder', files: { [sts('default.yaml/inner.yaml')]: PINNED } },
      { name: 'stsfile', files: { '.atmos/pro/sts': 'not a folder\n' } },
      { name: 'sub', files: { [sts('team/default.yaml')]: PINNED } },
    ]);
    const j = await auditJson(fake, ['--org', 'acme'], 1);
    const r = byRepo(j);
    const status = Object.fromEntries(j.repos.map((x) => [x.repo.split('/')[1], x.status]));
    expect(status).toEqual({
      app: 'policy',
      'readme-only': 'none',
      broken: 'invalid',
      yml: 'none',
      capital: 'policy',
      old: 'policy',
      void: 'none',
      blocked: 'disabled',
      branchless: 'none',
      huge: 'policy',
      binary: 'invalid',
      toolarge: 'invalid',
      latin1: 'invalid',
      long: 'policy',
      linked: 'invalid',
      folder: 'invalid',
      stsfile: 'none',
      sub: 'none',
    });
    // Never "unknown": everything was read.
    expect(j.complete).toBe(true);
    expect(j.summary).toMatchObject({ repos: 18, policy: 5, invalid: 6, none: 6, disabled: 1, unknown: 0, archived: 1, nearMisses: 5 });
    expect(r['acme/app']!.policies).toEqual([{ name: 'default', path: 'acme/app/.atmos/pro/sts/default.yaml', valid: true }]);
    expect(ruleIdsOf(j, 'acme/app')).toEqual([]);
    expect(r['acme/old']!.archived).toBe(true);
    expect(r['acme/void']!.notes.join()).toMatch(/empty repository/);
    expect(r['acme/branchless']!.notes.join()).toMatch(/no default branch/);
    expect(r['acme/blocked']!.notes.join()).toMatch(/disabled/);
    expect(r['acme/huge']!.via).toBe('rest');
    expect(r['acme/huge']!.notes.join()).toMatch(/read through REST/);
    expect(r['acme/huge']!.nearMisses.map((m) => m.path)).toEqual(['acme/huge/.atmos/pro/sts/sub/misplaced.yaml']);
    expect(r['acme/yml']!.nearMisses[0]!.message).toMatch(/never read/);
    expect(r['acme/capital']!.nearMisses[0]!.message).toMatch(/default\.yaml` \(lowercase\)/);
    expect(r['acme/stsfile']!.nearMisses[0]!.message).toMatch(/not a folder/);
    expect(r['acme/sub']!.nearMisses[0]!.path).toBe('acme/sub/.atmos/pro/sts/team/default.yaml');
    // Over 1 MiB or binary: reported, not parsed; bad bytes are found in the real bytes (REST).
    expect(ruleIdsOf(j, 'acme/binary')).toEqual(['file/not-utf8']);
    expect(j.findings.find((f) => f.path.startsWith('acme/binary/'))!.message).toMatch(/binary/);
    expect(ruleIdsOf(j, 'acme/toolarge')).toEqual(['file/too-large']);
    expect(ruleIdsOf(j, 'acme/latin1')).toEqual(['file/not-utf8']);
    expect(j.findings.find((f) => f.path.startsWith('acme/latin1/'))!.message).toMatch(/0xe9/);
    expect(ruleIdsOf(j, 'acme/linked')).toEqual(['file/symlink']);
    expect(ruleIdsOf(j, 'acme/folder')).toEqual(['file/directory']);
    // A text GraphQL truncates is read byte for byte through REST, then parsed.
    expect(r['acme/long']!.policies[0]!.valid).toBe(true);
    // 1 listing page + 1 content batch; REST: huge (contents, tree, blob), latin1 and long (a blob each).
    expect(j.requests).toEqual({ total: 7, graphql: 2, rest: 5, retries: 0, cacheHits: 0, perRepo: Number((7 / 18).toFixed(3)) });
    expect(fake.count()).toBe(7);
    expect(fake.count('rest')).toBe(5);
  });

  it('pages through the repo list (100 per page) and batches content queries', async () => {
    const fake = await fakeOrg(manyRepos(250));
    const j = await auditJson(fake, ['--org', 'acme'], 0);
    expect(j.listing).toEqual({ org: 'acme', total: 250, listed: 250 });
    expect(j.repos).toHaveLength(250);
    expect(j.repos.every((x) => x.status === 'policy' && x.via === 'graphql')).toBe(true);
    // 3 listing pages + 5 batches of 50.
    expect(j.requests!.total).toBe(8);
    fake.resetLog();
    const k = await auditJson(fake, ['--org', 'acme', '--batch-size', '100'], 0);
    expect(k.requests!.total).toBe(6);
    expect(fake.requests.filter((q) => q.graphql?.query.includes('organization')).map((q) => q.graphql!.variables.first)).toEqual([100, 100, 100]);
  });

  it('audits an org of 1,000 repos on a cold cache in at most 0.1 requests per repo', async () => {
    const fake = await fakeOrg(manyRepos(1000));
    const j = await auditJson(fake, ['--org', 'acme', '--no-progress'], 0);
    expect(j.repos).toHaveLength(1000);
    expect(j.summary.policy).toBe(1000);
    expect(j.requests!.total).toBe(10 + 20);
    expect(j.requests!.perRepo).toBeLessThanOrEqual(0.1);
    expect(fake.count()).toBe(j.requests!.total);
  });
});

describe('audit --org: the cache', () => {
  it('re-reads only repos whose default-branch commit moved, and reports the same', async () => {
    const cache = tempDir();
    const fake = await fakeOrg(manyRepos(120));
    const first = await auditJson(fake, ['--org', 'acme', '--cache-dir', cache], 0);
    expect(first.requests).toMatchObject({ total: 2 + 3, cacheHits: 0 });
    const second = await auditJson(fake, ['--org', 'acme', '--cache-dir', cache], 0);
    expect(second.requests).toMatchObject({ total: 2, graphql: 2, cacheHits: 120 });
    expect(second.repos.every((x) => x.via === 'cache')).toBe(true);
    const strip = (j: typeof first) => ({ repos: j.repos.map(({ via: _via, ...x }) => x), findings: j.findings, access: j.access, summary: j.summary });
    expect(strip(second)).toEqual(strip(first));

    // One repo changes its policy, another is archived (no new commit): one content request.
    fake.writeFile('r0007', POLICY_PATH, 'apiVersion: broken\n');
    fake.setRepo({ ...manyRepos(120)[9]!, archived: true });
    const third = await auditJson(fake, ['--org', 'acme', '--cache-dir', cache], 1);
    expect(third.requests).toMatchObject({ total: 3, cacheHits: 118 });
    const r = byRepo(third);
    expect(r['acme/r0007']).toMatchObject({ status: 'invalid', via: 'graphql' });
    expect(r['acme/r0009']).toMatchObject({ status: 'policy', archived: true });
  });
});

describe('audit --api-url (GitHub Enterprise Server)', () => {
  it('sends REST under /api/v3 and GraphQL to /api/graphql; SARIF links to the server', async () => {
    const fake = await fakeOrg([{ name: 'app', files: { [POLICY_PATH]: 'kind: x\n' } }, { name: 'huge', hugeTree: true, files: { [POLICY_PATH]: PINNED } }]);
    const r = await runCliAsync(['audit', '--org', 'acme', '--api-url', `${fake.url}/api/v3/`, '--format', 'sarif', '--no-progress'], { env: { GITHUB_TOKEN: fake.token } });
    expect(r.code, r.stderr).toBe(1);
    expect(fake.requests.map((q) => q.rawPath.replace(/[0-9a-f]{40}/, 'SHA'))).toEqual(['/api/graphql', '/api/graphql', '/api/v3/repos/acme/huge/contents/.atmos%2Fpro', '/api/v3/repos/acme/huge/git/trees/SHA', '/api/v3/repos/acme/huge/git/blobs/SHA']);
    expect(JSON.parse(r.stdout).runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`${fake.url}/`);
  });
});

describe('audit --repo', () => {
  it('reads named repos in one request, and a missing one is unknown (exit 3), never "no policy"', async () => {
    const fake = await fakeOrg([{ name: 'app', files: { [POLICY_PATH]: PINNED } }, { name: 'other', files: {} }]);
    const j = await auditJson(fake, ['--repo', 'acme/app', '--repo', 'acme/ghost', '--repo', 'acme/other'], 3);
    expect(j.requests!.total).toBe(1);
    const r = byRepo(j);
    expect(r['acme/app']!.status).toBe('policy');
    expect(r['acme/other']!.status).toBe('none');
    expect(r['acme/ghost']).toMatchObject({ status: 'unknown', error: expect.stringMatching(/not found/) });
    expect(j.partial).toEqual(['1 repo could not be read']);
    expect(j.stderr).toMatch(/partial result/);
  });

  it('takes REPO alone with --org, and with a cache checks heads first', async () => {
    const cache = tempDir();
    const fake = await fakeOrg([{ name: 'app', files: { [POLICY_PATH]: PINNED } }, { name: 'lib', files: { [POLICY_PATH]: PINNED } }]);
    const first = await auditJson(fake, ['--org', 'acme', '--repo', 'app,lib', '--cache-dir', cache], 0);
    expect(first.repos.map((x) => x.repo)).toEqual(['acme/app', 'acme/lib']);
    expect(first.requests!.total).toBe(2);
    const second = await auditJson(fake, ['--org', 'acme', '--repo', 'app', '--repo', 'lib', '--cache-dir', cache], 0);
    expect(second.requests).toMatchObject({ total: 1, cacheHits: 2 });
  });
});

describe('audit: the access map', () => {
  it('summarises who may mint, cross-owner and write grants first', async () => {
    const fake = await fakeOrg([
      { name: 'a-read', files: { [POLICY_PATH]: PINNED } },
      { name: 'b-cross-read', files: { [POLICY_PATH]: CROSS_READ } },
      { name: 'c-same-write', files: { [POLICY_PATH]: SAME_WRITE } },
      { name: 'd-cross-write', files: { [POLICY_PATH]: CROSS_WRITE } },
    ]);
    const j = await auditJson(fake, ['--org', 'acme']);
    expect(j.access.map((g) => [g.repo, g.crossOwner, g.write])).toEqual([
      ['acme/d-cross-write', true, true],
      ['acme/b-cross-read', true, false],
      ['acme/c-same-write', false, true],
      ['acme/a-read', false, false],
    ]);
    const [cross, , same, pinned] = j.access;
    expect(cross).toMatchObject({ policy: 'default', rule: 1, foreignOwner: 'partner', permissions: { metadata: 'read', contents: 'write' } });
    expect(cross!.callers).toEqual({ owners: ['partner'], repos: ['partner/deployer'], refs: ['refs/heads/main'], environments: ['*'], other: [] });
    expect(same!.callers).toMatchObject({ owners: ['acme'], repos: ['acme/app'], refs: ['*'], environments: ['production'] });
    expect(pinned!.permissions).toEqual({ metadata: 'read', contents: 'read' });
    // The text report says it the same way.
    const t = await audit(fake, ['--org', 'acme', '--no-progress']);
    const map = t.stdout.slice(t.stdout.indexOf('Access map'));
    expect(map.indexOf('acme/d-cross-write')).toBeLessThan(map.indexOf('acme/b-cross-read'));
    expect(map).toMatch(/CROSS-OWNER \(e\.g\. partner\), WRITE/);
    expect(t.stdout).toMatch(/2 API requests \(0.5 per repo/);
  });
});

describe('audit: the subject template GitHub uses', () => {
  const CUSTOM = policy('default', '    - match:\n        subject: "repository_owner:acme:job_workflow_ref:acme/wf/.github/workflows/*@refs/heads/main"\n      permissions:\n        contents: write\n');
  const isTemplate = (r: { path: string }) => r.path.endsWith('/actions/oidc/customization/sub');
  const templateFindings = (j: AuditJson) => j.findings.filter((f) => f.ruleId === 'analysis/subject-template').map(({ path, ruleId, severity, message, line, column, endLine, endColumn }) => ({ path, ruleId, severity, message, line, column, endLine, endColumn }));
  /** The first `subject` matcher's key in CUSTOM. */
  const AT_SUBJECT = { line: 9, column: 9, endLine: 9, endColumn: 16 };

  it("reads each repo's OIDC customization (the org's when a repo defers to it), only for repos whose policies match subject", async () => {
    const fake = await fakeOrg([
      { name: 'custom', files: { [POLICY_PATH]: CUSTOM }, oidc: { use_default: false } },
      { name: 'own', files: { [POLICY_PATH]: CUSTOM }, oidc: { use_default: false, include_claim_keys: ['repository_owner', 'job_workflow_ref'] } },
      { name: 'plain', files: { [POLICY_PATH]: CUSTOM } },
      { name: 'pinned', files: { [POLICY_PATH]: PINNED } },
    ]);
    fake.orgOidc = { include_claim_keys: ['repository_owner', 'job_workflow_ref'] };
    const j = await auditJson(fake, ['--org', 'acme', '--no-progress']);
    // Under their templates the custom and own repos' rules admit tokens; plain uses GitHub's default, under which nobody.
    expect([...new Set(j.access.map((g) => g.repo))].sort()).toEqual(['acme/custom', 'acme/own', 'acme/pinned']);
    expect(fake.requests.filter(isTemplate).map((r) => r.path).sort()).toEqual(['/orgs/acme/actions/oidc/customization/sub', ...['custom', 'own', 'plain'].map((n) => `/repos/acme/${n}/actions/oidc/customization/sub`)]);
    expect(byRepo(j)['acme/custom']!.notes).toEqual([]);
  });

  it("a failed read is a warning finding of each policy matching subject, at its first subject matcher, in JSON, SARIF and Markdown; --config's template is then used and the exit code is unchanged", async () => {
    const fake = await fakeOrg([{ name: 'custom', files: { [POLICY_PATH]: CUSTOM } }]);
    const config = join(tempDir(), 'sts-policy.yaml');
    writeFileSync(config, 'subjectTemplate: [repository_owner, job_workflow_ref]\n');
    const args = ['--org', 'acme', '--no-progress', '--config', config];
    const read = await auditJson(fake, args);
    fake.inject({ kind: 'status', status: 403, times: 100, when: isTemplate });
    const j = await auditJson(fake, args);
    expect(j.code).toBe(read.code);
    expect(templateFindings(j)).toEqual([
      {
        path: `acme/custom/${POLICY_PATH}`,
        ruleId: 'analysis/subject-template',
        severity: 'warning',
        message: `the subject template GitHub uses for acme/custom could not be read, so \`subject\` matchers were analysed with subjectTemplate [repository_owner, job_workflow_ref] of --config ${config}, unconfirmed: \`GET /repos/acme/custom/actions/oidc/customization/sub\` answered HTTP 403: grant the token the "Actions" repository permission (read) (a classic token needs \`repo\`)`,
        ...AT_SUBJECT,
      },
    ]);
    expect(byRepo(j)['acme/custom']!.notes).toEqual([]);
    // Counted with the other warnings; under --config's template the rule admits tokens, so it gets its caller findings too
    // (under the default template, read when GitHub answers and used over --config's, it admits none and is reported once, as dead).
    expect(j.summary.warnings).toBe(j.findings.filter((f) => f.severity === 'warning').length);
    expect(j.findings.filter((f) => f.severity === 'warning').map((f) => f.ruleId).sort()).toEqual(['analysis/subject-template', 'permissions/broad-write', 'permissions/escalation']);
    expect(read.findings.map((f) => `${f.severity} ${f.ruleId}`).sort()).toEqual(['info analysis/subject-template', 'info correctness/dead-matcher']);
    expect(j.access.map((g) => g.repo)).toEqual(['acme/custom']);

    const sarif = await audit(fake, [...args, '--format', 'sarif']);
    const log = JSON.parse(sarif.stdout) as Log;
    expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
    const results = log.runs[0]!.results!.filter((x) => x.ruleId === 'analysis/subject-template');
    expect(results.map((x) => [x.level, x.message.text, x.locations![0]!.physicalLocation!.artifactLocation!.uri, x.locations![0]!.physicalLocation!.region])).toEqual([
      ['warning', templateFindings(j)[0]!.message, `acme/custom/blob/${byRepo(j)['acme/custom']!.commit}/${POLICY_PATH}`, { startLine: 9, startColumn: 9, endLine: 9, endColumn: 16 }],
    ]);
    const md = await audit(fake, [...args, '--format', 'markdown']);
    expect(md.stdout).toMatch(/\| `acme\/custom\/\.atmos\/pro\/sts\/default\.yaml` \| 9 \| warning \| `analysis\/subject-template` \| the subject template GitHub uses for acme\/custom could not be read/);
  });

  it("GitHub's template differing from --config's is an info finding showing both; GitHub's is used", async () => {
    const fake = await fakeOrg([{ name: 'own', files: { [POLICY_PATH]: CUSTOM }, oidc: { use_default: false, include_claim_keys: ['repository_owner', 'job_workflow_ref'] } }]);
    const config = join(tempDir(), 'sts-policy.yaml');
    writeFileSync(config, 'subjectTemplate: [repo, context]\n');
    const j = await auditJson(fake, ['--org', 'acme', '--no-progress', '--config', config]);
    expect(templateFindings(j)).toEqual([
      {
        path: `acme/own/${POLICY_PATH}`,
        ruleId: 'analysis/subject-template',
        severity: 'info',
        message: `GitHub uses the subject template [repository_owner, job_workflow_ref] for acme/own (the repository's OIDC customization), not subjectTemplate [repo, context] of --config ${config}: \`subject\` matchers were analysed with GitHub's; write \`subjectTemplate: [repository_owner, job_workflow_ref]\` there`,
        ...AT_SUBJECT,
      },
    ]);
    expect(byRepo(j)['acme/own']!.notes).toEqual([]);
    // Read with GitHub's template, the rule admits tokens.
    expect(j.access.map((g) => g.repo)).toEqual(['acme/own']);
  });
});

describe('audit: owner binding under a repo\'s subject template (issue 18)', () => {
  it('`repository_owner:acme:*` under `[repository_owner, context]` is not cross-owner; `repository_owner:acme*:*` is, with a look-alike owner', async () => {
    const oidc = { use_default: false, include_claim_keys: ['repository_owner', 'context'] };
    const fake = await fakeOrg([
      { name: 'pinned', files: { [POLICY_PATH]: policy('default', '    - match:\n        subject: "repository_owner:acme:*"\n') }, oidc },
      { name: 'prefix', files: { [POLICY_PATH]: policy('default', '    - match:\n        subject: "repository_owner:acme*:*"\n') }, oidc },
    ]);
    const j = await auditJson(fake, ['--org', 'acme', '--no-progress']);
    const grant = (repo: string) => j.access.find((g) => g.repo === `acme/${repo}`)!;
    expect(grant('pinned')).toMatchObject({ crossOwner: false, callers: { owners: ['acme'], repos: ['acme/*'] } });
    expect(grant('pinned').foreignOwner).toBeUndefined();
    expect(grant('prefix')).toMatchObject({ crossOwner: true, foreignOwner: 'acme-evil', callers: { owners: ['acme*'] } });
  });
});

describe('audit --caller / --claims', () => {
  const repos: FakeRepoSpec[] = [
    { name: 'modules', files: { [POLICY_PATH]: PINNED } },
    { name: 'charts', files: { [POLICY_PATH]: PINNED } },
    { name: 'infra', files: { [POLICY_PATH]: SAME_WRITE } },
    { name: 'bare', files: {} },
    { name: 'broken', files: { [POLICY_PATH]: 'kind: x\n' } },
    { name: 'gone', vanishOnRead: true, files: { [POLICY_PATH]: PINNED } },
  ];

  it('predicts every repo in the wire shape; what could not be read is not predicted', async () => {
    const fake = await fakeOrg(repos);
    const j = await auditJson(fake, ['--org', 'acme', '--caller', 'repo:acme/app:ref:refs/heads/main'], 3);
    expect(j.prediction!.tokens).toEqual([{ host: 'github.com', owner: 'acme', repositories: ['acme/charts', 'acme/modules'], permissions: { contents: 'read', metadata: 'read' } }]);
    expect(j.prediction!.excluded).toEqual([
      { repo: 'acme/bare', reason: 'no_trust_policy' },
      { repo: 'acme/broken', reason: 'trust_policy_invalid' },
      { repo: 'acme/infra', reason: 'trust_policy_denied' },
    ]);
    expect(j.prediction!.unpredicted).toEqual([{ repo: 'acme/gone', reason: expect.stringMatching(/not found/) }]);
    expect(byRepo(j)['acme/gone']!.status).toBe('unknown');
  });

  it('reads claims from a file; --policy-name selects the policy', async () => {
    const ci = policy('ci', '    - match:\n        repository: "acme/app"\n        environment: "production"\n      permissions:\n        pull_requests: write\n');
    const fake = await fakeOrg([{ name: 'modules', files: { [POLICY_PATH]: PINNED, [sts('ci.yaml')]: ci } }, { name: 'charts', files: { [POLICY_PATH]: PINNED } }]);
    const claims = join(tempDir(), 'claims.json');
    writeFileSync(claims, JSON.stringify({ sub: 'repo:acme/app:environment:production', repository: 'acme/app', repository_owner: 'acme', environment: 'production', ref: 'refs/heads/main' }));
    const j = await auditJson(fake, ['--org', 'acme', '--claims', claims, '--policy-name', 'ci'], 0);
    expect(j.policyName).toBe('ci');
    expect(j.repos.map((x) => x.policies.map((p) => p.name))).toEqual([[], ['ci']]);
    expect(j.prediction!.tokens).toEqual([{ host: 'github.com', owner: 'acme', repositories: ['acme/modules'], permissions: { pull_requests: 'write', metadata: 'read' } }]);
    expect(j.prediction!.excluded).toEqual([{ repo: 'acme/charts', reason: 'no_trust_policy' }]);
  });

  it('reads a JWT from stdin with --claims -, and --claim overrides a claim', async () => {
    const fake = await fakeOrg([{ name: 'modules', files: { [POLICY_PATH]: SAME_WRITE } }]);
    const payload = Buffer.from(JSON.stringify({ sub: 'repo:acme/app:environment:staging', repository: 'acme/app', repository_owner: 'acme', environment: 'staging' })).toString('base64url');
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${payload}.c2lnbmF0dXJl`;
    const args = ['--org', 'acme', '--claims', '-', '--format', 'json', '--no-progress'];
    const denied = await runCliAsync(['audit', '--api-url', fake.url, ...args], { env: { GITHUB_TOKEN: fake.token }, input: jwt });
    expect(JSON.parse(denied.stdout).prediction.excluded).toEqual([{ repo: 'acme/modules', reason: 'trust_policy_denied' }]);
    expect(denied.stdout).not.toContain(payload);
    const minted = await runCliAsync(['audit', '--api-url', fake.url, ...args, '--claim', 'environment=production'], { env: { GITHUB_TOKEN: fake.token }, input: jwt });
    expect(JSON.parse(minted.stdout).prediction.tokens).toEqual([{ host: 'github.com', owner: 'acme', repositories: ['acme/modules'], permissions: { contents: 'write', metadata: 'read' } }]);
  });
});

describe('audit: usage errors', () => {
  it('exits 2 without a token, with a bad token, and for an unknown org', async () => {
    const fake = await fakeOrg([{ name: 'app', files: {} }]);
    const none = await audit(fake, ['--org', 'acme'], { GITHUB_TOKEN: undefined });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no GitHub token: set GITHUB_TOKEN or GH_TOKEN/);
    const bad = await audit(fake, ['--org', 'acme'], { GITHUB_TOKEN: 'wrong' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rejected the token/);
    expect(bad.stderr).not.toMatch(/wrong/);
    const org = await audit(fake, ['--org', 'nobody']);
    expect(org.code).toBe(2);
    expect(org.stderr).toMatch(/organization "nobody" not found/);
    const alt = await audit(fake, ['--org', 'acme', '--token-env', 'MY_TOKEN', '--no-progress'], { GITHUB_TOKEN: undefined, MY_TOKEN: fake.token });
    expect(alt.code).toBe(0);
    for (const args of [[], ['--org', 'acme', '--policy-name', '../x'], ['--org', 'acme', '--batch-size', '101'], ['--repo', 'not a repo'], ['--org', 'acme', '--workspace', '.', '--cache-dir', 'x']]) {
      const r = await audit(fake, args);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });
});
