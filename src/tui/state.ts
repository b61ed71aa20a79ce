// The explorer's state and what each key does to it: a pure reducer, so every key binding is
// testable without a terminal. `KEY_HELP` is the one list of bindings the help overlay shows.
import type { Claims } from '../model.js';
import { editClaim, emptyForm, formClaims, formFromClaims, FORM_ROWS, toggleEnvironment, type ClaimsForm } from './claims-form.js';
import { editField, field, isEditKey, type TextField } from './field.js';
import type { KeyEvent } from './input.js';
import type { SourceEntry } from './sources.js';
import { focusRule, type ExploreSession } from './session.js';

export type Pane = 'claims' | 'policies' | 'rules' | 'findings';
export const PANES: readonly Pane[] = ['claims', 'policies', 'rules', 'findings'];

export interface UiState {
  pane: Pane;
  form: ClaimsForm;
  /** The focused row of the claims editor. */
  row: number;
  filter: TextField;
  filtering: boolean;
  /** Selection in the filtered policy list. */
  policy: number;
  /** The selected rule; null follows the deciding (or the closest) rule. */
  rule: number | null;
  finding: number;
  /** First line of the matcher detail shown (PgUp/PgDn in the Rules pane). */
  detailScroll: number;
  help: boolean;
  message: string | null;
  quit: boolean;
}

export const KEY_HELP: readonly (readonly [string, string])[] = [
  ['Tab / Shift+Tab', 'next / previous pane (Claims, Policies, Rules, Findings)'],
  ['↑ ↓', 'claims: previous / next field; lists: move the selection'],
  ['j k', 'move the selection in a list (outside the claims editor)'],
  ['PgUp PgDn', 'lists: a page; Rules pane: scroll the matcher detail'],
  ['Home End / g G', 'first / last item; in a field: start / end of the text'],
  ['← →', 'move the cursor in a field'],
  ['Backspace', 'delete the character before the cursor'],
  ['Ctrl+U', 'clear the field (and a decoded JWT)'],
  ['Ctrl+A Ctrl+E', 'start / end of the field'],
  ['Space / Enter', 'on "job has an environment": toggle it'],
  ['Esc', 'leave the claims editor; clear the filter; close this help'],
  ['/', 'filter the policies (Enter keeps it, Esc clears it)'],
  ['Enter', 'Policies: show the rules of the selected policy'],
  ['w', "load the selected finding's witness into the claims"],
  ['?', 'this help (outside the claims editor)'],
  ['q', 'quit (outside the claims editor)'],
  ['Ctrl+C', 'quit from anywhere'],
];

export interface Model {
  entries: readonly SourceEntry[];
  session: ExploreSession;
}

/** `template`: the settings' subject template, which a typed subject follows. */
export function initialState(form: ClaimsForm = emptyForm(), message: string | null = null, template?: readonly string[]): UiState {
  return { pane: 'claims', form: template ? { ...form, template } : form, row: 0, filter: field(''), filtering: false, policy: 0, rule: null, finding: 0, detailScroll: 0, help: false, message, quit: false };
}

/** Indices of the entries the filter keeps (case-insensitive, on repo, policy name and path). */
export function visibleEntries(model: Model, filter: string): number[] {
  const f = filter.trim().toLowerCase();
  return model.entries.flatMap((e, i) => (!f || `${e.repo} ${e.policyName} ${e.path}`.toLowerCase().includes(f) ? [i] : []));
}

export function selectedEntry(model: Model, s: UiState): number | undefined {
  return visibleEntries(model, s.filter.value)[s.policy];
}

export function reduce(model: Model, s: UiState, events: readonly KeyEvent[]): UiState {
  for (const ev of events) {
    if (s.quit) break;
    s = reduceOne(model, s, ev);
  }
  return s;
}

function reduceOne(model: Model, s: UiState, ev: KeyEvent): UiState {
  if (ev.kind === 'interrupt') return { ...s, quit: true };
  if (s.help) return ev.kind === 'escape' || ev.kind === 'enter' || (ev.kind === 'text' && /^[?q]$/.test(ev.text)) ? { ...s, help: false } : s;
  if (s.filtering) return filterKey(model, s, ev);
  if (ev.kind === 'tab') {
    const i = PANES.indexOf(s.pane);
    return { ...s, pane: PANES[(i + (ev.shift ? PANES.length - 1 : 1)) % PANES.length]!, message: null };
  }
  if (s.pane === 'claims') return claimsKey(s, ev);
  if (ev.kind === 'text') {
    for (const ch of ev.text) s = command(model, s, ch);
    return s;
  }
  switch (ev.kind) {
    case 'up':
      return move(model, s, -1);
    case 'down':
      return move(model, s, 1);
    case 'pageUp':
    case 'pageDown':
      if (s.pane === 'rules') return { ...s, detailScroll: Math.max(0, s.detailScroll + (ev.kind === 'pageUp' ? -5 : 5)) };
      return move(model, s, ev.kind === 'pageUp' ? -10 : 10);
    case 'home':
      return move(model, s, -Infinity);
    case 'end':
      return move(model, s, Infinity);
    case 'enter':
      return s.pane === 'policies' ? { ...s, pane: 'rules' } : s;
    case 'escape':
      return s.filter.value ? { ...s, filter: field(''), policy: 0, rule: null, finding: 0, detailScroll: 0 } : s;
    default:
      return s;
  }
}

