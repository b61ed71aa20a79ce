// The claims editor's model: one field per matchable claim, the subject parsed as it is typed into
// repository, owner, ref, ref_type and environment (under the org's subject template, when the
// settings give one), and a JWT pasted into the subject decoded
// locally (its claims fill the form; the token itself is never kept whole nor displayed).
import { isDefaultTemplate, templateKeys, type Claims } from '../model.js';
import { claimsFromSubject, decodeClaimsInput, parseSubject } from '../engine/claims.js';
import { editField, field, length, type TextField } from './field.js';
import type { KeyEvent } from './input.js';

/** The token claims the form edits, in display order (token names: `sub` for `subject`). */
export const FIELD_CLAIMS = ['sub', 'repository', 'repository_owner', 'ref', 'ref_type', 'environment', 'actor', 'workflow_ref', 'sha'] as const;
export type FieldClaim = (typeof FIELD_CLAIMS)[number];

export type FormRow = { kind: 'field'; claim: FieldClaim; label: string } | { kind: 'toggle'; label: string };

export const FORM_ROWS: readonly FormRow[] = [
  { kind: 'field', claim: 'sub', label: 'subject' },
  { kind: 'field', claim: 'repository', label: 'repository' },
  { kind: 'field', claim: 'repository_owner', label: 'owner' },
  { kind: 'field', claim: 'ref', label: 'ref' },
  { kind: 'field', claim: 'ref_type', label: 'ref_type' },
  { kind: 'toggle', label: 'job has an environment' },
  { kind: 'field', claim: 'environment', label: 'environment' },
  { kind: 'field', claim: 'actor', label: 'actor' },
  { kind: 'field', claim: 'workflow_ref', label: 'workflow_ref' },
  { kind: 'field', claim: 'sha', label: 'sha' },
];

export interface FieldState extends TextField {
  /** Absent claims are not in the token at all (a matcher on them never matches); `""` is present. */
  present: boolean;
  /** Filled in from the subject; re-derived (or cleared) when the subject changes. */
  derived: boolean;
}

export interface ClaimsForm {
  fields: Record<FieldClaim, FieldState>;
  /** Set while the subject comes from a decoded JWT: only its size and claim count are kept. */
  jwt: { chars: number; claims: number } | null;
  /** Claims outside the form (iss, aud, run_id, ...) from a claims file, a JWT or a witness. */
  extra: Claims;
  /** Where the current claims came from, for the note line. */
  origin: string | null;
  /** The org's subject template (the settings' `subjectTemplate`) a typed subject is read with; absent: GitHub's default. */
  template?: readonly string[];
}

const DERIVABLE: readonly FieldClaim[] = ['repository', 'repository_owner', 'ref', 'ref_type', 'environment'];
const absent = (): FieldState => ({ ...field(''), present: false, derived: false });
/** A compact JWT, header.payload.signature, as decodeClaimsInput accepts it. */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** A JWT being pasted: its header always starts `eyJ` (base64url of `{"`). Never displayed. */
const JWT_PREFIX = /^eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){0,2}$/;
const BASE64URL = /^[A-Za-z0-9_.-]+$/;

export function emptyForm(): ClaimsForm {
  const fields = Object.fromEntries(FIELD_CLAIMS.map((c) => [c, absent()])) as Record<FieldClaim, FieldState>;
  return { fields, jwt: null, extra: {}, origin: null };
}

/** A form holding exactly these claims (a claims file, a witness, a decoded JWT). */
export function formFromClaims(claims: Claims, origin: string | null): ClaimsForm {
  const form = emptyForm();
  const extra: Claims = {};
  for (const [k, v] of Object.entries(claims)) {
    if ((FIELD_CLAIMS as readonly string[]).includes(k)) form.fields[k as FieldClaim] = { ...field(v), present: true, derived: false };
    else extra[k] = v;
  }
  return { ...form, extra, origin };
}

/** The claim set to evaluate: every present field plus the claims outside the form. */
export function formClaims(form: ClaimsForm): Claims {
  const claims: Claims = { ...form.extra };
  for (const c of FIELD_CLAIMS) if (form.fields[c].present) claims[c] = form.fields[c].value;
  return claims;
}

/** True while the subject field holds (part of) a pasted JWT not yet decoded: it must not be shown. */
export const subjectIsHiddenToken = (form: ClaimsForm): boolean => form.jwt === null && JWT_PREFIX.test(form.fields.sub.value.trim());

