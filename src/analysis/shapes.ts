// What real GitHub OIDC claim values look like (GITHUB-OIDC.md), as languages: a matcher whose
// language misses its claim's shape can never match a real token.
import type { ClaimName } from '../model.js';
import { fromRegex, type NFA } from './nfa.js';

export const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
export const REPO_NAME = '[A-Za-z0-9._-]+';
const ID = '(?:@[0-9]+)?';
export const CONTEXT = '(?:ref:refs/.+|environment:.+|pull_request)';

/** Regex (RE2) for each claim's value in a real token. */
export const CLAIM_SHAPE: Record<ClaimName, string> = {
  subject: `repo:${OWNER}${ID}/${REPO_NAME}${ID}:${CONTEXT}`,
  repository: `${OWNER}/${REPO_NAME}`,
  repository_owner: OWNER,
  // Empty for some events (a deployment token has "ref": "").
  ref: '(?:refs/.+)?',
  ref_type: 'branch|tag',
  actor: '[A-Za-z0-9-]+(?:\\[bot\\])?',
  workflow_ref: `${OWNER}/${REPO_NAME}/\\.github/workflows/[^@]+@.+`,
  environment: '.+',
  sha: '[0-9a-f]{40}',
};

/** The format a person should write, for messages. */
export const CLAIM_FORMAT: Record<ClaimName, string> = {
  subject: '`repo:OWNER/REPO:ref:REF`, `repo:OWNER/REPO:environment:ENV` or `repo:OWNER/REPO:pull_request` (immutable repos: `repo:OWNER@ID/REPO@ID:...`)',
  repository: '`OWNER/REPO`',
  repository_owner: 'an owner login such as `acme` (no `/`)',
  ref: 'a full ref: `refs/heads/BRANCH`, `refs/tags/TAG` or `refs/pull/N/merge`',
  ref_type: '`branch` or `tag`',
  actor: 'a login such as `octocat` or `dependabot[bot]`',
  workflow_ref: '`OWNER/REPO/.github/workflows/FILE@REF`',
  environment: 'a non-empty environment name',
  sha: '40 lowercase hex digits',
};

const cache = new Map<string, NFA>();
export function shapeNfa(regex: string): NFA {
  let n = cache.get(regex);
  if (!n) cache.set(regex, (n = fromRegex(regex)));
  return n;
}

/** The subject shape for an org's custom `include_claim_keys` template (GITHUB-OIDC.md). */
export function subjectShapeFor(template: readonly string[] | undefined): string {
  if (!template?.length) return CLAIM_SHAPE.subject;
  return template
    .map((key) => (key === 'repo' ? `repo:${OWNER}${ID}/${REPO_NAME}${ID}` : key === 'context' ? CONTEXT : `${key}:[^:]*`))
    .join(':');
}
