// The diff's renderers: text for a terminal, markdown for PR comments and job summaries, JSON
// (version 1). Policy text is echoed inert (report/inert.ts) or as escaped code spans (report/markdown.ts).
import type { PolicyDiff } from '../diff/policy-diff.js';
import type { AccessChange, Grant } from '../diff/access-diff.js';
import { code, text as mdText } from './markdown.js';
import { inertLines } from './inert.js';
import { plural } from './summary.js';

export function diffJson(diffs: readonly PolicyDiff[]) {
  return {
    version: 1,
    policies: diffs.map((d) => ({ path: d.path, change: d.change, verdict: d.verdict, ...(d.reason ? { reason: d.reason } : {}), gains: d.gains, losses: d.losses, invalid: d.invalid, ...(d.notes ? { notes: d.notes } : {}) })),
  };
}

const fmtGrant = (g: Grant | null) => (g ? Object.entries(g).map(([k, v]) => `${k}: ${v}`).join(', ') : 'denied');
const label: Record<AccessChange['kind'], string> = { 'new-access': 'new access', escalation: 'escalation', 'lost-access': 'lost access', reduction: 'reduced grant' };

export function diffText(diffs: readonly PolicyDiff[]): string {
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

export function diffMarkdown(diffs: readonly PolicyDiff[]): string {
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
