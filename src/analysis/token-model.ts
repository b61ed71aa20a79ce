// The token model (SPEC.md §5): which claim sets GitHub Actions can issue. A token is generated
// from a few free values (owner, repository name, IDs, workflow file, environment, ref, SHAs,
// actor) and choices (subject form, context, ref_type, what workflow_ref is pinned at); every claim
// is built from them. The subject follows a template (`include_claim_keys`: GitHub's default
// `[repo, context]` or an org's own), `key:value` pairs in order with `:` in values written `%3A`.
// The model is a graph of steps in which each claim's characters are produced in order, so an
// analysis can run every matcher on its claim while a token is being generated (see
// token-search.ts); it is built per template from each claim's text (`claimPieces`), one graph per
// template. `tokenClaims` builds a token's claims and `tokenProblem` checks a claim set against the
// same relations: they are the one statement of the model in code.
//
// Deliberate over-approximations (a verdict never misses a token GitHub can issue): lengths are not
// bounded (owner 39, name 100, environment 255), `..` is allowed in refs, a pull_request job may
// carry any ref, template keys outside the nine claims (`job_workflow_ref`, `runner_environment`)
// take any value. A template value read twice or against workflow_ref's order is exact: the subject
// replays the value produced earlier (see `Replay`).
import { CLAIM_NAMES, DEFAULT_TEMPLATE, templateKeys, type ClaimName, type Claims } from '../model.js';
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
  /** Values of subject template keys the nine claims do not carry (`job_workflow_ref`, ...), by key. */
  free: Record<string, string>;
}

/** A free value: one of the token's, or `free:KEY` (a template key outside the nine claims). */
export type TokenVariable = Exclude<keyof TokenValues, 'free'> | `free:${string}`;

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
  free: {},
};

const escapeColons = (v: string) => v.replace(/:/g, '%3A');

