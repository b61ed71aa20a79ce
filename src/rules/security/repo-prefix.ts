// `security/repo-prefix`: a repository pattern that extends a whole name (`acme/infra*`), so it also
// admits every repository whose name starts with it (`acme/infra-sandbox`). Whoever can create a
// repository in the owner can mint. Families ending in a separator (`acme/platform-*`) are not reported.
// Witness: a token from such a repository.
import { defineRule } from '../framework.js';
import { findWord, someWord, afterPrefix, fromGlob } from '../../analysis/nfa.js';
import { accepts, admitsAnyOwner, ownerLanguages, ownerShape, repoLanguages, ruleWitness } from '../../analysis/rule-analysis.js';
import { shapeNfa, REPO_NAME, SHAPE } from '../../analysis/shapes.js';

export default defineRule({
  meta: { id: 'security/repo-prefix', severity: 'warning', category: 'security',
    messages: { repoPrefix: '`{{pattern}}` admits `{{owner}}/{{shortest}}` and also `{{owner}}/{{repo}}`: any repository whose name starts with `{{shortest}}` can mint. Pin the name (`{{owner}}/{{shortest}}`) or end the prefix with a separator (`{{owner}}/{{shortest}}-*`)' },
    description: 'A repository pattern such as `acme/infra*` also admits `acme/infra-sandbox`.' },
  check(ctx) {
    const template = ctx.config.subjectTemplate;
    for (const rule of ctx.policy.rules) {
      if (admitsAnyOwner(rule, template)) continue;
      const owners = ownerLanguages(rule, template).map((o) => o.owners);
      const owner = owners.length ? findWord({ include: [...owners, ownerShape()] }) : undefined;
      if (!owner) continue;
      for (const { matcher, repos } of repoLanguages(rule, template)) {
        const names = afterPrefix(repos, `${owner}/`);
        // Every repository of the owner (`acme/*`) is a deliberate grant, not a confusion.
        if (!names.starts.length || !someWord({ include: [shapeNfa(REPO_NAME)], exclude: [names] }, ['a', 'other-repo'])) continue;
        const shortest = findWord({ include: [names, shapeNfa(REPO_NAME)] });
        // `acme/*` and `acme/platform-*` name a family on purpose; `acme/infra*` extends a whole name.
        if (!shortest || /[-_.]$/.test(shortest)) continue;
        // Only an open-ended pattern admits names nobody chose: a list (`(?:infra|infra-live)`) never reaches 101 characters (GitHub's limit is 100).
        if (!someWord({ include: [names, shapeNfa(REPO_NAME), shapeNfa(SHAPE.overlongRepoName)] }, [`${shortest}${'a'.repeat(101)}`, `${shortest}-${'a'.repeat(100)}`])) continue;
        const repo = ['sandbox', 'test', 'evil'].map((s) => `${shortest}-${s}`).find((c) => accepts(names, c)) ?? findWord({ include: [names, fromGlob(`${shortest}?*`), shapeNfa(REPO_NAME)] });
        if (!repo) continue;
        const witness = ruleWitness(rule, { owner, repo }, template);
        ctx.report({
          span: matcher.span,
          messageId: 'repoPrefix',
          data: { pattern: matcher.pattern, owner, shortest, repo },
          witness,
        });
      }
    }
  },
});
