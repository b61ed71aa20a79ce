// `sts-policy rules`: every registered rule (validation and lint) with its severity, category,
// fixability, description and docs URL, as text and as JSON.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRuleMetas, docsUrl } from '../src/index.js';
import { LINT_RULES } from '../src/rules/index.js';
import { listRules } from '../src/cli/rules.js';
import { spawnSync } from 'node:child_process';
import { CLI, ROOT, runCli } from './helpers/cli.js';

interface Listed {
  id: string;
  severity: string;
  category: string | null;
  fixable: string | null;
  description: string;
  docsUrl: string;
}

describe('sts-policy rules --format json', () => {
  const r = runCli(['rules', '--format', 'json']);
  const listed = (JSON.parse(r.stdout) as { version: number; rules: Listed[] }).rules;

  it('lists every registered rule once, in registry order, with exactly these fields', () => {
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(listed.map((x) => x.id)).toEqual(allRuleMetas().map((m) => m.id));
    expect(listed.map((x) => x.id)).toEqual(expect.arrayContaining(['file/near-miss', 'schema/unknown-claim', 'security/any-owner', 'analysis/not-analysed', 'ignore/missing-reason', 'ignore/unused']));
    for (const x of listed) expect(Object.keys(x).sort()).toEqual(['category', 'description', 'docsUrl', 'fixable', 'id', 'severity']);
  });

  it('matches each rule\'s metadata, and every docs URL names a page that exists', () => {
    const metas = new Map(allRuleMetas().map((m) => [m.id, m]));
    const lint = new Map(LINT_RULES.map((l) => [l.meta.id, l.meta]));
    for (const x of listed) {
      expect(x.severity).toBe(metas.get(x.id)!.severity);
      expect(x.description).toBe(metas.get(x.id)!.description);
      expect(x.docsUrl).toBe(docsUrl(x.id));
      expect(existsSync(join(ROOT, 'docs/rules', `${x.id}.md`)), x.id).toBe(true);
      const l = lint.get(x.id);
      if (l) {
        expect(x.category).toBe(l.category);
        expect(x.fixable).toBe(l.fixable ?? null);
      }
    }
  });

  it('validity rules are in the validity category; fixes the validator offers are listed', () => {
    const by = new Map(listed.map((x) => [x.id, x]));
    for (const x of listed) if (/^(file|yaml|schema)\//.test(x.id) && x.id !== 'yaml/merge-key') expect(x.category).toBe('validity');
    // A merge key is a lint error, not a validity one: access takes the merged reading (SPEC.md §4).
    expect(by.get('yaml/merge-key')!.category).toBe('yaml');
    expect(by.get('yaml/unquoted-asterisk')!.fixable).toBe('safe');
    expect(by.get('schema/unknown-permission')!.fixable).toBe('safe-or-unsafe');
    expect(by.get('schema/missing-key')!.fixable).toBeNull();
    expect(by.get('ignore/unused')!.category).toBe('ignores');
    expect(by.get('style/schema-header')!.fixable).toBe('safe');
  });

  it('agrees with the library listing', () => {
    expect(listed).toEqual(listRules());
  });
});

describe('sts-policy rules (text)', () => {
  it('one row per rule with its docs URL beneath, and a count', () => {
    const r = runCli(['rules']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RULE\s+SEVERITY\s+CATEGORY\s+FIX\s+DESCRIPTION$/);
    for (const m of allRuleMetas()) {
      const row = lines.findIndex((l) => l.startsWith(`${m.id} `));
      expect(row, m.id).toBeGreaterThan(0);
      expect(lines[row]).toContain(` ${m.severity} `);
      expect(lines[row]!.endsWith(m.description)).toBe(true);
      expect(lines[row + 1]).toBe(`    ${docsUrl(m.id)}`);
    }
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^${allRuleMetas().length} rules\\. `));
  });

  it('a reader that closes the pipe early gets no stack trace', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" rules | head -n 1; exit "\${PIPESTATUS[0]}"`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stdout).toMatch(/^RULE\s+SEVERITY/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('rejects an unknown format as a usage error', () => {
    const r = runCli(['rules', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/xml/);
  });
});
