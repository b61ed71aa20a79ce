// `security/untrusted-owner`: a rule that admits callers from an owner outside the trusted owners
// (`owners:` in .sts-policy.yaml, else the origin remote's owner), named outright or let in by a
// pattern. A workflow there can mint: an error (a warning when no whole token of that owner fits).
// Witness: a token from such an owner that the rule admits.
import { defineRule } from '../framework.js';
import { accepts, admitsAnyOwner, leakyOwnerMatcher, ownerLanguages, ownerPin, ownerWitness, ruleWitness } from '../../analysis/rule-analysis.js';

export default defineRule({
  meta: { id: 'security/untrusted-owner', severity: 'error', category: 'security',
    messages: { untrustedOwner: 'rule {{rule}} admits the owner `{{owner}}`, which is not a trusted owner ({{trusted}}): a workflow there can mint this token. {{fix}}' },
    description: 'A rule admits an owner outside the trusted owners (config `owners:`, else the source repo\'s owner).' },
  check(ctx) {
    const trusted = ctx.trustedOwners;
    if (!trusted?.length) return;
    const template = ctx.config.subjectTemplate;
    for (const rule of ctx.policy.rules) {
      const langs = ownerLanguages(rule, template);
      // No owner to read (none bound, or a subject whose template names none, such as `[context]`).
      if (!langs.length || admitsAnyOwner(rule, template)) continue;
      const owner = ownerWitness(langs.map((l) => l.owners), [...trusted], trusted[0]);
      if (owner === undefined) continue;
      const witness = ruleWitness(rule, { owner }, template);
      const m = leakyOwnerMatcher(rule, template)!;
      // A pattern that admits a trusted owner too is a prefix (`acme*`): pin that owner; else the rule names another owner.
      const mine = trusted.find((t) => langs.every((l) => accepts(l.owners, t)));
      const fix = mine ? ownerPin(m, mine, template) : `Narrow the rule to a trusted owner, remove it, or, if \`${owner}\` is meant to mint, add it to \`owners:\` in .sts-policy.yaml`;
      ctx.report({
        span: m.span,
        messageId: 'untrustedOwner',
        data: { rule: rule.index + 1, owner: String(owner), trusted: trusted.map((o) => `\`${o}\``).join(', '), fix },
        witness,
        // Without a whole token that mints, no outsider is shown to get in: a warning.
        severity: witness ? undefined : 'warning',
      });
    }
  },
});
