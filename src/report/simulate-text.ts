// Renders `sts-policy simulate`: the caller's claims and each repo's predicted outcome with the
// trace that explains it (text), or the server's wire shape with details per repo (JSON).
import { TOKEN_CLAIM, CLAIM_NAMES } from '../model.js';
import { toWire, type RepoPrediction } from '../simulate/simulate.js';
import type { ClaimsSource } from '../engine/claims.js';
import { claimIs } from '../simulate/completions.js';
import { formatTrace } from './trace-text.js';
import { inertLines } from './inert.js';

/** The answers tokens with the given claims get instead, each with its witness (null: none differ). */
function dependenceJson(p: RepoPrediction) {
  const d = p.dependence;
  if (!d || d.kind === 'undecided') return d ? { undecided: d.reason } : null;
  const answers = d.answers.map((a) => ({ outcome: a.evaluation.matched ? 'minted' : 'trust_policy_denied', rule: a.evaluation.rule ?? null, ruleNumber: a.evaluation.rule === undefined ? null : a.evaluation.rule + 1, permissions: a.evaluation.permissions, witness: a.witness }));
  return { claims: d.claims.map((c) => TOKEN_CLAIM[c]), answers };
}

export function simulateJson(predictions: RepoPrediction[], input: ClaimsSource) {
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
          dependence: dependenceJson(p),
        },
      ]),
    ),
    claims: input.claims,
    notes: input.notes,
  };
}

/** After the answer: how claims not given would change it, with a witness token per other answer. */
function dependenceText(p: RepoPrediction): string[] {
  const d = p.dependence;
  if (!d) return [];
  if (d.kind === 'undecided') return [`  could not check whether claims not given change this answer: ${d.reason}`];
  const names = d.claims.map((c) => TOKEN_CLAIM[c]);
  const out = [`  the answer depends on claims not given: ${p.outcome} here because ${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'} absent (a token GitHub issues has them)`];
  for (const a of d.answers) {
    const rule = a.evaluation.rule === undefined ? '' : ` by rule ${a.evaluation.rule + 1}`;
    out.push(`    ${a.evaluation.matched ? 'minted' : 'trust_policy_denied'}${rule} when ${d.claims.map((c) => claimIs(a.witness, c)).join(' and ')}, e.g. ${JSON.stringify(a.witness)}`);
  }
  out.push(`    pass ${names.map((n) => `--claim ${n}=...`).join(' ')} (or --claims with a whole token) to decide`);
  return out;
}

export function simulateText(predictions: RepoPrediction[], input: ClaimsSource, policyName: string): string {
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
    out.push(...dependenceText(p));
    out.push('');
  }
  return inertLines(out);
}
