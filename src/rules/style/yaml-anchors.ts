// `style/yaml-anchors`: YAML anchors (`&name`) and aliases (`*name`), each reported where it is
// written. STS resolves them, but a reviewer must too to see what the policy grants, so a widening can
// hide in an alias.
// Witness: none (the finding is about how the policy reads, not what it grants).
import { visit } from 'yaml';
import { defineRule } from '../framework.js';

export default defineRule({
  meta: { id: 'style/yaml-anchors', severity: 'warning', category: 'style',
    messages: { hidden: '{{construct}}: a reviewer must resolve it to see what the policy grants; write the values out' },
    description: 'YAML anchors and aliases hide what a policy grants from its reviewers.' },
  check(ctx) {
    const { doc, source } = ctx.validated;
    // Anchors need `&` in the text (a valid policy's alias names an anchor): skip the walk
    // otherwise (`*` alone is in most globs). Merge keys are yaml/merge-key errors.
    if (!doc || !source.text.includes('&')) return;
    const report = (range: readonly number[] | null | undefined, what: string) =>
      range && ctx.report({ span: source.span(range[0]!, range[1]!), messageId: 'hidden', data: { construct: what } });
    visit(doc, {
      Alias(_, n) {
        report(n.range, `alias \`*${n.source}\``);
      },
      Node(_, n) {
        if (!('anchor' in n) || !n.anchor || !n.range) return;
        // The node's range starts at its value; the `&name` written before it is where the anchor is.
        const at = source.text.lastIndexOf(`&${n.anchor}`, n.range[0]);
        report(at >= 0 ? [at, at + n.anchor.length + 1] : [n.range[0], n.range[0]], `anchor \`&${n.anchor}\``);
      },
    });
  },
});
