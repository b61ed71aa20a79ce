// The claims editor pane as screen lines: one row per claim (absent claims say so), the cursor in
// the focused field, a pasted JWT never shown, and a note on where the claims came from.
import { length } from './field.js';
import { formNote, FORM_ROWS, subjectIsHiddenToken, type ClaimsForm, type FieldState } from './claims-form.js';
import { line, width, type Part, type Style, type Theme } from './theme.js';

const LABEL = 13;

export function claimsPane(t: Theme, form: ClaimsForm, row: number, focused: boolean, cols: number, rows: number): string[] {
  const out = [line(t, cols, [[focused ? '▶ Claims' : '  Claims', focused ? 'focus' : 'bold'], ['  the caller (Tab: next pane)', 'dim']])];
  FORM_ROWS.forEach((r, i) => {
    const here = focused && i === row;
    const marker = here ? '▸ ' : '  ';
    if (r.kind === 'toggle') {
      const on = form.fields.environment.present;
      out.push(line(t, cols, [marker, [on ? '[x]' : '[ ]', here ? 'cursor' : 'bold'], ` ${r.label}`, ['  (Space toggles)', 'dim']]));
      return;
    }
    const parts: Part[] = [marker, [r.label.padEnd(LABEL - 1), here ? 'bold' : undefined], ' '];
    const avail = cols - 2 - LABEL;
    if (r.claim === 'sub' && subjectIsHiddenToken(form)) parts.push([`«JWT hidden: ${length(form.fields.sub.value)} characters»`, 'warn']);
    else parts.push(...valueParts(t, form.fields[r.claim], here, avail - (r.claim === 'sub' && form.jwt ? 6 : 0)));
    if (r.claim === 'sub' && form.jwt) parts.push([' (JWT)', 'dim']);
    out.push(line(t, cols, parts));
  });
  out.push(line(t, cols, [[formNote(form), 'dim']]));
  while (out.length < rows) out.push('');
  return out.slice(0, rows);
}

/** A field's value, windowed to `avail` columns around the cursor, with the cursor drawn when focused. */
function valueParts(t: Theme, f: FieldState, focused: boolean, avail: number): Part[] {
  const style: Style | undefined = f.derived ? 'info' : undefined;
  if (!f.present || f.value === '') {
    const label: Part = [f.present ? '""' : '(absent)', 'dim'];
    return focused ? [cursorPart(t, ' '), label] : [label];
  }
  const cps = Array.from(f.value);
  const cursor = Math.min(f.cursor, cps.length);
  if (!focused) {
    return [[fitHead(cps, avail), style]];
  }
  // Keep the cursor in view: scroll so it sits near the right edge when the value is longer.
  const room = Math.max(4, avail - 1);
  let start = 0;
  if (cps.length + 1 > room) start = Math.max(0, Math.min(cursor - room + 2, cps.length - room + 2));
  const lead = start > 0 ? '…' : '';
  const first = start > 0 ? start + 1 : start;
  const before = cps.slice(first, cursor).join('');
  const at = cps[cursor] ?? ' ';
  const afterAll = cps.slice(cursor + 1);
  const used = width(lead) + width(before) + 1 + (t.color ? 0 : 1);
  let after = afterAll.join('');
  if (used + width(after) > avail) after = fitHead(afterAll, Math.max(0, avail - used));
  const at2: Part[] = t.color ? [cursorPart(t, at)] : [cursorPart(t, ''), [at === ' ' && cursor >= cps.length ? '' : at, style]];
  return [[lead, 'dim'], [before, style], ...at2, [after, style]];
}

/** The cursor: an inverse cell in colour, a thin bar without colour. */
function cursorPart(t: Theme, at: string): Part {
  return t.color ? [at, 'cursor'] : ['▏', undefined];
}

function fitHead(cps: string[], max: number): string {
  const s = cps.join('');
  if (width(s) <= max) return s;
  let out = '';
  for (const ch of cps) {
    if (width(out + ch) > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}
