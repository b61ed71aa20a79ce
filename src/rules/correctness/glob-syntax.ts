// `correctness/glob-syntax`: a glob matcher written with regex or shell-glob syntax (`{a,b}`,
// `[0-9]`, `.*`, `**`, `!`), which policy globs read literally: only `*` and `?` are wildcards.
// The matcher then admits other callers than its author meant, usually none.
// Witness: none; the message says how the glob is read and a value shell-glob reading would match.
import type picomatchFn from 'picomatch';
import { defineRule } from '../framework.js';
import { compileGlob } from '../../engine/glob.js';
import type { Matcher } from '../../model.js';
import { lazyRequire } from '../../lazy.js';

const picomatch = lazyRequire<typeof picomatchFn>('picomatch');

/** Syntax from regexes and shells that SPEC.md globs read literally. */
const CONSTRUCTS: { test: (p: string, claim: string) => boolean; what: string }[] = [
  // `refs/tags/v1.*` is a fine glob (a literal dot); `acme/.*` or an owner `acme.*` is a regex habit.
  { test: (p, claim) => /(^|[/:])\.[*+]/.test(p) || p.includes('.+') || (/\.\*/.test(p) && ['repository_owner', 'actor', 'ref_type', 'sha'].includes(claim)), what: '`.*` is regex syntax: here `.` is a literal dot' },
  { test: (p) => p.startsWith('^') || p.endsWith('$'), what: '`^`/`$` are regex anchors: here they are literal characters (globs are always whole-string)' },
  { test: (p) => /\[[^\]]*\][*+?]?/.test(p.replace(/\[bot\]/g, '')), what: '`[...]` is a character class in regex and shell globs: here the brackets are literal' },
  { test: (p) => /\([^)]*\|[^)]*\)/.test(p), what: '`(a|b)` is regex alternation: here the parentheses and `|` are literal' },
  { test: (p) => /\{[^}]*,[^}]*\}/.test(p), what: '`{a,b}` is shell brace expansion: here the braces and comma are literal' },
  { test: (p) => p.includes('**'), what: '`**` is a shell globstar: here it is just two `*`, which already cross `/`' },
  { test: (p) => p.startsWith('!'), what: 'a leading `!` is negation in shell globs: here it is a literal `!`' },
  { test: (p) => p.includes('\\'), what: '`\\` escapes in shell globs and regexes: here it is a literal backslash' },
];

export default defineRule({
  meta: { id: 'correctness/glob-syntax', severity: 'warning', category: 'correctness',
    messages: { readLiterally: '`{{pattern}}` is read literally: {{constructs}}.{{divergence}} Only `*` and `?` are wildcards; for more, write `{regex: "..."}`' },
    description: 'A glob uses regex or shell syntax, which sts-policy globs read literally.' },
  check(ctx) {
    for (const rule of ctx.policy.rules)
      for (const m of rule.matchers) {
        if (m.kind !== 'glob') continue;
        const found = CONSTRUCTS.filter((c) => c.test(m.pattern, m.claim));
        if (!found.length) continue;
        ctx.report({ span: m.span, messageId: 'readLiterally', data: { pattern: m.pattern, constructs: found.map((c) => c.what).join('; '), divergence: divergence(m) } });
      }
  },
});

/**
 * What common glob syntax (picomatch) would have matched that this glob does not. picomatch runs
 * the pattern as a backtracking JavaScript RegExp, so only short patterns with few stars are tried.
 */
function divergence(m: Matcher): string {
  if (m.pattern.length > 200 || m.pattern.split('*').length > 9) return '';
  const samples = sampleValues(m.pattern);
  const glob = compileGlob(m.pattern);
  let isMatch: (s: string) => boolean;
  try {
    isMatch = picomatch()(m.pattern, { dot: true });
  } catch {
    return '';
  }
  const diverging = samples.find((s) => isMatch(s) && !glob.test(s));
  return diverging ? ` In shell-glob syntax (picomatch) it would match \`${diverging}\`; here it does not.` : '';
}

/** Values a shell-glob reader would expect the pattern to match: expand the first alternative or class member. */
function sampleValues(p: string): string[] {
  const brace = p.replace(/\{([^,}]*),[^}]*\}/g, '$1');
  const cls = p.replace(/\[!?\^?([^\]-])[^\]]*\]/g, '$1');
  const star = p.replace(/\*\*/g, 'x/y').replace(/\*/g, 'x');
  const neg = p.startsWith('!') ? ['anything-else'] : [];
  return [brace, cls, star.replace(/\{([^,}]*),[^}]*\}/g, '$1').replace(/\[!?\^?([^\]-])[^\]]*\]/g, '$1'), ...neg];
}
