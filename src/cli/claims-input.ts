// Builds the claim set for `simulate` (and `explore`) from --claims, --subject and --claim.
import { MAX_INPUT_BYTES, readCapped } from '../load/read.js';
import type { Claims } from '../model.js';
import { claimsFromSubject, decodeClaimsInput, parseClaimAssignment, type ClaimsSource } from '../engine/claims.js';
import { UsageError } from './errors.js';

/** `template`: the subject template a `--subject` is read with (GitHub's default when absent). */
export function readClaims(opts: { claims?: string; subject?: string; claim?: string[] }, stdin: () => string, template?: readonly string[]): ClaimsSource {
  if (opts.claims && opts.subject) throw new UsageError('give either --claims or --subject, not both');
  if (!opts.claims && !opts.subject) throw new UsageError('give the caller: --claims FILE (a claims JSON or a JWT; - for stdin) or --subject SUB');
  let claims: Claims;
  const notes: string[] = [];
  const derived = new Set<string>();
  if (opts.claims) {
    let text: string;
    try {
      text = opts.claims === '-' ? stdin() : readClaimsFile(opts.claims);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot read --claims ${opts.claims}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    let decoded = decodeClaimsInput(text);
    // GitHub's token endpoint answers {"count": N, "value": "<JWT>"}: decode the token inside
    // rather than taking (and echoing) it as a claim named `value`.
    if (decoded.ok && !decoded.jwt && decoded.claims.sub === undefined && typeof decoded.claims.value === 'string') {
      const inner = decodeClaimsInput(decoded.claims.value);
      if (inner.ok && inner.jwt) decoded = inner;
    }
    if (!decoded.ok) throw new UsageError(`--claims ${opts.claims}: ${decoded.message}`);
    claims = decoded.claims;
    if (decoded.jwt) notes.push('claims decoded from the JWT payload; the signature was NOT verified (the token itself is never printed)');
  } else {
    const fromSubject = claimsFromSubject(opts.subject!, template);
    claims = fromSubject.claims;
    for (const k of Object.keys(claims)) if (k !== 'sub') derived.add(k);
    notes.push(...fromSubject.notes);
  }
  for (const arg of opts.claim ?? []) {
    const a = parseClaimAssignment(arg);
    if (!a) throw new UsageError(`--claim ${JSON.stringify(arg)}: write NAME=VALUE, e.g. --claim actor=octocat`);
    claims[a.name] = a.value;
    derived.delete(a.name);
  }
  // A note suggesting `--claim ref=...` says nothing once that claim is given.
  const given = new Set((opts.claim ?? []).map((arg) => parseClaimAssignment(arg)!.name));
  return { claims, notes: notes.filter((n) => ![...given].some((name) => n.includes(`--claim ${name}=`))), derived };
}

/** A claims file the user names (or stdin, fd 0), at most MAX_INPUT_BYTES: /dev/zero is refused, not read. */
export function readClaimsFile(path: string | number): string {
  const bytes = readCapped(path, MAX_INPUT_BYTES);
  if (bytes.length > MAX_INPUT_BYTES) throw new UsageError(`--claims ${typeof path === 'number' ? '-' : path}: over ${MAX_INPUT_BYTES} bytes; a claims JSON or JWT is far smaller`);
  return bytes.toString('utf8');
}
