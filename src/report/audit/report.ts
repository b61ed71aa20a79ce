// The audit's JSON contract (version 1) and its text report. Both lead with the inventory, then the
// findings, the access map (cross-owner and write grants first) and, with a caller, the prediction.
import type { Finding, Permissions } from '../../model.js';
import { plural } from '../summary.js';
import { inertLines } from '../inert.js';
import type { AuditResult } from '../../audit/audit.js';
import type { AccessGrant } from '../../audit/analyze/access.js';
import { grantsByRepo } from '../../audit/analyze/access.js';
import type { RepoAudit, RepoStatus } from '../../audit/model.js';

export interface Inventory {
  repos: number;
  policy: number;
  none: number;
  invalid: number;
  unknown: number;
  disabled: number;
  archived: number;
  /** Repos with at least one near miss. */
  nearMisses: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Findings suppressed by ignore comments. */
  ignored: number;
}

export function inventory(r: AuditResult): Inventory {
  const by = (s: RepoStatus) => r.repos.filter((a) => a.status === s).length;
  const sev = (s: Finding['severity']) => r.findings.filter((f) => f.severity === s).length;
  return {
    repos: r.repos.length,
    policy: by('policy'),
    none: by('none'),
    invalid: by('invalid'),
    // Repos the listing counted but did not return are unknown too.
    unknown: by('unknown') + (r.listing?.unlisted ?? 0),
    disabled: by('disabled'),
    archived: r.repos.filter((a) => a.snapshot.archived).length,
    nearMisses: r.repos.filter((a) => a.nearMisses.length).length,
    errors: sev('error'),
    warnings: sev('warning'),
    infos: sev('info'),
    ignored: r.ignored.length,
  };
}

/** Every finding counted, near misses included: the text and Markdown reports say the same numbers. */
export const findingCounts = (inv: Inventory) => `${plural(inv.errors, 'error')}, ${plural(inv.warnings, 'warning')}, ${plural(inv.infos, 'info')}`;

