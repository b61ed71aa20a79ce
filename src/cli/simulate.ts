// `sts-policy simulate`: predict STS's answer for a caller against source repos, and explain it.
import { POLICY_NAME_PATTERN, TOKEN_CLAIM, CLAIM_NAMES } from '../model.js';
import { GitError } from '../load/git.js';
import { WorkspaceError, workspaceCheckouts, type Checkout } from '../load/walk.js';
import { predict, toWire, OUTCOMES, type Outcome, type RepoPrediction, type SourceRepo } from '../simulate/simulate.js';
import { readClaims, readClaimsFile, type ClaimsSource } from './claims-input.js';
import { formatTrace } from './trace-text.js';
import { UsageError, EXIT } from './errors.js';
import { inertLines } from '../report/inert.js';

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
  const input = readClaims(opts, () => readClaimsFile(0));
  const sources = requestedRepos(opts);
  let predictions: RepoPrediction[];
  try {
    predictions = predict({ claims: input.claims, sources, policyName: opts.policyName, gitRef: opts.gitRef, installed: opts.installed && new Set(opts.installed.flatMap((s) => s.split(',')).filter(Boolean)) });
  } catch (e) {
    if (e instanceof GitError) throw new UsageError(e.message);
    throw e;
  }
  if (opts.format === 'json') process.stdout.write(JSON.stringify(jsonReport(predictions, input), null, 2) + '\n');
  else process.stdout.write(textReport(predictions, input, opts.policyName));
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

function jsonReport(predictions: RepoPrediction[], input: ClaimsSource) {
  return {
    ...toWire(predictions),
    repos: Object.fromEntries(
      predictions.map((p) => [
        p.repo,
        {
          outcome: p.outcome,
          policyPath: p.policyPath ?? null,
          rule: p.evaluation?.rule ?? null,
          // The number text output shows (`rule 1`): `rule` stays the 0-based index of the wire contract.
          ruleNumber: typeof p.evaluation?.rule === 'number' ? p.evaluation.rule + 1 : null,
          line: p.evaluation?.line ?? null,
          permissions: p.evaluation?.permissions ?? null,
          otherMatches: p.evaluation?.otherMatches ?? [],
          trace: p.evaluation?.trace ?? [],
          findings: p.findings ?? [],
          notes: p.notes,
        },
      ]),
    ),
    claims: input.claims,
    notes: input.notes,
  };
}

function textReport(predictions: RepoPrediction[], input: ClaimsSource, policyName: string): string {
  const out: string[] = ['Caller claims:'];
  const known = new Set<string>(CLAIM_NAMES.map((c) => TOKEN_CLAIM[c]));
  const width = Math.max(...Object.keys(input.claims).map((k) => k.length), 10);
  for (const [k, v] of Object.entries(input.claims)) if (known.has(k)) out.push(`  ${k.padEnd(width)}  ${v}${input.derived.has(k) ? '   (derived from the subject)' : ''}`);
  const absent = CLAIM_NAMES.map((c) => TOKEN_CLAIM[c]).filter((k) => !(k in input.claims));
  if (absent.length) out.push(`  ${'absent'.padEnd(width)}  ${absent.join(', ')}`);
  for (const n of input.notes) out.push(`  note: ${n}`);
  out.push('');
  for (const p of predictions) {
    const head = p.outcome === 'minted' ? `minted  ${Object.entries(p.evaluation!.permissions!).map(([k, v]) => `${k}: ${v}`).join(', ')}` : p.outcome;
    out.push(`${p.repo}  ${head}`);
    for (const n of p.notes) out.push(`  note: ${n}`);
    switch (p.outcome) {
      case 'not_installed_in_workspace':
        out.push('  the Atmos Pro GitHub App is not installed on this repo for the workspace');
        break;
      case 'no_trust_policy':
        out.push(`  no ${p.policyPath ?? `.atmos/pro/sts/${policyName}.yaml`}: STS is deny-by-default; commit a policy there (the exact path: .yml or another case is never read)`);
        break;
      case 'trust_policy_invalid':
        out.push(`  ${p.policyPath} is invalid, so STS fails closed:`);
        for (const f of p.findings ?? []) out.push(`    ${f.path}:${f.line}:${f.column}  ${f.message}  ${f.ruleId}`);
        break;
      case 'minted': {
        const ev = p.evaluation!;
        out.push(`  rule ${ev.rule! + 1} (line ${ev.line}) matched first and decides the grant`);
        for (const o of ev.otherMatches) out.push(`  rule ${o.rule + 1} (line ${o.line}) also matches; its grant is not used (the first match wins)`);
        out.push(...formatTrace(ev.trace.filter((r) => r.rule === ev.rule), '  '));
        break;
      }
      case 'trust_policy_denied':
        out.push(`  ${p.policyPath}: no rule matched this caller`);
        out.push(...formatTrace(p.evaluation!.trace, '  '));
        break;
    }
    out.push('');
  }
  return inertLines(out);
}
