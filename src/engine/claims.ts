// Token claims: reading a claim for a matcher, deriving claims from a subject (GitHub's default
// format or an org's subject template), and
// decoding a claims file or a raw JWT (payload only: never verified, never printed).
import { TOKEN_CLAIM, CLAIM_NAMES, isDefaultTemplate, templateKeys, type ClaimName, type Claims } from '../model.js';

/** The value a matcher on `claim` sees: undefined when the token has no such claim. */
export function claimValue(claims: Claims, claim: ClaimName): string | undefined {
  const v = (claims as Record<string, unknown>)[TOKEN_CLAIM[claim]];
  return typeof v === 'string' ? v : undefined;
}

/** A caller as a command read it (claims file, JWT, subject, `--claim`s). */
export interface ClaimsSource {
  claims: Claims;
  /** Lines for a person: how the claims were obtained and what was derived. */
  notes: string[];
  derived: Set<string>;
}

export interface ParsedSubject {
  owner: string;
  repo: string;
  ownerId?: string;
  repoId?: string;
  context: { kind: 'ref'; ref: string } | { kind: 'environment'; environment: string } | { kind: 'pull_request' };
}

// OWNER and REPO never contain `/`, `:` or `@`; IDs are digits (GITHUB-OIDC.md, immutable subject).
const SUBJECT = /^repo:([^/:@]+)(?:@(\d+))?\/([^/:@]+)(?:@(\d+))?:(.*)$/s;

export function parseSubject(sub: string): ParsedSubject | undefined {
  const m = SUBJECT.exec(sub);
  if (!m) return undefined;
  const [, owner, ownerId, repo, repoId, rest] = m as unknown as [string, string, string | undefined, string, string | undefined, string];
  const unescape = (s: string) => s.replace(/%3A/gi, ':');
  let context: ParsedSubject['context'];
  if (rest === 'pull_request') context = { kind: 'pull_request' };
  else if (rest.startsWith('ref:')) context = { kind: 'ref', ref: unescape(rest.slice(4)) };
  else if (rest.startsWith('environment:')) context = { kind: 'environment', environment: unescape(rest.slice(12)) };
  else return undefined;
  return { owner, repo, ownerId, repoId, context };
}

export interface DerivedClaims {
  claims: Claims;
  /** What was derived and what could not be, for a person to read. */
  notes: string[];
}

/**
 * Claims a subject implies: repository, repository_owner, ref, ref_type, environment. `template`:
 * the org's `include_claim_keys` (GitHub's default when absent), whose `key:value` parts are read
 * in order (values write `:` as `%3A`).
 */
export function claimsFromSubject(sub: string, template?: readonly string[]): DerivedClaims {
  if (!isDefaultTemplate(template)) return claimsFromTemplate(sub, templateKeys(template));
  const parsed = parseSubject(sub);
  const claims: Claims = { sub };
  if (!parsed) return { claims, notes: ['the subject is not in GitHub\'s default format (`repo:OWNER/REPO:<context>`), so no other claim was derived: add them with --claim'] };
  const notes: string[] = [];
  repoClaims(claims, notes, parsed);
  contextClaims(claims, notes, parsed.context);
  return { claims, notes };
}

function repoClaims(claims: Claims, notes: string[], repo: Omit<ParsedSubject, 'context'>): void {
  claims.repository = `${repo.owner}/${repo.repo}`;
  claims.repository_owner = repo.owner;
  if (repo.ownerId || repo.repoId) notes.push(`immutable subject (owner ID ${repo.ownerId ?? '?'}, repo ID ${repo.repoId ?? '?'}): \`repository\` and \`repository_owner\` still carry the names`);
}

function contextClaims(claims: Claims, notes: string[], ctx: ParsedSubject['context']): void {
  if (ctx.kind === 'ref') {
    claims.ref = ctx.ref;
    if (ctx.ref.startsWith('refs/heads/')) claims.ref_type = 'branch';
    else if (ctx.ref.startsWith('refs/tags/')) claims.ref_type = 'tag';
  } else if (ctx.kind === 'environment') {
    claims.environment = ctx.environment;
    notes.push('an environment job: its subject names the environment, not the ref; `ref` and `ref_type` are unknown (add --claim ref=refs/heads/main)');
  } else {
    // A pull_request run's ref is `refs/pull/N/merge`, and its token says `ref_type: branch` (GITHUB-OIDC.md).
    claims.ref_type = 'branch';
    notes.push('a pull_request subject carries no branch: `ref` would be `refs/pull/<N>/merge` (add --claim ref=refs/pull/N/merge)');
  }
}

