// Per-rule languages and the questions lint rules ask of them: which owners and repositories a
// rule admits, and a token it admits (a whole token of the token model, token-witness.ts).
import type { ClaimName, Claims, Matcher, Rule } from '../model.js';
import { isDefaultTemplate, templateKeys, TOKEN_CLAIM } from '../model.js';
import { fromLiteral, afterLanguage, afterPrefix, projectBefore, projectBeforeNth, findWord, someWord, acceptsWord, NotAnalysable, type NFA } from './nfa.js';
import { shapeNfa, subjectShapeFor, CLAIM_SHAPE, OWNER, REPO_NAME, SHAPE } from './shapes.js';
import { matcherNfa } from './matcher-nfa.js';
import { tokenWitness, type WitnessGoal } from './token-witness.js';
import { tokenClasses } from './token-search.js';

const SLASH = 0x2f;
const AT = 0x40;
const COLON = 0x3a;

export { matcherNfa, type WitnessGoal };

export const accepts = (nfa: NFA, word: string): boolean => acceptsWord(nfa, word);

/** Words a matcher likely admits, to try before a search: a glob with its wildcards filled, a regex's shortest word. */
export function likelyWords(m: Matcher): string[] {
  if (m.kind === 'glob') return [m.pattern.replace(/[*?]/g, 'a')];
  const w = sample(m);
  return w === undefined ? [] : [w];
}

export const matcherFor = (rule: Rule, claim: ClaimName) => rule.matchers.find((m) => m.claim === claim);

/** Does some value of the claim's format (a subject: of the org's template) satisfy the matcher? correctness/dead-matcher reports each that does not. */
export const matcherAdmitsValue = (m: Matcher, template?: readonly string[]): boolean =>
  someWord({ include: [matcherNfa(m), shapeNfa(m.claim === 'subject' ? subjectShapeFor(template) : CLAIM_SHAPE[m.claim])] }, likelyWords(m));

const contentKeys = new WeakMap<Rule, string>();
/** A rule's matchers as text: what it admits depends on nothing else (not its place, not its grant). */
function contentKey(rule: Rule): string {
  let key = contentKeys.get(rule);
  if (key === undefined) contentKeys.set(rule, (key = rule.matchers.map((m) => `${m.claim}\u0000${m.kind}\u0000${m.pattern}`).join('\u0001')));
  return key;
}

const MAX_MEMO = 20_000;
/** A subject template (`include_claim_keys`); undefined or empty: GitHub's default. */
export type Template = readonly string[] | undefined;
const templateKey = (t: Template) => (isDefaultTemplate(t) ? '' : t!.join(','));

/**
 * Per-rule memo keyed by the rule's matchers (and the subject template, which shapes what a subject
 * binds), not its identity: one organisation writes the same rule in many repositories, and linting
 * a tree of them answers each question once. Answers must not hold the rule's own objects (spans
 * differ between files); see `bindMatchers`.
 */
function perRule<T>(question: (rule: Rule, template: Template) => T): (rule: Rule, template?: Template) => T {
  const memo = new Map<string, T>();
  return (rule, template) => {
    // GitHub's default template, the common case, keys by content alone (no string built per call).
    const key = templateKey(template);
    const content = key ? `${key}\u0002${contentKey(rule)}` : contentKey(rule);
    const known = memo.get(content);
    if (known !== undefined || memo.has(content)) return known!;
    const answer = question(rule, template);
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(content, answer);
    return answer;
  };
}

/** Per-matcher answers found by matcher position, handed out with this rule's own matchers (for their spans). */
function bindMatchers<P extends { index: number }, B>(parts: (rule: Rule, template?: Template) => P[], bind: (part: P, matcher: Matcher) => B): (rule: Rule, template?: Template) => B[] {
  const bound = new WeakMap<Rule, B[]>();
  const boundCustom = new WeakMap<Rule, Map<string, B[]>>();
  const make = (rule: Rule, template: Template) => parts(rule, template).map((p) => bind(p, rule.matchers[p.index]!));
  return (rule, template) => {
    const key = templateKey(template);
    if (!key) {
      let out = bound.get(rule);
      if (!out) bound.set(rule, (out = make(rule, template)));
      return out;
    }
    let byTemplate = boundCustom.get(rule);
    if (!byTemplate) boundCustom.set(rule, (byTemplate = new Map()));
    let out = byTemplate.get(key);
    if (!out) byTemplate.set(key, (out = make(rule, template)));
    return out;
  };
}

/** Claims, and subject-template keys, whose value names the caller's owner (`repo`: `repo:OWNER/NAME`, IDs or not). */
const OWNER_KEYS: readonly string[] = ['repo', 'repository_owner', 'repository', 'workflow_ref'];
/** Those that name its `OWNER/REPO` too. */
const REPO_KEYS: readonly string[] = ['repo', 'repository', 'workflow_ref'];

