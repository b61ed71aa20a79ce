// Inline ignores, zizmor-style: `# sts-policy-ignore <rule-id>[,<rule-id>] -- <reason>` as a
// trailing comment on the finding's line, or alone on the line above. A reason is required;
// ignores that suppress nothing are reported; validity findings can never be ignored, nor
// `analysis/subject-template`, which is about GitHub's settings rather than the file.
import { Parser } from 'yaml';
import type { Finding } from '../model.js';
import type { SourceText } from '../load/text.js';
import { allRuleMetas, makeFinding } from '../findings.js';
import { IGNORE_MISSING_REASON, IGNORE_UNUSED, SUBJECT_TEMPLATE } from '../rules/index.js';
import { didYouMean } from '../validate/suggest.js';
import { isValidityRuleId } from '../validate/codes.js';

const MISSING_REASON = IGNORE_MISSING_REASON.id;
const UNUSED = IGNORE_UNUSED.id;

const MARKER = 'sts-policy-ignore';
/** A comment that is an ignore directive: `#`, spaces, the marker as a whole word. */
const DIRECTIVE = /^#\s*sts-policy-ignore(?![\w-])/;
const SYNTAX = `# ${MARKER} <rule-id>[,<rule-id>] -- <reason>`;
const RULE_ID = /^[a-z0-9-]+\/[a-z0-9-]+$/;

/** Validity rules predict `trust_policy_invalid`: no comment or config setting can silence them. */
export { isValidityRuleId };

export interface IgnoreDirective {
  /** The comment, as offsets into the decoded text. */
  start: number;
  end: number;
  /** The lines whose findings it covers (its own line; for a comment alone on its line, also the next code line). */
  lines: number[];
  ids: { id: string; start: number; end: number }[];
  reason?: string;
  /** Why the directive is malformed, for a person. */
  problem?: { ruleId: string; message: string };
}

/** A finding an inline comment suppressed, and the comment's reason. */
export interface IgnoredFinding extends Finding {
  ignoredBy: { line: number; reason: string };
}

/** Every `# sts-policy-ignore` comment of a YAML text (comments only: never text inside a scalar). */
export function parseIgnores(source: SourceText): IgnoreDirective[] {
  const text = source.text;
  if (!text.includes(MARKER)) return [];
  const comments: { offset: number; source: string }[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const t = node as { type?: string; offset?: number; source?: string };
    if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') comments.push({ offset: t.offset, source: t.source });
    for (const [k, v] of Object.entries(node)) if (k !== 'parent') walk(v);
  };
  for (const token of new Parser().parse(text)) walk(token);
  return comments.filter((c) => DIRECTIVE.test(c.source)).map((c) => directive(source, c.offset, c.source));
}

function directive(source: SourceText, offset: number, comment: string): IgnoreDirective {
  const { line, column } = source.position(offset);
  const alone = source.lineText(line).slice(0, column - 1).trim() === '';
  const lines = [line];
  if (alone) {
    // A comment alone on its line covers the next line of code (stacked ignore comments included).
    const last = source.position(source.text.length).line;
    for (let n = line + 1; n <= Math.min(last, line + 64); n++) {
      const next = source.lineText(n).trim();
      if (next === '') break;
      lines.push(n);
      if (!next.startsWith('#')) break;
    }
  }
  const base = { start: offset, end: offset + comment.length, lines };
  const bodyAt = comment.indexOf(MARKER) + MARKER.length;
  const body = comment.slice(bodyAt);
  const sep = /(^|\s)--(\s|$)/.exec(body);
  const idsText = sep ? body.slice(0, sep.index) : body;
  const reason = sep ? body.slice(sep.index + sep[0].length).trim() : '';
  const ids: IgnoreDirective['ids'] = [];
  const idsStart = offset + bodyAt;
  const words = [...idsText.matchAll(/[^\s,]+/g)];
  // Without ` -- `, the first token is the id list and the rest a reason that lacks its separator.
  const idWords = sep ? words : words.slice(0, 1);
  for (const w of idWords) ids.push({ id: w[0], start: idsStart + w.index!, end: idsStart + w.index! + w[0].length });
  if (!ids.length)
    return { ...base, ids, problem: { ruleId: UNUSED, message: `this ignore names no rule, so it suppresses nothing: write \`${SYNTAX}\`` } };
  if (!reason) {
    const stray = !sep && words.length > 1;
    return {
      ...base,
      ids,
      problem: {
        ruleId: MISSING_REASON,
        message: `this ignore has no reason, so it suppresses nothing: ${stray ? 'separate the reason from the rule ids with ` -- `: ' : 'say why the finding is acceptable: '}\`# ${MARKER} ${ids.map((i) => i.id).join(',')} -- <reason>\``,
      },
    };
  }
  return { ...base, ids, reason };
}

