// A cheap readable candidate for a witness token, tried before the full token search
// (token-search.ts): values are read off per-claim words (the token's current claim value, its
// tag / pull_request / environment variants, else the shortest word of the claim's matchers),
// the first claim to name a value keeps it, and the token built from them (token-model.ts) is kept
// only when every relation holds and every matcher accepts its claim. Undefined says nothing: the
// search decides then, so existence answers stay exact.
import { TOKEN_CLAIM, type ClaimName, type Claims, type Matcher } from '../model.js';
import { acceptsWord, findWord, NotAnalysable, type NFA } from './nfa.js';
import { matcherNfa } from './matcher-nfa.js';
import { CLAIM_SHAPE, shapeNfa } from './shapes.js';
import { DEFAULT_TOKEN, tokenClaims, tokenProblem, type TokenValues } from './token-model.js';

/** The values GitHub's default template reads (a candidate is only built for it; no free template keys). */
type CoreVariable = Exclude<keyof TokenValues, 'free'>;

/** The values in the order the model lists them (every token has each). */
const CORE_VARIABLES = (Object.keys(DEFAULT_TOKEN) as (keyof TokenValues)[]).filter((k): k is CoreVariable => k !== 'free');
const setValue = <K extends CoreVariable>(v: TokenValues, key: K, value: TokenValues[K]) => {
  v[key] = value;
};

/** The order claims name values in (after those that name one word): the narrowest first, the subject (which reads most values) late. */
const ORDER: readonly ClaimName[] = ['repository_owner', 'repository', 'ref_type', 'ref', 'environment', 'workflow_ref', 'subject', 'actor', 'sha'];
// The model's fallback refs (token-model.ts) for a tag and for a pull_request job.
const TAG_REF = 'refs/tags/v1.0.0';
const PULL_REF = 'refs/pull/1/merge';
const SHA = /^[0-9a-f]{40}$/;
const WORKFLOW_REF = /^([^/]+)\/([^/]+)\/\.github\/workflows\/([^@]+)@(.*)$/s;
const SUBJECT = /^repo:([^/:@]+)(?:@([0-9]+))?\/([^/:@]+)(?:@([0-9]+))?:(.*)$/s;

/** A token every rule admits, read off per-claim words, or undefined when this cheap try finds none. */
export function candidateToken(rules: readonly { matchers: readonly Matcher[] }[]): Claims | undefined {
  const byClaim = new Map<ClaimName, NFA[]>();
  for (const r of rules) for (const m of r.matchers) (byClaim.get(m.claim) ?? byClaim.set(m.claim, []).get(m.claim)!).push(matcherNfa(m));
  const values: TokenValues = { ...DEFAULT_TOKEN };
  const fixed = new Set<CoreVariable>();
  const admits = (claim: ClaimName, nfas: readonly NFA[], word: string | undefined) => word !== undefined && acceptsWord(shapeNfa(CLAIM_SHAPE[claim]), word) && nfas.every((n) => acceptsWord(n, word));
  // Claims whose matchers all name one word go first: their values are certain.
  const certain = (claim: ClaimName) => byClaim.get(claim)!.every((n) => n.literal !== undefined);
  const present = ORDER.filter((c) => byClaim.has(c));
  const order = [...present.filter(certain), ...present.filter((c) => !certain(c))];
  try {
    for (const claim of order) {
      const nfas = byClaim.get(claim)!;
      const chosen = variantWord(values, fixed, claim, (w) => admits(claim, nfas, w));
      if (chosen !== undefined) {
        name(values, fixed, claim, chosen);
        continue;
      }
      const word = findWord({ include: [...nfas, shapeNfa(CLAIM_SHAPE[claim])] });
      if (word === undefined) return undefined;
      const before = { ...values };
      name(values, fixed, claim, word);
      // The shortest word spells every value (`a` for a wildcard): an earlier, readable one the claim still admits stays.
      for (const key of CORE_VARIABLES) {
        const taken = values[key];
        if (taken === before[key]) continue;
        setValue(values, key, before[key]);
        if (!admits(claim, nfas, tokenClaims(values)[TOKEN_CLAIM[claim]])) setValue(values, key, taken);
      }
    }
  } catch (e) {
    if (e instanceof NotAnalysable) return undefined;
    throw e;
  }
  const claims = tokenClaims(values);
  if (tokenProblem(claims) !== undefined) return undefined;
  for (const [claim, nfas] of byClaim) if (!admits(claim, nfas, claims[TOKEN_CLAIM[claim]])) return undefined;
  return claims;
}