export function requestFigures(r: AuditResult) {
  if (!r.requests) return undefined;
  const q = r.requests;
  return { total: q.requests, graphql: q.graphql, rest: q.rest, retries: q.requests - q.calls, cacheHits: q.cacheHits, perRepo: r.repos.length ? round(q.requests / r.repos.length) : 0 };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function jsonReport(r: AuditResult) {
  const p = r.prediction;
  return {
    version: 1,
    source: r.source,
    target: r.target,
    ...(r.host ? { host: r.host } : {}),
    policyName: r.policyName ?? null,
    complete: r.partial.length === 0,
    partial: r.partial,
    ...(r.requests ? { requests: requestFigures(r) } : {}),
    ...(r.listing ? { listing: r.listing } : {}),
    summary: inventory(r),
    repos: r.repos.map(repoJson),
    findings: r.findings,
    ignored: r.ignored,
    access: r.grants,
    ...(p
      ? {
          prediction: {
            policyName: p.policyName,
            claims: p.claims,
            notes: p.notes,
            ...p.wire,
            unpredicted: p.unpredicted,
            repos: Object.fromEntries(p.repos.map((x) => [x.repo, { outcome: x.outcome, policyPath: x.policyPath ?? null, rule: x.evaluation?.rule !== undefined ? x.evaluation.rule + 1 : null, line: x.evaluation?.line ?? null, permissions: x.evaluation?.permissions ?? null }])),
          },
        }
      : {}),
  };
}

function repoJson(a: RepoAudit) {
  const s = a.snapshot;
  return {
    repo: a.repo,
    status: a.status,
    defaultBranch: s.defaultBranch,
    commit: s.commit,
    archived: s.archived,
    empty: s.empty,
    disabled: s.disabled,
    via: s.via,
    ...(s.error ? { error: s.error } : {}),
    notes: s.notes,
    policies: a.policies.map((p) => ({ name: p.name, path: p.path, valid: p.valid })),
    nearMisses: a.nearMisses.map((f) => ({ path: f.path, message: f.message })),
  };
}

export const fmtPermissions = (p: Permissions | Record<string, string>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');

const STATUS_LABEL: Record<RepoStatus, string> = { policy: 'with a valid policy', invalid: 'with an invalid policy', none: 'without a policy', unknown: 'unknown (could not be read)', disabled: 'disabled' };

export function grantFlags(g: AccessGrant): string[] {
  const flags: string[] = [];
  if (g.crossOwner) flags.push(g.undecided ? 'CROSS-OWNER? (undecided)' : `CROSS-OWNER (e.g. ${g.foreignOwner === '*' ? 'any owner' : g.foreignOwner})`);
  if (g.write) flags.push('WRITE');
  return flags;
}

export function textReport(r: AuditResult): string {
  const inv = inventory(r);
  const out: string[] = [];
  const what = r.source === 'github' ? `${r.target} on ${r.host}, default branches` : `local clones in ${r.target}, working trees`;
  out.push(`Audit of ${what}; ${r.policyName ? `policy ${r.policyName}` : 'every policy'}`, '');
  out.push('Inventory');
  const list = (s: RepoStatus) => r.repos.filter((a) => a.status === s);
  for (const s of ['policy', 'invalid', 'none', 'unknown', 'disabled'] as RepoStatus[]) {
    const repos = list(s);
    if (!repos.length && (s === 'unknown' || s === 'disabled')) continue;
    out.push(`  ${STATUS_LABEL[s].padEnd(30)} ${String(repos.length).padStart(5)}${s === 'none' || !repos.length ? '' : `  ${short(repos.map((a) => a.repo))}`}`);
    if (s === 'unknown') for (const a of repos) out.push(`    ${a.repo}: ${a.snapshot.error}`);
  }
  if (inv.archived) out.push(`  ${'archived (audited)'.padEnd(30)} ${String(inv.archived).padStart(5)}`);
  const misses = r.repos.flatMap((a) => a.nearMisses);
  if (misses.length) {
    out.push(`  ${'with near misses'.padEnd(30)} ${String(inv.nearMisses).padStart(5)}`);
    for (const f of misses) out.push(`    ${f.path}: ${f.message}`);
  }
  for (const a of r.repos) for (const n of a.snapshot.notes.filter((x) => x !== 'archived')) out.push(`  note: ${a.repo}: ${n}`);
  out.push('');

  // Near misses are listed in the inventory above.
  const findings = r.findings.filter((f) => f.ruleId !== 'file/near-miss');
  out.push(`Findings (${findingCounts(inv)}; near misses are listed above)`);
  for (const f of findings) {
    out.push(`  ${f.path}:${f.line}:${f.column}  ${f.severity}  ${f.message}  ${f.ruleId}`);
    if (f.witness) out.push(`    witness: ${JSON.stringify(f.witness)}`);
  }
  if (!findings.length) out.push('  none');
  if (r.ignored.length) out.push(`  (${plural(r.ignored.length, 'finding')} suppressed by \`# sts-policy-ignore\` comments; --no-ignores shows them)`);
  out.push('');

  out.push('Access map (who may mint from each source repo; cross-owner and write grants first)');
  for (const { repo, grants } of grantsByRepo(r.grants)) {
    out.push(`  ${repo}`);
    for (const g of grants) {
      const flags = grantFlags(g);
      out.push(`    ${g.policy} rule ${g.rule} (line ${g.line})  ${fmtPermissions(g.permissions)}${flags.length ? `  [${flags.join(', ')}]` : ''}`);
      out.push(`      owners: ${g.callers.owners.join(' | ') || '(none)'}; repos: ${g.callers.repos.join(' | ') || '(none)'}; refs: ${g.callers.refs.join(' | ')}; environments: ${g.callers.environments.join(' | ')}${g.callers.other.length ? `; also ${g.callers.other.join(', ')}` : ''}`);
    }
  }
  if (!r.grants.length) out.push('  no valid policy grants access');
  out.push('');

  const p = r.prediction;
  if (p) {
    out.push(`Prediction for the caller (policy ${p.policyName}): ${p.claims.sub ?? JSON.stringify(p.claims)}`);
    for (const n of p.notes) out.push(`  note: ${n}`);
    for (const x of p.repos) {
      const ev = x.evaluation;
      out.push(`  ${x.repo}  ${x.outcome}${x.outcome === 'minted' ? `  ${fmtPermissions(ev!.permissions!)} (rule ${ev!.rule! + 1}, line ${ev!.line})` : ''}`);
    }
    for (const u of p.unpredicted) out.push(`  ${u.repo}  unknown: ${u.reason}`);
    out.push(`  tokens: ${p.wire.tokens.length ? p.wire.tokens.map((t) => `${t.owner} [${t.repositories.join(', ')}] ${fmtPermissions(t.permissions)}`).join('; ') : 'none'}`);
    out.push('');
  }

  const req = requestFigures(r);
  const tail = [
    `${plural(inv.repos, 'repo')}: ${inv.policy} with a valid policy, ${inv.invalid} invalid, ${inv.none} without${inv.unknown ? `, ${inv.unknown} unknown` : ''}${inv.disabled ? `, ${inv.disabled} disabled` : ''}`,
    ...(req ? [`${plural(req.total, 'API request')} (${req.perRepo} per repo; ${req.graphql} GraphQL, ${req.rest} REST, ${req.retries} retried, ${req.cacheHits} repos from the cache)`] : []),
  ];
  out.push(tail.join('; '));
  if (r.partial.length) out.push(`PARTIAL RESULT: ${r.partial.join('; ')}`);
  return inertLines(out) + '\n';
}

function short(repos: string[], max = 8): string {
  return repos.length <= max ? repos.join(', ') : `${repos.slice(0, max).join(', ')}, … (${repos.length - max} more)`;
}
