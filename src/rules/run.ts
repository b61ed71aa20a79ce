// Runs the lint rules over a valid policy (or the valid rules of an invalid one); a question the
// analysis cannot decide within its bounds becomes an `analysis/not-analysed` info finding, never a
// crash or a silent pass, except that a security rule reports a matcher it cannot analyse at its
// own severity (it may admit anything).
import type { Finding, Matcher, Policy, Rule, Severity } from '../model.js';
import { matcherNfa } from '../analysis/rule-analysis.js';
import { makeFinding, registerRule } from '../findings.js';
import { NotAnalysable } from '../analysis/nfa.js';
import { lintedPolicy, type ValidatedPolicy } from '../validate/policy.js';
import type { LintConfig, Report, RuleContext } from './framework.js';
import { LINT_RULES } from './index.js';

for (const r of LINT_RULES) registerRule(r.meta);
registerRule({ id: 'analysis/not-analysed', severity: 'info', description: 'A lint rule could not decide a question within its bounds, or a construct is outside what it analyses.' });

export function runLintRules(validated: ValidatedPolicy, config: LintConfig, trustedOwners?: readonly string[]): Finding[] {
  const policy = lintedPolicy(validated);
  if (!policy) return [];
  const findings: Finding[] = [];
  // One context per policy, pointed at each rule in turn (a lint of many files ran 20 rules each).
  let id = '';
  let severity: Severity | undefined;
  const ctx: Omit<RuleContext, 'options' | 'policy'> & { options: Record<string, unknown>; policy: Policy } = {
    path: validated.path,
    policy,
    validated,
    config,
    trustedOwners,
    options: {},
    report: (r: Report) => findings.push(makeFinding(validated.path, id, r.message, r.span, { fix: r.fix ?? null, witness: r.witness, severity: severity ?? r.severity })),
  };
  for (const rule of LINT_RULES) {
    const setting = config.rules?.[rule.meta.id];
    if (setting?.severity === 'off') continue;
    id = rule.meta.id;
    severity = setting?.severity;
    ctx.options = setting?.options ?? {};
    try {
      rule.check(ctx);
    } catch (e) {
      if (!(e instanceof NotAnalysable)) throw e;
      // A security rule cannot call a matcher it cannot read narrow: it may admit anything. Those
      // rules are reported at the rule's severity, and the others checked without them.
      const unread = rule.meta.category === 'security' ? unanalysable(policy.rules) : [];
      try {
        if (!unread.length) throw e;
        for (const u of unread)
          ctx.report({ span: u.matcher.span, message: `the \`${u.matcher.claim}\` regex of rule ${u.rule.index + 1} could not be analysed (${u.reason}), so ${rule.meta.id} could not prove it narrower than any caller: it may admit anything. Simplify it so it can be checked` });
        ctx.policy = { ...policy, rules: policy.rules.filter((r) => !unread.some((u) => u.rule === r)) };
        rule.check(ctx);
      } catch (again) {
        if (!(again instanceof NotAnalysable)) throw again;
        findings.push(makeFinding(validated.path, 'analysis/not-analysed', `${rule.meta.id} was not analysed for this policy: ${again.message}`, policy.rules[0]?.span ?? { line: 1, column: 1, endLine: 1, endColumn: 1 }));
      } finally {
        ctx.policy = policy;
      }
    }
  }
  return findings;
}

/** The matchers whose language cannot be built, with their rule and why. */
function unanalysable(rules: readonly Rule[]): { rule: Rule; matcher: Matcher; reason: string }[] {
  const out: { rule: Rule; matcher: Matcher; reason: string }[] = [];
  for (const rule of rules)
    for (const matcher of rule.matchers)
      try {
        matcherNfa(matcher);
      } catch (e) {
        if (!(e instanceof NotAnalysable)) throw e;
        out.push({ rule, matcher, reason: e.message });
      }
  return out;
}
