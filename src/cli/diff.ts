// `sts-policy diff`: who gains or loses access between two versions of trust policies, with proof.
import { statSync } from 'node:fs';
import { filePair, dirPairs, gitPairs } from '../diff/sources.js';
import { diffPairs, type PolicyDiff } from '../diff/report.js';
import { failed, type FailOn } from '../diff/verdict.js';
import type { AccessChange, Grant } from '../diff/access-diff.js';
import { GitError } from '../simulate/simulate.js';
import { code, text as mdText } from '../report/markdown.js';
import { UsageError, EXIT } from './errors.js';
import { inertLines } from '../report/inert.js';
import { plural } from '../report/summary.js';
import { formatConfigProblem, SettingsResolver } from '../lint/config.js';

export interface DiffOptions {
  base?: string;
  head?: string;
  repo?: string;
  format: 'text' | 'markdown' | 'json';
  failOn?: FailOn;
  /** Lint settings file (default: the repository's own .sts-policy.yaml): its `subjectTemplate` shapes every subject. */
  config?: string;
}

export function runDiff(paths: string[], opts: DiffOptions): number {
  let diffs: PolicyDiff[];
  try {
    diffs = diffPairs(pairsFor(paths, opts), subjectTemplate(paths, opts));
  } catch (e) {
    if (e instanceof GitError) throw new UsageError(e.message);
    throw e;
  }
  const out = opts.format === 'json' ? JSON.stringify(toJson(diffs), null, 2) + '\n' : opts.format === 'markdown' ? markdown(diffs) : textReport(diffs);
  process.stdout.write(out);
  return failed(diffs, opts.failOn) ? EXIT.findings : EXIT.ok;
}

function pairsFor(paths: string[], opts: DiffOptions) {
  if (opts.base) {
    if (paths.length > 1) throw new UsageError('with --base, give at most one path: the repository (default .)');
    return gitPairs(paths[0] ?? opts.repo ?? '.', opts.base, opts.head);
  }
  if (opts.head) throw new UsageError('--head needs --base');
  if (paths.length !== 2) throw new UsageError('give OLD NEW (two files or two directories), or --base REV [--head REV] inside a git repository');
  const [a, b] = paths as [string, string];
  const kind = (p: string) => statSync(p, { throwIfNoEntry: false });
  const ka = kind(a);
  const kb = kind(b);
  if (!ka && !kb) throw new UsageError(`neither ${a} nor ${b} exists`);
  if ((ka ?? kb)!.isDirectory()) return dirPairs(a, b);
  return [filePair(a, b)];
}

/** The subject template of the settings lint uses for the new side's repository (or --config). */
function subjectTemplate(paths: readonly string[], opts: DiffOptions): string[] | undefined {
  const where = opts.base ? (paths[0] ?? opts.repo ?? '.') : (paths[1] ?? '.');
  const rs = new SettingsResolver({ configPath: opts.config }).forPath(where);
  if (rs.problems.length) throw new UsageError(`the lint settings have problems: ${rs.problems.map(formatConfigProblem).join('; ')}`);
  return rs.config.subjectTemplate;
}

function toJson(diffs: readonly PolicyDiff[]) {
  return {
    version: 1,
    policies: diffs.map((d) => ({ path: d.path, change: d.change, verdict: d.verdict, ...(d.reason ? { reason: d.reason } : {}), gains: d.gains, losses: d.losses, invalid: d.invalid, ...(d.notes ? { notes: d.notes } : {}) })),
  };
}

const fmtGrant = (g: Grant | null) => (g ? Object.entries(g).map(([k, v]) => `${k}: ${v}`).join(', ') : 'denied');
const label: Record<AccessChange['kind'], string> = { 'new-access': 'new access', escalation: 'escalation', 'lost-access': 'lost access', reduction: 'reduced grant' };

function textReport(diffs: readonly PolicyDiff[]): string {
  const out: string[] = [];
  for (const d of diffs) {
    out.push(`${d.path}  ${d.change}  ${d.verdict}${d.reason ? ` (${d.reason})` : ''}`);
    for (const side of ['before', 'after'] as const) for (const f of d.invalid[side]) out.push(`  ${side} is invalid (grants nothing): ${f.line}:${f.column} ${f.message} ${f.ruleId}`);
    for (const n of d.notes ?? []) out.push(`  note: ${n}`);
    for (const c of [...d.gains, ...d.losses]) {
      out.push(`  ${label[c.kind]} via rule ${c.rule + 1} (line ${c.line}): ${fmtGrant(c.before)} -> ${fmtGrant(c.after)}`);
      out.push(`    witness: ${JSON.stringify(c.witness)}`);
    }
  }
  const wider = diffs.filter((d) => d.verdict === 'wider' || d.verdict === 'incomparable').length;
  out.push('', `${plural(diffs.length, 'policy file')}: ${wider} with new access or escalation, ${diffs.filter((d) => d.verdict === 'narrower').length} narrower, ${diffs.filter((d) => d.verdict === 'equivalent').length} equivalent${diffs.some((d) => d.verdict === 'undecided') ? ', some undecided' : ''}`);
  return inertLines(out) + '\n';
}

/** A code span outside a table: there `\|` is no escape and would show its backslash. */
const inlineCode = (value: string) => code(value).replace(/\\\|/g, '|');

export function markdown(diffs: readonly PolicyDiff[]): string {
  const out: string[] = ['### Trust policy access diff', ''];
  for (const d of diffs) {
    out.push(`#### ${inlineCode(d.path)}: ${d.change}, **${d.verdict}**${d.reason ? ` (${mdText(d.reason)})` : ''}`, '');
    const rows = [...d.gains, ...d.losses];
    if (rows.length) {
      out.push('| change | rule | before | after | witness (replay with `sts-policy simulate --claims`) |', '| --- | --- | --- | --- | --- |');
      for (const c of rows) out.push(`| ${label[c.kind]} | ${c.rule + 1} (line ${c.line}) | ${code(fmtGrant(c.before))} | ${code(fmtGrant(c.after))} | ${code(JSON.stringify(c.witness))} |`);
      out.push('');
    }
  }
  return out.join('\n') + '\n';
}
