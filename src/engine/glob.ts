// SPEC.md §2/§4 globs: `*` any run of code points (empty included, `/` and `:` too), `?` exactly one
// code point, every other character literal, whole string, case-sensitive. Not picomatch syntax.

export interface Glob {
  pattern: string;
  test(value: string): boolean;
  /** Why the value does not match, in plain words (undefined when it matches). */
  explain(value: string): string | undefined;
}

type Piece = string[]; // code points; `?` stays as the wildcard token

const isWild = (cp: string) => cp === '?';

export function compileGlob(pattern: string): Glob {
  const pieces: Piece[] = pattern.split('*').map((p) => Array.from(p));
  const starred = pieces.length > 1;
  return {
    pattern,
    test: (value) => matchPieces(pieces, Array.from(value)),
    explain: (value) => {
      const cps = Array.from(value);
      return matchPieces(pieces, cps) ? undefined : explainMismatch(pieces, cps, starred);
    },
  };
}

/** Does `piece` match `value` at `at` (code point offsets)? */
function pieceAt(piece: Piece, value: string[], at: number): boolean {
  if (at + piece.length > value.length) return false;
  for (let i = 0; i < piece.length; i++) if (!isWild(piece[i]!) && piece[i] !== value[at + i]) return false;
  return true;
}

/**
 * Anchored prefix, anchored suffix, and the middle pieces found leftmost in order: greedy leftmost
 * placement is optimal for `*`-separated pieces, so this is exact and O(n·m) at worst.
 */
function matchPieces(pieces: Piece[], value: string[]): boolean {
  const first = pieces[0]!;
  if (pieces.length === 1) return first.length === value.length && pieceAt(first, value, 0);
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > value.length) return false;
  if (!pieceAt(first, value, 0) || !pieceAt(last, value, value.length - last.length)) return false;
  let pos = first.length;
  const end = value.length - last.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const piece = pieces[k]!;
    let found = -1;
    for (let at = pos; at + piece.length <= end; at++)
      if (pieceAt(piece, value, at)) {
        found = at;
        break;
      }
    if (found < 0) return false;
    pos = found + piece.length;
  }
  return true;
}

const show = (cps: string[]) => `\`${cps.join('')}\``;

function explainMismatch(pieces: Piece[], value: string[], starred: boolean): string {
  const first = pieces[0]!;
  // Where the literal head (before the first `*`) stops matching.
  for (let i = 0; i < first.length; i++) {
    if (i >= value.length) return `the value ends at offset ${i}; the pattern expects ${isWild(first[i]!) ? 'one more character' : `\`${first[i]}\``}`;
    if (!isWild(first[i]!) && first[i] !== value[i]) return `glob stops matching at offset ${i}: pattern expects \`${first[i]}\`, value has \`${value[i]}\``;
  }
  if (!starred) return `the value continues after offset ${first.length} with ${show(value.slice(first.length))}; the pattern ends there (no \`*\`)`;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > value.length || !pieceAt(last, value, value.length - last.length))
    return `the value does not end with ${show(last)}`;
  let pos = first.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const piece = pieces[k]!;
    let found = -1;
    for (let at = pos; at + piece.length <= value.length - last.length; at++)
      if (pieceAt(piece, value, at)) {
        found = at;
        break;
      }
    if (found < 0) return `${show(piece)} does not occur after offset ${pos}`;
    pos = found + piece.length;
  }
  return 'the value does not match the pattern';
}
