// Reads the rule pages under docs/rules: their sections, fenced blocks, and the lint configuration
// a page declares under `## Options`, so docs.test.ts and lint-rules.test.ts lint the same examples.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { LintConfig } from '../../src/rules/framework.js';
import { ROOT } from './cli.js';

export const DOCS = join(ROOT, 'docs/rules');

/** Rule ids of the pages under docs/rules (`schema/unknown-claim` for schema/unknown-claim.md). */
export function pageIds(dir = DOCS, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return pageIds(join(dir, e.name), `${prefix}${e.name}/`);
    if (!e.name.endsWith('.md') || (prefix === '' && e.name === 'README.md')) return [];
    return [`${prefix}${e.name.slice(0, -'.md'.length)}`];
  });
}

export interface Block {
  lang: string;
  body: string;
}

export interface Page {
  text: string;
  sections: Map<string, string>;
}

export function readPage(id: string): Page {
  const text = readFileSync(join(DOCS, `${id}.md`), 'utf8');
  const sections = new Map<string, string>();
  const parts = text.split(/^## (.+)$/m);
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i]!.trim(), parts[i + 1] ?? '');
  return { text, sections };
}

export function blocks(section: string | undefined): Block[] {
  return [...(section ?? '').matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));
}

/** The lint configuration a page's examples are linted with: the ```yaml block under `## Options`, if any. */
export function pageConfig(page: Page): LintConfig | undefined {
  const found = blocks(page.sections.get('Options')).filter((b) => b.lang === 'yaml');
  return found.length ? (parse(found[0]!.body) as LintConfig) : undefined;
}
