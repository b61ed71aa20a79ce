// Per-rule languages and the questions lint rules ask of them: which owners and repositories a
// rule admits, and a complete, realistic claim set it admits (checked by the evaluator).
import type { ClaimName, Claims, Matcher, Rule } from '../model.js';
import { TOKEN_CLAIM } from '../model.js';
import { fromGlob, fromRegex, fromLiteral, afterPrefix, concat, projectBefore, projectBeforeNth, findWord, someWord, acceptsWord, type NFA } from './nfa.js';
import { shapeNfa, OWNER, REPO_NAME, CLAIM_SHAPE, SHAPE } from './shapes.js';
import { compilePolicy, firstMatch } from '../engine/evaluate.js';
import { parseSubject } from '../engine/claims.js';

const SLASH = 0x2f;
const AT = 0x40;
const COLON = 0x3a;

/** A matcher's language (built once per pattern text in the NFA module). */
export const matcherNfa = (m: Matcher): NFA => (m.kind === 'glob' ? fromGlob(m.pattern) : fromRegex(m.pattern));

export const accepts = (nfa: NFA, word: string): boolean => acceptsWord(nfa, word);

/** Words a matcher likely admits, to try before a search: a glob with its wildcards filled, a regex's shortest word. */
export function likelyWords(m: Matcher): string[] {
  if (m.kind === 'glob') return [m.pattern.replace(/[*?]/g, 'a')];
  const w = sample(m);
  return w === undefined ? [] : [w];
}

export const matcherFor = (rule: Rule, claim: ClaimName) => rule.matchers.find((m) => m.claim === claim);

const contentKeys = new WeakMap<Rule, string>();
/** A rule's matchers as text: what it admits depends on nothing else (not its place, not its grant). */
function contentKey(rule: Rule): string {
  let key = contentKeys.get(rule);
  if (key === undefined) contentKeys.set(rule, (key = rule.matchers.map((m) => `${m.claim}\u0000${m.kind}\u0000${m.pattern}`).join('\u0001')));
  return key;
}

const MAX_MEMO = 20_000;
/**
 * Per-rule memo keyed by the rule's matchers, not its identity: one organisation writes the same
 * rule in many repositories, and linting a tree of them answers each question once. Answers must
 * not hold the rule's own objects (spans differ between files); see `bindMatchers`.
 */
function perRule<T>(question: (rule: Rule) => T): (rule: Rule) => T {
  const memo = new Map<string, T>();
  return (rule) => {
    const content = contentKey(rule);
    const known = memo.get(content);
    if (known !== undefined || memo.has(content)) return known!;
    const answer = question(rule);
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(content, answer);
    return answer;
  };
}

/** Per-matcher answers found by matcher position, handed out with this rule's own matchers (for their spans). */
function bindMatchers<P extends { index: number }, B>(parts: (rule: Rule) => P[], bind: (part: P, matcher: Matcher) => B): (rule: Rule) => B[] {
  const bound = new WeakMap<Rule, B[]>();
  return (rule) => {
    let out = bound.get(rule);
    if (!out) bound.set(rule, (out = parts(rule).map((p) => bind(p, rule.matchers[p.index]!))));
    return out;
  };
}

/** The owner each owner-binding matcher allows, as a language (`repository`'s part before `/`...). */
export const ownerLanguages = bindMatchers(
  perRule((rule: Rule): { index: number; owners: NFA }[] => {
    const out: { index: number; owners: NFA }[] = [];
    rule.matchers.forEach((m, index) => {
      // Only owner-binding matchers are compiled: an unanalysable `actor` regex must not hide owner findings.
      if (m.claim === 'repository_owner') out.push({ index, owners: matcherNfa(m) });
      else if (m.claim === 'repository' || m.claim === 'workflow_ref') out.push({ index, owners: projectBefore(matcherNfa(m), [SLASH]) });
      else if (m.claim === 'subject') {
        const rest = afterPrefix(matcherNfa(m), 'repo:');
        // A subject that cannot start with `repo:` (a custom template) binds no owner we can read.
        if (rest.starts.length) out.push({ index, owners: projectBefore(rest, [SLASH, AT]) });
      }
    });
    return out;
  }),
  // An object literal (not a computed key): one shape for every answer.
  (p, matcher) => ({ matcher, owners: p.owners }),
);

