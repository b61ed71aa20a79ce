// The Rules pane as screen lines: the selected policy's predicted outcome, a row per rule (matches
// or not), and for the shown rule each matcher with the claim value, the pattern, the engine's
// reason, and the failing part of the value marked (colour, and a ^^^ line that survives NO_COLOR).
import type { Evaluation, MatcherTrace } from '../engine/evaluate.js';
import type { Permissions } from '../model.js';
import { failingPart } from './highlight.js';
import type { EntryResult } from './session.js';
import type { SourceEntry } from './sources.js';
import { fit, line, width, wrap, type Part, type Style, type Theme } from './theme.js';

export interface RulesInput {
  entry: SourceEntry | undefined;
  result: EntryResult | undefined;
  evaluation: Evaluation | undefined;
  rule: number;
  detailScroll: number;
  focused: boolean;
}

export const grantText = (p: Permissions | null): string => Object.entries(p ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ');

export function rulesPane(t: Theme, input: RulesInput, cols: number, rows: number): string[] {
  const { entry, result, evaluation, focused } = input;
  const out = [line(t, cols, [[focused ? '▶ Rules' : '  Rules', focused ? 'focus' : 'bold'], entry ? `  ${entry.repo} · ${entry.policyName}` : ''])];
  if (!entry || !result) return pad([...out, line(t, cols, [['no policy selected', 'dim']])], rows);
  out.push(...outcomeLines(t, entry, result, cols));
  if (entry.status !== 'valid' || !evaluation) {
    const why = entry.status === 'missing' ? `STS reads only ${entry.path}; without it nobody can mint (deny-by-default).` : 'The file does not parse or violates the schema: STS fails closed. Its errors are under Findings.';
    return pad([...out, ...wrap(why, cols).map((l) => line(t, cols, [[l, 'dim']]))], rows);
  }
  const trace = evaluation.trace;
  const listRows = Math.min(trace.length, Math.max(1, Math.floor((rows - 2) / 3)));
  const start = windowStart(input.rule, trace.length, listRows);
  for (const r of trace.slice(start, start + listRows)) {
    const shown = r.rule === input.rule;
    const failing = r.matchers.filter((m) => !m.matched).length;
    const status = !r.matched ? `${failing} of ${r.matchers.length} matchers fail` : r.rule === evaluation.rule ? 'matches, decides the grant' : 'matches too (the first match wins)';
    const parts: Part[] = [shown ? '▸ ' : '  ', r.matched ? ['✓', 'ok'] : ['✗', 'bad'], ` rule ${r.rule + 1} `, [`L${r.line}`, 'dim'], ' ', [status, r.matched ? 'ok' : undefined]];
    out.push(line(t, cols, parts, shown && focused ? 'selected' : undefined, shown && focused));
  }
  const shownRule = trace.find((r) => r.rule === input.rule);
  const detail = shownRule ? shownRule.matchers.flatMap((m) => matcherLines(t, m, cols)) : [];
  const room = rows - out.length;
  const scroll = Math.max(0, Math.min(input.detailScroll, detail.length - room));
  const visible = detail.slice(scroll, scroll + room);
  const more = detail.length - scroll - room;
  if (more > 0) visible[visible.length - 1] = line(t, cols, [[`… ${more + 1} more lines (PgDn in Rules)`, 'dim']]);
  return pad([...out, ...visible], rows);
}

/** The predicted outcome (STS's code) and why, on at most two lines. */
function outcomeLines(t: Theme, entry: SourceEntry, result: EntryResult, cols: number): string[] {
  const [word, style, rest]: [string, Style, string] =
    result.outcome === 'minted'
      ? ['minted', 'ok', ` with ${grantText(result.permissions)}`]
      : result.outcome === 'trust_policy_denied'
        ? ['trust_policy_denied', 'bad', ': no rule matches this caller']
        : result.outcome === 'trust_policy_invalid'
          ? ['trust_policy_invalid', 'warn', `: ${entry.findings.filter((f) => f.severity === 'error').length} errors`]
          : ['no_trust_policy', 'warn', `: no ${entry.policyName}.yaml in this repo`];
  const [first = '', second] = wrap(`${word}${rest}`, cols);
  const out = [line(t, cols, [[word, style], first.slice(word.length)])];
  if (second !== undefined) out.push(line(t, cols, [`  ${wrap(`${word}${rest}`, cols).slice(1).join(' ')}`]));
  return out;
}

/** A matcher: its claim and value (failing part marked), its pattern, and why it fails. */
export function matcherLines(t: Theme, m: MatcherTrace, cols: number): string[] {
  const head = `${m.claim}  `;
  const lead: Part[] = [m.matched ? ['✓', 'ok'] : ['✗', 'bad'], ' ', [head, 'bold']];
  const indent = 2 + width(head);
  const out: string[] = [];
  if (m.value === null) out.push(line(t, cols, [...lead, ['(absent)', 'bad']]));
  else {
    const hl = failingPart(m);
    const cps = Array.from(m.value);
    const avail = Math.max(8, cols - indent - 1);
    // Window the value so the failing part starts in view.
    let start = 0;
    if (cps.length > avail && hl) start = Math.max(0, Math.min(hl.start - Math.floor(avail / 3), cps.length - avail + 1));
    const lead2 = start > 0 ? '…' : '';
    const from = start > 0 ? start + 1 : 0;
    const body = cps.slice(from);
    const vis = fit(body.join(''), avail - width(lead2));
    const visCps = Array.from(vis);
    if (!hl) out.push(line(t, cols, [...lead, [lead2, 'dim'], vis]));
    else {
      const a = Math.max(0, hl.start - from);
      const b = Math.max(a, hl.end - from);
      out.push(line(t, cols, [...lead, [lead2, 'dim'], visCps.slice(0, a).join(''), [visCps.slice(a, b).join(''), 'hl'], visCps.slice(b).join('')]));
      const caretAt = indent + width(lead2) + width(visCps.slice(0, a).join(''));
      const carets = hl.start === hl.end ? '^ (the value ends here)' : '^'.repeat(Math.max(1, Math.min(width(visCps.slice(a, b).join('')), cols - caretAt)));
      out.push(line(t, cols, [' '.repeat(caretAt), [carets, 'bad']]));
    }
  }
  out.push(line(t, cols, ['    ', [m.kind, 'dim'], ' ', m.pattern, '  ', [`L${m.line}`, 'dim']]));
  if (!m.matched && m.reason) for (const l of wrap(m.reason, cols - 4)) out.push(line(t, cols, ['    ', l]));
  return out;
}

/** First index of a window of `size` rows keeping `selected` in view. */
export function windowStart(selected: number, total: number, size: number): number {
  if (total <= size) return 0;
  return Math.max(0, Math.min(selected - Math.floor(size / 2), total - size));
}

function pad(lines: string[], rows: number): string[] {
  while (lines.length < rows) lines.push('');
  return lines.slice(0, rows);
}
