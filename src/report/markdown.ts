// Markdown for PR comments and job summaries. Policy text comes from untrusted pull requests:
// every value is rendered as an escaped code span, so it cannot inject HTML, links or @-mentions,
// and control characters are shown escaped (report/inert.ts).
import { inert } from './inert.js';

/** A code span that survives backticks, pipes (inside tables) and newlines in the value. */
export function code(value: string): string {
  const flat = inert(value.replace(/[\r\n]+/g, ' ')).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Plain text outside code spans: neutralise Markdown and HTML syntax, mentions and autolinks. */
export function text(value: string): string {
  return inert(value.replace(/[\r\n]+/g, ' '))
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b')
    // GitHub links a bare `scheme://...` or `www.` in text; a zero-width space breaks the pattern.
    .replace(/:\/\//g, ':\u200b//')
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\u200b.`)
    .replace(/&/g, '&amp;');
}
