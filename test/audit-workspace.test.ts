// `sts-policy audit --workspace DIR`: the same audit over local clones DIR/<owner>/<repo>, with no
// network and no token. The same repos give the same report as the audit through GitHub.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { PINNED, POLICY_PATH, auditJson, policy, startFake, writeClones, type AuditJson, type FakeRepoSpec } from './helpers/fake-github-audit.js';
import { tempDirs } from './helpers/temp.js';

const tempDir = tempDirs('sts-audit-ws-');

function workspaceJson(args: string[], code: number): AuditJson {
  const r = runCli(['audit', ...args, '--format', 'json', '--no-progress'], { env: { GITHUB_TOKEN: undefined, GH_TOKEN: undefined } });
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toEqual(code === 3 ? expect.stringMatching(/partial result/) : '');
  return JSON.parse(r.stdout) as AuditJson;
}

const WRITE = policy('default', '    - match:\n        repository_owner: "*"\n      permissions:\n        contents: write\n');
const CI = policy('ci', '    - match:\n        repository: "acme/app"\n        environment: "production"\n');
const REPOS: FakeRepoSpec[] = [
  { name: 'app', files: { [POLICY_PATH]: PINNED, '.atmos/pro/sts/ci.yaml': CI, '.atmos/pro/sts/tests/default.test.yaml': 'cases: []\n' } },
  { name: 'open', files: { [POLICY_PATH]: WRITE } },
  { name: 'bare', files: { 'README.md': 'hello\n' } },
  { name: 'broken', files: { [POLICY_PATH]: 'apiVersion: nope\n' } },
  { name: 'yml', files: { '.atmos/pro/sts/default.yml': PINNED } },
  { name: 'linked', files: { [POLICY_PATH]: { symlink: '../../../README.md' }, 'README.md': 'x\n' } },
  { name: 'latin1', files: { [POLICY_PATH]: Buffer.concat([Buffer.from(PINNED), Buffer.from([0xe9, 0x0a])]) } },
  { name: 'sub', files: { '.atmos/pro/sts/team/default.yaml': PINNED } },
];

/** The report without where it came from: paths relative to the repo, no request counts. */
function comparable(j: AuditJson, prefixOf: (repo: string) => string) {
  const rel = (repo: string, path: string) => path.slice(prefixOf(repo).length);
  const repoOf = (path: string) => j.repos.find((r) => path.startsWith(prefixOf(r.repo)))!.repo;
  return {
    repos: j.repos.map((r) => ({ repo: r.repo, status: r.status, policies: r.policies.map((p) => ({ ...p, path: rel(r.repo, p.path) })), nearMisses: r.nearMisses.map((m) => ({ ...m, path: rel(r.repo, m.path) })) })),
    findings: j.findings.map((f) => ({ ...f, path: `${repoOf(f.path)}:${rel(repoOf(f.path), f.path)}` })),
    access: j.access.map((g) => ({ ...g, path: rel(g.repo, g.path) })),
    prediction: j.prediction && { ...j.prediction, repos: Object.fromEntries(Object.entries(j.prediction.repos).map(([repo, x]) => [repo, { ...x, policyPath: x.policyPath && rel(repo, x.policyPath) }])) },
  };
}

