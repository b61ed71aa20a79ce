// Access as a union of boxes: a rule admits the product of its matchers' languages, one dimension
// per claim (a claim it does not match on ranges over every value, absent included). Differences of
// unions of boxes are computed exactly by splitting boxes dimension by dimension.
import { CLAIM_NAMES, type ClaimName, type Claims, TOKEN_CLAIM } from '../model.js';
import { findWord, fromGlob, fromLiteral, NotAnalysable, type NFA } from '../analysis/nfa.js';

/** The values one claim may take: absent (if allowed), or a word in every include and no exclude. */
export interface Dim {
  absent: boolean;
  include: readonly NFA[];
  exclude: readonly NFA[];
}

export type Box = Record<ClaimName, Dim>;

const ALL_WORDS = fromGlob('*');
export const UNIVERSE: Dim = { absent: true, include: [], exclude: [] };

export function matcherDim(nfa: NFA): Dim {
  return { absent: false, include: [nfa], exclude: [] };
}

function intersect(a: Dim, b: Dim): Dim {
  return { absent: a.absent && b.absent, include: [...a.include, ...b.include], exclude: [...a.exclude, ...b.exclude] };
}

/** `a` minus `b`, where `b` is the universe or a single matcher's language (rule boxes are). */
function minus(a: Dim, b: Dim): Dim | undefined {
  if (b.absent && !b.include.length) return undefined;
  return { absent: a.absent && !b.absent, include: a.include, exclude: [...a.exclude, ...b.include] };
}

const emptiness = new WeakMap<Dim, boolean>();
export function dimEmpty(d: Dim): boolean {
  let e = emptiness.get(d);
  if (e === undefined) {
    e = !d.absent && findWord({ include: d.include.length ? d.include : [ALL_WORDS], exclude: d.exclude }) === undefined;
    emptiness.set(d, e);
  }
  return e;
}

export const boxEmpty = (b: Box) => CLAIM_NAMES.some((c) => dimEmpty(b[c]));

export function intersectBoxes(a: Box, b: Box): Box {
  return Object.fromEntries(CLAIM_NAMES.map((c) => [c, intersect(a[c], b[c])])) as Box;
}

export class Budget {
  constructor(private left: number) {}
  spend(): void {
    if (--this.left < 0) throw new NotAnalysable('the access diff split into too many pieces');
  }
}

/** Non-empty, disjoint pieces of `box` outside every one of `others`. */
export function subtractAll(box: Box, others: readonly Box[], budget: Budget): Box[] {
  let pieces = boxEmpty(box) ? [] : [box];
  for (const other of others) {
    const next: Box[] = [];
    for (const piece of pieces) {
      budget.spend();
      // Disjoint already: nothing to remove.
      if (boxEmpty(intersectBoxes(piece, other))) {
        next.push(piece);
        continue;
      }
      let prefix = piece;
      for (const c of CLAIM_NAMES) {
        const out = minus(piece[c], other[c]);
        if (out) {
          const split = { ...prefix, [c]: out } as Box;
          if (!boxEmpty(split)) next.push(split);
        }
        prefix = { ...prefix, [c]: intersect(prefix[c], other[c]) } as Box;
        if (dimEmpty(prefix[c])) break;
      }
    }
    pieces = next;
    if (!pieces.length) break;
  }
  return pieces;
}

const membership = new WeakMap<Dim, Map<string, boolean>>();
export function inDim(d: Dim, v: string | null): boolean {
  if (v === null) return d.absent;
  let known = membership.get(d);
  if (!known) membership.set(d, (known = new Map()));
  let r = known.get(v);
  if (r === undefined) known.set(v, (r = findWord({ include: [...(d.include.length ? d.include : [ALL_WORDS]), fromLiteralCached(v)], exclude: d.exclude }) !== undefined));
  return r;
}

// Witness search tries many claim sets against one box: test the claims whose values repeat across
// candidates (and so hit the cache) before the subject, which is new for almost every candidate.
const CHECK_ORDER: readonly ClaimName[] = ['repository_owner', 'ref_type', 'repository', 'environment', 'ref', 'actor', 'sha', 'workflow_ref', 'subject'];
export const inBox = (box: Box, claims: Claims) => CHECK_ORDER.every((c) => inDim(box[c], claims[TOKEN_CLAIM[c]] ?? null));

/** Any value of a dimension, realistic (`shape`) if possible; null for absent when only that fits. */
export function dimValue(d: Dim, shape?: NFA): string | null | undefined {
  const include = d.include.length ? d.include : [ALL_WORDS];
  const v = (shape && findWord({ include: [...include, shape], exclude: d.exclude })) ?? findWord({ include, exclude: d.exclude });
  return v ?? (d.absent ? null : undefined);
}

const literalCache = new Map<string, NFA>();
function fromLiteralCached(v: string): NFA {
  let n = literalCache.get(v);
  if (!n) literalCache.set(v, (n = fromLiteral(v)));
  return n;
}
