// Human output: `path:line:col  severity  message  rule-id`, a code frame with a caret underline,
// the witness of a "too broad" finding, and a summary line.
import type { Finding } from '../model.js';
import type { SourceText } from '../load/text.js';
import type { Palette } from './colors.js';
import { plural, type Summary } from './summary.js';
import { inert } from './inert.js';

export interface StylishInput {
  findings: readonly Finding[];
  sources: ReadonlyMap<string, SourceText>;
  summary: Summary;
  colors: Palette;
}

export function formatStylish({ findings, sources, summary, colors: c }: StylishInput): string {
  const out: string[] = [];
  for (const f of findings) {
    const sev = f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.blue('info');
    out.push(`${c.bold(`${inert(f.path)}:${f.line}:${f.column}`)}  ${sev}  ${inert(f.message)}  ${c.dim(f.ruleId)}`);
    const source = sources.get(f.path);
    if (source) out.push(codeFrame(source, f, c));
    if (f.witness) out.push(`    ${c.dim('witness:')} ${inert(JSON.stringify(f.witness))}`);
    if (f.fix) out.push(`    ${c.dim(f.fix.safe ? 'fix (--fix):' : 'suggestion (--fix-unsafe):')} ${inert(f.fix.description)}`);
    out.push('');
  }
  const problems = summary.errors + summary.warnings + summary.infos;
  const counts = `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${plural(summary.infos, 'info')}`;
  const ignored = summary.ignored ? ` (${summary.ignored} ignored by comments)` : '';
  const line = problems === 0 ? `✔ ${plural(summary.files, 'policy file')} checked, no problems${ignored}` : `✖ ${plural(problems, 'problem')} (${counts}) in ${plural(summary.files, 'policy file')}${ignored}`;
  out.push(summary.errors ? c.red(c.bold(line)) : problems ? c.yellow(c.bold(line)) : line);
  return out.join('\n') + '\n';
}

function codeFrame(source: SourceText, f: Finding, c: Palette): string {
  const first = Math.max(1, f.line - 1);
  const width = String(f.line + 1).length;
  const rows: string[] = [];
  for (let n = first; n <= f.line; n++) {
    const text = inert(source.lineText(n).replace(/\t/g, ' '));
    rows.push(`  ${n === f.line ? c.red('>') : ' '} ${String(n).padStart(width)} | ${text}`);
  }
  // Carets under the escaped text: an escape is wider than the character it shows.
  const lineText = source.lineText(f.line).replace(/\t/g, ' ');
  const end = f.endLine === f.line ? f.endColumn : lineText.length + 1;
  const before = inert(lineText.slice(0, f.column - 1)).length;
  const carets = '^'.repeat(Math.max(1, inert(lineText.slice(f.column - 1, end - 1)).length));
  rows.push(`    ${' '.repeat(width)} | ${' '.repeat(before)}${c.red(carets)}`);
  return rows.join('\n');
}
