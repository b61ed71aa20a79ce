// What real GitHub OIDC claim values look like (GITHUB-OIDC.md), as languages: a matcher whose
// language misses its claim's shape can never match a real token.
//
// The automata of the shapes below are built at build time (scripts/build.mjs writes
// src/generated/shape-nfas.json from precomputeShapes()), so `lint` neither loads the RE2 engine
// nor compiles them on start-up; any other shape (an org's custom subject template) is built on use.
import type { ClaimName } from '../model.js';
import { fromRegex, makeEdge, makeNfa, type NFA } from './nfa.js';
import precomputed from '../generated/shape-nfas.json' with { type: 'json' };

export const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
export const REPO_NAME = '[A-Za-z0-9._-]+';
const ID = '(?:@[0-9]+)?';
// Git refs cannot contain `:`, and the `sub` writes a `:` inside a value as `%3A` (GITHUB-OIDC.md).
export const CONTEXT = '(?:ref:refs/[^:]+|environment:[^:]+|pull_request)';

/** Regex (RE2) for each claim's value in a real token. */
export const CLAIM_SHAPE: Record<ClaimName, string> = {
  subject: `repo:${OWNER}${ID}/${REPO_NAME}${ID}:${CONTEXT}`,
  repository: `${OWNER}/${REPO_NAME}`,
  repository_owner: OWNER,
  // Empty for some events (a deployment token has "ref": "").
  ref: '(?:refs/[^:]+)?',
  ref_type: 'branch|tag',
  actor: '[A-Za-z0-9-]+(?:\\[bot\\])?',
  workflow_ref: `${OWNER}/${REPO_NAME}/\\.github/workflows/[^@]+@.+`,
  environment: '.+',
  sha: '[0-9a-f]{40}',
};

/** The other shapes the lint rules and the diff ask about. */
export const SHAPE = {
  owner: OWNER,
  repoName: REPO_NAME,
  context: CONTEXT,
  classicSubject: `repo:${OWNER}/${REPO_NAME}:${CONTEXT}`,
  immutableSubject: `repo:${OWNER}@[0-9]+/${REPO_NAME}@[0-9]+:${CONTEXT}`,
  pullRequestSubject: 'repo:[^:]+:pull_request',
  /** A default-format subject up to an environment's name (a job with an environment gets this form). */
  environmentSubjectPrefix: `repo:${OWNER}${ID}/${REPO_NAME}${ID}:environment:`,
  pullRequestRef: 'refs/pull/[0-9]+/merge',
  anyRef: 'refs/.+',
  // What the token's ref_type says about its ref (an empty ref goes with either).
  branchRef: '|refs/heads/.+|refs/pull/.+|refs/remotes/.+',
  tagRef: '|refs/tags/.+',
  /** A workflow path and the `@` before its ref, as in `OWNER/REPO/.github/workflows/` + this + REF. */
  workflowFileAt: '[^@]+@',
  workflowFileAtRef: '[^@]+@refs/.+',
  /** Owners longer than GitHub allows (39): unbounded patterns admit registrable look-alikes. */
  overlongOwner: '.{40,}',
  /** Repository names longer than GitHub allows (100). */
  overlongRepoName: '.{101,}',
} as const;

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

const STATIC_SHAPES = [...new Set([...Object.values(CLAIM_SHAPE), ...Object.values(SHAPE)])];

/** An automaton in JSON: per state, its edges as [to, lo0, hi0, lo1, hi1, ...]. */
interface StoredNfa {
  starts: number[];
  edges: number[][][];
  finals: number[];
}

/** The automata of every static shape, for the build to store. */
export function precomputeShapes(): Record<string, StoredNfa> {
  const out: Record<string, StoredNfa> = {};
  for (const regex of STATIC_SHAPES) {
    const n = fromRegex(regex);
    out[regex] = { starts: n.starts, edges: n.edges.map((es) => es.map((e) => [e.to, ...e.ranges])), finals: [...n.finals] };
  }
  return out;
}

const revive = (s: StoredNfa): NFA =>
  makeNfa(
    s.starts,
    s.edges.map((es) => es.map(([to, ...ranges]) => makeEdge(ranges, to!))),
    new Set(s.finals),
  );

const stored = precomputed as unknown as Record<string, StoredNfa>;
const cache = new Map<string, NFA>();
export function shapeNfa(regex: string): NFA {
  let n = cache.get(regex);
  if (!n) cache.set(regex, (n = Object.hasOwn(stored, regex) ? revive(stored[regex]!) : fromRegex(regex)));
  return n;
}

/** The subject shape for an org's custom `include_claim_keys` template (GITHUB-OIDC.md); `context`: the contexts allowed. */
export function subjectShapeFor(template: readonly string[] | undefined, context = CONTEXT): string {
  if (!template?.length) return context === CONTEXT ? CLAIM_SHAPE.subject : `repo:${OWNER}${ID}/${REPO_NAME}${ID}:${context}`;
  return template
    .map((key) => (key === 'repo' ? `repo:${OWNER}${ID}/${REPO_NAME}${ID}` : key === 'context' ? context : `${key}:[^:]*`))
    .join(':');
}

/** A pull_request job's subject under the template, or undefined when the template has no context to tell. */
export const pullRequestSubjectFor = (template: readonly string[] | undefined): string | undefined => (!template?.length ? SHAPE.pullRequestSubject : template.includes('context') ? subjectShapeFor(template, 'pull_request') : undefined);
