// `sts-policy audit`: every source repo of an org (or named repos, or local clones) — inventory,
// lint findings, access map and, for a caller, STS's predicted answer. Exit 3 when the result is
// partial (a repo or the repo list could not be read), else 1 on error findings, else 0.
import { POLICY_NAME_PATTERN } from '../model.js';
import { loadConfigFile, formatConfigProblem } from '../lint/config.js';
import type { LintConfig } from '../rules/framework.js';
import { readClaims, readClaimsFile } from './claims-input.js';
import { UsageError, EXIT } from './errors.js';
import { writeReport } from './output.js';
import { count, seconds } from './options.js';
import { VERSION } from '../version.js';
import { runAudit, type AuditResult, type AuditSource } from '../audit/audit.js';
import { auditVerdict } from '../audit/verdict.js';
import { createGitHubClient, type GitHubClient } from '../github/client.js';
import { describeEvent } from '../report/client-events.js';
import { SnapshotCache } from '../audit/fetch/cache.js';
import { accessGraph } from '../report/audit/graph.js';
import { AuditFatal } from '../audit/fetch/github.js';
import { WorkspaceError } from '../load/walk.js';
import { endpoints } from '../audit/fetch/github-url.js';
import { createProgress, silentProgress, type Progress } from '../report/audit/progress.js';
import { jsonReport, textReport } from '../report/audit/report.js';
import { markdownReport } from '../report/audit/markdown.js';
import { sarifReport } from '../report/audit/sarif.js';

export interface AuditCommandOptions {
  org?: string;
  repo?: string[];
  workspace?: string;
  caller?: string;
  claims?: string;
  claim?: string[];
  policyName?: string;
  format: 'text' | 'json' | 'markdown' | 'sarif' | 'graph';
  output?: string;
  cacheDir?: string;
  tokenEnv?: string;
  apiUrl?: string;
  config?: string;
  trustedOwner?: string[];
  progress: boolean;
  ignores: boolean;
  retries: string;
  retryBaseMs: string;
  requestTimeout: string;
  maxWait: string;
  concurrency: string;
  batchSize: string;
}

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
export const EXIT_PARTIAL = 3;

export async function runAuditCommand(opts: AuditCommandOptions): Promise<number> {
  if (opts.policyName !== undefined && !POLICY_NAME_PATTERN.test(opts.policyName)) throw new UsageError(`--policy-name ${JSON.stringify(opts.policyName)} is not a policy name: 1 to 64 letters, digits, \`-\` or \`_\``);
  if (!opts.org && !opts.repo?.length && !opts.workspace) throw new UsageError('give --org ORG, --repo OWNER/REPO, or --workspace DIR');
  if (opts.org && !/^[A-Za-z0-9-]+$/.test(opts.org)) throw new UsageError(`--org ${JSON.stringify(opts.org)} is not an organization login`);
  const repos = (opts.repo ?? []).flatMap((r) => r.split(',')).filter(Boolean).map((r) => (r.includes('/') || !opts.org ? r : `${opts.org}/${r}`));
  for (const r of repos) if (!REPO.test(r)) throw new UsageError(`--repo ${JSON.stringify(r)}: write OWNER/REPO (or REPO with --org)`);
  const caller = opts.caller || opts.claims ? readClaims({ subject: opts.caller, claims: opts.claims, claim: opts.claim }, () => readClaimsFile(0)) : undefined;
  if (!caller && opts.claim?.length) throw new UsageError('--claim needs a caller: --caller SUB or --claims FILE');
  const config = loadConfig(opts.config);

  let client: GitHubClient | undefined;
  const progress: Progress = opts.progress ? createProgress(process.stderr, opts.workspace ? undefined : () => client?.stats.requests ?? 0) : silentProgress;
  let source: AuditSource;
  if (opts.workspace) {
    if (opts.apiUrl || opts.cacheDir) throw new UsageError('--workspace reads local clones: --api-url and --cache-dir do not apply');
    source = { kind: 'workspace', dir: opts.workspace };
  } else {
    let ep;
    try {
      ep = endpoints(opts.apiUrl);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const tokenVars = opts.tokenEnv ? [opts.tokenEnv] : ['GITHUB_TOKEN', 'GH_TOKEN'];
    const token = tokenVars.map((v) => process.env[v]).find((t) => t);
    if (!token) throw new UsageError(`no GitHub token: set ${tokenVars.join(' or ')} (a token that can read the repos' contents and metadata)`);
    client = await createGitHubClient({
      apiUrl: ep.apiUrl,
      token,
      retries: count(opts.retries, '--retries', 0),
      retryBaseMs: count(opts.retryBaseMs, '--retry-base-ms', 0),
      timeoutMs: seconds(opts.requestTimeout, '--request-timeout', 0.001),
      maxWaitMs: seconds(opts.maxWait, '--max-wait', 0),
      onEvent: (e) => progress.note(describeEvent(e)),
    });
    const cache = opts.cacheDir ? new SnapshotCache(opts.cacheDir, ep.host) : undefined;
    if (cache?.problem) progress.note(cache.problem);
    const batchSize = count(opts.batchSize, '--batch-size', 1);
    if (batchSize > 100) throw new UsageError('--batch-size is at most 100');
    source = { kind: 'github', client, host: ep.host, webUrl: ep.webUrl, cache, batchSize, concurrency: count(opts.concurrency, '--concurrency', 1) };
  }

  let result: AuditResult;
  try {
    result = await runAudit({ source, org: opts.org, repos, policyName: opts.policyName, config, configPath: opts.config, trustedOwners: opts.trustedOwner?.length ? opts.trustedOwner : undefined, ignores: opts.ignores, caller: caller && { claims: caller.claims, notes: caller.notes }, progress });
  } catch (e) {
    progress.done();
    if (e instanceof AuditFatal || e instanceof WorkspaceError) throw new UsageError(e.message);
    throw e;
  }

  const text =
    opts.format === 'json' ? JSON.stringify(jsonReport(result), null, 2) + '\n' : opts.format === 'markdown' ? markdownReport(result) : opts.format === 'graph' ? JSON.stringify(accessGraph(result.grants), null, 2) + '\n' : opts.format === 'sarif' ? sarifReport(result, VERSION) : textReport(result);
  const unwritten = writeReport(text, opts.output);
  if (unwritten !== undefined) return unwritten;
  const verdict = auditVerdict(result);
  if (verdict === 'partial') process.stderr.write(`sts-policy: partial result: ${result.partial.join('; ')}\n`);
  return verdict === 'partial' ? EXIT_PARTIAL : verdict === 'errors' ? EXIT.findings : EXIT.ok;
}

function loadConfig(path: string | undefined): LintConfig {
  if (!path) return {};
  const r = loadConfigFile(path);
  if (!r.ok) throw new UsageError(`--config ${path}:\n${r.problems.map(formatConfigProblem).join('\n')}`);
  return r.config;
}
