// `security/any-owner`: a rule whose owner-binding matchers all admit every owner on GitHub
// (`subject: "*"`, `repository: "*/infra"`). Anyone can create a repository whose workflow mints
// this token; the documented match-all opt-in should at least stay read-only.
// Witness: a complete token of a repository under an owner you do not control that the rule admits.
import { defineRule } from '../framework.js';
import { admitsAnyOwner, bindsCaller, leakyOwnerMatcher, ownerLanguages, ownerWitness, ruleWitness } from '../../analysis/rule-analysis.js';

export default defineRule({
  meta: { id: 'security/any-owner', severity: 'warning', category: 'security',
    messages: { anyOwner: 'rule {{rule}} admits callers from ANY owner on GitHub{{example}}: anyone can create a repository whose workflow mints this token. If that is intended (the documented match-all opt-in), keep it read-only; otherwise pin the owner: `repository_owner: "acme"` or `repository: "acme/app"`' },
    description: 'A rule admits callers from any owner (organization or user) on GitHub.' },
  check(ctx) {
    const template = ctx.config.subjectTemplate;
    for (const rule of ctx.policy.rules) {
      if (!bindsCaller(rule, template) || !admitsAnyOwner(rule, template)) continue;
      const owner = ownerWitness(ownerLanguages(rule, template).map((l) => l.owners), [...(ctx.trustedOwners ?? [])]);
      const witness = owner ? ruleWitness(rule, { owner }, template) : undefined;
      const m = leakyOwnerMatcher(rule, template)!;
      ctx.report({
        span: m.span,
        messageId: 'anyOwner',
        data: { rule: rule.index + 1, example: witness ? ` (e.g. \`${witness.repository}\`)` : '' },
        witness,
      });
    }
  },
});
