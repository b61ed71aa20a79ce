// Policy text -> typed Policy, or located findings that each predict `trust_policy_invalid`.
import { isScalar, visit, type Document } from 'yaml';
import { CLAIM_NAMES, type ClaimName, type Finding, type Level, type Matcher, type Permissions, type Policy, type Rule, type Span } from '../model.js';
import { SourceText } from '../load/text.js';
import type { ReadResult } from '../load/read.js';
import { parseYaml, placeAt, type Locate, type PathSegment } from '../load/yaml.js';
import { makeFinding } from '../findings.js';
import { schemaProblems, type SchemaProblem } from './schema.js';
import { checkRegex, nestedRepeats } from './regex.js';
import { offeredLevels } from './permissions.js';
import { isValidityRuleId } from './codes.js';

export interface ValidatedPolicy {
  path: string;
  name: string;
  source: SourceText;
  /** The yaml document, when the `yaml` library read the text (for the anchor rule; plain texts have none). */
  doc?: Document;
  /** Present when the policy is valid (no error finding): what the server would evaluate. */
  policy?: Policy;
  /**
   * When the policy is invalid: the rules that are valid on their own (indexes kept), so lint runs
   * its rules on them and reports every independent problem in one pass. STS evaluates none of them.
   */
  partial?: Policy;
  findings: Finding[];
}

type Data = { metadata?: { name?: unknown }; spec?: { rules?: unknown } };

/** A policy as every command reads it: the findings (a read failure is one), and the policy when STS would evaluate it. */
export interface PolicyReading {
  path: string;
  name: string;
  /** Absent when the file could not be read. */
  validated?: ValidatedPolicy;
  findings: Finding[];
  /** Present exactly when no finding predicts `trust_policy_invalid`. */
  policy?: Policy;
}

/**
 * The one reading of a policy for every command (lint, simulate, test, diff, pr-check, audit,
 * explore): bytes read and decoded by load/read.ts (one BOM dropped), then validatePolicyText.
 */
export function readPolicy(path: string, name: string, read: ReadResult): PolicyReading {
  if (!read.ok) {
    const at = read.position ? { ...read.position, endLine: read.position.line, endColumn: read.position.column + 1 } : { line: 1, column: 1, endLine: 1, endColumn: 1 };
    return { path, name, findings: [makeFinding(path, read.ruleId, read.message, at)] };
  }
  const validated = validatePolicyText(path, name, read.text);
  return { path, name, validated, findings: validated.findings, policy: validated.policy };
}

