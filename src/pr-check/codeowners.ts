// GitHub CODEOWNERS: parse a file and answer "who owns this path?" with GitHub's semantics — the last
// matching pattern wins, matching is case-sensitive, `*` stops at `/`, `**` crosses directories, a
// leading or inner `/` anchors to the root, a trailing `/` means a directory and everything under it,
// `docs/*` covers one level only, and a pattern without owners un-owns. The syntax GitHub documents
// as unsupported (`!`, `[ ]`, a leading `\#`) is reported as an error and the line skipped, as GitHub
// skips it. Patterns are matched segment by segment, never through a regular expression: CODEOWNERS
// in a pull request is untrusted input.

/** Where GitHub looks, in order; the first file found is the only one used. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;
/** GitHub does not load a CODEOWNERS file of this size or more. */
export const MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024;

export type Owner = { kind: 'user'; login: string } | { kind: 'team'; org: string; slug: string } | { kind: 'email'; email: string };

export interface CodeownersRule {
  /** 1-based line in the file. */
  line: number;
  pattern: string;
  /** As written (`@octocat`, `@org/team`, `a@b.c`); empty = the pattern un-owns what it matches. */
  owners: string[];
  matcher: PatternMatcher;
}

export interface CodeownersError {
  line: number;
  column: number;
  message: string;
  /** The line as written. */
  source: string;
}

export interface Codeowners {
  rules: CodeownersRule[];
  errors: CodeownersError[];
}

export function parseCodeowners(text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const errors: CodeownersError[] = [];
  text.split(/\r?\n/).forEach((source, i) => {
    const line = i + 1;
    const start = source.search(/\S/);
    if (start < 0 || source[start] === '#') return;
    const fail = (message: string, column = start + 1) => void errors.push({ line, column, message, source });
    const [pattern, end] = readPattern(source, start);
    if (pattern.startsWith('\\#')) return fail('escaping a leading `#` with `\\` is not supported in CODEOWNERS: GitHub skips this line');
    if (pattern.startsWith('!')) return fail('negation (`!`) is not supported in CODEOWNERS: GitHub skips this line');
    const bracket = unescapedIndex(pattern, (c) => c === '[' || c === ']');
    if (bracket >= 0) return fail('character ranges (`[ ]`) are not supported in CODEOWNERS: GitHub skips this line', start + bracket + 1);
    if (pattern === '/') return fail('the pattern `/` never matches anything; `*` matches every file');
    const owners: string[] = [];
    for (const m of source.slice(end).matchAll(/\S+/g)) {
      if (m[0].startsWith('#')) break;
      if (!parseOwner(m[0])) return fail(`invalid owner ${JSON.stringify(m[0].length > 80 ? `${m[0].slice(0, 80)}…` : m[0])}: an owner is \`@user\`, \`@org/team\` or an email address; GitHub skips this line`, end + m.index + 1);
      owners.push(m[0]);
    }
    rules.push({ line, pattern, owners, matcher: compilePattern(pattern) });
  });
  return { rules, errors };
}

/** The rule that decides `path` (repository-relative, `/`-separated): the last match, if any. */
export function ruleFor(codeowners: Codeowners, path: string): CodeownersRule | undefined {
  const segments = path.split('/');
  for (let i = codeowners.rules.length - 1; i >= 0; i--) if (codeowners.rules[i]!.matcher.matches(segments)) return codeowners.rules[i];
  return undefined;
}

const LOGIN = /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM = /^@([A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})\/([A-Za-z0-9_.-]+)$/;

export function parseOwner(owner: string): Owner | undefined {
  if (LOGIN.test(owner)) return { kind: 'user', login: owner.slice(1) };
  const team = TEAM.exec(owner);
  if (team) return { kind: 'team', org: team[1]!, slug: team[2]! };
  if (isEmail(owner)) return { kind: 'email', email: owner };
  return undefined;
}

/**
 * `local@domain` with one `@`, no white space, and a `.` inside the domain: scanned once, because a
 * backtracking regex over an owner token from a pull request (a long run of dots) is quadratic.
 */
