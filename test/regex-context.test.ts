// Regex constructs the automata model as RE2 reads them in a full-value match: assertions that look
// at neighbouring characters (`(?m)^`, `$`, `\b`, `\B`), case folding by re2js's own orbit table,
// and Go 1.25 class names inside brackets (a warning, the meaning kept). Each automaton is checked
// against re2js itself on every word of a small alphabet.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptsWord, fromRegex } from '../src/analysis/nfa.js';
import { checkRegex, compileRegex } from '../src/validate/regex.js';
import { lintPaths } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';

const tempDir = tempDirs('sts-policy-regex-context-');

/** simulate's outcome for `claims` against the policy under `root` (the checkout of acme/infra). */
function simulated(root: string, claims: object): string {
  const r = runCli(['simulate', '--claims', '-', '--source', `acme/infra=${root}`, '--format', 'json'], { input: JSON.stringify(claims) });
  return (JSON.parse(r.stdout) as { repos: Record<string, { outcome: string }> }).repos['acme/infra']!.outcome;
}

/** Every word of up to `max` characters over `alphabet`. */
function words(alphabet: string[], max: number): string[] {
  const out = [''];
  let last = [''];
  for (let n = 1; n <= max; n++) out.push(...(last = last.flatMap((w) => alphabet.map((c) => w + c))));
  return out;
}

const disagreements = (pattern: string, universe: readonly string[]) => universe.filter((w) => acceptsWord(fromRegex(pattern), w) !== compileRegex(pattern).matches(w));

