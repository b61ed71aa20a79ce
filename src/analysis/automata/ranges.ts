// Range algebra over Unicode code points: the character sets automata edges read, as sorted,
// disjoint inclusive ranges, with the one-character ranges shared between automata.

export const MAX_CP = 0x10ffff;
/** Sorted, disjoint inclusive ranges: [lo0, hi0, lo1, hi1, ...]. */
export type Ranges = readonly number[];
export const ANY: Ranges = [0, MAX_CP];

/**
 * The range of one character, shared. A lint of many policies caches tens of thousands of
 * automata, whose edges were most of what the collector copied; most states have one edge that
 * reads one character, so edges and lists are shared too (see `only`).
 */
export const singles = new Map<number, Ranges>();
export function single(cp: number): Ranges {
  let r = singles.get(cp);
  if (!r) singles.set(cp, (r = [cp, cp]));
  return r;
}

/** Sorts and merges a flat list of range pairs. */
export function normalise(pairs: readonly number[]): number[] {
  const list: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += 2) list.push([pairs[i]!, pairs[i + 1]!]);
  list.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of list) {
    if (out.length && lo <= out[out.length - 1]! + 1) out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

export function rangesContain(r: Ranges, cp: number): boolean {
  for (let i = 0; i < r.length; i += 2) {
    if (cp < r[i]!) return false;
    if (cp <= r[i + 1]!) return true;
  }
  return false;
}

/** `a` without `b`: `a` itself when they do not overlap (automata share their ranges). */
export function subtract(a: Ranges, b: Ranges): Ranges {
  if (!overlaps(a, b)) return a;
  const out: number[] = [];
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i]!;
    const hi = a[i + 1]!;
    for (let j = 0; j < b.length && lo <= hi; j += 2) {
      const blo = b[j]!;
      const bhi = b[j + 1]!;
      if (bhi < lo || blo > hi) continue;
      if (blo > lo) out.push(lo, blo - 1);
      lo = bhi + 1;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}

/** Do the two sets share a character? */
export function overlaps(a: Ranges, b: Ranges): boolean {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return true;
  }
  return false;
}
