// The registry of every rule id (validation codes and lint rules) and the one way to make a finding.
import type { Finding, Fix, Severity, Span } from './model.js';
import { VALIDATION_RULES, type RuleMeta } from './validate/codes.js';

export const DOCS_BASE = 'https://github.com/sts-policy/sts-policy/blob/main/docs/rules';

const registry = new Map<string, RuleMeta>(VALIDATION_RULES.map((m) => [m.id, m]));

export function registerRule(meta: RuleMeta): void {
  registry.set(meta.id, meta);
}

export function ruleMeta(id: string): RuleMeta {
  const meta = registry.get(id);
  if (!meta) throw new Error(`unregistered rule id ${id}`);
  return meta;
}

/** Listing order, whatever order the modules registering them were evaluated in (bundles differ). */
const VALIDATION_IDS = new Set(VALIDATION_RULES.map((m) => m.id));
const GROUP = (id: string) => (VALIDATION_IDS.has(id) ? 0 : id.startsWith('analysis/') ? 2 : id.startsWith('ignore/') ? 3 : 1);

/** Every rule: validity codes, lint rules (in rules/index.ts order), analysis, ignore comments. */
export function allRuleMetas(): RuleMeta[] {
  return [...registry.values()].sort((a, b) => GROUP(a.id) - GROUP(b.id));
}

export const docsUrl = (id: string) => `${DOCS_BASE}/${id}.md`;

export function makeFinding(
  path: string,
  ruleId: string,
  message: string,
  span: Pick<Span, 'line' | 'column' | 'endLine' | 'endColumn'>,
  extra: { fix?: Fix | null; severity?: Severity; witness?: Finding['witness'] } = {},
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
  return finding;
}

export function compareFindings(a: Finding, b: Finding): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
