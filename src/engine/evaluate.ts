// A compiled policy evaluates a claim set: the first matching rule decides the grant (SPEC.md §4),
// every other matching rule is reported, and every matcher's verdict is explained.
import type { RE2JS } from 're2js';
import type { ClaimName, Claims, Level, Matcher, Permissions, Policy } from '../model.js';
import { TOKEN_CLAIM } from '../model.js';
import { compileGlob, type Glob } from './glob.js';
import { compileRegex } from '../validate/regex.js';
import { claimValue, parseSubject } from './claims.js';

export interface CompiledMatcher {
  matcher: Matcher;
  test(value: string): boolean;
  explain(value: string): string | undefined;
}

export interface CompiledPolicy {
  policy: Policy;
  rules: { index: number; line: number; matchers: CompiledMatcher[]; permissions: Permissions | null }[];
}

export interface MatcherTrace {
  claim: ClaimName;
  /** The token claim it reads (`sub` for `subject`). */
  tokenClaim: string;
  /** The claim's value; null when the token has no such claim. */
  value: string | null;
  kind: 'glob' | 'regex';
  pattern: string;
  matched: boolean;
  /** Why not, in plain words; with a hint for GitHub's known traps. */
  reason?: string;
  line: number;
  column: number;
}

export interface RuleTrace {
  rule: number;
  line: number;
  matched: boolean;
  matchers: MatcherTrace[];
}

export interface Evaluation {
  matched: boolean;
  /** The first matching rule (0-based) and its line. */
  rule?: number;
  line?: number;
  /** Every other matching rule: its grant is not used, but a reviewer should know. */
  otherMatches: { rule: number; line: number }[];
  /** The granted permissions, `metadata: read` included; null when denied. */
  permissions: Permissions | null;
  trace: RuleTrace[];
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  return {
    policy,
    rules: policy.rules.map((r) => ({ index: r.index, line: r.span.line, permissions: r.permissions, matchers: r.matchers.map(compileMatcher) })),
  };
}

export function compileMatcher(matcher: Matcher): CompiledMatcher {
  if (matcher.kind === 'glob') {
    const glob: Glob = compileGlob(matcher.pattern);
    return { matcher, test: glob.test, explain: glob.explain };
  }
  const re: RE2JS = compileRegex(matcher.pattern);
  return {
    matcher,
    test: (v) => re.matches(v),
    explain: (v) => {
      if (re.matches(v)) return undefined;
      return compileRegex(`(?s:.)*(?:${matcher.pattern})(?s:.)*`).matches(v)
        ? 'the regex matches part of the value but not all of it (regex matchers are anchored: they must match the whole value)'
        : 'the regex does not match the value';
    },
  };
}

/** The grant of a matching rule: its permissions or the read-only default, plus `metadata: read`. */
export function grantOf(permissions: Permissions | null): Permissions {
  const grant: Permissions = { ...(permissions ?? { contents: 'read' }) };
  grant.metadata ??= 'read';
  return Object.fromEntries(Object.entries(grant).sort(([a], [b]) => (a < b ? -1 : 1))) as Record<string, Level>;
}

export function evaluate(compiled: CompiledPolicy, claims: Claims): Evaluation {
  const trace: RuleTrace[] = compiled.rules.map((rule) => {
    const matchers = rule.matchers.map((cm): MatcherTrace => {
      const m = cm.matcher;
      const value = claimValue(claims, m.claim);
      const base = { claim: m.claim, tokenClaim: TOKEN_CLAIM[m.claim], value: value ?? null, kind: m.kind, pattern: m.pattern, line: m.span.line, column: m.span.column };
      if (value === undefined) return { ...base, matched: false, reason: absentReason(m.claim) };
      const why = cm.explain(value);
      return why === undefined ? { ...base, matched: true } : { ...base, matched: false, reason: why + trapHint(m, value) };
    });
    return { rule: rule.index, line: rule.line, matched: matchers.every((m) => m.matched), matchers };
  });
  const hits = trace.filter((r) => r.matched);
  const first = hits[0];
  if (!first) return { matched: false, otherMatches: [], permissions: null, trace };
  return {
    matched: true,
    rule: first.rule,
    line: first.line,
    otherMatches: hits.slice(1).map((r) => ({ rule: r.rule, line: r.line })),
    permissions: grantOf(compiled.rules[first.rule]!.permissions),
    trace,
  };
}

/** Fast path without traces, for throughput (audit, explore, bench). */
export function firstMatch(compiled: CompiledPolicy, claims: Claims): number {
  for (const rule of compiled.rules) {
    let ok = true;
    for (const cm of rule.matchers) {
      const v = claimValue(claims, cm.matcher.claim);
      if (v === undefined || !cm.test(v)) {
        ok = false;
        break;
      }
    }
    if (ok) return rule.index;
  }
  return -1;
}

function absentReason(claim: ClaimName): string {
  const base = `claim \`${claim}\` is absent`;
  if (claim === 'environment') return `${base}: this job has no environment (an absent claim never matches, not even \`*\`)`;
  return `${base} from the token (an absent claim never matches, not even \`*\`)`;
}

/** GitHub's subject and ref formats trip people up; name the trap when the values show it. */
function trapHint(m: Matcher, value: string): string {
  if (m.claim === 'subject') {
    const sub = parseSubject(value);
    if (!sub) return '';
    if (sub.context.kind === 'environment' && m.pattern.includes(':ref:'))
      return `. Note: an environment job's subject is \`...:environment:${sub.context.environment}\`, not \`...:ref:...\`; match \`repository\` + \`environment\` or \`ref\` instead`;
    if (sub.context.kind === 'pull_request' && m.pattern.includes(':ref:'))
      return '. Note: a pull_request subject is `repo:OWNER/REPO:pull_request` and carries no branch';
    if ((sub.ownerId || sub.repoId) && m.pattern.startsWith('repo:') && !m.pattern.includes('@'))
      return `. Note: this is GitHub's immutable subject (\`repo:OWNER@ID/REPO@ID:...\`), which a name-pinned subject pattern never matches; match \`repository\` instead`;
  }
  if (m.claim === 'ref' && m.kind === 'glob' && !m.pattern.startsWith('refs/') && !m.pattern.startsWith('*') && value.startsWith('refs/'))
    return `. Note: \`ref\` is a full ref such as \`refs/heads/${m.pattern}\`, never a bare branch name`;
  return '';
}
