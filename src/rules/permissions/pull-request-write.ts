// `permissions/pull-request-write`: `write` or `admin` granted to pull_request jobs (a subject
// admitting `repo:OWNER/REPO:pull_request`, or a ref admitting `refs/pull/N/merge`). Code from a pull
// request, not yet reviewed, then runs with that grant.
// Witness: a pull_request token the rule admits.
import { defineRule } from '../framework.js';
import { findWord } from '../../analysis/nfa.js';
import { matcherFor, matcherNfa, ruleGrant, levelRank, ruleWitness } from '../../analysis/rule-analysis.js';
import { pullRequestSubjectFor, shapeNfa, SHAPE } from '../../analysis/shapes.js';

export default defineRule({
  meta: { id: 'permissions/pull-request-write', severity: 'warning', category: 'permissions',
    messages: { pullRequestWrite: 'rule {{rule}} grants {{granted}} to pull_request jobs (`{{example}}`): any branch author in the caller repository can mint it. Grant write only to `ref: refs/heads/main` or a protected `environment`' },
    description: 'Write access granted to pull_request jobs: anyone who can push a branch to the caller repo can mint it.' },
  check(ctx) {
    for (const rule of ctx.policy.rules) {
      const writes = Object.entries(ruleGrant(rule)).filter(([, l]) => levelRank(l) >= 2);
      if (!writes.length) continue;
      const sub = matcherFor(rule, 'subject');
      const ref = matcherFor(rule, 'ref');
      const prShape = pullRequestSubjectFor(ctx.config.subjectTemplate);
      const prSubject = sub && prShape && findWord({ include: [matcherNfa(sub), shapeNfa(prShape)] });
      const prRef = !sub && ref && findWord({ include: [matcherNfa(ref), shapeNfa(SHAPE.pullRequestRef)] });
      if (!prSubject && !prRef) continue;
      const at = prSubject ? sub! : ref!;
      const witness = ruleWitness(rule, { pullRequest: true }, ctx.config.subjectTemplate);
      ctx.report({ span: at.span, messageId: 'pullRequestWrite', data: { rule: rule.index + 1, granted: writes.map(([p, l]) => `\`${p}: ${l}\``).join(', '), example: String((prSubject ? witness?.sub : witness?.ref) ?? prSubject ?? prRef) }, witness });
    }
  },
});
