// `audit` as a library call: read every source repo's policy folder (GitHub or local clones),
// audit each, and derive the inventory, the findings, the access map and, for a caller, the
// predicted answer. What could not be read is reported as unknown and makes the result partial.
// On GitHub, a repo whose policies match `subject` is analysed with the subject template GitHub
// uses for it (src/github/subject-template.ts); a failed read or a disagreement is an
// `analysis/subject-template` finding of each such policy.
import type { Claims, Finding } from '../model.js';
import type { IgnoredFinding } from '../lint/ignores.js';
import type { LintConfig } from '../rules/framework.js';
import type { RequestStats, GitHubClient } from '../github/client.js';
import type { SnapshotCache } from './fetch/cache.js';
import type { RepoAudit, RepoSnapshot } from './model.js';
import type { Progress } from '../report/audit/progress.js';
import { RepoAnalyzer, auditFindings } from './analyze/analyze.js';
import { AccessMapper, sortGrants, type AccessGrant } from './analyze/access.js';
import { predictForCaller, type AuditPrediction } from './analyze/predict.js';
import { fetchFromGitHub, type GitHubFetch } from './fetch/github.js';
import { workspaceSnapshots } from './fetch/workspace.js';
import { SettingsResolver } from '../lint/config.js';
import { SubjectTemplateReader, withGithubTemplate } from '../github/subject-template.js';

export type AuditSource =
  | { kind: 'github'; client: GitHubClient; host: string; webUrl: string; cache?: SnapshotCache; batchSize: number; concurrency: number }
  | { kind: 'workspace'; dir: string };

export interface AuditRequest {
  source: AuditSource;
  org?: string;
  repos?: readonly string[];
  /** Audit only this policy name; without it every policy file is audited. */
  policyName?: string;
  config: LintConfig;
  /** The file `config` came from (--config): it then applies to every repo; without it, local clones use their own. */
  configPath?: string;
  trustedOwners?: readonly string[];
  /** Honour `# sts-policy-ignore` comments (default true). */
  ignores?: boolean;
  caller?: { claims: Claims; notes: string[] };
  progress: Progress;
}

export interface AuditResult {
  source: 'github' | 'workspace';
  /** The org, or the workspace folder. */
  target: string;
  host?: string;
  webUrl?: string;
  policyName?: string;
  repos: RepoAudit[];
  findings: Finding[];
  /** Findings suppressed by `# sts-policy-ignore` comments, with their reasons. */
  ignored: IgnoredFinding[];
  /** Sorted: cross-owner grants first, then write grants. */
  grants: AccessGrant[];
  prediction?: AuditPrediction;
  listing?: GitHubFetch['listing'];
  requests?: RequestStats & { cacheHits: number };
  /** Why the result is partial; empty when every repo was read. */
  partial: string[];
}

/** The policy name predictions are made for when the audit is not limited to one. */
export const DEFAULT_POLICY_NAME = 'default';

export async function runAudit(req: AuditRequest): Promise<AuditResult> {
  let snapshots: RepoSnapshot[];
  let fetched: GitHubFetch | undefined;
  const src = req.source;
  if (src.kind === 'github') {
    fetched = await fetchFromGitHub({ client: src.client, org: req.org, repos: req.repos, cache: src.cache, batchSize: src.batchSize, concurrency: src.concurrency, progress: req.progress });
    snapshots = fetched.snapshots;
    src.cache?.save();
  } else {
    const settings = new SettingsResolver(req.configPath ? { config: req.config, configPath: req.configPath } : {});
    snapshots = workspaceSnapshots({ dir: src.dir, org: req.org, repos: req.repos, progress: req.progress, settings });
  }

  req.progress.phase('analysing policies', snapshots.length);
  const analyzer = new RepoAnalyzer({ policyName: req.policyName, config: req.config, trustedOwners: req.trustedOwners, ignores: req.ignores });
  const mapper = new AccessMapper(req.trustedOwners ?? req.config.owners, req.config.subjectTemplate);
  const repos: RepoAudit[] = [];
  const grants: AccessGrant[] = [];
  const reader = src.kind === 'github' ? new SubjectTemplateReader({ request: async (route, params) => ({ data: await src.client.rest(route, params) }) }) : undefined;
  const settingsName = req.configPath ? `--config ${req.configPath}` : 'the lint settings';
  for (const s of snapshots) {
    let a = analyzer.audit(s);
    const [owner, name] = s.repo.split('/') as [string, string];
    const config = s.settings?.config ?? req.config;
    const github = reader && { repo: s.repo, read: () => reader.forRepo(owner, name) };
    const withTemplate = await withGithubTemplate(config, a.policies.map((p) => p.validated?.policy), github, settingsName);
    if ((withTemplate.config.subjectTemplate ?? []).join() !== (config.subjectTemplate ?? []).join()) {
      s.settings = { ...s.settings, config: withTemplate.config };
      a = analyzer.audit(s);
    }
    for (const f of withTemplate.findings) a.policies.find((p) => p.path === f.path)?.findings.push(f);
    repos.push(a);
    grants.push(...mapper.grants(a));
    req.progress.advance(1);
  }
  req.progress.done();

  const partial: string[] = [];
  if (fetched?.listing?.error) partial.push(fetched.listing.error);
  const unknown = repos.filter((r) => r.status === 'unknown');
  if (unknown.length) partial.push(`${unknown.length} ${unknown.length === 1 ? 'repo' : 'repos'} could not be read`);
  return {
    source: src.kind,
    target: src.kind === 'workspace' ? src.dir : (fetched?.listing?.org ?? req.org ?? [...new Set((req.repos ?? []).map((r) => r.split('/')[0]))].join(', ')),
    ...(src.kind === 'github' ? { host: src.host, webUrl: src.webUrl } : {}),
    ...(req.policyName ? { policyName: req.policyName } : {}),
    repos,
    findings: repos.flatMap(auditFindings),
    ignored: repos.flatMap((a) => a.policies.flatMap((p) => p.ignored)),
    grants: sortGrants(grants),
    ...(req.caller ? { prediction: predictForCaller(repos, req.caller.claims, req.policyName ?? DEFAULT_POLICY_NAME, req.caller.notes) } : {}),
    ...(fetched?.listing ? { listing: fetched.listing } : {}),
    ...(src.kind === 'github' ? { requests: { ...src.client.stats, cacheHits: fetched!.cacheHits } } : {}),
    partial,
  };
}
