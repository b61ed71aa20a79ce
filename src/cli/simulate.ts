// `sts-policy simulate`: predict STS's answer for a caller against source repos, and explain it.
import { POLICY_NAME_PATTERN } from '../model.js';
import { WorkspaceError, workspaceCheckouts, type Checkout } from '../load/walk.js';
import { predict, OUTCOMES, type Outcome, type SourceRepo } from '../simulate/simulate.js';
import { sharedSubjectTemplate } from '../lint/config.js';
import { readClaims, readClaimsFile } from './claims-input.js';
import { simulateJson, simulateText } from '../report/simulate-text.js';
import { UsageError, EXIT } from './errors.js';

export interface SimulateOptions {
  claims?: string;
  subject?: string;
  claim?: string[];
  source?: string[];
  workspace?: string;
  repo?: string[];
  policyName: string;
  gitRef?: string;
  installed?: string[];
  format: 'text' | 'json';
  expect?: string;
}

const REPO = /^[^/\s]+\/[^/\s]+$/;
const EXPECT_ALIASES: Record<string, Outcome> = { denied: 'trust_policy_denied', invalid: 'trust_policy_invalid', not_installed: 'not_installed_in_workspace', none: 'no_trust_policy' };

export function runSimulate(opts: SimulateOptions): number {
  if (!POLICY_NAME_PATTERN.test(opts.policyName)) throw new UsageError(`--policy-name ${JSON.stringify(opts.policyName)} is not a policy name: 1 to 64 letters, digits, \`-\` or \`_\``);
  const expect = opts.expect === undefined ? undefined : (EXPECT_ALIASES[opts.expect] ?? (OUTCOMES as readonly string[]).find((o) => o === opts.expect));
  if (opts.expect !== undefined && !expect) throw new UsageError(`--expect ${opts.expect}: expected one of ${OUTCOMES.join(', ')} (or denied, invalid, not_installed)`);
  const sources = requestedRepos(opts);
  // A --subject follows the org's template: the one the checkouts' settings give.
  const input = readClaims(opts, () => readClaimsFile(0), sharedSubjectTemplate(sources.flatMap((s) => (s.dir ? [s.dir] : []))));
  const predictions = predict({ claims: input.claims, sources, policyName: opts.policyName, gitRef: opts.gitRef, installed: opts.installed && new Set(opts.installed.flatMap((s) => s.split(',')).filter(Boolean)) });
  if (opts.format === 'json') process.stdout.write(JSON.stringify(simulateJson(predictions, input), null, 2) + '\n');
  else process.stdout.write(simulateText(predictions, input, opts.policyName));
  if (expect && predictions.some((p) => p.outcome !== expect)) {
    const off = predictions.filter((p) => p.outcome !== expect).map((p) => `${p.repo}: ${p.outcome}`);
    process.stderr.write(`sts-policy: expected ${expect}, got ${off.join('; ')}\n`);
    return EXIT.findings;
  }
  return EXIT.ok;
}

function requestedRepos(opts: SimulateOptions): SourceRepo[] {
  const dirs = new Map<string, string>();
  for (const s of opts.source ?? []) {
    const i = s.indexOf('=');
    const repo = s.slice(0, i);
    if (i < 0 || !REPO.test(repo) || !s.slice(i + 1)) throw new UsageError(`--source ${JSON.stringify(s)}: write OWNER/REPO=DIR, e.g. --source acme/modules=../modules`);
    dirs.set(repo, s.slice(i + 1));
  }
  if (opts.workspace) for (const { repo, dir } of workspace(opts.workspace)) if (!dirs.has(repo)) dirs.set(repo, dir);
  const installed = (opts.installed ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  for (const r of [...(opts.repo ?? []), ...installed]) if (!REPO.test(r)) throw new UsageError(`${JSON.stringify(r)} is not OWNER/REPO`);
  const requested = opts.repo?.length ? opts.repo : [...new Set([...dirs.keys(), ...installed])];
  if (!requested.length) throw new UsageError('no source repo: give --source OWNER/REPO=DIR or --workspace DIR');
  const installedSet = new Set(installed);
  return requested.map((repo) => {
    const dir = dirs.get(repo);
    if (!dir && (!installed.length || installedSet.has(repo))) throw new UsageError(`no checkout for ${repo}: pass --source ${repo}=DIR or --workspace DIR`);
    return { repo, dir };
  });
}

function workspace(dir: string): Checkout[] {
  try {
    return workspaceCheckouts(dir);
  } catch (e) {
    throw e instanceof WorkspaceError ? new UsageError(e.message) : e;
  }
}
