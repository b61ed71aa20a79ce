// Runs the lint rules over a valid policy (or the valid rules of an invalid one); a question the
// analysis cannot decide within its bounds becomes an `analysis/not-analysed` info finding, never a
// crash or a silent pass, except that a security rule reports a matcher it cannot analyse at its
// own severity (it may admit anything). A rule that admits no token is reported by the correctness
// rules alone (dead or contradiction): the rules about whom a rule admits (security, permissions,
// interplay) do not see it (SPEC.md §5).
import type { Finding, Matcher, Policy, Rule, Severity } from '../model.js';
import { admitsToken, matcherNfa } from '../analysis/rule-analysis.js';
import { makeFinding } from '../findings.js';
import { NotAnalysable } from '../analysis/nfa.js';
import { lintedPolicy, type ValidatedPolicy } from '../validate/policy.js';
import { formatMessage, type LintConfig, type Report, type RuleContext, type RuleMetaExt } from './framework.js';
import { LINT_RULES, NOT_ANALYSED } from './index.js';

export function runLintRules(validated: ValidatedPolicy, config: LintConfig, trustedOwners?: readonly string[]): Finding[] {
  const policy = lintedPolicy(validated);
  if (!policy) return [];
  const findings: Finding[] = [];
  // The policy without the rules that admit no token, built when a rule about callers first needs it.
  let admitting: Policy | undefined;
  const policyFor = (category: RuleMetaExt['category']): Policy =>
    !CALLER_CATEGORIES.has(category) ? policy : (admitting ??= { ...policy, rules: policy.rules.filter((r) => admitsToken(r, config.subjectTemplate)) });
  // One context per policy, pointed at each rule in turn (a lint of many files ran 20 rules each).
  let id = '';
  let severity: Severity | undefined;
  let messages: Record<string, string> = {};
  // `policy` is set per rule: without the rules admitting no token for the rules about callers, and
  // without the unanalysable rules when a security rule meets one it cannot read.
  const ctx: Omit<RuleContext, 'policy'> & { policy: Policy } = {
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
    const base = (ctx.policy = policyFor(rule.meta.category));
    try {
      rule.check(ctx);
    } catch (e) {
      if (!(e instanceof NotAnalysable)) throw e;
      // A security rule cannot call a matcher it cannot read narrow: it may admit anything. Those
      // rules are reported at the rule's severity, and the others checked without them.
      const unread = rule.meta.category === 'security' ? unanalysable(base.rules) : [];
      try {
        if (!unread.length) throw e;
        for (const u of unread)
          findings.push(makeFinding(validated.path, id, `the \`${u.matcher.claim}\` regex of rule ${u.rule.index + 1} could not be analysed (${u.reason}), so ${id} could not prove it narrower than any caller: it may admit anything. Simplify it so it can be checked`, u.matcher.span, { severity }));
        ctx.policy = { ...base, rules: base.rules.filter((r) => !unread.some((u) => u.rule === r)) };
        rule.check(ctx);
      } catch (again) {
        if (!(again instanceof NotAnalysable)) throw again;
        findings.push(makeFinding(validated.path, NOT_ANALYSED.id, `${rule.meta.id} was not analysed for this policy: ${again.message}`, policy.rules[0]?.span ?? { line: 1, column: 1, endLine: 1, endColumn: 1 }));
      }
    }
  }
  return findings;
}

/** The rules about whom a rule admits: a rule that admits no token is not theirs to judge. */
const CALLER_CATEGORIES = new Set<RuleMetaExt['category']>(['security', 'permissions', 'interplay']);

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
