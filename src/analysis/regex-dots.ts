// Where a regex's wildcard dots are, read off the pattern text. The regex rules rewrite single dots
// (escape one, bound a `.*` to one segment) and compare the rewrite's language with the original's,
// so this scan only has to find the dots, skipping escapes and character classes.

export interface Dot {
  /** Offset of the `.` in the pattern. */
  at: number;
  /** Followed by a quantifier (`.*`, `.+`, `.?`, `.{n,}`): a deliberate wildcard. */
  quantified: boolean;
  /** How many `/` outside classes come before it (which part of `OWNER/REPO/...` it is in). */
  slashesBefore: number;
}

export function wildcardDots(pattern: string): Dot[] {
  const dots: Dot[] = [];
  let inClass = false;
  let slashes = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (inClass) continue;
    else if (c === '/') slashes++;
    else if (c === '.') dots.push({ at: i, quantified: /[*+?{]/.test(pattern[i + 1] ?? ''), slashesBefore: slashes });
  }
  return dots;
}

/** The pattern with each of `dots` written as `replacement`. */
export function replaceDots(pattern: string, dots: readonly Dot[], replacement: string): string {
  let out = '';
  let from = 0;
  for (const d of dots) {
    out += pattern.slice(from, d.at) + replacement;
    from = d.at + 1;
  }
  return out + pattern.slice(from);
}
