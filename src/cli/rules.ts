// `sts-policy rules`: every rule (validation and lint) with its default severity, category,
// fixability, one-line description and docs page.
import { allRuleMetas, docsUrl } from '../findings.js';
import { LINT_RULES } from '../rules/index.js';
import { isValidityRuleId } from '../lint/ignores.js';
import { plural } from '../report/summary.js';
import type { Severity } from '../model.js';
import '../rules/run.js';

export interface RuleListing {
  id: string;
  severity: Severity;
  /** The lint rule's category; `validity` for rules that predict `trust_policy_invalid`; null when none applies. */
  category: string | null;
  /** `safe`: `--fix` applies it; `unsafe`: only `--fix-unsafe`; `safe-or-unsafe`: depends on the finding. */
  fixable: 'safe' | 'unsafe' | 'safe-or-unsafe' | null;
  description: string;
  docsUrl: string;
}

/**
 * Fixes the validator attaches (src/validate/): a rename or a value only case or separators away is
 * safe; a guess further away (`sub` -> `subject`) is unsafe.
 */
const VALIDATION_FIXES: Record<string, RuleListing['fixable']> = {
  'yaml/unquoted-asterisk': 'safe',
  'schema/metadata-name': 'safe',
  'schema/api-version': 'safe-or-unsafe',
  'schema/kind': 'safe-or-unsafe',
  'schema/unknown-key': 'safe-or-unsafe',
  'schema/unknown-claim': 'safe-or-unsafe',
  'schema/unknown-permission': 'safe-or-unsafe',
  'schema/invalid-level': 'safe-or-unsafe',
  'schema/invalid-matcher': 'safe-or-unsafe',
};

const OTHER_CATEGORY: Record<string, string> = {
  'regex/go-version-dependent': 'regex',
  'yaml/merge-key': 'yaml',
  'permissions/unsupported-level': 'permissions',
  'analysis/not-analysed': 'analysis',
  'analysis/subject-template': 'analysis',
  'ignore/missing-reason': 'ignores',
  'ignore/unused': 'ignores',
};

export function listRules(): RuleListing[] {
  const lint = new Map(LINT_RULES.map((r) => [r.meta.id, r.meta]));
  return allRuleMetas().map((m) => {
    const l = lint.get(m.id);
    return {
      id: m.id,
      severity: m.severity,
      category: l?.category ?? (isValidityRuleId(m.id) ? 'validity' : (OTHER_CATEGORY[m.id] ?? null)),
      fixable: l ? (l.fixable ?? null) : (VALIDATION_FIXES[m.id] ?? null),
      description: m.description,
      docsUrl: docsUrl(m.id),
    };
  });
}

export function runRules(opts: { format: 'text' | 'json' }): number {
  const rules = listRules();
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify({ version: 1, rules }, null, 2) + '\n');
    return 0;
  }
  const width = (f: (r: RuleListing) => string) => Math.max(...rules.map((r) => f(r).length));
  const cols: ((r: RuleListing) => string)[] = [(r) => r.id, (r) => r.severity, (r) => r.category ?? '-', (r) => r.fixable ?? '-'];
  const widths = cols.map(width);
  const head = ['RULE', 'SEVERITY', 'CATEGORY', 'FIX'].map((h, i) => h.padEnd(Math.max(widths[i]!, h.length)));
  const pad = (r: RuleListing) => cols.map((c, i) => c(r).padEnd(Math.max(widths[i]!, head[i]!.length))).join('  ');
  const out = [`${head.join('  ')}  DESCRIPTION`];
  for (const r of rules) out.push(`${pad(r)}  ${r.description}`, `${' '.repeat(4)}${r.docsUrl}`);
  out.push('', `${plural(rules.length, 'rule')}. Validity rules always apply (STS would answer trust_policy_invalid); set any other rule's severity in .sts-policy.yaml: rules: {<id>: off|info|warning|error}.`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