/**
 * What follows `KEY:` in the subjects a matcher admits, for the template's first key among `keys`
 * (`last`: no key follows). Values write `:` as `%3A`, so the keys before it are a language of
 * their own (each part has one `:`, a context one or none): the part is read at any position.
 */
function subjectPart(subject: NFA, template: Template, keys: readonly string[]): { key: string; rest: NFA; last: boolean } | undefined {
  const t = templateKeys(template);
  const i = t.findIndex((k) => keys.includes(k));
  if (i < 0) return undefined;
  const lead = `${t[i]}:`;
  const rest = i === 0 ? afterPrefix(subject, lead) : afterLanguage(subject, shapeNfa(`${subjectShapeFor(t.slice(0, i))}:${lead}`));
  return rest.starts.length ? { key: t[i]!, rest, last: i === t.length - 1 } : undefined;
}

/** The owner a value of `key` names; `v`: the value and, unless `last`, what follows it in a subject. */
function ownersOf(key: string, v: NFA, last: boolean): NFA {
  if (key === 'repository_owner') return last ? v : projectBefore(v, [COLON]);
  return projectBefore(v, key === 'repo' ? [SLASH, AT] : [SLASH]);
}

/** The `OWNER/REPO` a value of `key` names (as `ownersOf`). */
function reposOf(key: string, v: NFA, last: boolean): NFA {
  // workflow_ref is always the calling repository's workflow (GITHUB-OIDC.md): `OWNER/REPO/...`.
  if (key === 'workflow_ref') return projectBeforeNth(v, SLASH, 2);
  return last ? v : projectBefore(v, [COLON]);
}

/** Per binding matcher, the language `of` reads from its value or from its subject's part for the first of `keys`. */
function callerLanguages(rule: Rule, template: Template, keys: readonly string[], of: (key: string, v: NFA, last: boolean) => NFA): { index: number; lang: NFA }[] {
  const out: { index: number; lang: NFA }[] = [];
  rule.matchers.forEach((m, index) => {
    // Only binding matchers are compiled: an unanalysable `actor` regex must not hide owner findings.
    if (m.claim !== 'subject') {
      if (keys.includes(m.claim)) out.push({ index, lang: of(m.claim, matcherNfa(m), true) });
      return;
    }
    // A template without such a key (`[context]`), or a subject outside it, binds nothing we can read.
    const part = subjectPart(matcherNfa(m), template, keys);
    if (part) out.push({ index, lang: of(part.key, part.rest, part.last) });
  });
  return out;
}

/** The owner each owner-binding matcher allows under the subject template, as a language (`repository`'s part before `/`...). */
export const ownerLanguages = bindMatchers(
  perRule((rule, template) => callerLanguages(rule, template, OWNER_KEYS, ownersOf)),
  // An object literal (not a computed key): one shape for every answer.
  (p, matcher) => ({ matcher, owners: p.lang }),
);

