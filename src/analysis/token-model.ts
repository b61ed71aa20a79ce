// The token model (SPEC.md §5): which claim sets GitHub Actions can issue. A token is generated
// from a few free values (owner, repository name, IDs, workflow file, environment, ref, SHAs,
// actor) and choices (subject form, context, ref_type, what workflow_ref is pinned at); every claim
// is built from them. The model is a graph of steps in which each claim's characters are produced
// in order, so an analysis can run every matcher on its claim while a token is being generated
// (see token-search.ts). `tokenClaims` builds a token's claims and `tokenProblem` checks a claim
// set against the same relations: they are the one statement of the model in code.
//
// Deliberate over-approximations (a verdict never misses a token GitHub can issue): lengths are not
// bounded (owner 39, name 100, environment 255), `..` is allowed in refs, a pull_request job may
// carry any ref, and the subject is GitHub's default template (classic or immutable form).
import type { ClaimName, Claims } from '../model.js';
import { CLAIM_SHAPE, OWNER, REPO_NAME } from './shapes.js';

/** The free values of a token (strings) and its choices. */
export interface TokenValues {
  owner: string;
  name: string;
  /** `classic`: `repo:OWNER/NAME:...`; `immutable`: `repo:OWNER@ID/NAME@ID:...` (GITHUB-OIDC.md). */
  form: 'classic' | 'immutable';
  ownerId: string;
  repoId: string;
  file: string;
  context: 'ref' | 'environment' | 'pull_request';
  environment: string;
  ref: string;
  refType: 'branch' | 'tag';
  /** What workflow_ref ends with: the token's own ref, or a commit SHA. */
  at: 'ref' | 'sha';
  workflowSha: string;
  sha: string;
  actor: string;
}

export type TokenVariable = keyof TokenValues;

const SHA = 'e5c1f2a9d3b47c06a1d2e3f4a5b6c7d8e9f0a1b2';

/** Readable values a witness takes where the matchers leave the choice free. */
export const DEFAULT_TOKEN: TokenValues = {
  owner: 'acme',
  name: 'app',
  form: 'classic',
  ownerId: '1234567',
  repoId: '7654321',
  file: 'ci.yml',
  context: 'ref',
  environment: 'production',
  ref: 'refs/heads/main',
  refType: 'branch',
  at: 'ref',
  workflowSha: SHA,
  sha: SHA,
  actor: 'octocat',
};

const escapeColons = (v: string) => v.replace(/:/g, '%3A');

/** The claims of a token, in the order a person reads them. */
export function tokenClaims(v: TokenValues): Claims {
  const repository = `${v.owner}/${v.name}`;
  const repo = v.form === 'classic' ? repository : `${v.owner}@${v.ownerId}/${v.name}@${v.repoId}`;
  const context = v.context === 'environment' ? `environment:${escapeColons(v.environment)}` : v.context === 'pull_request' ? 'pull_request' : `ref:${v.ref}`;
  const claims: Claims = { sub: `repo:${repo}:${context}`, repository, repository_owner: v.owner, ref: v.ref, ref_type: v.refType };
  if (v.context === 'environment') claims.environment = v.environment;
  claims.actor = v.actor;
  claims.workflow_ref = `${repository}/.github/workflows/${v.file}@${v.at === 'ref' ? v.ref : v.workflowSha}`;
  claims.sha = v.sha;
  return claims;
}

// Git refs (git check-ref-format): no control characters, space, `:`, `~^?*[\`, DEL.
const REF_CHAR = '[^\\x00-\\x20:~^?*\\[\\\\\\x7f]';

/** Words of REF_CHAR+ that do not start with `prefix`. */
function notStarting(prefix: string): string {
  const alts: string[] = [];
  for (let i = 0; i < prefix.length; i++) {
    const head = prefix.slice(0, i);
    // The prefix itself, cut short (`tag`), and every word that leaves it at position i.
    if (i > 0) alts.push(head);
    alts.push(`${head}[^\\x00-\\x20:~^?*\\[\\\\\\x7f${prefix[i]}]${REF_CHAR}*`);
  }
  return `(?:${alts.join('|')})`;
}

/** Value shapes (RE2) of the free values. Refs follow ref_type: `tag` for refs/tags/, `branch` for refs/heads/, either otherwise. */
export const VALUE_SHAPE = {
  owner: OWNER,
  name: REPO_NAME,
  id: '[0-9]+',
  file: '[^@]+',
  environment: '(?s).+',
  branchRef: `|refs/${notStarting('tags/')}`,
  tagRef: `|refs/${notStarting('heads/')}`,
  sha: CLAIM_SHAPE.sha,
  actor: CLAIM_SHAPE.actor,
} as const;

