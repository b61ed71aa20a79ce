// Regex matchers are RE2 (Go `regexp`) through re2js; no user pattern ever reaches JavaScript's
// backtracking RegExp. Go 1.25-only `\p{...}` names are reported as portable-form warnings.
import type { RE2JS } from 're2js';
import names from '../data/re2-unicode-names.json' with { type: 'json' };
import { lazyRequire } from '../lazy.js';

export type RegexCheck =
  /** `effective`: the pattern with Go 1.25-only names replaced by their portable forms. */
  | { ok: true; effective: string; portable: { written: string; portable: string }[] }
  | { ok: false; message: string };

/** Category long names (Unicode aliases) that Go 1.25 added, with the short name RE2 has always had. */
const CATEGORY_ALIASES: Record<string, string> = {
  letter: 'L', casedletter: 'LC', uppercaseletter: 'Lu', lowercaseletter: 'Ll', titlecaseletter: 'Lt', modifierletter: 'Lm', otherletter: 'Lo',
  mark: 'M', combiningmark: 'M', nonspacingmark: 'Mn', spacingmark: 'Mc', enclosingmark: 'Me',
  number: 'N', decimalnumber: 'Nd', digit: 'Nd', letternumber: 'Nl', othernumber: 'No',
  punctuation: 'P', punct: 'P', connectorpunctuation: 'Pc', dashpunctuation: 'Pd', openpunctuation: 'Ps', closepunctuation: 'Pe', initialpunctuation: 'Pi', finalpunctuation: 'Pf', otherpunctuation: 'Po',
  symbol: 'S', mathsymbol: 'Sm', currencysymbol: 'Sc', modifiersymbol: 'Sk', othersymbol: 'So',
  separator: 'Z', spaceseparator: 'Zs', lineseparator: 'Zl', paragraphseparator: 'Zp',
  other: 'C', control: 'Cc', cntrl: 'Cc', format: 'Cf', surrogate: 'Cs', privateuse: 'Co', unassigned: 'Cn',
};
/** Names Go 1.25 added that have no `\p{...}` spelling before it (Assigned and Cn have no portable form). */
const NEW_CLASSES: Record<string, string> = { ascii: '[\\x00-\\x7F]', lc: '[\\p{Lu}\\p{Ll}\\p{Lt}]' };

const normalise = (n: string) => n.toLowerCase().replace(/[\s_-]/g, '');
const canonical = new Map<string, string>((names as string[]).map((n) => [normalise(n), n]));

function portableFor(name: string): string | undefined {
  const n = normalise(name);
  if (CATEGORY_ALIASES[n]) return `\\p{${CATEGORY_ALIASES[n]}}`;
  if (canonical.has(n)) return `\\p{${canonical.get(n)}}`;
  return NEW_CLASSES[n];
}

const engine = lazyRequire<typeof import('re2js')>('re2js');
/** Per bare pattern: RE2's error, or null when it compiles. */
const syntax = new Map<string, Error | null>();
const cache = new Map<string, RE2JS | Error>();

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/** RE2's error for the bare pattern, if it has one. */
function syntaxError(pattern: string): Error | null {
  let error = syntax.get(pattern);
  if (error === undefined) {
    try {
      engine().RE2JS.compile(pattern);
      error = null;
    } catch (e) {
      error = asError(e);
    }
    syntax.set(pattern, error);
  }
  return error;
}

/**
 * Patterns of a policy another thread validated: they compile bare, which that thread checked, so
 * this one builds only the anchored program (RE2 compiling was a tenth of a lint worker's time).
 */
export function trustValidated(patterns: Iterable<string>): void {
  for (const p of patterns) if (!syntax.has(p)) syntax.set(p, null);
}

/** Compiles the bare pattern first (so `a)|(?:b` cannot escape the anchors), then `^(?:...)$`. */
export function compileRegex(pattern: string): RE2JS {
  let hit = cache.get(pattern);
  if (!hit) {
    try {
      const error = syntaxError(pattern);
      if (error) throw error;
      hit = engine().RE2JS.compile(`^(?:${pattern})$`);
    } catch (e) {
      hit = asError(e);
    }
    cache.set(pattern, hit);
  }
  if (hit instanceof Error) throw hit;
  return hit;
}