/** The `OWNER/REPO` each repo-binding matcher allows (classic subjects only: IDs hide names). */
export const repoLanguages = bindMatchers(
  perRule((rule: Rule): { index: number; repos: NFA }[] => {
    const out: { index: number; repos: NFA }[] = [];
    rule.matchers.forEach((m, index) => {
      if (m.claim === 'repository') out.push({ index, repos: matcherNfa(m) });
      // workflow_ref is always the calling repository's workflow (GITHUB-OIDC.md): `OWNER/REPO/...`.
      else if (m.claim === 'workflow_ref') out.push({ index, repos: projectBeforeNth(matcherNfa(m), SLASH, 2) });
      else if (m.claim === 'subject') {
        const rest = afterPrefix(matcherNfa(m), 'repo:');
        if (rest.starts.length) out.push({ index, repos: projectBefore(rest, [COLON]) });
      }
    });
    return out;
  }),
  (p, matcher) => ({ matcher, repos: p.repos }),
);

export const ownerShape = () => shapeNfa(OWNER);
export const repoShape = () => shapeNfa(`${OWNER}/${REPO_NAME}`);

/** An owner the rule admits that is not in `excluded`, preferring realistic look-alikes. */
export function ownerWitness(langs: readonly NFA[], excluded: readonly string[], lookalikeOf?: string): string | undefined {
  const include = [...langs, ownerShape()];
  const base = lookalikeOf ?? excluded[0];
  const candidates = base ? [`${base}-evil`, `${base}evil`, `evil-${base}`, `${base}-attacker`] : [];
  for (const c of [...candidates, 'evil-org', 'attacker'])
    if (!excluded.includes(c) && include.every((l) => accepts(l, c))) return c;
  return findWord({ include, exclude: excluded.map(fromLiteral) });
}

export interface WitnessGoal {
  owner?: string;
  /** The repository name (without owner). */
  repo?: string;
  /** Prefer a pull_request job (ref `refs/pull/1/merge`, subject `...:pull_request`). */
  pullRequest?: boolean;
}

const SHA = 'e5c1f2a9d3b47c06a1d2e3f4a5b6c7d8e9f0a1b2';

const witnesses = new Map<string, Claims | undefined>();
/**
 * A consistent default-format claim set the rule admits: realistic values first, then a value
 * searched in each matcher's language where the realistic one does not match. Verified by the
 * evaluator; undefined when no claim set can be found. Memoised like perRule, per goal.
 */
export function ruleWitness(rule: Rule, goal: WitnessGoal = {}): Claims | undefined {
  // JSON escapes control characters, so the first U+0001 ends the goal.
  const key = `${JSON.stringify(goal)}\u0001${contentKey(rule)}`;
  if (witnesses.has(key)) return witnesses.get(key);
  const claims = witnessOf(rule, goal);
  if (witnesses.size >= MAX_MEMO) witnesses.clear();
  witnesses.set(key, claims);
  return claims;
}

