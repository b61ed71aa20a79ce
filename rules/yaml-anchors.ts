import { visit, isScalar } from 'yaml';
import { defineRule } from '../src/rules/framework.js';

export default defineRule({
  meta: { id: 'style/yaml-anchors', severity: 'warning', category: 'style', description: 'YAML anchors, aliases and merge keys hide what a policy grants from its reviewers.' },
  check(ctx) {
    const { doc, source } = ctx.validated;
    if (!doc) return;
    const report = (range: readonly number[] | null | undefined, what: string) =>
      range && ctx.report({ span: source.span(range[0]!, range[1]!), message: `${what}: a reviewer must resolve it to see what the policy grants; write the values out` });
    visit(doc, {
      Alias(_, n) {
        report(n.range, `alias \`*${n.source}\``);
      },
      Pair(_, p) {
        if (isScalar(p.key) && p.key.value === '<<') report(p.key.range, 'merge key `<<`');
      },
      Node(_, n) {
        if ('anchor' in n && n.anchor && n.range) report([n.range[0], n.range[0]], `anchor \`&${n.anchor}\``);
      },
    });
  },
});
