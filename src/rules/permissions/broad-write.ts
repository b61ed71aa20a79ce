// `permissions/broad-write`: `write` or `admin` granted to more than one calling repository (a
// whole owner, a family); an error when the rule admits any owner or binds no caller. Any of those
// repositories' workflows can then write with the token.
// Witness: a caller's token; the message names two repositories that both get the write grant.
import { defineRule } from '../framework.js';
import { admitsAnyOwner, admitsManyRepos, bindsCaller, ruleWitness, ruleGrant, levelRank } from '../../analysis/rule-analysis.js';

export default defineRule({
  meta: { id: 'permissions/broad-write', severity: 'warning', category: 'permissions',
    messages: {
      anyOwner: 'rule {{rule}} grants {{granted}} to callers from any owner{{example}}: anyone who can run a workflow there can write to this repository. Pin the caller with `repository` (and `ref` or `environment`)',
      manyRepos: 'rule {{rule}} grants {{granted}} to every repository it admits (e.g. {{examples}}), not one caller: pin `repository` (and `ref` or `environment`) for write access',
    },
    description: '`write` or `admin` granted to a rule that admits many repositories (an error when it admits any owner).' },
  check(ctx) {
    const template = ctx.config.subjectTemplate;
    for (const rule of ctx.policy.rules) {
      const writes = Object.entries(ruleGrant(rule)).filter(([, l]) => levelRank(l) >= 2);
      if (!writes.length) continue;
      const granted = writes.map(([p, l]) => `\`${p}: ${l}\``).join(', ');
      const span = rule.permissionSpans[writes[0]![0]] ?? rule.span;
      if (!bindsCaller(rule, template) || admitsAnyOwner(rule, template)) {
        const witness = ruleWitness(rule, { owner: 'evil-org' }, template);
        ctx.report({ span, severity: 'error', messageId: 'anyOwner', data: { rule: rule.index + 1, granted, example: witness ? ` (e.g. \`${witness.repository}\`)` : '' }, witness });
        continue;
      }
      const { many, examples } = admitsManyRepos(rule, template);
      if (!many) continue;
      const witness = ruleWitness(rule, examples[1] ? { owner: examples[1].split('/')[0], repo: examples[1].split('/')[1] } : {}, template);
      ctx.report({ span, messageId: 'manyRepos', data: { rule: rule.index + 1, granted, examples: examples.map((e) => `\`${e}\``).join(', ') }, witness });
    }
  },
});