/** The claims of a token, in the order a person reads them; its subject follows `template` (GitHub's default when absent). */
export function tokenClaims(v: TokenValues, template: readonly string[] = DEFAULT_TEMPLATE): Claims {
  const repository = `${v.owner}/${v.name}`;
  const repo = v.form === 'classic' ? repository : `${v.owner}@${v.ownerId}/${v.name}@${v.repoId}`;
  const context = v.context === 'environment' ? `environment:${escapeColons(v.environment)}` : v.context === 'pull_request' ? 'pull_request' : `ref:${v.ref}`;
  const claims: Claims = { sub: '', repository, repository_owner: v.owner, ref: v.ref, ref_type: v.refType };
  if (v.context === 'environment') claims.environment = v.environment;
  claims.actor = v.actor;
  claims.workflow_ref = `${repository}/.github/workflows/${v.file}@${v.at === 'ref' ? v.ref : v.workflowSha}`;
  claims.sha = v.sha;
  claims.sub = template.map((key) => (key === 'repo' ? `repo:${repo}` : key === 'context' ? context : `${key}:${escapeColons(key !== 'sub' && Object.hasOwn(claims, key) ? claims[key]! : (v.free[key] ?? ''))}`)).join(':');
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
  /**
   * One free value, produced character by character, read by `readers` (the subject writes `:` as `%3A`).
   * `replays`: later reads of the same value by the subject (see `replay`), each with its slot.
   */
  | { kind: 'segment'; variable: TokenVariable; shape: string; readers: readonly { claim: ClaimName; escapeColon: boolean }[]; replays: readonly Replay[]; fallback: string; next: number }
  /** The subject reads again a value produced earlier (a template naming it twice, or out of workflow_ref's order). */
  | ({ kind: 'replay'; next: number } & Replay)
  /** A choice: `claims` are those whose values depend on it (none matched: any branch answers alike). */
  | { kind: 'fork'; claims: readonly ClaimName[]; branches: readonly { set: Partial<TokenValues>; next: number }[] }
  | { kind: 'final' };

/** A later read of a value by the subject: the search recorded, at the value's segment, what the value does to the subject's matcher from each state (slot `slot`), and applies it here. */
export interface Replay {
  claim: 'subject';
  slot: number;
  escapeColon: boolean;
  /** The text the subject reads just before the replay (`:repo:`): its matcher can only be in states this text leads to. */
  after: string;
}

/** The model for one subject template as a graph; node 0 is the start. `id` tells models apart in memos. */
export interface TokenModel {
  id: number;
  template: readonly string[];
  nodes: readonly ModelNode[];
}

type Op = DistributiveOmit<Exclude<ModelNode, { kind: 'fork' | 'final' }>, 'next'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Choices = Pick<TokenValues, 'form' | 'context' | 'refType' | 'at'>;
const CHOICES = ['form', 'context', 'refType', 'at'] as const;
/** A claim's value as literal text and free values, in order. */
type Piece = string | { variable: TokenVariable; escape: boolean };

/** The free values in the order GitHub's default template and the other claims read them. */
const CORE_ORDER: readonly TokenVariable[] = ['owner', 'ownerId', 'name', 'repoId', 'file', 'environment', 'ref', 'workflowSha', 'sha', 'actor'];
/** Readable values for template keys the nine claims do not carry (any other: `1`, like an ID). */
const FREE_FALLBACK: Record<string, string> = { job_workflow_ref: 'acme/app/.github/workflows/ci.yml@refs/heads/main', runner_environment: 'github-hosted', repository_visibility: 'private', event_name: 'push' };
const isValue = (p: Piece): p is Exclude<Piece, string> => typeof p !== 'string';

/** Each claim's value (null: absent) for one choice of form, context, ref_type and workflow pin. */
function claimPieces(c: Choices, template: readonly string[]): Record<ClaimName, Piece[] | null> {
  const v = (variable: TokenVariable, escape = false): Piece => ({ variable, escape });
  const repository = [v('owner'), '/', v('name')];
  const claims: Record<ClaimName, Piece[] | null> = {
    subject: [], repository, repository_owner: [v('owner')], ref: [v('ref')], ref_type: [c.refType], actor: [v('actor')],
    workflow_ref: [...repository, '/.github/workflows/', v('file'), '@', v(c.at === 'ref' ? 'ref' : 'workflowSha')],
    environment: c.context === 'environment' ? [v('environment')] : null, sha: [v('sha')],
  };
  const part = (key: string): Piece[] => {
    if (key === 'repo') return c.form === 'classic' ? ['repo:', ...repository] : ['repo:', v('owner'), '@', v('ownerId'), '/', v('name'), '@', v('repoId')];
    if (key === 'context') return c.context === 'environment' ? ['environment:', v('environment', true)] : c.context === 'pull_request' ? ['pull_request'] : ['ref:', v('ref')];
    const own = key !== 'subject' && Object.hasOwn(claims, key) ? claims[key as ClaimName]! : [v(`free:${key}`)];
    return [`${key}:`, ...own.map((p) => (isValue(p) ? { ...p, escape: true } : escapeColons(p)))];
  };
  claims.subject = template.flatMap((key, i) => [...(i ? [':'] : []), ...part(key)]);
  return claims;
}

/** Shape and witness fallback of a free value. */
function valueShape(variable: TokenVariable, c: Choices): { shape: string; fallback: string } {
  if (variable.startsWith('free:')) return { shape: '(?s).*', fallback: FREE_FALLBACK[variable.slice(5)] ?? '1' };
  if (variable === 'ref') return c.refType === 'tag' ? { shape: VALUE_SHAPE.tagRef, fallback: 'refs/tags/v1.0.0' } : { shape: VALUE_SHAPE.branchRef, fallback: c.context === 'pull_request' ? 'refs/pull/1/merge' : 'refs/heads/main' };
  const shape = variable === 'ownerId' || variable === 'repoId' ? VALUE_SHAPE.id : variable === 'workflowSha' ? VALUE_SHAPE.sha : VALUE_SHAPE[variable as 'owner' | 'name' | 'file' | 'environment' | 'sha' | 'actor'];
  return { shape, fallback: (DEFAULT_TOKEN as unknown as Record<string, string>)[variable]! };
}

/**
 * One order in which every claim reads its values in its own order. A subject read that cannot fit
 * (a template naming a value twice, or against workflow_ref's order, such as `[ref, repository_owner]`)
 * is renamed `free:#N:VAR` and placed in order after VAR: `comboOps` makes it a replay of VAR.
 */
function orderValues(combos: readonly Record<ClaimName, Piece[] | null>[]): TokenVariable[] {
  const after = new Map<TokenVariable, Set<TokenVariable>>();
  const edge = (a: TokenVariable, b: TokenVariable) => (after.get(a) ?? after.set(a, new Set()).get(a)!).add(b);
  const reaches = (a: TokenVariable, b: TokenVariable, seen = new Set<TokenVariable>()): boolean => a === b || [...(after.get(a) ?? [])].some((x) => !seen.has(x) && (seen.add(x), reaches(x, b, seen)));
  const chainOf = (pieces: readonly Piece[]) => pieces.filter(isValue).forEach((p, i, all) => i && edge(all[i - 1]!.variable, p.variable));
  for (const claims of combos) for (const k of CLAIM_NAMES) if (k !== 'subject' && claims[k]) chainOf(claims[k]!);
  for (const claims of combos) {
    const read = new Set<TokenVariable>();
    let prev: TokenVariable | undefined;
    claims.subject!.forEach((p, i) => {
      if (!isValue(p)) return;
      if (read.has(p.variable) || (prev && reaches(p.variable, prev))) claims.subject![i] = p = { ...p, variable: `free:#${i}:${p.variable}` };
      if (prev) edge(prev, p.variable);
      read.add((prev = p.variable));
    });
  }
  const all = [...new Set([...CORE_ORDER, ...combos.flatMap((c) => CLAIM_NAMES.flatMap((k) => (c[k] ?? []).filter(isValue).map((p) => p.variable)))])];
  const order: TokenVariable[] = [];
  while (order.length < all.length) order.push(all.find((x) => !order.includes(x) && all.every((y) => y === x || order.includes(y) || !after.get(y)?.has(x)))!);
  return order;
}

/**
 * A token's steps for one choice: each claim's text is fed just before the value it precedes and
 * ended after its last value. What no value follows (ref_type, an absent environment, a trailing
 * `:pull_request`) is settled with the ref, so the choices behind it fork late and forks share more.
 */
function comboOps(order: readonly TokenVariable[], claims: Record<ClaimName, Piece[] | null>, c: Choices, slots: Map<TokenVariable, number>): Op[] {
  const ops: Op[] = [];
  /** Each value's segment in this combo, to which its replays are added. */
  const produced = new Map<TokenVariable, { replays: Replay[] }>();
  const at = new Map<ClaimName, number>(CLAIM_NAMES.map((k) => [k, 0]));
  const literals = (k: ClaimName) => {
    const p = claims[k]!;
    let text = '';
    let i = at.get(k)!;
    for (; i < p.length && !isValue(p[i]!); i++) text += p[i] as string;
    at.set(k, i);
    if (text) ops.push({ kind: 'feed', claim: k, text });
    return text;
  };
  const rest = (k: ClaimName) => (claims[k] ?? []).slice(at.get(k)!);
  const finish = (k: ClaimName) => (literals(k), ops.push({ kind: 'end', claim: k }));
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    for (const k of CLAIM_NAMES) if (claims[k] === null) ops.push({ kind: 'absent', claim: k });
      else if (at.get(k)! < claims[k]!.length && !rest(k).some(isValue)) finish(k);
  };
  for (const x of order) {
    const readers = CLAIM_NAMES.filter((k) => rest(k).find(isValue)?.variable === x);
    if (!readers.length) continue;
    const source = (/^free:#\d+:(.+)$/.exec(x)?.[1] ?? x) as TokenVariable;
    if (source === 'ref') settle();
    const before = readers.map((k) => literals(k));
    const escapes = readers.map((k) => (at.set(k, at.get(k)! + 1), (claims[k]![at.get(k)! - 1] as Exclude<Piece, string>).escape));
    const segment = produced.get(source);
    if (segment) {
      // Only the subject reads a copy, and its value was produced earlier: replay it.
      const slot = slots.get(x) ?? slots.set(x, slots.size).get(x)!;
      const replay: Replay = { claim: 'subject', slot, escapeColon: escapes[0]!, after: before[0]! };
      segment.replays.push(replay);
      ops.push({ kind: 'replay', ...replay });
    } else {
      // A copy whose value no claim read before (in this combo) is its first read.
      const op = { kind: 'segment' as const, variable: source, ...valueShape(source, c), readers: readers.map((claim, i) => ({ claim, escapeColon: escapes[i]! })), replays: [] as Replay[] };
      produced.set(source, op);
      ops.push(op);
    }
    for (const k of readers) if (!rest(k).length) ops.push({ kind: 'end', claim: k });
  }
  settle();
  return ops;
}

const models = new Map<string, TokenModel>();

/** The model for a subject template (`include_claim_keys`; GitHub's default when absent), built once. */
export function tokenModel(template?: readonly string[]): TokenModel {
  const keys = templateKeys(template);
  let m = models.get(keys.join(','));
  if (!m) models.set(keys.join(','), (m = { id: models.size, template: keys, nodes: buildModel(keys) }));
  return m;
}

function buildModel(template: readonly string[]): ModelNode[] {
  const choices: Choices[] = [];
  for (const form of ['classic', 'immutable'] as const)
    for (const context of ['ref', 'environment', 'pull_request'] as const)
      // A template with `environment` gives no token to a job without one (GITHUB-OIDC.md).
      if (context === 'environment' || !template.includes('environment'))
        for (const refType of ['branch', 'tag'] as const) for (const at of ['ref', 'sha'] as const) choices.push({ form, context, refType, at });
  const pieces = choices.map((c) => claimPieces(c, template));
  const order = orderValues(pieces);
  const slots = new Map<TokenVariable, number>();
  const combos = choices.map((c, i) => ({ choices: c, ops: comboOps(order, pieces[i]!, c, slots) }));

  // The combos' steps as a graph: common prefixes shared up to a fork, equal suffixes shared.
  const nodes: ModelNode[] = [{ kind: 'final' }];
  const ids = new Map<string, number>();
  const add = (n: ModelNode) => {
    const key = JSON.stringify(n);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = nodes.push(n) - 1));
    return id;
  };
  const opKey = (op: Op | undefined) => JSON.stringify(op ?? null);
  /** What a claim sees of a token's steps (a witness's fallbacks aside). */
  const view = (ops: readonly Op[], k: ClaimName) =>
    JSON.stringify(ops.flatMap((op): unknown[] => (op.kind !== 'segment' ? (op.claim === k ? [op] : []) : op.readers.filter((r) => r.claim === k).map((r) => [op.variable, op.shape, r.escapeColon]))));
  const build = (group: typeof combos, i: number): number => {
    const parts = new Map<string, typeof combos>();
    for (const g of group) (parts.get(opKey(g.ops[i])) ?? parts.set(opKey(g.ops[i]), []).get(opKey(g.ops[i]))!).push(g);
    if (parts.size === 1) return group[0]!.ops[i] ? add({ ...group[0]!.ops[i]!, next: build(group, i + 1) } as ModelNode) : 0;
    // One choice at a time where one choice explains the split: a matcher that tells only the ref
    // types apart then explores two branches, not one per context and ref type.
    const one = CHOICES.find((d) => group.some((g) => g.choices[d] !== group[0]!.choices[d]) && [...parts.values()].every((p) => p.every((g) => g.choices[d] === p[0]!.choices[d])));
    const byChoice = new Map<string, typeof combos>();
    if (one) for (const g of group) (byChoice.get(g.choices[one]) ?? byChoice.set(g.choices[one], []).get(g.choices[one])!).push(g);
    const branches = [...(one ? byChoice : parts).values()];
    // A claim depends on the choice when the branches offer it different values.
    const claimsOf = (k: ClaimName) => new Set(branches.map((b) => [...new Set(b.map((g) => view(g.ops.slice(i), k)))].sort().join('\n'))).size > 1;
    return add({ kind: 'fork', claims: CLAIM_NAMES.filter(claimsOf), branches: branches.map((b) => ({ set: { ...b[0]!.choices }, next: build(b, i) })) });
  };
  const start = build(combos, 0);
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
  repo: /^repo:([^/:@]+)(?:@[0-9]+)?\/([^/:@]+)(?:@[0-9]+)?/,
};