export function checkRegex(pattern: string): RegexCheck {
  const portable: { written: string; portable: string }[] = [];
  let current = pattern;
  for (let attempt = 0; attempt < 32; attempt++) {
    try {
      compileRegex(current);
      return { ok: true, effective: current, portable };
    } catch (e) {
      const message = asError(e).message.replace(/^error parsing regexp: /, '');
      const m = /invalid character class range: `(\\[pP])\{([^}]*)\}`/.exec(message);
      const replacement = m && portableFor(m[2]!);
      if (!m || !replacement) return { ok: false, message };
      const written = `${m[1]}{${m[2]}}`;
      const negated = m[1] === '\\P';
      // Inside brackets a class's ranges are spliced in (`[\p{ASCII}]` -> `[\x00-\x7F]`), not a nested class.
      const spliced = replaceOutsideAndInsideClasses(current, written, negated ? negate(replacement) : replacement, classBody(replacement, negated));
      if (spliced === undefined) return { ok: false, message: `\`${written}\` (Go 1.25) has no portable form inside brackets: write the class outside them` };
      portable.push({ written, portable: spliced.portable });
      current = spliced.pattern;
    }
  }
  return { ok: false, message: 'too many Unicode class names to check' };
}

/** A class's body to splice between brackets, or undefined when it has none (a negated union). */
function classBody(cls: string, negated: boolean): string | undefined {
  if (cls.startsWith('\\p') || cls.startsWith('\\P')) return negated ? negate(cls) : cls;
  const body = cls.slice(1, -1);
  if (!negated) return body;
  // Only a body of one range can be negated inside brackets, by its complement's ranges.
  const range = /^\\x([0-9A-F]{2})-\\x([0-9A-F]{2})$/.exec(body);
  if (!range) return undefined;
  const [lo, hi] = [parseInt(range[1]!, 16), parseInt(range[2]!, 16)];
  const hex = (n: number) => `\\x{${n.toString(16).toUpperCase()}}`;
  return [lo > 0 ? `\\x00-${hex(lo - 1)}` : '', `${hex(hi + 1)}-\\x{10FFFF}`].join('');
}

/**
 * Replaces each `written` escape: by `outside` where it stands alone, by `inside` within a
 * bracketed class. The portable form named is the first occurrence's. Undefined when a bracketed
 * occurrence has no inside form.
 */
function replaceOutsideAndInsideClasses(pattern: string, written: string, outside: string, inside: string | undefined): { pattern: string; portable: string } | undefined {
  let out = '';
  let portable: string | undefined;
  let inClass = false;
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith(written, i)) {
      const text = inClass ? inside : outside;
      if (text === undefined) return undefined;
      portable ??= text;
      out += text;
      i += written.length;
      continue;
    }
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (!inClass && ch === '[') {
      inClass = true;
      // `]` first in a class (after an optional `^`) is a literal.
      const start = pattern[i + 1] === '^' ? i + 2 : i + 1;
      const first = pattern[start] === ']' ? start + 1 : start;
      out += pattern.slice(i, first);
      i = first;
      continue;
    }
    if (inClass && pattern.startsWith('[:', i)) {
      const end = pattern.indexOf(':]', i + 2);
      if (end > 0) {
        out += pattern.slice(i, end + 2);
        i = end + 2;
        continue;
      }
    }
    if (inClass && ch === ']') inClass = false;
    out += ch;
    i++;
  }
  return { pattern: out, portable: portable ?? outside };
}

function negate(cls: string): string {
  if (cls.startsWith('\\p')) return '\\P' + cls.slice(2);
  if (cls.startsWith('\\P')) return '\\p' + cls.slice(2);
  return cls.startsWith('[') ? `[^${cls.slice(1)}` : cls;
}

/**
 * The nested repeats whose counts multiply the most (`([a-z]{1,8}-){1,300}`: `{1,8}` inside
 * `{1,300}`, 2400), as Go's parser multiplies them (the maximum, else the minimum of an open
 * count) before refusing a product over 1000 with the same "invalid repeat count" as a single one.
 */
export function nestedRepeats(pattern: string): { counts: string[]; product: number } {
  type Frame = { best: { counts: string[]; product: number } };
  const none = () => ({ counts: [] as string[], product: 1 });
  const stack: Frame[] = [{ best: none() }];
  let last: { counts: string[]; product: number } | null = null;
  let overall = none();
  const better = (a: { product: number }, b: { product: number }) => a.product > b.product;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      i++;
      last = none();
    } else if (c === '[') {
      // Skip the class: `]` first in it is literal; escapes inside are skipped.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) if (pattern[j] === '\\') j++;
      i = j;
      last = none();
    } else if (c === '(') {
      stack.push({ best: none() });
      last = null;
    } else if (c === ')' && stack.length > 1) {
      last = stack.pop()!.best;
      if (better(last, stack[stack.length - 1]!.best)) stack[stack.length - 1]!.best = last;
    } else if (c === '{' && last) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!m) continue;
      const count = Number(m[3] || m[1]);
      const chain = { counts: [...last.counts, m[0]], product: last.product * Math.max(count, 1) };
      if (better(chain, top.best)) top.best = chain;
      if (better(chain, overall)) overall = chain;
      i += m[0].length - 1;
      last = null;
    } else last = c === '|' ? null : none();
  }
  return overall;
}