/** One step of the model. Feeds, ends and absences are instant; forks and segments branch. */
export type ModelNode =
  | { kind: 'feed'; claim: ClaimName; text: string; next: number }
  /** The claim's value is complete: a matcher on it must accept here. */
  | { kind: 'end'; claim: ClaimName; next: number }
  /** The token has no such claim: a matcher on it never matches (SPEC.md §4). */
  | { kind: 'absent'; claim: ClaimName; next: number }
  /** One free value, produced character by character, read by `readers` (the subject writes `:` as `%3A`). */
  | { kind: 'segment'; variable: TokenVariable; shape: string; readers: readonly { claim: ClaimName; escapeColon: boolean }[]; fallback: string; next: number }
  /** A choice: `claims` are those whose values depend on it (none matched: any branch answers alike). */
  | { kind: 'fork'; claims: readonly ClaimName[]; branches: readonly { set: Partial<TokenValues>; next: number }[] }
  | { kind: 'final' };

/** A claim reading a segment; `subject%` reads it with `:` written `%3A`. */
type Reader = ClaimName | `${ClaimName}%`;
type Op = { kind: 'feed'; claim: ClaimName; text: string } | { kind: 'end' | 'absent'; claim: ClaimName } | { kind: 'segment'; variable: TokenVariable; shape: string; readers: readonly Reader[]; fallback: string };

/** The model as a graph; node 0 is the start. */
export const TOKEN_MODEL: readonly ModelNode[] = buildModel();

function buildModel(): ModelNode[] {
  const nodes: ModelNode[] = [{ kind: 'final' }];
  const add = (n: ModelNode) => nodes.push(n) - 1;
  /** The ops in order, then `next`: the id of the first. */
  const chain = (ops: readonly Op[], next: number): number => {
    for (const op of [...ops].reverse()) {
      if (op.kind === 'segment') {
        const readers = op.readers.map((r) => ({ claim: r.replace('%', '') as ClaimName, escapeColon: r.endsWith('%') }));
        next = add({ ...op, readers, next });
      } else next = add({ ...op, next });
    }
    return next;
  };
  const fork = (claims: ClaimName[], branches: { set: Partial<TokenValues>; next: number }[]) => add({ kind: 'fork', claims, branches });
  const seg = (variable: TokenVariable, shape: string, readers: readonly Reader[], fallback: string): Op => ({ kind: 'segment', variable, shape, readers, fallback });
  const end = (claim: ClaimName): Op => ({ kind: 'end', claim });
  const absent = (claim: ClaimName): Op => ({ kind: 'absent', claim });
  const feed = (claim: ClaimName, text: string): Op => ({ kind: 'feed', claim, text });

  const tail = chain([seg('sha', VALUE_SHAPE.sha, ['sha'], SHA), end('sha'), seg('actor', VALUE_SHAPE.actor, ['actor'], 'octocat'), end('actor')], 0);
  /** From ref_type on; `subjectReadsRef`: a `ref:` context, whose subject ends with the ref; a pull_request job's witness reads `refs/pull/1/merge`. */
  const refs = (subjectReadsRef: boolean, pullRequest = false): number => {
    const afterRef = (at: 'ref' | 'sha') => [end('ref'), ...(subjectReadsRef ? [end('subject')] : []), ...(at === 'sha' ? [seg('workflowSha', VALUE_SHAPE.sha, ['workflow_ref'], SHA)] : []), end('workflow_ref')];
    const byType = (refType: 'branch' | 'tag') => {
      const shape = refType === 'branch' ? VALUE_SHAPE.branchRef : VALUE_SHAPE.tagRef;
      const fallback = refType === 'tag' ? 'refs/tags/v1.0.0' : pullRequest ? 'refs/pull/1/merge' : 'refs/heads/main';
      const readers = (at: 'ref' | 'sha'): Reader[] => ['ref', ...(subjectReadsRef ? (['subject'] as const) : []), ...(at === 'ref' ? (['workflow_ref'] as const) : [])];
      const atFork = fork(['workflow_ref'], (['ref', 'sha'] as const).map((at) => ({ set: { at }, next: chain([seg('ref', shape, readers(at), fallback), ...afterRef(at)], tail) })));
      return chain([feed('ref_type', refType), end('ref_type')], atFork);
    };
    // ref_type decides the ref's shape (refs/tags/ only for a tag), so every claim reading the ref tells the branches apart.
    const readsRef: ClaimName[] = ['ref_type', 'ref', 'workflow_ref', ...(subjectReadsRef ? (['subject'] as const) : [])];
    return fork(readsRef, (['branch', 'tag'] as const).map((refType) => ({ set: { refType }, next: byType(refType) })));
  };
  const withRef = refs(true);
  const withoutRef = refs(false);
  const pullRequestRefs = refs(false, true);
  const contexts = fork(['subject', 'environment'], [
    { set: { context: 'ref' }, next: chain([absent('environment'), feed('subject', 'ref:')], withRef) },
    { set: { context: 'environment' }, next: chain([feed('subject', 'environment:'), seg('environment', VALUE_SHAPE.environment, ['environment', 'subject%'], 'production'), end('environment'), end('subject')], withoutRef) },
    { set: { context: 'pull_request' }, next: chain([absent('environment'), feed('subject', 'pull_request'), end('subject')], pullRequestRefs) },
  ]);
  const afterName = chain([end('repository'), feed('workflow_ref', '/.github/workflows/'), feed('subject', ':'), seg('file', VALUE_SHAPE.file, ['workflow_ref'], 'ci.yml'), feed('workflow_ref', '@')], contexts);
  const name = seg('name', VALUE_SHAPE.name, ['repository', 'subject', 'workflow_ref'], 'app');
  const forms = fork(['subject'], [
    { set: { form: 'classic' }, next: chain([feed('subject', '/'), name], afterName) },
    { set: { form: 'immutable' }, next: chain([feed('subject', '@'), seg('ownerId', VALUE_SHAPE.id, ['subject'], '1234567'), feed('subject', '/'), name, feed('subject', '@'), seg('repoId', VALUE_SHAPE.id, ['subject'], '7654321')], afterName) },
  ]);
  const start = chain([feed('subject', 'repo:'), seg('owner', VALUE_SHAPE.owner, ['repository_owner', 'repository', 'subject', 'workflow_ref'], 'acme'), end('repository_owner'), feed('repository', '/'), feed('workflow_ref', '/')], forms);
  // Node 0 is the start: swap it with the final node.
  const startNode = nodes[start]!;
  nodes[start] = nodes[0]!;
  nodes[0] = startNode;
  const remap = (n: number) => (n === 0 ? start : n === start ? 0 : n);
  return nodes.map((n) => (n.kind === 'final' ? n : n.kind === 'fork' ? { ...n, branches: n.branches.map((b) => ({ ...b, next: remap(b.next) })) } : { ...n, next: remap(n.next) }));
}

