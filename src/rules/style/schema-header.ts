// `style/schema-header`: the `# yaml-language-server: $schema=...` comment is missing from a policy's
// first ten lines. Without it editors do not validate or complete the policy as it is written; STS
// answers the same. Safe fix: insert the header.
// Witness: none (a comment changes no answer).
import { defineRule } from '../framework.js';
import { SCHEMA_URL } from '../../model.js';

export const SCHEMA_HEADER = `# yaml-language-server: $schema=${SCHEMA_URL}`;

export default defineRule({
  meta: { id: 'style/schema-header', severity: 'info', category: 'style', fixable: 'safe',
    messages: { missingHeader: 'add `{{header}}` as the first line so editors complete and validate the policy' },
    description: 'The policy lacks the `# yaml-language-server: $schema=...` header that gives editors completion and validation.' },
  check(ctx) {
    const { text } = ctx.validated.source;
    // The first ten lines, without splitting the whole file.
    let end = 0;
    for (let line = 0; line < 10; line++) {
      const nl = text.indexOf('\n', end);
      if (nl < 0) {
        end = text.length;
        break;
      }
      end = nl + 1;
    }
    if (/^#\s*yaml-language-server:\s*\$schema=/m.test(text.slice(0, end))) return;
    ctx.report({
      span: { line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 },
      messageId: 'missingHeader',
      data: { header: SCHEMA_HEADER },
      fix: { range: [0, 0], text: `${SCHEMA_HEADER}\n`, safe: true, description: 'add the schema header' },
    });
  },
});