/** Token claims a template key carries as they are (`repo` and `context` are composites). */
const TEMPLATE_CLAIMS = new Set(['repository', 'repository_owner', 'ref', 'ref_type', 'environment', 'actor', 'workflow_ref', 'sha']);
const REPO_PART = /^([^/:@]+)(?:@(\d+))?\/([^/:@]+)(?:@(\d+))?$/;

/** Claims a subject built by a custom template implies: each part in order; keys outside the token's claims are skipped. */
function claimsFromTemplate(sub: string, template: readonly string[]): DerivedClaims {
  const parts = sub.split(':');
  const unescape = (s: string) => s.replace(/%3A/gi, ':');
  const claims: Claims = { sub };
  const notes: string[] = [];
  let at = 0;
  for (const key of template) {
    const [name, value] = [parts[at], parts[at + 1]];
    const repo = key === 'repo' && name === 'repo' && value !== undefined ? REPO_PART.exec(value) : null;
    if (repo) repoClaims(claims, notes, { owner: repo[1]!, ownerId: repo[2], repo: repo[3]!, repoId: repo[4] });
    else if (key === 'context' && name === 'pull_request') {
      contextClaims(claims, notes, { kind: 'pull_request' });
      at += 1;
      continue;
    } else if (key === 'context' && (name === 'ref' || name === 'environment') && value !== undefined)
      contextClaims(claims, notes, name === 'ref' ? { kind: 'ref', ref: unescape(value) } : { kind: 'environment', environment: unescape(value) });
    else if (key !== 'repo' && key !== 'context' && name === key && value !== undefined) {
      if (TEMPLATE_CLAIMS.has(key)) claims[key] = unescape(value);
    } else return { claims: { sub }, notes: [`the subject does not follow the subject template [${template.join(', ')}] at \`${key}\`, so no other claim was derived: add them with --claim`] };
    at += 2;
  }
  if (at !== parts.length) return { claims: { sub }, notes: [`the subject goes on past the subject template [${template.join(', ')}], so no other claim was derived: add them with --claim`] };
  // A repository names its owner, and a ref its type, as in the default format.
  if (claims.repository?.includes('/') && claims.repository_owner === undefined) claims.repository_owner = claims.repository.split('/')[0]!;
  if (claims.ref !== undefined && claims.ref_type === undefined && /^refs\/(?:heads|tags)\//.test(claims.ref)) claims.ref_type = claims.ref.startsWith('refs/tags/') ? 'tag' : 'branch';
  return { claims, notes: [`read with the subject template [${template.join(', ')}]`, ...notes] };
}

export type ClaimsInput = { ok: true; claims: Claims; jwt: boolean } | { ok: false; message: string };

/** A JSON object of claims, or a compact JWT whose payload is decoded without verification. */
export function decodeClaimsInput(text: string): ClaimsInput {
  const trimmed = text.trim();
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(trimmed)) {
    const payload = trimmed.split('.')[1]!;
    try {
      const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      return asClaims(json, true);
    } catch {
      return { ok: false, message: 'the input looks like a JWT but its payload is not base64url-encoded JSON' };
    }
  }
  try {
    return asClaims(JSON.parse(trimmed), false);
  } catch {
    // Never quote the input: it may be (part of) a token.
    return { ok: false, message: 'not a JSON object of claims nor a compact JWT (header.payload.signature)' };
  }
}

function asClaims(json: unknown, jwt: boolean): ClaimsInput {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: false, message: 'claims must be a JSON object such as {"sub": "repo:acme/app:ref:refs/heads/main", ...}' };
  const claims: Claims = {};
  for (const [k, v] of Object.entries(json)) if (typeof v === 'string') claims[k] = v;
  // A claims file written with policy names (`subject`) is read as the token's `sub`.
  if (claims.sub === undefined && typeof (json as Record<string, unknown>).subject === 'string') claims.sub = (json as Record<string, string>).subject!;
  return { ok: true, claims, jwt };
}

/** `--claim k=v`: a token claim name, or a policy claim name (`subject` means `sub`). */
export function parseClaimAssignment(arg: string): { name: string; value: string } | undefined {
  const i = arg.indexOf('=');
  if (i <= 0) return undefined;
  const key = arg.slice(0, i);
  const name = (CLAIM_NAMES as readonly string[]).includes(key) ? TOKEN_CLAIM[key as ClaimName] : key;
  return { name, value: arg.slice(i + 1) };
}