function witnessOf(rule: Rule, goal: WitnessGoal = {}): Claims | undefined {
  const m = (c: ClaimName) => matcherFor(rule, c);
  const pick = (c: ClaimName, preferred: string[], extra: NFA[] = []): string | undefined => {
    const mm = m(c);
    if (!mm) return preferred[0];
    const l = matcherNfa(mm);
    for (const p of preferred) if ([l, ...extra].every((x) => accepts(x, p))) return p;
    return findWord({ include: [l, shapeNfa(CLAIM_SHAPE[c]), ...extra] }) ?? findWord({ include: [l, ...extra] });
  };
  let owner = goal.owner;
  if (!owner) {
    const langs = ownerLanguages(rule).map((x) => x.owners);
    owner = langs.length ? pickOwner(langs) : 'acme';
  }
  if (owner === undefined) return undefined;
  let repo = goal.repo;
  if (!repo) {
    const repoLangs = repoLanguages(rule).map((x) => afterPrefix(x.repos, `${owner}/`));
    repo = ['app', 'infra', 'modules'].find((r) => repoLangs.every((l) => accepts(l, r))) ?? (repoLangs.length ? findWord({ include: [...repoLangs, shapeNfa(REPO_NAME)] }) : 'app');
  }
  if (repo === undefined) return undefined;
  const refs = goal.pullRequest ? [PR_REF, ...REFS] : [...REFS];
  // A workflow_ref pinned to another ref (`...@refs/heads/release`) names the token's ref too.
  const workflow = m('workflow_ref');
  const pinned = workflow && findWord({ include: [matcherNfa(workflow), concat(fromLiteral(`${owner}/${repo}/.github/workflows/`), shapeNfa(SHAPE.workflowFileAtRef))] });
  if (pinned !== undefined) refs.push(pinned.slice(pinned.indexOf('@') + 1));
  const build = (ref: string, environment: string | undefined, consistent: boolean): Claims | undefined => {
    const refType = pick('ref_type', [ref.startsWith('refs/tags/') ? 'tag' : 'branch', 'branch', 'tag']);
    const claims: Claims = { repository: `${owner}/${repo}`, repository_owner: owner, ref, ref_type: refType ?? 'branch' };
    if (environment !== undefined) claims.environment = environment;
    // GitHub's default subject: the environment wins, then a pull_request job, then the ref (GITHUB-OIDC.md).
    const ctx = environment !== undefined ? `environment:${environment.replace(/:/g, '%3A')}` : ref.startsWith('refs/pull/') ? 'pull_request' : `ref:${ref}`;
    const subjects = [`repo:${owner}/${repo}:${ctx}`, `repo:${owner}@1234567/${repo}@7654321:${ctx}`];
    const sub = consistent ? pickOnly('subject', subjects) : pick('subject', [subjects[0]!, `repo:${owner}/${repo}:pull_request`, subjects[1]!]);
    if (sub === undefined) return undefined;
    claims.sub = sub;
    // A consistent token's workflow_ref is a workflow of the calling repository at the token's ref
    // (built only for a rule that matches it: the language is new for every repository).
    const ownWorkflow = consistent && workflow ? [concat(fromLiteral(`${owner}/${repo}/.github/workflows/`), shapeNfa(SHAPE.workflowFileAt), fromLiteral(ref))] : [];
    const workflowRef = pick('workflow_ref', [`${owner}/${repo}/.github/workflows/ci.yml@${ref}`, `${owner}/${repo}/.github/workflows/deploy.yml@${ref}`], ownWorkflow);
    if (workflowRef === undefined && consistent) return undefined;
    claims.workflow_ref = workflowRef ?? '';
    claims.actor = pick('actor', ['octocat', 'dependabot[bot]']) ?? 'octocat';
    claims.sha = pick('sha', [SHA]) ?? SHA;
    const ordered: Claims = {};
    for (const k of ['sub', 'repository', 'repository_owner', 'ref', 'ref_type', 'environment', 'actor', 'workflow_ref', 'sha']) if (claims[k] !== undefined) ordered[k] = claims[k]!;
    return admits(rule, ordered) ? ordered : undefined;
  };
  const pickOnly = (c: ClaimName, preferred: string[]) => {
    const mm = m(c);
    return mm ? preferred.find((p) => accepts(matcherNfa(mm), p)) : preferred[0];
  };
  const environments = m('environment') ? [pick('environment', ['production', 'prod', 'staging'])] : [undefined, 'production'];
  // First a token as GitHub issues it, its subject consistent with its ref and environment...
  for (const ref of refs.filter((r) => pickOnly('ref', [r]) !== undefined))
    for (const environment of environments) {
      const claims = build(ref, environment, true);
      if (claims) return claims;
    }
  // ...or one whose context is read off a subject the subject matcher admits for this repository...
  const subject = m('subject');
  const found = subject && findWord({ include: [matcherNfa(subject), concat(fromLiteral(`repo:${owner}/${repo}:`), shapeNfa(SHAPE.context))] });
  const context = found === undefined ? undefined : parseSubject(found)?.context;
  if (context) {
    const ref = context.kind === 'ref' ? context.ref : context.kind === 'pull_request' ? PR_REF : pick('ref', refs);
    const claims = ref === undefined ? undefined : build(ref, context.kind === 'environment' ? context.environment : undefined, true);
    if (claims) return claims;
  }
  // ...else any claim set the matchers admit.
  const ref = pick('ref', refs);
  if (ref === undefined) return undefined;
  return build(ref, environments[0], false);
}

