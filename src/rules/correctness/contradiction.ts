// `correctness/contradiction`: two matchers of one rule that can never hold together (a subject
// pinning acme/a with a repository pinning acme/b, ref_type tag with a refs/heads/ ref), decided on
// the claims' automata; any other rule no token satisfies (the token model, for the config's
// `subjectTemplate` or GitHub's default) names the first pair of matchers that no token satisfies
// together. Such a rule never matches: the caller it was written for gets no token.
// Witness: none; the message names the two matchers and why no token satisfies both.
import { defineRule, relatedAt } from '../framework.js';
import { concat, findWord, fromLiteral, NotAnalysable } from '../../analysis/nfa.js';
import { admitsToken, matcherAdmitsValue, matcherFor, matcherNfa, ownerLanguages, ownerShape, repoLanguages, repoShape } from '../../analysis/rule-analysis.js';
import { shapeNfa, SHAPE, CLAIM_SHAPE } from '../../analysis/shapes.js';
import type { Matcher, Rule } from '../../model.js';

/** The refs a token with this ref_type can carry (GITHUB-OIDC.md; `""` for deployment events). */
const REFS_FOR = { branch: SHAPE.branchRef, tag: SHAPE.tagRef } as const;

export default defineRule({
  meta: { id: 'correctness/contradiction', severity: 'error', category: 'correctness', messages: { neverMatches: 'rule {{rule}} can never match: {{problem}}' }, description: 'Two matchers of one rule can never hold together (e.g. subject pins `acme/a`, repository pins `acme/b`).' },
  check(ctx) {
    const template = ctx.config.subjectTemplate;
    for (const rule of ctx.policy.rules) {
      const owners = ownerLanguages(rule, ctx.config.subjectTemplate);
      const repos = repoLanguages(rule, ctx.config.subjectTemplate);
      let problem: string | undefined;
      let at = rule.matchers[0]!;
      // The matchers `at` contradicts, shown as related locations.
      let others: Matcher[] = [];
      let pair: { sub: Matcher; env: Matcher } | undefined;
      let dead: Matcher[] | undefined;
      if (owners.length > 1 && owners.every((o) => findWord({ include: [o.owners, ownerShape()] }) !== undefined) && findWord({ include: [...owners.map((o) => o.owners), ownerShape()] }) === undefined) {
        problem = `no owner satisfies ${owners.map((o) => `\`${o.matcher.claim}: ${o.matcher.pattern}\``).join(' and ')} together`;
        at = owners[1]!.matcher;
        others = owners.map((o) => o.matcher).filter((m) => m !== at);
      } else if (repos.length > 1 && repos.every((r) => findWord({ include: [r.repos, repoShape()] }) !== undefined) && findWord({ include: [...repos.map((r) => r.repos), repoShape()] }) === undefined) {
        problem = `no repository satisfies ${repos.map((r) => `\`${r.matcher.claim}: ${r.matcher.pattern}\``).join(' and ')} together`;
        at = repos[1]!.matcher;
        others = repos.map((r) => r.matcher).filter((m) => m !== at);
      } else if ((pair = environmentWithoutSubject(rule, template))) {
        problem = `\`environment: ${pair.env.pattern}\` needs a job with an environment, whose subject is \`repo:OWNER/REPO:environment:NAME\` (NAME the environment), and \`subject: ${pair.sub.pattern}\` matches no such subject`;
        at = pair.sub;
        others = [pair.env];
      } else {
        const ref = matcherFor(rule, 'ref');
        const refType = matcherFor(rule, 'ref_type');
        if (ref && refType) {
          const types = (['branch', 'tag'] as const).filter((t) => findWord({ include: [matcherNfa(refType), fromLiteral(t)] }) !== undefined);
          if (types.length && !types.some((t) => findWord({ include: [matcherNfa(ref), shapeNfa(REFS_FOR[t])] }) !== undefined)) {
            problem = `\`ref_type: ${refType.pattern}\` never comes with a ref matching \`${ref.pattern}\` (branches are \`refs/heads/...\`, tags \`refs/tags/...\`)`;
            at = refType;
            others = [ref];
          }
        }
      }
      // The cases above have their own words; what else no token (of the template) satisfies, the token model finds.
      if (!problem && (dead = deadTogether(rule, template))) {
        problem = `${template?.length ? `with \`subjectTemplate: [${template.join(', ')}]\`, ` : ''}no token GitHub can issue satisfies ${dead.map((m) => `\`${m.claim}: ${m.pattern}\``).join(' and ')}${dead.length > 1 ? ' together' : ''}`;
        at = dead[dead.length - 1]!;
        others = dead.slice(0, -1);
      }
      if (problem)
        ctx.report({
          span: at.span,
          messageId: 'neverMatches',
          data: { rule: rule.index + 1, problem },
          related: others.map((m) => relatedAt(m.span, `\`${m.claim}: ${m.pattern}\`, which this matcher contradicts`)),
        });
    }
  },
});

/**
 * The matchers of a rule that admits no token of the model (for the subject template, GitHub's
 * default when absent) though each admits some value of its claim (a matcher that admits none is
 * correctness/dead-matcher's): the first pair that admits no token together, else all of them.
 */
function deadTogether(rule: Rule, template: readonly string[] | undefined): Matcher[] | undefined {
  // A matcher not analysed is named by correctness/dead-matcher; the policy's other rules are still judged.
  try {
    if (!rule.matchers.every((m) => matcherAdmitsValue(m, template))) return undefined;
  } catch (e) {
    if (e instanceof NotAnalysable) return undefined;
    throw e;
  }
  if (admitsToken(rule, template)) return undefined;
  for (const [i, m] of rule.matchers.entries())
    for (const other of rule.matchers.slice(0, i)) if (!admitsToken({ ...rule, matchers: [other, m] }, template)) return [other, m];
  return [...rule.matchers];
}

/**
 * With GitHub's default subject, a job that has an environment (the `environment` matcher needs
 * one) carries `repo:OWNER/REPO:environment:NAME`: a subject matcher admitting no such subject
 * for the names the environment matcher admits leaves the rule dead (a custom template: `deadTogether`).
 */
function environmentWithoutSubject(rule: Rule, template: readonly string[] | undefined): { sub: Matcher; env: Matcher } | undefined {
  const sub = matcherFor(rule, 'subject');
  const env = matcherFor(rule, 'environment');
  if (template?.length || !sub || !env) return undefined;
  // A subject no default-format token has at all is correctness/dead-matcher's finding.
  if (findWord({ include: [matcherNfa(sub), shapeNfa(CLAIM_SHAPE.subject)] }) === undefined) return undefined;
  const environmentSubjects = concat(shapeNfa(SHAPE.environmentSubjectPrefix), matcherNfa(env));
  return findWord({ include: [matcherNfa(sub), environmentSubjects, shapeNfa(CLAIM_SHAPE.subject)] }) === undefined ? { sub, env } : undefined;
}
