// The static rule registry (src/rules/index.ts): every rule is listed once, and a lint rule's module
// path, id, docs page and fixture folder share one name; each module opens with its contract header.
// Message templates fill every placeholder.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRuleMetas, ruleMeta } from '../src/index.js';
import { LINT_RULES, RULES } from '../src/rules/index.js';
import { formatMessage, type LintRule } from '../src/rules/framework.js';
import { ROOT } from './helpers/cli.js';

const RULES_DIR = join(ROOT, 'src/rules');
const categories = readdirSync(RULES_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const ruleFiles = categories.flatMap((c) => readdirSync(join(RULES_DIR, c)).filter((f) => f.endsWith('.ts')).map((f) => `${c}/${f.slice(0, -3)}`));

describe('the rule registry', () => {
  it('lists every rule once, in listing order, and is what findings are made from', () => {
    const ids = RULES.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(allRuleMetas().map((m) => m.id)).toEqual(ids);
    for (const m of RULES) expect(ruleMeta(m.id)).toBe(m);
    expect(() => ruleMeta('security/no-such-rule')).toThrow(/unregistered rule id/);
  });

  it('has no rule outside src/rules/ (the top-level rules/ folder is gone)', () => {
    const old = join(ROOT, 'rules');
    expect(existsSync(old) ? readdirSync(old) : []).toEqual([]);
  });

  it('has one module per lint rule at src/rules/<id>.ts, exporting that rule', async () => {
    expect(ruleFiles.sort()).toEqual(LINT_RULES.map((r) => r.meta.id).sort());
    for (const id of ruleFiles) {
      const mod = (await import(/* @vite-ignore */ join(RULES_DIR, `${id}.ts`))) as { default: LintRule };
      expect(LINT_RULES).toContain(mod.default);
      expect(mod.default.meta.id).toBe(id);
    }
  });

  it.each(LINT_RULES.map((r) => r.meta.id))('%s has its docs page and fixture folder under the same name', (id) => {
    expect(existsSync(join(ROOT, `docs/rules/${id}.md`))).toBe(true);
    expect(existsSync(join(ROOT, `fixtures/rules/${id.replace('/', '-')}`))).toBe(true);
  });

  it.each(ruleFiles)('src/rules/%s.ts opens with a header: its id, what it catches and why, and its witness', (id) => {
    const lines = readFileSync(join(RULES_DIR, `${id}.ts`), 'utf8').split('\n');
    const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')));
    expect(header[0]).toMatch(new RegExp(`^// \`${id}\`: \\S`));
    expect(header.length, 'what it catches and why it matters, then the witness').toBeGreaterThanOrEqual(3);
    expect(header.at(-1)).toMatch(/^\/\/ Witness: \S/);
  });

  it('every lint rule declares its messages, each with a distinct text', () => {
    for (const { meta } of LINT_RULES) {
      const texts = Object.values(meta.messages);
      expect(texts.length, meta.id).toBeGreaterThanOrEqual(1);
      expect(new Set(texts).size, meta.id).toBe(texts.length);
    }
    const style = LINT_RULES.find((r) => r.meta.id === 'regex/style')!;
    expect(Object.keys(style.meta.messages).sort()).toEqual(['nestedQuantifier', 'redundantAnchor']);
  });
});

describe('formatMessage', () => {
  it('fills each placeholder with its data, once, without reading placeholders inside the data', () => {
    expect(formatMessage('rule {{rule}} admits `{{owner}}` ({{rule}})', { rule: 2, owner: '{{rule}}' })).toBe('rule 2 admits `{{rule}}` (2)');
  });

  it('throws on a placeholder without data (a bug in the rule, caught by the fixtures)', () => {
    expect(() => formatMessage('rule {{rule}} admits {{owner}}', { rule: 1 })).toThrow('message placeholder {{owner}} has no data');
  });
});