function claimsKey(s: UiState, ev: KeyEvent): UiState {
  const row = FORM_ROWS[s.row]!;
  switch (ev.kind) {
    case 'up':
      return { ...s, row: Math.max(0, s.row - 1) };
    case 'down':
      return { ...s, row: Math.min(FORM_ROWS.length - 1, s.row + 1) };
    case 'escape':
      return { ...s, pane: 'policies' };
    case 'enter':
      return row.kind === 'toggle' ? { ...s, form: toggleEnvironment(s.form) } : { ...s, row: Math.min(FORM_ROWS.length - 1, s.row + 1) };
    default:
      break;
  }
  if (row.kind === 'toggle') return ev.kind === 'text' && ev.text === ' ' ? { ...s, form: toggleEnvironment(s.form) } : s;
  if (!isEditKey(ev)) return s;
  const form = editClaim(s.form, row.claim, ev);
  return form === s.form ? s : { ...s, form, message: null };
}

function filterKey(model: Model, s: UiState, ev: KeyEvent): UiState {
  switch (ev.kind) {
    case 'enter':
      return { ...s, filtering: false };
    case 'escape':
      return { ...s, filtering: false, filter: field(''), policy: 0, rule: null, finding: 0, detailScroll: 0 };
    case 'tab':
      return reduceOne(model, { ...s, filtering: false }, ev);
    case 'up':
    case 'down':
      return move(model, { ...s, pane: 'policies' }, ev.kind === 'up' ? -1 : 1);
    default: {
      const filter = editField(s.filter, ev);
      return filter === s.filter ? s : { ...s, filter, policy: 0, rule: null, finding: 0, detailScroll: 0 };
    }
  }
}

/** A one-character command in a list pane. */
function command(model: Model, s: UiState, ch: string): UiState {
  switch (ch) {
    case 'q':
      return { ...s, quit: true };
    case '?':
      return { ...s, help: true };
    case '/':
      return { ...s, pane: 'policies', filtering: true };
    case 'j':
      return move(model, s, 1);
    case 'k':
      return move(model, s, -1);
    case 'g':
      return move(model, s, -Infinity);
    case 'G':
      return move(model, s, Infinity);
    case 'w':
      return loadWitness(model, s);
    default:
      return s;
  }
}

/** Moves the selection of the focused list, clamped to its length. */
function move(model: Model, s: UiState, by: number): UiState {
  const clamp = (i: number, n: number) => Math.max(0, Math.min(n - 1, i));
  const entry = model.entries[selectedEntry(model, s) ?? -1];
  if (s.pane === 'policies') {
    const policy = clamp(s.policy + by, visibleEntries(model, s.filter.value).length);
    return policy === s.policy ? s : { ...s, policy, rule: null, finding: 0, detailScroll: 0 };
  }
  if (s.pane === 'rules') {
    const n = entry?.compiled?.rules.length ?? 0;
    if (!n) return s;
    return { ...s, rule: clamp(shownRule(model, s) + by, n), detailScroll: 0 };
  }
  if (s.pane === 'findings') return { ...s, finding: clamp(s.finding + by, entry?.findings.length ?? 0) };
  return s;
}

/** The rule the Rules pane shows: the one picked, else the deciding (or closest) rule. */
export function shownRule(model: Model, s: UiState): number {
  if (s.rule !== null) return s.rule;
  const i = selectedEntry(model, s);
  const evaluation = i === undefined ? undefined : model.session.explain(i, formClaims(s.form));
  return evaluation ? focusRule(evaluation) : 0;
}

function loadWitness(model: Model, s: UiState): UiState {
  const entry = model.entries[selectedEntry(model, s) ?? -1];
  const finding = entry?.findings[s.finding];
  if (!finding) return { ...s, message: 'no finding selected: Tab to Findings and pick one' };
  if (!finding.witness) return { ...s, message: `${finding.ruleId} has no witness claim set` };
  const witness: Claims = finding.witness;
  return {
    ...s,
    form: { ...formFromClaims(witness, `witness of ${finding.ruleId} (line ${finding.line})`), template: s.form.template },
    row: 0,
    message: `loaded the witness of ${finding.ruleId}: ${witness.sub ?? witness.repository ?? 'claims'}`,
  };
}