export interface ApplyIgnoresOptions {
  /** Lint rules ran on this file (the policy is valid): an unmatched lint-rule id is then truly unused. */
  linted: boolean;
}

/**
 * Splits a file's findings into those reported and those an ignore comment suppressed, and adds the
 * findings about the comments themselves (`ignore/missing-reason`, `ignore/unused`).
 */
export function applyIgnores(path: string, source: SourceText, findings: readonly Finding[], opts: ApplyIgnoresOptions): { findings: Finding[]; ignored: IgnoredFinding[] } {
  const directives = parseIgnores(source);
  if (!directives.length) return { findings: [...findings], ignored: [] };
  const known = new Set(allRuleMetas().map((m) => m.id));
  const suppressedBy = new Map<Finding, IgnoreDirective>();
  const notes: Finding[] = [];
  const at = (start: number, end: number) => source.span(start, end);
  for (const d of directives) {
    if (d.problem) {
      notes.push(makeFinding(path, d.problem.ruleId, d.problem.message, at(d.start, d.end)));
      continue;
    }
    for (const { id, start, end } of d.ids) {
      const why = unignorable(id, known);
      if (why) {
        notes.push(makeFinding(path, UNUSED, why, at(start, end)));
        continue;
      }
      const hits = findings.filter((f) => f.ruleId === id && d.lines.includes(f.line) && !suppressedBy.has(f));
      for (const f of hits) suppressedBy.set(f, d);
      if (!hits.length && opts.linted)
        notes.push(makeFinding(path, UNUSED, `\`${id}\` reports nothing on ${d.lines.length > 1 ? `line ${d.lines[d.lines.length - 1]}` : 'this line'}, so this ignore is unused: remove it`, at(start, end)));
    }
  }
  const kept = findings.filter((f) => !suppressedBy.has(f));
  const ignored = findings
    .filter((f) => suppressedBy.has(f))
    .map((f) => ({ ...f, ignoredBy: { line: source.position(suppressedBy.get(f)!.start).line, reason: suppressedBy.get(f)!.reason! } }));
  return { findings: [...kept, ...notes], ignored };
}

/** Why a rule id in an ignore comment can never suppress anything, or undefined when it can. */
function unignorable(id: string, known: ReadonlySet<string>): string | undefined {
  if (!known.has(id)) {
    const hint = didYouMean(id, [...known]);
    return `\`${id}\` is not a rule id, so this ignore suppresses nothing: ${hint ? `did you mean \`${hint}\`?` : RULE_ID.test(id) ? 'check the spelling' : 'rule ids look like `security/any-owner`'} (\`sts-policy rules\` lists them)`;
  }
  if (isValidityRuleId(id))
    return `\`${id}\` cannot be ignored: it predicts \`trust_policy_invalid\` (STS fails closed whatever the comment says), so fix the policy instead`;
  if (id.startsWith('ignore/')) return `\`${id}\` is about ignore comments themselves and cannot be ignored: fix the comment instead`;
  if (id === SUBJECT_TEMPLATE.id) return `\`${id}\` is about the subject template GitHub uses (pr-check and audit), not this file, and cannot be ignored here: grant the token what its message names, or set its severity under \`rules:\` in .sts-policy.yaml`;
  return undefined;
}