export function toggleEnvironment(form: ClaimsForm): ClaimsForm {
  const env = form.fields.environment;
  return withField(form, 'environment', { ...env, present: !env.present, derived: false });
}

/** Applies an editing key to a field; returns the same form when nothing changed. */
export function editClaim(form: ClaimsForm, claim: FieldClaim, ev: KeyEvent): ClaimsForm {
  if (claim === 'sub') return editSubject(form, ev);
  const before = form.fields[claim];
  const edited = editField(before, ev);
  if (edited === before) return form;
  if (edited.value === before.value && edited.cursor === before.cursor) return form;
  let present = before.present;
  if (ev.kind === 'text') present = true;
  else if ((ev.kind === 'backspace' || ev.kind === 'clear') && claim !== 'environment') present = edited.value !== '';
  return withField(form, claim, { ...edited, present, derived: edited.value === before.value ? before.derived : false });
}

function editSubject(form: ClaimsForm, ev: KeyEvent): ClaimsForm {
  if (form.jwt) {
    // The rest of a pasted token (its signature) keeps arriving in later chunks: count it, never show it.
    if (ev.kind === 'text' && BASE64URL.test(ev.text)) return { ...form, jwt: { ...form.jwt, chars: form.jwt.chars + length(ev.text) } };
    if (ev.kind === 'backspace' || ev.kind === 'clear') return { ...withField(form, 'sub', absent()), jwt: null, origin: 'JWT cleared' };
    return form;
  }
  const before = form.fields.sub;
  const edited = editField(before, ev);
  if (edited === before || (edited.value === before.value && edited.cursor === before.cursor)) return form;
  if (edited.value === before.value) return withField(form, 'sub', { ...before, cursor: edited.cursor });
  const token = edited.value.trim();
  if (JWT.test(token)) {
    const decoded = decodeClaimsInput(token);
    if (decoded.ok && decoded.jwt) return { ...formFromClaims(decoded.claims, 'JWT'), template: form.template, jwt: { chars: length(token), claims: Object.keys(decoded.claims).length } };
  }
  return deriveFromSubject(withField(form, 'sub', { ...edited, present: edited.value !== '', derived: false }));
}

/** Re-derives repository, owner, ref, ref_type and environment from the subject (as the form's template reads it). */
function deriveFromSubject(form: ClaimsForm): ClaimsForm {
  const derived: Claims = claimsFromSubject(form.fields.sub.value, form.template).claims;
  const fields = { ...form.fields };
  for (const c of DERIVABLE) {
    const v = derived[c];
    if (v !== undefined) fields[c] = { ...field(v), present: true, derived: true };
    else if (fields[c].derived) fields[c] = absent();
  }
  return { ...form, fields };
}

function withField(form: ClaimsForm, claim: FieldClaim, state: FieldState): ClaimsForm {
  return { ...form, fields: { ...form.fields, [claim]: state } };
}

/** One line about the subject and where the claims came from. */
export function formNote(form: ClaimsForm): string {
  const extra = Object.keys(form.extra).length;
  const more = extra ? ` (+${extra} other claims)` : '';
  if (form.jwt) return `JWT decoded locally, not verified, never shown: ${form.jwt.claims} claims${more}. Ctrl+U clears it`;
  const sub = form.fields.sub;
  if (subjectIsHiddenToken(form)) return `a JWT is being pasted (hidden, ${length(sub.value)} characters so far); Ctrl+U clears it`;
  const from = form.origin ? `${form.origin}${more}. ` : more ? `${more.trim()}. ` : '';
  const custom = !isDefaultTemplate(form.template) ? `[${templateKeys(form.template).join(', ')}]` : undefined;
  if (!sub.present) return `${from}type a subject (${custom ? `subject template ${custom}` : 'repo:OWNER/REPO:ref:REF'}) or paste a JWT`;
  if (custom) return `${from}subject template ${custom}: ${Object.keys(claimsFromSubject(sub.value, form.template).claims).length > 1 ? 'claims derived' : 'the subject does not follow it: nothing derived'}`;
  const parsed = parseSubject(sub.value);
  if (!parsed) return `${from}not GitHub's default subject format: nothing derived`;
  if (parsed.ownerId || parsed.repoId) return `${from}immutable subject (owner ID ${parsed.ownerId ?? '?'}, repo ID ${parsed.repoId ?? '?'}): names derived`;
  const ctx = parsed.context.kind === 'ref' ? 'ref' : parsed.context.kind === 'environment' ? 'environment job, ref unknown' : 'pull_request, ref unknown';
  return `${from}classic subject (${ctx}): claims derived`;
}