/** The `OWNER/REPO` each repo-binding matcher allows under the subject template (names, not IDs: an immutable subject's hides them). */
export const repoLanguages = bindMatchers(
  perRule((rule, template) => callerLanguages(rule, template, REPO_KEYS, reposOf)),
  (p, matcher) => ({ matcher, repos: p.lang }),
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

/** Memoised witnesses: per goal and template, then per rule's content key in turn (the rules' own key strings, hashed once). */
interface WitnessMemo {
  /** Made on first use: most nodes are leaves. */
  next?: Map<string, WitnessMemo>;
  known: boolean;
  claims?: Claims;
}
const memoNode = (): WitnessMemo => ({ known: false });
const memoChild = (node: WitnessMemo, key: string) => {
  const next = (node.next ??= new Map());
  return next.get(key) ?? next.set(key, memoNode()).get(key)!;
};
let witnesses = memoNode();
let witnessCount = 0;
/**
 * A whole token every rule admits (the goal's owner, repository or pull_request job when they
 * admit one), its subject following the org's template (GitHub's default when absent), or undefined
 * when they admit no token together. Memoised like perRule, per goal and template.
 */
export function rulesWitness(rules: readonly Rule[], goal: WitnessGoal = {}, template?: readonly string[]): Claims | undefined {
  let node = memoChild(witnesses, JSON.stringify([goal, template ?? null]));
  for (const rule of rules) node = memoChild(node, contentKey(rule));
  if (node.known) return node.claims;
  const claims = tokenWitness(rules, goal, template);
  if (witnessCount >= MAX_MEMO) {
    witnesses = memoNode();
    witnessCount = 0;
  }
  node.known = true;
  node.claims = claims;
  witnessCount++;
  return claims;
}

/** A whole token the rule admits (the goal's when it admits one), or undefined when it admits none. */
export const ruleWitness = (rule: Rule, goal: WitnessGoal = {}, template?: readonly string[]): Claims | undefined => rulesWitness([rule], goal, template);

/** Does some token GitHub can issue satisfy the rule? (a rule whose matchers cannot be analysed is taken to: the worst case) */
export function admitsToken(rule: Rule, template?: readonly string[]): boolean {
  try {
    return ruleWitness(rule, {}, template) !== undefined;
  } catch (e) {
    if (e instanceof NotAnalysable) return true;
    throw e;
  }
}

export const tokenClaim = (c: ClaimName) => TOKEN_CLAIM[c];

/** Subject-template keys that bind the caller without naming it (IDs). */
const ID_KEYS: readonly string[] = ['repository_owner_id', 'repository_id'];
/** Does a matcher bind the calling repository or owner? A subject does when its template has a key that names or identifies the caller. */
export const bindsCaller = (rule: Rule, template?: Template) =>
  rule.matchers.some((m) => (m.claim === 'subject' ? templateKeys(template).some((k) => OWNER_KEYS.includes(k) || ID_KEYS.includes(k)) : OWNER_KEYS.includes(m.claim)));

// Does every owner-binding matcher admit every owner? (`subject: "*"`, `*/infra`, `{regex: ".*"}`)
export const admitsAnyOwner = perRule((rule, template): boolean => {
  const langs = ownerLanguages(rule, template);
  // An owner the language refuses settles it; most patterns name one owner, so a stranger is tried first.
  return langs.length > 0 && langs.every((l) => !someWord({ include: [ownerShape()], exclude: [l.owners] }, ['a', 'evil-org']));
});

/** Does the rule admit owners of unbounded length, i.e. registrable look-alikes of its owner? */
export function admitsUnboundedOwners(rule: Rule, template?: Template): boolean {
  const langs = ownerLanguages(rule, template).map((l) => l.owners);
  const owner = langs.length ? findWord({ include: [...langs, ownerShape()] }) : undefined;
  // An open-ended pattern admits the shortest owner with any tail: try one past GitHub's limit first.
  return owner !== undefined && someWord({ include: [...langs, ownerShape(), shapeNfa(SHAPE.overlongOwner)] }, [`${owner}${'a'.repeat(40)}`]);
}

/** The matcher to point at for an owner finding: the first whose owner part is not a single name. */
export function leakyOwnerMatcher(rule: Rule, template?: Template): Matcher | undefined {
  const langs = ownerLanguages(rule, template);
  for (const { matcher, owners } of langs) {
    const first = findWord({ include: [owners, ownerShape()] });
    if (first === undefined || findWord({ include: [owners, ownerShape()], exclude: [fromLiteral(first)] }) !== undefined) return matcher;
  }
  return langs[0]?.matcher;
}

/** The literal owner a pattern starts with (`acme` of `repo:acme*`, `repository_owner:acme*:*`), for realistic look-alikes. */
export function ownerHint(rule: Rule, template?: Template): string | undefined {
  const langs = ownerLanguages(rule, template).map((l) => l.owners);
  const shortest = langs.length ? findWord({ include: [...langs, ownerShape()] }) : undefined;
  if (!shortest) return undefined;
  // The shortest admitted owner, less a trailing character a wildcard supplied (`acmea` -> `acme`).
  const m = rule.matchers.find((x) => x.kind === 'glob' && x.pattern.includes('*'));
  const key = leadingOwnerKey(template);
  const lead = m?.claim !== 'subject' ? '' : key && `${key}:`;
  const head = m && lead !== undefined && m.pattern.startsWith(lead) ? (/^([A-Za-z0-9-]+)/.exec(m.pattern.slice(lead.length))?.[1] ?? shortest) : shortest;
  // `acme-*` -> `acme`, so look-alikes read `acme-evil`, not `acme--evil` (GitHub logins have single hyphens).
  return head.replace(/-+$/, '') || head;
}

/** The template's first key when it names the owner (`repo` by default): a subject then starts `KEY:OWNER`. */
export function leadingOwnerKey(template: Template): string | undefined {
  const first = templateKeys(template)[0]!;
  return OWNER_KEYS.includes(first) ? first : undefined;
}

/** What to write instead of an owner pattern that lets other owners in: the owner, pinned exactly. */
export function ownerPin(m: Matcher, owner: string, template?: Template): string {
  if (m.claim === 'repository_owner') return `Pin the owner exactly: \`${owner}\``;
  if (m.claim !== 'subject') return `End the owner with \`/\`: \`${owner}/*\``;
  const t = templateKeys(template);
  const key = t.find((k) => OWNER_KEYS.includes(k))!;
  if (key !== 'repository_owner') return `End the owner with \`/\`: \`${t[0] === key ? '' : '*:'}${key}:${owner}/*\``;
  // The owner is a whole `:`-separated part of the subject.
  return `Pin the owner exactly: \`${t[0] === key ? '' : '*:'}${key}:${owner}${t[t.length - 1] === key ? '' : ':*'}\``;
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
export const pinsOneCaller = perRule((rule, template): boolean => {
  if (singleValue(matcherFor(rule, 'workflow_ref'))) return true;
  if (admitsManyRepos(rule, template).many) return false;
  const subject = matcherFor(rule, 'subject');
  return singleValue(matcherFor(rule, 'environment')) || (singleValue(subject) && /:environment:[^:]+$/.test(findWord({ include: [matcherNfa(subject!)] })!));
});

/** Does the rule admit more than one `OWNER/REPO`? Without a repo-binding matcher it does. */
export function admitsManyRepos(rule: Rule, template?: Template): { many: boolean; examples: string[] } {
  const langs = repoLanguages(rule, template).map((r) => r.repos);
  const owners = ownerLanguages(rule, template).map((o) => o.owners);
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

/** Equal grants, whatever their key order, have one key. */
export const grantKey = (g: Record<string, string>) => Object.keys(g).sort().map((k) => `${k}=${g[k]}`).join(',');

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

/**
 * Can one token satisfy both rules' owner and repository bindings together (`repository` and
 * `workflow_ref` and `subject` all name the token's own repository)? A quick necessary condition
 * before a token search.
 */
export function callersMeet(a: Rule, b: Rule, template?: Template): boolean {
  const owners = [...ownerLanguages(a, template), ...ownerLanguages(b, template)].map((o) => o.owners);
  // An immutable-form subject (`repo:acme@*/app@*`) hides the repository's name behind IDs: it binds none here.
  const repos = [...repoLanguages(a, template), ...repoLanguages(b, template)].filter((r) => r.matcher.claim !== 'subject' || !namesById(r.repos)).map((r) => r.repos);
  return (owners.length < 2 || someWord({ include: [...owners, ownerShape()] })) && (repos.length < 2 || someWord({ include: [...repos, repoShape()] }));
}

/** Does a subject's `OWNER/REPO` part admit the immutable form (`OWNER@ID/REPO@ID`)? */
const namesById = (repos: NFA) => someWord({ include: [repos, shapeNfa(IMMUTABLE_REPO)] });
const IMMUTABLE_REPO = `${OWNER}@[0-9]+/${REPO_NAME}@[0-9]+`;

/** Is every claim set rule `a` admits also admitted by rule `b`? (boxes: each of b's claims constrained at least as tightly in a) */
export function ruleCovers(b: Rule, a: Rule): boolean {
  return b.matchers.every((mb) => {
    const ma = matcherFor(a, mb.claim);
    // A word of `a` that `b` refuses settles it without the inclusion search.
    return ma !== undefined && !someWord({ include: [matcherNfa(ma)], exclude: [matcherNfa(mb)] }, likelyWords(ma));
  });
}

/** Does the rule admit this token? (a matcher on a claim the token lacks never matches) */
export const admitsClaims = (rule: Rule, claims: Claims): boolean =>
  rule.matchers.every((m) => {
    const value = claims[TOKEN_CLAIM[m.claim]];
    return value !== undefined && accepts(matcherNfa(m), value);
  });

/** Witnesses tried before a coverage search: most rules that do not cover another refuse one of them. */
const REFUTING_GOALS: readonly WitnessGoal[] = [{}, { pullRequest: true }];
const coverage = new Map<string, boolean>();

/**
 * Does rule `b` admit every token rule `a` admits (SPEC.md §5: `repository_owner: acme` admits every
 * token `repository: acme/x` does)? Claim by claim first (`ruleCovers`, a proof when it holds), then
 * a token `a` admits and `b` refuses: `a`'s witnesses, then the token search over the tokens `a`
 * admits. Memoised like rulesWitness. Past `maxStates` the search throws NotAnalysable: undecided.
 */
export function tokensCover(b: Rule, a: Rule, template?: readonly string[], maxStates?: number): boolean {
  if (ruleCovers(b, a)) return true;
  const key = `${JSON.stringify(template ?? null)}\u0001${contentKey(a).length}:${contentKey(a)}${contentKey(b)}`;
  let covers = coverage.get(key);
  if (covers === undefined) {
    covers =
      REFUTING_GOALS.every((goal) => {
        const w = ruleWitness(a, goal, template);
        return !w || admitsClaims(b, w);
      }) && tokenClasses([a, b], { template, maxStates, required: [0], every: true }).every((c) => c.rules.includes(1));
    if (coverage.size >= MAX_MEMO) coverage.clear();
    coverage.set(key, covers);
  }
  return covers;
}