// A claim set is checked with plain JavaScript regexes over our own fixed shapes (never a policy's).
const RE = {
  owner: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/,
  name: /^[A-Za-z0-9._-]{1,100}$/,
  ref: /^(?:refs\/[^\x00-\x20:~^?*[\\\x7f]+)?$/,
  sha: /^[0-9a-f]{40}$/,
  actor: /^[A-Za-z0-9-]+(?:\[bot\])?$/,
  subject: /^repo:([^/:@]+)(?:@[0-9]+)?\/([^/:@]+)(?:@[0-9]+)?:(.*)$/s,
};

/**
 * Why a claim set is not a token GitHub can issue (default subject template), or undefined when it
 * is one: every relation of SPEC.md §5, with GitHub's length limits.
 */
export function tokenProblem(c: Claims): string | undefined {
  const known = new Set(['sub', 'repository', 'repository_owner', 'ref', 'ref_type', 'environment', 'actor', 'workflow_ref', 'sha']);
  for (const k of Object.keys(c)) if (!known.has(k)) return `unexpected claim \`${k}\``;
  for (const k of known) if (k !== 'environment' && typeof c[k] !== 'string') return `\`${k}\` is missing`;
  const owner = c.repository_owner!;
  if (!RE.owner.test(owner)) return `\`repository_owner\` \`${owner}\` is not a GitHub login`;
  if (!c.repository!.startsWith(`${owner}/`) || !RE.name.test(c.repository!.slice(owner.length + 1))) return '`repository` is not `repository_owner/NAME`';
  const sub = RE.subject.exec(c.sub!);
  if (!sub || `${sub[1]}/${sub[2]}` !== c.repository) return '`sub` does not name the token\'s repository';
  const ref = c.ref!;
  if (!RE.ref.test(ref)) return '`ref` is not a git ref';
  const context = sub[3]!;
  if (c.environment !== undefined) {
    if (!c.environment.length || [...c.environment].length > 255) return '`environment` is empty or longer than 255 characters';
    if (context !== `environment:${escapeColons(c.environment)}`) return '`sub` does not name the token\'s environment';
  } else if (context !== 'pull_request' && context !== `ref:${ref}`) return '`sub` does not name the token\'s context';
  if (c.ref_type !== 'branch' && c.ref_type !== 'tag') return '`ref_type` is neither branch nor tag';
  if ((ref.startsWith('refs/tags/') && c.ref_type !== 'tag') || (ref.startsWith('refs/heads/') && c.ref_type !== 'branch')) return '`ref_type` does not follow `ref`';
  const wf = `${c.repository}/.github/workflows/`;
  // The file name holds no `@`: the first one after the folder starts the ref or SHA.
  const file = c.workflow_ref!.startsWith(wf) ? c.workflow_ref!.slice(wf.length) : '';
  const at = file.slice(file.indexOf('@') + 1);
  if (file.indexOf('@') < 1 || (at !== ref && !RE.sha.test(at))) return '`workflow_ref` is not a workflow of the token\'s repository at its ref or a SHA';
  if (!RE.sha.test(c.sha!)) return '`sha` is not 40 hex digits';
  if (!RE.actor.test(c.actor!)) return '`actor` is not a login';
  return undefined;
}
