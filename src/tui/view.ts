// The whole screen as lines, from the state and the evaluation: a header, two rows of two panes
// (Claims | Policies, Rules | Findings), a footer, or the help overlay. Pure, so tests and the
// bench can render a frame without a terminal; Ink only places these lines.
import type { Claims, Finding } from '../model.js';
import { FIELD_CLAIMS } from './claims-form.js';
import type { EntryResult, ExploreSession } from './session.js';
import { KEY_HELP, selectedEntry, shownRule, visibleEntries, type Model, type UiState } from './state.js';
import { claimsPane } from './view-claims.js';
import { rulesPane, windowStart } from './view-rules.js';
import { fit, line, wrap, type Part, type Style, type Theme } from './theme.js';

export interface Size {
  columns: number;
  rows: number;
}

export const MIN_SIZE: Size = { columns: 60, rows: 20 };
/** Title, ten claim rows and the note line. */
const TOP_ROWS = 12;

export interface Frame {
  header: string;
  footer: string;
  /** [left, right] columns of the top and bottom rows; null when the help or a size notice fills the body. */
  top: [string[], string[]] | null;
  bottom: [string[], string[]] | null;
  body: string[] | null;
  leftWidth: number;
  topRows: number;
  bottomRows: number;
}

export interface FrameInput {
  model: Model;
  session: ExploreSession;
  state: UiState;
  claims: Claims;
  results: readonly EntryResult[];
  size: Size;
  theme: Theme;
}

const OUTCOME: Record<EntryResult['outcome'], [string, string, Style]> = {
  minted: ['✓', 'minted', 'ok'],
  trust_policy_denied: ['✗', 'denied', 'bad'],
  trust_policy_invalid: ['!', 'invalid', 'warn'],
  no_trust_policy: ['–', 'no policy', 'warn'],
};

export function buildFrame(input: FrameInput): Frame {
  const { model, state, results, size, theme: t } = input;
  const cols = Math.max(1, size.columns);
  const counts = (['minted', 'trust_policy_denied', 'trust_policy_invalid', 'no_trust_policy'] as const).map((o) => results.filter((r) => r.outcome === o).length);
  const summary = `${model.entries.length} ${model.entries.length === 1 ? 'policy' : 'policies'}: ${counts[0]} minted, ${counts[1]} denied, ${counts[2]} invalid, ${counts[3]} no policy`;
  const header = line(t, cols, [['sts-policy explore', 'bold'], '  ', summary, [cols >= 100 ? '   ? help · q quit' : '', 'dim']]);
  // The terminal's last row stays empty: a frame as tall as the terminal makes Ink clear the whole
  // screen on every keystroke instead of redrawing in place.
  const bodyRows = size.rows - 3;
  const base = { header, leftWidth: Math.floor(cols * 0.55), topRows: TOP_ROWS, bottomRows: bodyRows - TOP_ROWS };
  if (size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows) {
    const msg = wrap(`The terminal is ${size.columns}×${size.rows}; explore needs at least ${MIN_SIZE.columns}×${MIN_SIZE.rows}. Enlarge it, or press q (Ctrl+C) to quit.`, cols);
    return { ...base, footer: '', top: null, bottom: null, body: msg.map((l) => line(t, cols, [l])) };
  }
  if (state.help) return { ...base, footer: line(t, cols, [['? or Esc closes the help', 'dim']]), top: null, bottom: null, body: helpLines(t, cols, bodyRows) };
  const left = base.leftWidth - 1;
  const right = cols - base.leftWidth - 2;
  const entryIndex = selectedEntry(model, state);
  const entry = entryIndex === undefined ? undefined : model.entries[entryIndex];
  const evaluation = entryIndex === undefined ? undefined : input.session.explain(entryIndex, input.claims);
  return {
    ...base,
    footer: footer(t, cols, state),
    top: [claimsPane(t, state.form, state.row, state.pane === 'claims', left, TOP_ROWS), policiesPane(t, input, right, TOP_ROWS)],
    bottom: [
      rulesPane(t, { entry, result: entryIndex === undefined ? undefined : results[entryIndex], evaluation, rule: shownRule(model, state), detailScroll: state.detailScroll, focused: state.pane === 'rules' }, left, base.bottomRows),
      findingsPane(t, entry?.findings ?? [], state.finding, state.pane === 'findings', right, base.bottomRows),
    ],
    body: null,
  };
}