describe('assertions on neighbouring characters are analysed exactly', () => {
  const universe = words(['a', '_', '-', '\n', ' '], 5);
  it.each(['(?m)^.*', '\\b.*', '(?m)^acme/infra', '\\bdependabot\\b.*', 'a\\Bb', 'a\\bb', '.*\\b-\\b.*', '(?m).*$\\n?', '(?m)a$\\na', '(?m)^a|_$', '(?m)(^|_)a\\b', '\\Ba\\B', '(a\\b|_\\B)*', '(?m)(\\n^)+', '(?m)^(a$\\n)*-', '^a$', 'a^a', '(?s).*\\b'])('%s agrees with re2js on every word', (pattern) => {
    expect(disagreements(pattern, universe)).toEqual([]);
  });

  it.each([
    ['repository', '(?m)^.*'],
    ['repository', '\\b.*'],
  ])('a match-everything `%s: %s` is a security finding at its severity, with a witness from another owner', (claim, regex) => {
    const root = tempDir();
    const dir = join(root, '.atmos', 'pro', 'sts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'default.yaml');
    writeFileSync(file, ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', '  name: default', 'spec:', '  rules:', `    - match: {${claim}: {regex: ${JSON.stringify(regex)}}}`, '      permissions: {contents: write}'].join('\n') + '\n');
    const { findings } = lintPaths([file]);
    expect(findings.filter((f) => f.ruleId === 'analysis/not-analysed')).toEqual([]);
    const anyOwner = findings.find((f) => f.ruleId === 'security/any-owner');
    expect(anyOwner?.severity).toBe('warning');
    expect(anyOwner?.witness?.repository_owner).not.toBe('acme');
    // The witness replays: simulate mints for it.
    expect(simulated(root, anyOwner!.witness!)).toBe('minted');
  });
});

describe('case folding is RE2\'s (re2js\'s orbit table), not JavaScript\'s casing', () => {
  it.each([
    ['(?i)production-ß', 'production-ẞ'],
    ['(?i)ẞ', 'ß'],
    ['(?i)ΐ', '\u1fd3'],
    ['(?i)\u1fd3', 'ΐ'],
    ['(?i)ﬅ', 'ﬆ'],
    ['(?i)k', '\u212a'],
    ['(?i)s', 'ſ'],
  ])('%s admits %s, as re2js does', (pattern, word) => {
    expect(compileRegex(pattern).matches(word)).toBe(true);
    expect(acceptsWord(fromRegex(pattern), word)).toBe(true);
  });

  it('agrees with re2js on every one-letter fold of the first 12,288 code points', () => {
    const bad: string[] = [];
    for (let cp = 0x41; cp < 0x3000; cp++) {
      const ch = String.fromCodePoint(cp);
      if (/[\\.+*?()|[\]{}^$]/.test(ch) || (cp >= 0xd800 && cp <= 0xdfff)) continue;
      const pattern = `(?i)${ch}`;
      for (const w of [ch.toUpperCase(), ch.toLowerCase(), 'ẞ', 'ß', '\u1fd3', 'ﬆ', '\u212a', 'ſ']) if ([...w].length === 1 && acceptsWord(fromRegex(pattern), w) !== compileRegex(pattern).matches(w)) bad.push(`${pattern} ${w}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('Go 1.25 class names inside brackets keep their meaning', () => {
  it.each([
    ['acme/[\\p{ASCII}]+', 'acme/[\\x00-\\x7F]+', '\\x00-\\x7F'],
    ['acme/[^\\p{ASCII}]', 'acme/[^\\x00-\\x7F]', '\\x00-\\x7F'],
    ['a[\\P{ASCII}b]', 'a[\\x00-\\x7F-\\x{10FFFF}b]'.replace('\\x00-\\x7F-', '\\x{80}-'), '\\x{80}-\\x{10FFFF}'],
    ['x[[:alpha:]\\p{Letter}]', 'x[[:alpha:]\\p{L}]', '\\p{L}'],
    ['acme/\\p{ASCII}+', 'acme/[\\x00-\\x7F]+', '[\\x00-\\x7F]'],
  ])('%s is read as %s (portable form `%s`)', (written, effective, portable) => {
    const check = checkRegex(written);
    expect(check).toMatchObject({ ok: true, effective, portable: [{ portable }] });
  });

  it('lint warns with the portable form, finds no dead matcher, and simulate mints for any acme repository', () => {
    const root = tempDir();
    const dir = join(root, '.atmos', 'pro', 'sts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'default.yaml');
    writeFileSync(file, ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', '  name: default', 'spec:', '  rules:', '    - match: {repository: {regex: "acme/[\\\\p{ASCII}]+"}}'].join('\n') + '\n');
    const { findings } = lintPaths([file]);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(findings.find((f) => f.ruleId === 'regex/go-version-dependent')?.message).toContain('write `\\x00-\\x7F`');
    expect(simulated(root, { sub: 'repo:acme/x:ref:refs/heads/main', repository: 'acme/x', repository_owner: 'acme', ref: 'refs/heads/main', ref_type: 'branch' })).toBe('minted');
  });
});

describe('a matcher the automata cannot build is the worst case for the security rules', () => {
  it('they report it at their own default severity (owner-prefix: error), and simulate indeed mints for another owner', () => {
    const root = tempDir();
    const dir = join(root, '.atmos', 'pro', 'sts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'default.yaml');
    // 51,000 characters in a row (too many states), or anything at all.
    writeFileSync(file, ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', '  name: default', 'spec:', '  rules:', `    - match: {repository: {regex: "(?:${'.{1000}'.repeat(51)})?.*"}}`, '      permissions: {contents: write}'].join('\n') + '\n');
    const { findings } = lintPaths([file]);
    const security = findings.filter((f) => f.ruleId.startsWith('security/'));
    expect(security.map((f) => `${f.line}:${f.column} ${f.severity} ${f.ruleId}`)).toEqual(['7:35 warning security/any-owner', '7:35 error security/owner-prefix', '7:35 warning security/repo-prefix']);
    expect(security[0]!.message).toBe('the `repository` regex of rule 1 could not be analysed (the regex expands to too many states), so security/any-owner could not prove it narrower than any caller: it may admit anything. Simplify it so it can be checked');
    expect(findings.filter((f) => f.ruleId === 'analysis/not-analysed' && f.message.startsWith('security/'))).toEqual([]);
    expect(simulated(root, { sub: 'repo:evil-org/x:ref:refs/heads/main', repository: 'evil-org/x', repository_owner: 'evil-org', ref: 'refs/heads/main', ref_type: 'branch' })).toBe('minted');
  });
});
