// Per-rule languages and the questions lint rules ask of them: which owners and repositories a
// rule admits, and a token it admits (a whole token of the token model, token-witness.ts).
import type { ClaimName, Claims, Matcher, Rule } from '../model.js';
import { TOKEN_CLAIM } from '../model.js';
import { fromLiteral, afterPrefix, projectBefore, projectBeforeNth, findWord, someWord, acceptsWord, NotAnalysable, type NFA } from './nfa.js';
import { shapeNfa, OWNER, REPO_NAME, SHAPE } from './shapes.js';
import { matcherNfa } from './matcher-nfa.js';
import { tokenWitness, type WitnessGoal } from './token-witness.js';

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
export function callersMeet(a: Rule, b: Rule): boolean {
  const owners = [...ownerLanguages(a), ...ownerLanguages(b)].map((o) => o.owners);
  const repos = [...repoLanguages(a), ...repoLanguages(b)].map((r) => r.repos);
  return (owners.length < 2 || someWord({ include: [...owners, ownerShape()] })) && (repos.length < 2 || someWord({ include: [...repos, repoShape()] }));
}

/** Is every claim set rule `a` admits also admitted by rule `b`? (boxes: each of b's claims constrained at least as tightly in a) */
export function ruleCovers(b: Rule, a: Rule): boolean {
  return b.matchers.every((mb) => {
    const ma = matcherFor(a, mb.claim);
    // A word of `a` that `b` refuses settles it without the inclusion search.
    return ma !== undefined && !someWord({ include: [matcherNfa(ma)], exclude: [matcherNfa(mb)] }, likelyWords(ma));
  });
}