function isEmail(owner: string): boolean {
  const at = owner.indexOf('@');
  if (at < 1 || owner.indexOf('@', at + 1) >= 0 || /\s/.test(owner)) return false;
  const domain = owner.slice(at + 1);
  return domain.slice(1, -1).includes('.');
}

/** The pattern token starting at `start`: a backslash escapes the next character (e.g. a space). */
function readPattern(line: string, start: number): [string, number] {
  let i = start;
  while (i < line.length && !/\s/.test(line[i]!)) i += line[i] === '\\' && i + 1 < line.length ? 2 : 1;
  return [line.slice(start, i), i];
}

function unescapedIndex(pattern: string, test: (c: string) => boolean): number {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (test(pattern[i]!)) return i;
  }
  return -1;
}

// A compiled pattern is a list of segments: `**` (any number of whole path segments), a lone `*`
// (exactly one segment, and when last nothing under it: GitHub's `docs/*` rule), or a glob that,
// when last, also covers everything under what it names.
type Token = { kind: 'char'; char: string } | { kind: 'star' } | { kind: 'any' };
type Segment = { kind: 'globstar' } | { kind: 'lone-star' } | { kind: 'glob'; tokens: Token[] };

export interface PatternMatcher {
  matches(pathSegments: readonly string[]): boolean;
}

export function compilePattern(pattern: string): PatternMatcher {
  let parts = pattern.split('/');
  if (parts[0] === '') parts = parts.slice(1);
  // No slash but a trailing one: the name matches at any depth (an implicit leading `**/`).
  else if ((parts.length === 1 || (parts.length === 2 && parts[1] === '')) && parts[0] !== '**') parts = ['**', ...parts];
  // A trailing slash means "everything under this directory"; after `**` the directory is still one
  // more segment (`x/**/` covers `x/d/f`, not `x/f`), as in gitignore.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.splice(-1, 1, ...(parts[parts.length - 2] === '**' ? ['*', '**'] : ['**']));
  const segments: Segment[] = parts.map((p) => (p === '**' ? { kind: 'globstar' } : p === '*' ? { kind: 'lone-star' } : { kind: 'glob', tokens: tokenize(p) }));
  if (pattern === '/') return { matches: () => false };
  return { matches: (path) => matchSegments(segments, path) };
}

function tokenize(segment: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\' && i + 1 < segment.length) tokens.push({ kind: 'char', char: segment[++i]! });
    else if (c === '*') tokens.push({ kind: 'star' });
    else if (c === '?') tokens.push({ kind: 'any' });
    else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

/** Segment-level matching, memoised over (pattern segment, path segment): polynomial in both. */
function matchSegments(segments: readonly Segment[], path: readonly string[]): boolean {
  const n = path.length;
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    if (i === segments.length) return j === n;
    const key = i * (n + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    let result = false;
    if (seg.kind === 'globstar') {
      // Trailing `**` needs something under the directory; elsewhere it spans zero or more segments.
      if (last) result = n - j >= 1;
      else for (let k = j; k <= n && !result; k++) result = at(i + 1, k);
    } else if (j < n && path[j] !== '') {
      if (seg.kind === 'lone-star') result = at(i + 1, j + 1);
      else if (globMatch(seg.tokens, path[j]!)) result = last ? true : at(i + 1, j + 1);
    }
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/** `*` and `?` within one segment, code point by code point; linear backtracking to the last star. */
function globMatch(tokens: readonly Token[], segment: string): boolean {
  const s = [...segment];
  let t = 0;
  let i = 0;
  let starT = -1;
  let starI = 0;
  while (i < s.length) {
    const tok = tokens[t];
    if (tok && (tok.kind === 'any' || (tok.kind === 'char' && tok.char === s[i]))) {
      t++;
      i++;
    } else if (tok?.kind === 'star') {
      starT = t++;
      starI = i;
    } else if (starT >= 0) {
      t = starT + 1;
      i = ++starI;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}
