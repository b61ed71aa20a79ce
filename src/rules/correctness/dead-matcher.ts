// `correctness/dead-matcher`: a matcher no real GitHub Actions token can satisfy (`ref: main`, a
// repository without `/`, a subject outside GitHub's default format), judged against each claim's
// shape. Its rule never matches, so the caller it was meant for is denied.
// Witness: none; the message says the claim's format and why the pattern misses it (unsafe fix offered).
import { defineRule } from '../framework.js';
import { findWord, afterPrefix, fromLiteral } from '../../analysis/nfa.js';
import { matcherAdmitsValue, matcherNfa } from '../../analysis/rule-analysis.js';
import { CLAIM_FORMAT } from '../../analysis/shapes.js';
import type { Matcher } from '../../model.js';

export default defineRule({
  meta: { id: 'correctness/dead-matcher', severity: 'error', category: 'correctness', fixable: 'unsafe',
    messages: {
      customSubject: 'no default-format subject matches `{{pattern}}` ({{format}}): fine if your org uses a custom `sub` template, but declare it as `subjectTemplate:` in .sts-policy.yaml: until then lint and diff (and pr-check and audit without a token) read subjects with GitHub\'s default template, under which rule {{rule}} admits nobody',
      templateSubject: '`subject: {{pattern}}` can never match, so rule {{rule}} never matches: with `subjectTemplate: [{{template}}]` a subject is {{format}}',
      neverMatches: '`{{claim}}: {{pattern}}` can never match, so rule {{rule}} never matches: `{{claim}}` is {{format}}{{explanation}}',
    },
    description: 'A matcher no real GitHub token can satisfy, so its rule never matches.' },
  check(ctx) {
    const template = ctx.config.subjectTemplate;
    for (const rule of ctx.policy.rules)
      for (const m of rule.matchers) {
        if (matcherAdmitsValue(m, template)) continue;
        // A subject that does not even start like `repo:` may be an org's custom template.
        const custom = m.claim === 'subject' && !template && !afterPrefix(matcherNfa(m), 'repo:').starts.length;
        ctx.report({
          span: m.span,
          ...(custom
            ? { messageId: 'customSubject', data: { pattern: m.pattern, format: CLAIM_FORMAT.subject, rule: rule.index + 1 } }
            : m.claim === 'subject' && template
              ? { messageId: 'templateSubject', data: { pattern: m.pattern, rule: rule.index + 1, template: template.join(', '), format: templateFormat(template) } }
              : { messageId: 'neverMatches', data: { claim: m.claim, pattern: m.pattern, rule: rule.index + 1, format: CLAIM_FORMAT[m.claim], explanation: explain(m) } }),
          severity: custom ? 'info' : undefined,
          fix: suggestion(m),
        });
      }
  },
});

/** A subject under the org's template, for messages: `repo:OWNER/REPO:CONTEXT:job_workflow_ref:VALUE`. */
function templateFormat(template: readonly string[]): string {
  const shape = template.map((k) => (k === 'repo' ? 'repo:OWNER/REPO' : k === 'context' ? 'CONTEXT' : `${k}:VALUE`)).join(':');
  return `\`${shape}\`${template.includes('context') ? ' (CONTEXT: `ref:REF`, `environment:ENV` or `pull_request`)' : ''}, a \`:\` in a value written \`%3A\``;
}

function explain(m: Matcher): string {
  if (m.claim === 'ref' && !m.pattern.startsWith('refs/')) return `; did you mean \`refs/heads/${m.pattern}\`?`;
  if (m.claim === 'repository' && !m.pattern.includes('/')) return `: \`${m.pattern}\` has no owner`;
  if (m.claim === 'repository_owner' && m.pattern.includes('/')) return `; for a repository write \`repository: "${m.pattern}"\``;
  if (m.claim === 'ref_type') return `; did you mean \`${m.pattern.startsWith('t') ? 'tag' : 'branch'}\`?`;
  if (m.claim === 'sha' && /[A-F]/.test(m.pattern)) return ': GitHub writes SHAs in lowercase';
  return '';
}

function suggestion(m: Matcher) {
  if (m.kind !== 'glob') return null;
  const to = m.claim === 'ref' && !m.pattern.startsWith('refs/') && findWord({ include: [fromLiteral(`refs/heads/${m.pattern}`)] }) ? `refs/heads/${m.pattern}` : m.claim === 'sha' ? m.pattern.toLowerCase() : undefined;
  if (!to || to === m.pattern) return null;
  return { range: [m.span.start, m.span.end] as [number, number], text: JSON.stringify(to), safe: false, description: `write "${to}"` };
}