/** The claim's value in the first variant of the values (see `variants`) that `admits`. */
function variantWord(v: TokenValues, fixed: ReadonlySet<CoreVariable>, claim: ClaimName, admits: (word: string) => boolean): string | undefined {
  for (const variant of variants(v, fixed)) {
    const word = tokenClaims(variant)[TOKEN_CLAIM[claim]];
    if (word !== undefined && admits(word)) return word;
  }
  return undefined;
}

/** The values as they are, then with the model's other choices (as far as no claim named them), each made once asked for. */
function* variants(v: TokenValues, fixed: ReadonlySet<CoreVariable>): Generator<TokenValues> {
  yield v;
  const free = (...keys: CoreVariable[]) => keys.every((k) => !fixed.has(k));
  if (free('ref', 'refType')) yield { ...v, ref: TAG_REF, refType: 'tag' };
  if (free('context', 'ref')) yield { ...v, context: 'pull_request', ref: PULL_REF };
  if (free('context')) yield { ...v, context: 'environment' };
  if (free('form')) yield { ...v, form: 'immutable' };
}

/** Takes the values `word` names for `claim`, those no earlier claim named; then what follows from them. */
function name(v: TokenValues, fixed: Set<CoreVariable>, claim: ClaimName, word: string): void {
  const set = <K extends CoreVariable>(key: K, value: TokenValues[K]) => {
    if (!fixed.has(key)) (v[key] = value), fixed.add(key);
  };
  const setRef = (ref: string) => {
    if (ref === '' || ref.startsWith('refs/')) set('ref', ref);
  };
  if (claim === 'repository_owner') set('owner', word);
  else if (claim === 'repository') {
    const at = word.indexOf('/');
    set('owner', word.slice(0, at));
    set('name', word.slice(at + 1));
  } else if (claim === 'ref') setRef(word);
  else if (claim === 'ref_type') set('refType', word as TokenValues['refType']);
  else if (claim === 'environment') (set('context', 'environment'), set('environment', word));
  else if (claim === 'actor') set('actor', word);
  else if (claim === 'sha') set('sha', word);
  else if (claim === 'workflow_ref') {
    const m = WORKFLOW_REF.exec(word);
    if (m) {
      set('owner', m[1]!);
      set('name', m[2]!);
      set('file', m[3]!);
      if (SHA.test(m[4]!) && !fixed.has('at')) (set('at', 'sha'), set('workflowSha', m[4]!));
      else if (!fixed.has('ref') || v.ref === m[4]) (set('at', 'ref'), setRef(m[4]!));
    }
  } else {
    const m = SUBJECT.exec(word);
    if (m) {
      set('owner', m[1]!);
      set('name', m[3]!);
      if (m[2] !== undefined && m[4] !== undefined) (set('form', 'immutable'), set('ownerId', m[2]), set('repoId', m[4]));
      else set('form', 'classic');
      const context = m[5]!;
      if (context === 'pull_request') set('context', 'pull_request');
      else if (context.startsWith('environment:')) (set('context', 'environment'), set('environment', context.slice('environment:'.length).replace(/%3A/g, ':')));
      else if (context.startsWith('ref:')) (set('context', 'ref'), setRef(context.slice('ref:'.length)));
    }
  }
  // What the model ties to the values named: a ref for the ref_type and context, a ref_type for the ref.
  if (!fixed.has('ref')) v.ref = v.refType === 'tag' ? TAG_REF : v.context === 'pull_request' ? PULL_REF : DEFAULT_TOKEN.ref;
  if (!fixed.has('refType')) v.refType = v.ref.startsWith('refs/tags/') ? 'tag' : 'branch';
}
