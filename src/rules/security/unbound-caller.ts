// `security/unbound-caller`: a rule that matches only claims that do not identify the calling
// repository (environment, ref, ref_type, actor, sha). Any repository in the workspace with that
// environment name, branch or actor can mint.
// Witness: such a token from a repository you do not own.
import { defineRule } from '../framework.js';
import { bindsCaller, ruleWitness } from '../../analysis/rule-analysis.js';

export default defineRule({
  meta: { id: 'security/unbound-caller', severity: 'warning', category: 'security',
    messages: { unboundCaller: 'rule {{rule}} matches only {{claims}}: nothing binds the calling repository, so any repository in the workspace{{example}} with that {{what}} can mint. Add `repository` or `repository_owner`' },
    description: 'A rule matches only on environment, ref, ref_type, actor or sha: any repository can mint.' },
  check(ctx) {
    for (const rule of ctx.policy.rules) {
      if (bindsCaller(rule, ctx.config.subjectTemplate)) continue;
      const witness = ruleWitness(rule, { owner: 'evil-org', repo: 'app' }, ctx.config.subjectTemplate);
      const claims = rule.matchers.map((m) => `\`${m.claim}\``).join(', ');
      ctx.report({
        span: rule.matchers[0]?.keySpan ?? rule.span,
        messageId: 'unboundCaller',
        data: { rule: rule.index + 1, claims, example: witness ? ` (e.g. \`${witness.repository}\`)` : '', what: rule.matchers.length > 1 ? 'combination' : 'value' },
        witness,
      });
    }
  },
});
