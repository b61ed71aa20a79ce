// "Did you mean" for claim, permission and level names: normalised equality, then edit distance.

const normalise = (s: string) => s.toLowerCase().replace(/[-_\s.]/g, '');

export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const n = normalise(input);
  const same = candidates.find((c) => normalise(c) === n);
  if (same) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(n, normalise(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(n.length / 4)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