/** Decoded policy text (no BOM left: a second one is a forbidden character) -> typed Policy, or located findings. */
export function validatePolicyText(path: string, name: string, text: string): ValidatedPolicy {
  const source = new SourceText(text);
  const parsed = parseYaml(source);
  if (!parsed.ok) {
    const findings = parsed.problems.map((p) =>
      makeFinding(path, p.ruleId, p.message, source.span(p.start, p.end), {
        fix: p.fix ? { ...p.fix, safe: true } : null,
      }),
    );
    return { path, name, source, findings };
  }
  const { doc } = parsed;
  const data = parsed.data as Data;
  const mergeKeys = doc && text.includes('<<') ? mergeKeyFindings(path, source, doc) : [];
  const spanAt = (p: SchemaProblem | { path: PathSegment[]; at: 'key' | 'value' }) => spanOf(source, parsed.locate, p.path, p.at);
  // Rules a validity problem sits in or under; a problem elsewhere (apiVersion, metadata) leaves them whole.
  const broken = new Set<number>();
  const breaks = (path: readonly PathSegment[]) => {
    if (path[0] === 'spec' && path[1] === 'rules' && typeof path[2] === 'number') broken.add(path[2]);
  };
  const findings: Finding[] = schemaProblems(data).map((p) => {
    breaks(p.path);
    const span = spanAt(p);
    return makeFinding(path, p.ruleId, p.message, span, { fix: p.replacement ? { range: [span.start, span.end], text: p.replacement, safe: isSafeRename(source.text.slice(span.start, span.end), p.replacement), description: `write ${p.replacement}` } : null });
  });

  const written = data?.metadata?.name;
  if (typeof written === 'string' && written !== name && /^[A-Za-z0-9_-]{1,64}$/.test(written)) {
    const span = spanAt({ path: ['metadata', 'name'], at: 'value' });
    findings.push(makeFinding(path, 'schema/metadata-name', `\`metadata.name\` must be \`${name}\`, the file name without .yaml (STS selects the policy by file name)`, span, { fix: { range: [span.start, span.end], text: name, safe: true, description: `set metadata.name to ${name}` } }));
  }

  const rules = Array.isArray(data?.spec?.rules) ? (data.spec.rules as unknown[]) : [];
  const effective = new Map<string, string>();
  rules.forEach((rule, i) => {
    const r = rule as { match?: unknown; permissions?: unknown } | null;
    if (r?.match && typeof r.match === 'object')
      for (const [claim, m] of Object.entries(r.match)) {
        const pattern = (m as { regex?: unknown } | null)?.regex;
        if (typeof pattern !== 'string') continue;
        const check = checkRegex(pattern);
        const at = { path: ['spec', 'rules', i, 'match', claim, 'regex'], at: 'value' as const };
        if (!check.ok) {
          broken.add(i);
          findings.push(makeFinding(path, 'schema/invalid-regex', `RE2 (Go regexp) rejects this regex: ${check.message}${regexHint(check.message, pattern)}`, spanAt(at)));
        } else {
          effective.set(pattern, check.effective);
          for (const p of check.portable)
            findings.push(makeFinding(path, 'regex/go-version-dependent', `\`${p.written}\` is accepted only by Go 1.25 and later: whether STS accepts it depends on its Go version; write \`${p.portable}\``, spanAt(at)));
        }
      }
    if (r?.permissions && typeof r.permissions === 'object')
      for (const [perm, level] of Object.entries(r.permissions)) {
        const offered = offeredLevels(perm);
        if (offered && typeof level === 'string' && (['read', 'write', 'admin'] as string[]).includes(level) && !offered.includes(level as Level))
          findings.push(makeFinding(path, 'permissions/unsupported-level', `GitHub does not offer \`${perm}: ${level}\` (it offers ${offered.map((l) => `\`${l}\``).join(', ')}): the mint would be refused`, spanAt({ path: ['spec', 'rules', i, 'permissions', perm], at: 'value' })));
      }
  });

  findings.push(...mergeKeys);
  const build = (rule: unknown, index: number) => buildRule(rule as RawRule, index, (p, at) => spanOf(source, parsed.locate, ['spec', 'rules', index, ...p], at), effective);
  if (findings.some(isValidityError)) {
    const whole = rules.flatMap((rule, index) => (broken.has(index) ? [] : [build(rule, index)]));
    return { path, name, source, doc, findings, partial: whole.length ? { name, path, rules: whole } : undefined };
  }
  return { path, name, source, doc, policy: { name, path, rules: rules.map(build) }, findings };
}

/** Each `<<` merge key (read as a merge, as Go's yaml.v3 does: the reading that grants more). */
function mergeKeyFindings(path: string, source: SourceText, doc: Document): Finding[] {
  const out: Finding[] = [];
  visit(doc, {
    Pair(_, p) {
      // With `merge: true` the yaml library parses the key `<<` as the symbol Symbol(<<), not the string.
      if (isScalar(p.key) && p.key.range && (p.key.value === '<<' || (typeof p.key.value === 'symbol' && p.key.value.description === '<<')))
        out.push(makeFinding(path, 'yaml/merge-key', `merge key \`<<\`: YAML 1.2 reads it as an ordinary (unknown) key, Go's yaml.v3 as a merge, so what STS answers depends on its parser; sts-policy predicts access from the merged reading, which grants more. Write the merged entries out`, source.span(p.key.range[0], p.key.range[1])));
    },
  });
  return out;
}

