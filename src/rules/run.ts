// Runs the lint rules over a valid policy; a question the analysis cannot decide within its bounds
// becomes an `analysis/not-analysed` info finding, never a crash or a silent pass.
import type { Finding, Severity } from '../model.js';
import { makeFinding } from '../findings.js';
import { NotAnalysable } from '../analysis/nfa.js';
import type { ValidatedPolicy } from '../validate/policy.js';
import { formatMessage, type LintConfig, type Report, type RuleContext } from './framework.js';
import { LINT_RULES, NOT_ANALYSED } from './index.js';

export function runLintRules(validated: ValidatedPolicy, config: LintConfig, trustedOwners?: readonly string[]): Finding[] {
  const policy = validated.policy;
  if (!policy) return [];
  const findings: Finding[] = [];
  // One context per policy, pointed at each rule in turn (a lint of many files ran 20 rules each).
  let id = '';
  let severity: Severity | undefined;
  let messages: Record<string, string> = {};
  const ctx: RuleContext = {
    path: validated.path,
    policy,
    validated,
    config,
    trustedOwners,
    report: (r: Report) => findings.push(makeFinding(validated.path, id, formatMessage(messages[r.messageId]!, r.data), r.span, { fix: r.fix ?? null, witness: r.witness, related: r.related, severity: severity ?? r.severity })),
  };
  for (const rule of LINT_RULES) {
    const setting = config.rules?.[rule.meta.id];
    if (setting?.severity === 'off') continue;
    id = rule.meta.id;
    severity = setting?.severity;
    messages = rule.meta.messages;
    try {
      rule.check(ctx);
    } catch (e) {
      if (!(e instanceof NotAnalysable)) throw e;
      findings.push(makeFinding(validated.path, NOT_ANALYSED.id, `${rule.meta.id} was not analysed for this policy: ${e.message}`, policy.rules[0]?.span ?? { line: 1, column: 1, endLine: 1, endColumn: 1 }));
    }
  }
  return findings;
}