const PR_REF = 'refs/pull/1/merge';
const REFS = ['refs/heads/main', 'refs/heads/develop', 'refs/tags/v1.0.0', PR_REF];

function pickOwner(langs: NFA[]): string | undefined {
  for (const c of ['acme', 'octo-org']) if (langs.every((l) => accepts(l, c))) return c;
  return findWord({ include: [...langs, ownerShape()] });
}

const alone = perRule((rule: Rule) => compilePolicy({ name: 'witness', path: '', rules: [{ ...rule, index: 0 }] }));
/** Does the rule (alone) admit these claims? The evaluator is the judge of every witness. */
export function admits(rule: Rule, claims: Claims): boolean {
  return firstMatch(alone(rule), claims) === 0;
}

export const tokenClaim = (c: ClaimName) => TOKEN_CLAIM[c];

const OWNER_BINDING: readonly ClaimName[] = ['repository_owner', 'repository', 'subject', 'workflow_ref'];
export const bindsCaller = (rule: Rule) => rule.matchers.some((m) => OWNER_BINDING.includes(m.claim));

// Does every owner-binding matcher admit every owner? (`subject: "*"`, `*/infra`, `{regex: ".*"}`)
export const admitsAnyOwner = perRule((rule: Rule): boolean => {
  const langs = ownerLanguages(rule);
  // An owner the language refuses settles it; most patterns name one owner, so a stranger is tried first.
  return langs.length > 0 && langs.every((l) => !someWord({ include: [ownerShape()], exclude: [l.owners] }, ['a', 'evil-org']));
});

/** Does the rule admit owners of unbounded length, i.e. registrable look-alikes of its owner? */
export function admitsUnboundedOwners(rule: Rule): boolean {
  const langs = ownerLanguages(rule).map((l) => l.owners);
  const owner = langs.length ? findWord({ include: [...langs, ownerShape()] }) : undefined;
  // An open-ended pattern admits the shortest owner with any tail: try one past GitHub's limit first.
  return owner !== undefined && someWord({ include: [...langs, ownerShape(), shapeNfa(SHAPE.overlongOwner)] }, [`${owner}${'a'.repeat(40)}`]);
}

/** The matcher to point at for an owner finding: the first whose owner part is not a single name. */
export function leakyOwnerMatcher(rule: Rule): Matcher | undefined {
  const langs = ownerLanguages(rule);
  for (const { matcher, owners } of langs) {
    const first = findWord({ include: [owners, ownerShape()] });
    if (first === undefined || findWord({ include: [owners, ownerShape()], exclude: [fromLiteral(first)] }) !== undefined) return matcher;
  }
  return langs[0]?.matcher;
}

/** The literal owner a pattern starts with (`acme` of `repo:acme*`), for realistic look-alikes. */
export function ownerHint(rule: Rule): string | undefined {
  const langs = ownerLanguages(rule).map((l) => l.owners);
  const shortest = langs.length ? findWord({ include: [...langs, ownerShape()] }) : undefined;
  if (!shortest) return undefined;
  // The shortest admitted owner, less a trailing character a wildcard supplied (`acmea` -> `acme`).
  const m = rule.matchers.find((x) => x.kind === 'glob' && x.pattern.includes('*'));
  const head = m ? (/^(?:repo:)?([A-Za-z0-9-]+)/.exec(m.pattern)?.[1] ?? shortest) : shortest;
  // `acme-*` -> `acme`, so look-alikes read `acme-evil`, not `acme--evil` (GitHub logins have single hyphens).
  return head.replace(/-+$/, '') || head;
}

