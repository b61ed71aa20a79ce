// Runs the lint rules over a valid policy; a question the analysis cannot decide within its bounds
// becomes an `analysis/not-analysed` info finding, never a crash or a silent pass.
import type { Finding } from '../model.js';
import { makeFinding, registerRule } from '../findings.js';
import { NotAnalysable } from '../analysis/nfa.js';
import type { ValidatedPolicy } from '../validate/policy.js';
import type { LintConfig, Report } from './framework.js';
import { LINT_RULES } from '../../rules/index.js';

for (const r of LINT_RULES) registerRule(r.meta);
registerRule({ id: 'analysis/not-analysed', severity: 'info', description: 'A lint rule could not decide a question within its bounds, or a construct is outside what it analyses.' });

export function runLintRules(validated: ValidatedPolicy, config: LintConfig, trustedOwners?: readonly string[]): Finding[] {
  const policy = validated.policy;
  if (!policy) return [];
  const findings: Finding[] = [];
  for (const rule of LINT_RULES) {
    const setting = config.rules?.[rule.meta.id];
    const severity = setting?.severity;
    if (severity === 'off') continue;
    const ctx = {
      path: validated.path,
      policy,
      validated,
      config,
      trustedOwners,
      options: setting?.options ?? {},
      report: (r: Report) =>
        findings.push(makeFinding(validated.path, rule.meta.id, r.message, r.span, { fix: r.fix ?? null, witness: r.witness, severity: severity ?? r.severity })),
    };
    try {
      rule.check(ctx);
    } catch (e) {
      if (!(e instanceof NotAnalysable)) throw e;
      findings.push(makeFinding(validated.path, 'analysis/not-analysed', `${rule.meta.id} was not analysed for this policy: ${e.message}`, policy.rules[0]?.span ?? { line: 1, column: 1, endLine: 1, endColumn: 1 }));
    }
  }
  return findings;
}