/**
 * Why a claim set is not a token GitHub can issue with this subject template (GitHub's default when
 * absent), or undefined when it is one: every relation of SPEC.md §5, with GitHub's length limits.
 */
export function tokenProblem(c: Claims, template: readonly string[] = DEFAULT_TEMPLATE): string | undefined {
  const known = new Set(['sub', 'repository', 'repository_owner', 'ref', 'ref_type', 'environment', 'actor', 'workflow_ref', 'sha']);
  for (const k of Object.keys(c)) if (!known.has(k)) return `unexpected claim \`${k}\``;
  for (const k of known) if (k !== 'environment' && typeof c[k] !== 'string') return `\`${k}\` is missing`;
  const owner = c.repository_owner!;
  if (!RE.owner.test(owner)) return `\`repository_owner\` \`${owner}\` is not a GitHub login`;
  if (!c.repository!.startsWith(`${owner}/`) || !RE.name.test(c.repository!.slice(owner.length + 1))) return '`repository` is not `repository_owner/NAME`';
  const ref = c.ref!;
  if (!RE.ref.test(ref)) return '`ref` is not a git ref';
  if (c.environment !== undefined && (!c.environment.length || [...c.environment].length > 255)) return '`environment` is empty or longer than 255 characters';
  const sub = subjectProblem(c, template);
  if (sub) return sub;
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

/** Does `sub` follow the template over the token's own claims? Keys outside the nine claims take any value without a raw `:`. */
function subjectProblem(c: Claims, template: readonly string[]): string | undefined {
  let rest = c.sub!;
  for (const [i, key] of template.entries()) {
    if (i) {
      if (!rest.startsWith(':')) return `\`sub\` does not follow the template at \`${key}\``;
      rest = rest.slice(1);
    }
    let part: string | undefined;
    if (key === 'repo') {
      const repo = RE.repo.exec(rest);
      if (!repo || `${repo[1]}/${repo[2]}` !== c.repository) return '`sub` does not name the token\'s repository';
      part = repo[0];
    } else if (key === 'context') {
      if (c.environment !== undefined) part = `environment:${escapeColons(c.environment)}`;
      else part = [`ref:${c.ref}`, 'pull_request'].find((p) => rest.startsWith(p) && (rest.length === p.length || rest[p.length] === ':'));
      if (part === undefined || !rest.startsWith(part)) return `\`sub\` does not name the token's ${c.environment !== undefined ? 'environment' : 'context'}`;
    } else if (key !== 'sub' && Object.hasOwn(c, key)) part = `${key}:${escapeColons(c[key]!)}`;
    else if (key === 'environment') return 'the template names `environment`, which the token does not have';
    else part = `${key}:${rest.slice(key.length + 1).split(':')[0]}`;
    if (!rest.startsWith(part)) return `\`sub\` does not name the token's \`${key}\``;
    rest = rest.slice(part.length);
  }
  return rest ? '`sub` goes on past its template' : undefined;
}
