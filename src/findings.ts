// Rule metadata by id (from the static registry, src/rules/index.ts) and the one way to make a finding.
import type { Finding, Fix, Severity, Span } from './model.js';
import type { RuleMeta } from './validate/codes.js';
import { RULES } from './rules/index.js';

export const DOCS_BASE = 'https://github.com/sts-policy/sts-policy/blob/main/docs/rules';

// Built on first use: the rule modules import this one, so RULES is not ready while it loads.
let byId: Map<string, RuleMeta> | undefined;

export function ruleMeta(id: string): RuleMeta {
  const meta = (byId ??= new Map(RULES.map((m) => [m.id, m]))).get(id);
  if (!meta) throw new Error(`unregistered rule id ${id}`);
  return meta;
}

/** Every rule, in the registry's listing order: validity codes, lint rules, analysis, ignore comments. */
export const allRuleMetas = (): RuleMeta[] => [...RULES];

export const docsUrl = (id: string) => `${DOCS_BASE}/${id}.md`;

export function makeFinding(
  path: string,
  ruleId: string,
  message: string,
  span: Pick<Span, 'line' | 'column' | 'endLine' | 'endColumn'>,
  extra: { fix?: Fix | null; severity?: Severity; witness?: Finding['witness']; related?: Finding['related'] } = {},
): Finding {
  const meta = ruleMeta(ruleId);
  const finding: Finding = {
    path,
    ruleId,
    severity: extra.severity ?? meta.severity,
    message,
    line: span.line,
    column: span.column,
    endLine: span.endLine,
    endColumn: span.endColumn,
    docsUrl: docsUrl(ruleId),
    fix: extra.fix ?? null,
  };
  if (extra.witness) finding.witness = extra.witness;
  if (extra.related?.length) finding.related = extra.related;
  return finding;
}

export function compareFindings(a: Finding, b: Finding): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