/** The note access predictions carry when a policy uses merge keys (SPEC.md §4). */
export function mergeKeyNote(findings: readonly Finding[]): string[] {
  const lines = findings.filter((f) => f.ruleId === 'yaml/merge-key').map((f) => f.line);
  return lines.length ? [`the policy uses a \`<<\` merge key (line ${lines.join(', ')}), which YAML parsers read differently: this prediction takes the merged reading, which grants more`] : [];
}

/** What lint's rules look at: the policy, or the valid rules of an invalid one. */
export const lintedPolicy = (v: Pick<ValidatedPolicy, 'policy' | 'partial'>): Policy | undefined => v.policy ?? v.partial;

/**
 * Findings that predict `trust_policy_invalid`. Others, even errors such as a level GitHub does not
 * offer, leave the policy valid for STS (SPEC.md §4) and are reported by lint only.
 */
export function isValidityError(f: Finding): boolean {
  return f.severity === 'error' && isValidityRuleId(f.ruleId);
}

type RawRule = { match: Record<string, string | { regex: string }>; permissions?: Permissions };

function buildRule(raw: RawRule, index: number, at: (p: PathSegment[], at: 'key' | 'value') => Span, effective: Map<string, string>): Rule {
  const matchers: Matcher[] = CLAIM_NAMES.filter((c) => c in raw.match).map((claim: ClaimName) => {
    const m = raw.match[claim]!;
    const regex = typeof m === 'object';
    return {
      claim,
      kind: regex ? 'regex' : 'glob',
      pattern: regex ? (effective.get(m.regex) ?? m.regex) : m,
      span: at(regex ? ['match', claim, 'regex'] : ['match', claim], 'value'),
      keySpan: at(['match', claim], 'key'),
    };
  });
  const permissionSpans: Record<string, Span> = {};
  for (const p of Object.keys(raw.permissions ?? {})) permissionSpans[p] = at(['permissions', p], 'key');
  return { index, span: at([], 'value'), matchers, permissions: raw.permissions ?? null, permissionSpans };
}

/** Where a data path sits in the file: the key or the value; the nearest existing ancestor otherwise. */
export function spanOf(source: SourceText, locate: Locate, path: PathSegment[], at: 'key' | 'value'): Span {
  const place = placeAt(locate, path, at) ?? locate([]).value;
  if (!place) return source.span(0, 0);
  // A block collection's value range runs to its last item: point at its first line only.
  const newline = source.text.indexOf('\n', place.start);
  const end = Math.min(place.end, newline === -1 ? place.end : newline);
  return source.span(place.start, Math.max(end, place.start));
}

function regexHint(message: string, pattern: string): string {
  if (/\(\?[=!<]/.test(message) || message.includes('Perl syntax')) return ': RE2 has no lookahead or lookbehind; match what you want, or split it into several rules';
  if (/escape sequence: `\\[1-9]`/.test(message)) return ': RE2 has no backreferences';
  if (/nested repetition operator/.test(message)) return ': RE2 has no possessive or nested quantifiers; write one quantifier';
  if (message.includes('repeat count')) {
    // Go refuses nested repeats whose counts multiply past 1000 with the same words as one count over it.
    const nested = nestedRepeats(pattern);
    if (nested.counts.length > 1 && nested.product > 1000)
      return `: the cause is the nesting, not one count: ${nested.counts.map((c) => `\`${c}\``).join(' inside ')} repeats up to ${nested.product} times, and RE2 allows at most 1000 in all; lower the counts, or match the repeated part with \`+\` or \`*\``;
    return ': repeat counts are at most 1000';
  }
  if (message.includes('missing closing') || message.includes('unexpected )')) return ': the parentheses are unbalanced';
  return '';
}

/** A rename is safe when only case or separators differ (`pull-requests` -> `pull_requests`). */
function isSafeRename(from: string, to: string): boolean {
  const n = (s: string) => s.replace(/^["']|["']$/g, '').toLowerCase().replace(/[-_\s.]/g, '');
  return n(from) === n(to);
}