function policiesPane(t: Theme, input: FrameInput, cols: number, rows: number): string[] {
  const { model, state, results } = input;
  const focused = state.pane === 'policies';
  const visible = visibleEntries(model, state.filter.value);
  const filter: Part[] = state.filtering || state.filter.value ? ['  ', ['/', 'key'], state.filter.value, state.filtering ? (t.color ? [' ', 'cursor'] : '▏') : ''] : [['  / filters', 'dim']];
  const out = [line(t, cols, [[focused || state.filtering ? '▶ Policies' : '  Policies', focused || state.filtering ? 'focus' : 'bold'], ` ${visible.length}${visible.length !== model.entries.length ? ` of ${model.entries.length}` : ''}`, ...filter])];
  if (!visible.length) out.push(line(t, cols, [['no policy matches the filter (Esc clears it)', 'dim']]));
  const listRows = rows - 1;
  const start = windowStart(state.policy, visible.length, listRows);
  visible.slice(start, start + listRows).forEach((i, k) => {
    const sel = start + k === state.policy;
    const e = model.entries[i]!;
    const [mark, word, style] = OUTCOME[results[i]!.outcome];
    out.push(line(t, cols, [sel ? '▸ ' : '  ', [mark, style], ' ', [word.padEnd(10), style], e.repo, ['  ', undefined], [e.policyName, 'dim']], sel && focused ? 'selected' : undefined, sel && focused));
  });
  return pad(out, rows);
}

const SEVERITY: Record<Finding['severity'], [string, Style]> = { error: ['error', 'bad'], warning: ['warn', 'warn'], info: ['info', 'info'] };

function findingsPane(t: Theme, findings: readonly Finding[], selected: number, focused: boolean, cols: number, rows: number): string[] {
  const withWitness = findings.filter((f) => f.witness).length;
  const out = [line(t, cols, [[focused ? '▶ Findings' : '  Findings', focused ? 'focus' : 'bold'], ` ${findings.length}`, [withWitness ? `  ${withWitness} with a witness: w loads it` : '', 'dim']])];
  if (!findings.length) return pad([...out, line(t, cols, [['no findings for this policy', 'dim']])], rows);
  const listRows = Math.min(findings.length, Math.max(1, Math.floor((rows - 1) / 2)));
  const start = windowStart(selected, findings.length, listRows);
  findings.slice(start, start + listRows).forEach((f, k) => {
    const sel = start + k === selected;
    const [word, style] = SEVERITY[f.severity];
    out.push(line(t, cols, [sel ? '▸ ' : '  ', [word.padEnd(6), style], [`L${f.line} `, 'dim'], f.ruleId, [f.witness ? ' [w]' : '', 'key']], sel && focused ? 'selected' : undefined, sel && focused));
  });
  const f = findings[selected];
  if (f) {
    const detail = wrap(f.message, cols).map((l) => line(t, cols, [l]));
    if (f.witness) {
      detail.push(line(t, cols, [['witness', 'key'], ' (w loads it):']));
      const keys = [...FIELD_CLAIMS.filter((k) => k in f.witness!), ...Object.keys(f.witness).filter((k) => !(FIELD_CLAIMS as readonly string[]).includes(k))];
      for (const k of keys) detail.push(line(t, cols, ['  ', [`${k}=`, 'dim'], f.witness[k]!]));
    }
    out.push(...detail.slice(0, rows - out.length));
  }
  return pad(out, rows);
}

function helpLines(t: Theme, cols: number, rows: number): string[] {
  const out = [line(t, cols, [['Keys', 'focus'], ['  every binding of sts-policy explore', 'dim']]), ''];
  for (const [k, d] of KEY_HELP) out.push(line(t, cols, ['  ', [k.padEnd(17), 'key'], d]));
  out.push('');
  for (const l of wrap("An empty field is an absent claim, which no matcher matches (not even *). sts-policy's assumptions: the first matching rule decides the grant, and a minted token always carries metadata: read.", cols - 2)) out.push(line(t, cols, ['  ', [l, 'dim']]));
  return pad(out, rows);
}

const HINTS: Record<UiState['pane'], string> = {
  claims: 'type to edit · ↑↓ field · Ctrl+U clears · Esc/Tab leaves · Ctrl+C quits',
  policies: '↑↓/jk select · / filter · Enter rules · Tab next pane · ? help · q quit',
  rules: '↑↓/jk rule · PgUp/PgDn scroll the matchers · Tab next pane · ? help · q quit',
  findings: '↑↓/jk finding · w loads its witness into the claims · ? help · q quit',
};

function footer(t: Theme, cols: number, s: UiState): string {
  if (s.filtering) return line(t, cols, [['type to filter · Enter keeps it · Esc clears it', 'dim']]);
  if (s.message) return line(t, cols, [[fit(s.message, cols), 'info']]);
  return line(t, cols, [[HINTS[s.pane], 'dim']]);
}

function pad(lines: string[], rows: number): string[] {
  while (lines.length < rows) lines.push('');
  return lines.slice(0, rows);
}