/** What to write instead of an owner pattern that lets other owners in: the owner, pinned exactly. */
export function ownerPin(m: Matcher, owner: string): string {
  if (m.claim === 'repository_owner') return `Pin the owner exactly: \`${owner}\``;
  return `End the owner with \`/\`: \`${m.claim === 'subject' ? `repo:${owner}/*` : `${owner}/*`}\``;
}

/** Does a matcher admit exactly one value? (a plain glob, or a regex with one word) */
function singleValue(m: Matcher | undefined): boolean {
  if (!m) return false;
  const first = findWord({ include: [matcherNfa(m)] });
  return first !== undefined && findWord({ include: [matcherNfa(m)], exclude: [fromLiteral(first)] }) === undefined;
}

/**
 * Is the caller pinned exactly: one repository and one environment (a matcher or an
 * `environment:` subject), or one workflow at one ref (`workflow_ref`, which names its repository)?
 */
export const pinsOneCaller = perRule((rule: Rule): boolean => {
  if (singleValue(matcherFor(rule, 'workflow_ref'))) return true;
  if (admitsManyRepos(rule).many) return false;
  const subject = matcherFor(rule, 'subject');
  return singleValue(matcherFor(rule, 'environment')) || (singleValue(subject) && /:environment:[^:]+$/.test(findWord({ include: [matcherNfa(subject!)] })!));
});

/** Does the rule admit more than one `OWNER/REPO`? Without a repo-binding matcher it does. */
export function admitsManyRepos(rule: Rule): { many: boolean; examples: string[] } {
  const langs = repoLanguages(rule).map((r) => r.repos);
  const owners = ownerLanguages(rule).map((o) => o.owners);
  if (!langs.length) {
    const o = owners.length ? findWord({ include: [...owners, ownerShape()] }) : 'any-owner';
    return { many: true, examples: [`${o}/app`, `${o}/other-repo`] };
  }
  const include = [...langs, repoShape()];
  const first = findWord({ include });
  if (first === undefined) return { many: false, examples: [] };
  const second = findWord({ include, exclude: [fromLiteral(first)] });
  return { many: second !== undefined, examples: second ? [first, second] : [first] };
}

/** A rule's grant as the server computes it (default `contents: read`, plus `metadata: read`). */
export function ruleGrant(rule: Rule): Record<string, string> {
  return { metadata: 'read', ...(rule.permissions ?? { contents: 'read' }) };
}

const LEVEL_RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };
export const levelRank = (l: string | undefined) => (l ? (LEVEL_RANK[l] ?? 0) : 0);

/** Every permission of `a` at a level `b` grants too. */
export function grantCovers(b: Record<string, string>, a: Record<string, string>): boolean {
  return Object.entries(a).every(([k, v]) => levelRank(b[k]) >= levelRank(v));
}

const samples = new WeakMap<Matcher, string | undefined>();
/** The shortest word of a matcher's language (a regex's likely word). */
function sample(m: Matcher): string | undefined {
  if (!samples.has(m)) samples.set(m, findWord({ include: [matcherNfa(m)] }));
  return samples.get(m);
}

/** Can one claim set satisfy both rules? Per claim present in both, the languages must intersect. */
export function rulesOverlap(a: Rule, b: Rule): boolean {
  return a.matchers.every((ma) => {
    const mb = matcherFor(b, ma.claim);
    return !mb || someWord({ include: [matcherNfa(ma), matcherNfa(mb)] }, likelyWords(ma));
  });
}

/** Is every claim set rule `a` admits also admitted by rule `b`? (boxes: each of b's claims constrained at least as tightly in a) */
export function ruleCovers(b: Rule, a: Rule): boolean {
  return b.matchers.every((mb) => {
    const ma = matcherFor(a, mb.claim);
    // A word of `a` that `b` refuses settles it without the inclusion search.
    return ma !== undefined && !someWord({ include: [matcherNfa(ma)], exclude: [matcherNfa(mb)] }, likelyWords(ma));
  });
}