describe('audit --workspace', () => {
  it('reports local clones exactly as the audit through GitHub reports the same repos', async () => {
    const root = tempDir();
    writeClones(root, 'acme', REPOS);
    const local = workspaceJson(['--workspace', root, '--caller', 'repo:acme/app:ref:refs/heads/main'], 1);
    expect(local.source).toBe('workspace');
    expect(local.requests).toBeUndefined();
    expect(Object.fromEntries(local.repos.map((r) => [r.repo, r.status]))).toEqual({
      'acme/app': 'policy',
      'acme/bare': 'none',
      'acme/broken': 'invalid',
      'acme/latin1': 'invalid',
      'acme/linked': 'invalid',
      'acme/open': 'policy',
      'acme/sub': 'none',
      'acme/yml': 'none',
    });
    expect(local.repos.find((r) => r.repo === 'acme/app')!.policies.map((p) => p.path)).toEqual([join(root, 'acme/app', '.atmos/pro/sts/ci.yaml'), join(root, 'acme/app', POLICY_PATH)]);

    const fake = await startFake(REPOS);
    try {
      const remote = await auditJson(fake, ['--org', 'acme', '--caller', 'repo:acme/app:ref:refs/heads/main', '--no-progress'], 1);
      expect(comparable(local, (repo) => `${join(root, repo)}/`)).toEqual(comparable(remote, (repo) => `${repo}/`));
    } finally {
      await fake.close();
    }
  });

  it('filters by --org and --repo; a named repo without a clone is unknown (exit 3)', () => {
    const root = tempDir();
    writeClones(root, 'acme', REPOS.slice(0, 3));
    writeClones(root, 'partner', [{ name: 'tools', files: { [POLICY_PATH]: PINNED } }]);
    expect(workspaceJson(['--workspace', root], 1).repos.map((r) => r.repo)).toEqual(['acme/app', 'acme/bare', 'acme/open', 'partner/tools']);
    // partner/tools' policy admits acme/app, an owner outside partner: an error (exit 1).
    expect(workspaceJson(['--workspace', root, '--org', 'partner'], 1).repos.map((r) => r.repo)).toEqual(['partner/tools']);
    const j = workspaceJson(['--workspace', root, '--repo', 'acme/app', '--repo', 'acme/missing'], 3);
    expect(j.repos.map((r) => [r.repo, r.status])).toEqual([
      ['acme/app', 'policy'],
      ['acme/missing', 'unknown'],
    ]);
    expect(j.repos[1]!.error).toMatch(/no clone at/);
  });

  it('never follows a symbolic link at .atmos, .atmos/pro or .atmos/pro/sts', () => {
    const root = tempDir();
    const real = join(root, 'elsewhere/.atmos/pro/sts');
    mkdirSync(real, { recursive: true });
    writeFileSync(join(real, 'default.yaml'), PINNED);
    for (const [name, link] of [
      ['a', '.atmos'],
      ['b', '.atmos/pro'],
      ['c', '.atmos/pro/sts'],
    ] as const) {
      const dir = join(root, 'acme', name);
      mkdirSync(join(dir, link, '..'), { recursive: true });
      symlinkSync(join(root, 'elsewhere', link), join(dir, link));
    }
    const j = workspaceJson(['--workspace', root, '--org', 'acme'], 1);
    expect(j.repos.map((r) => [r.repo, r.status, r.nearMisses.length])).toEqual([
      ['acme/a', 'none', 1],
      ['acme/b', 'none', 1],
      ['acme/c', 'none', 1],
    ]);
    expect(j.repos[1]!.nearMisses[0]!.message).toMatch(/`\.atmos\/pro` is a symbolic link/);
  });

  it("honours each clone's .sts-policy.yaml as lint does: trusted owners and rule settings", () => {
    const root = tempDir();
    const partner = policy('default', '    - match:\n        repository: "partner/app"\n        ref: "refs/heads/main"\n    - match:\n        repository: "acme/*"\n        ref: "refs/heads/main"\n');
    writeClones(root, 'acme', [
      { name: 'shared', files: { [POLICY_PATH]: partner, '.sts-policy.yaml': 'owners: [acme, partner]\nrules:\n  permissions/broad-write: off\n  security/repo-prefix: error\n' } },
      { name: 'plain', files: { [POLICY_PATH]: partner } },
    ]);
    const lint = runCli(['lint', join(root, 'acme/shared'), '--format', 'json']);
    const linted = (JSON.parse(lint.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    expect(linted).not.toContain('security/untrusted-owner');
    // The plain clone's outside owner is an error (the severity policy): exit 1.
    const j = workspaceJson(['--workspace', root], 1);
    const findingsOf = (repo: string) => j.findings.filter((f) => f.path.includes(`/acme/${repo}/`)).map((f) => f.ruleId).sort();
    expect(findingsOf('shared')).toEqual([...linted].sort());
    expect(findingsOf('shared')).not.toContain('security/untrusted-owner');
    expect(findingsOf('plain')).toContain('security/untrusted-owner');
    const cross = (repo: string) => j.access.filter((g) => g.repo === `acme/${repo}` && g.crossOwner).length;
    expect([cross('shared'), cross('plain')]).toEqual([0, 1]);
  });

  it('audits a valid policy whose subjects have a custom template\'s shape (no crash)', () => {
    const root = tempDir();
    const custom = policy('default', '    - match:\n        subject: "repository_owner:*"\n    - match:\n        subject: "repository_owner:acme:job_workflow_ref:acme/wf/.github/workflows/*@refs/heads/main"\n');
    writeClones(root, 'acme', [{ name: 'custom', files: { [POLICY_PATH]: custom } }]);
    const j = workspaceJson(['--workspace', root], 0);
    expect(j.repos.map((r) => [r.repo, r.status])).toEqual([['acme/custom', 'policy']]);
    // Without a subjectTemplate, GitHub's default template applies: no token carries such a subject,
    // so the rules grant nobody and stay out of the access map (lint's dead-matcher names the template).
    expect(j.access).toEqual([]);
  });

  it("reads such subjects with the clone's own subjectTemplate: its rules enter the access map", () => {
    const root = tempDir();
    const custom = policy('default', '    - match:\n        subject: "repository_owner:*"\n    - match:\n        subject: "repository_owner:acme:job_workflow_ref:acme/wf/.github/workflows/*@refs/heads/main"\n      permissions:\n        contents: write\n');
    writeClones(root, 'acme', [{ name: 'custom', files: { [POLICY_PATH]: custom, '.sts-policy.yaml': 'subjectTemplate: [repository_owner, job_workflow_ref]\n' } }]);
    const j = workspaceJson(['--workspace', root], 0);
    // Both rules admit tokens under the template (without it, neither does: the test above).
    expect(j.access.map((g) => [g.rule, g.write]).sort()).toEqual([[1, false], [2, true]]);
    // No token, no template read from GitHub: nothing to confirm, so no analysis/subject-template finding and no note.
    expect(j.findings.map((f) => f.ruleId)).not.toContain('analysis/subject-template');
    expect(j.repos[0]!.notes).toEqual([]);
  });

  it("binds the owner through the clone's subjectTemplate: a subject pinning it is not cross-owner, a prefix is", () => {
    const root = tempDir();
    const settings = 'subjectTemplate: [repository_owner, context]\n';
    writeClones(root, 'acme', [
      { name: 'pinned', files: { [POLICY_PATH]: policy('default', '    - match:\n        subject: "repository_owner:acme:ref:refs/heads/main"\n'), '.sts-policy.yaml': settings } },
      { name: 'prefix', files: { [POLICY_PATH]: policy('default', '    - match:\n        subject: "repository_owner:acme*:*"\n'), '.sts-policy.yaml': settings } },
    ]);
    const j = workspaceJson(['--workspace', root], 1);
    expect(j.access.map((g) => [g.repo, g.crossOwner, g.foreignOwner ?? null])).toEqual([
      ['acme/prefix', true, 'acme-evil'],
      ['acme/pinned', false, null],
    ]);
    expect(j.findings.filter((f) => f.path.includes('/acme/prefix/')).map((f) => f.ruleId)).toContain('security/untrusted-owner');
  });

  it('is a usage error when the folder does not exist', () => {
    const r = runCli(['audit', '--workspace', join(tmpdir(), 'no-such-sts-workspace')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a directory/);
  });
});
