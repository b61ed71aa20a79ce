// The interplay rules' pair index and budget (SPEC.md §4 "Bounds of the analysis"): the index
// never drops a pair whose answer is yes (checked against every pair of a generated org policy),
// and a policy whose pairs exceed the budget gets its findings so far plus an
// `analysis/not-analysed` finding naming the bound and the rules not checked.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPaths, validatePolicyText, type Rule } from '../src/index.js';
import { commonPrefix, ruleIndex } from '../src/analysis/rule-index.js';
import { fromGlob, fromRegex } from '../src/analysis/nfa.js';
import { admitsClaims, callersMeet, ruleCovers, rulesOverlap, ruleWitness } from '../src/analysis/rule-analysis.js';
import { bigPolicyText } from '../bench/gen-big-policy.mjs';
import { tempDirs } from './helpers/temp.js';

const tempDir = tempDirs('sts-policy-rule-index-');

function policyFile(text: string): string {
  const dir = join(tempDir(), '.atmos', 'pro', 'sts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'default.yaml'), text);
  return join(dir, 'default.yaml');
}

const HEADER = ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', '  name: default', 'spec:', '  rules:'];

describe('commonPrefix: the longest prefix every word of a language shares', () => {
  it.each([
    ['glob', fromGlob('acme/infra-*'), 'acme/infra-'],
    ['glob without wildcard', fromGlob('acme/infra'), 'acme/infra'],
    ['glob starting with a wildcard', fromGlob('*/infra'), ''],
    ['regex alternation', fromRegex('acme/(infra|platform)-[a-z]+'), 'acme/'],
    ['regex with a shared head in both branches', fromRegex('refs/heads/(main|master)'), 'refs/heads/ma'],
    ['regex with an optional tail', fromRegex('prod(uction)?'), 'prod'],
    ['case-insensitive regex', fromRegex('(?i)acme'), ''],
  ])('%s', (_, nfa, prefix) => expect(commonPrefix(nfa)).toBe(prefix));

  it('is undefined for a language without a word', () => expect(commonPrefix(fromRegex('a[^\\x00-\\x{10FFFF}]'))).toBeUndefined());
});

describe('the pair index drops no pair the interplay rules would report', () => {
  const rules: Rule[] = validatePolicyText('default.yaml', 'default', bigPolicyText(400)).policy!.rules;
  const index = ruleIndex(rules);

  it('every rule covering another is among its cover candidates', () => {
    let covered = 0;
    for (const a of rules) {
      const candidates = new Set(index.coverCandidates(a.index));
      for (const b of rules)
        if (a !== b && ruleCovers(b, a)) {
          covered++;
          expect(candidates.has(b.index), `rule ${b.index + 1} covers rule ${a.index + 1}`).toBe(true);
        }
    }
    // The generated policy has many covered rules: the check is not vacuous.
    expect(covered).toBeGreaterThan(100);
  });

  it('every earlier rule overlapping a rule, claim by claim and by caller, is among its overlap candidates, and far from every pair is asked', () => {
    let overlapping = 0;
    let asked = 0;
    for (const b of rules) {
      const candidates = new Set(index.overlapCandidates(b.index));
      asked += candidates.size;
      for (const a of rules.slice(0, b.index))
        if (rulesOverlap(a, b) && callersMeet(a, b)) {
          overlapping++;
          expect(candidates.has(a.index), `rule ${a.index + 1} overlaps rule ${b.index + 1}`).toBe(true);
        }
    }
    expect(overlapping).toBeGreaterThan(100);
    expect(asked).toBeLessThan((rules.length * (rules.length - 1)) / 2);
  });

  it('every rule admitting a token is among the token\'s candidates (the rules redundant-rule asks over whole tokens)', () => {
    let admitting = 0;
    for (const a of rules) {
      const witness = ruleWitness(a);
      if (!witness) continue;
      const candidates = new Set(index.tokenCandidates(witness));
      for (const b of rules)
        if (admitsClaims(b, witness)) {
          admitting++;
          expect(candidates.has(b.index), `rule ${b.index + 1} admits a token of rule ${a.index + 1}`).toBe(true);
        }
      expect(candidates.size).toBeLessThan(rules.length);
    }
    expect(admitting).toBeGreaterThan(rules.length);
  });
});

describe('the caller\'s owner and repository separate rules that name them on different claims', () => {
  const HEAD = 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n';
  // Padded past the size from which the index is built (small policies ask every pair).
  const pad = Array.from({ length: 40 }, (_, i) => `  - match: {repository: other/r${i}}\n`).join('');
  const rulesOf = (...lines: string[]) => validatePolicyText('default.yaml', 'default', HEAD + pad + lines.map((l) => `  - match: {${l}}\n`).join('')).policy!.rules;
  /** The overlap candidates of the `b`th rule after the padding, among those rules. */
  const candidatesOf = (rules: Rule[], b: number) => [...ruleIndex(rules).overlapCandidates(40 + b)].filter((p) => p >= 40).map((p) => p - 40);

  it('`repository: acme/a` is not asked with `subject: repo:acme/b:...` nor with rules of the owner acme-data, but is with the subject of acme/a, an immutable subject of acme, `workflow_ref: acme/*` and the owner acme', () => {
    const rules = rulesOf(
      'repository: acme/a',
      'subject: "repo:acme/b:ref:refs/heads/main"',
      'subject: "repo:acme/a:ref:refs/heads/main"',
      'subject: "repo:acme@*"',
      'workflow_ref: "acme/*"',
      'workflow_ref: "acme/b/.github/workflows/ci.yml@refs/heads/main"',
      'repository_owner: acme, environment: production',
      'repository_owner: acme-data, environment: production',
      'subject: "repo:acme-data@*"',
      'repository: acme/a',
    );
    expect(candidatesOf(rules, 9)).toEqual([0, 2, 3, 4, 6]);
  });
});

describe('the budget of the pairwise questions', () => {
  it('a policy whose pairs exceed it names the bound and the rules not checked, and keeps the findings so far', () => {
    // Two overlapping rules with different grants, then 1,200 rules that each admit any owner:
    // prefixes separate none of them, so every pair is asked.
    const lines = [...HEADER, '  - match: {repository: acme/app}', '  - match: {repository: acme/app, ref: refs/heads/main}', '    permissions: {contents: write}'];
    for (let i = 0; i < 1200; i++) lines.push(`  - match: {repository: "*/s${i}"}`, ...(i % 2 ? ['    permissions: {issues: write}'] : []));
    const file = policyFile(lines.join('\n') + '\n');
    const { findings } = lintPaths([file], { config: { rules: { 'security/any-owner': { severity: 'off' }, 'permissions/broad-write': { severity: 'off' } } } });
    const bounds = findings.filter((f) => f.ruleId === 'analysis/not-analysed');
    expect(bounds.map((f) => f.message.replace(/\(.*\)/, '(BOUND)'))).toEqual([
      expect.stringMatching(/^interplay\/redundant-rule was not analysed for this policy: it reached its bound for one policy \(BOUND\) and stopped: rules [\d,]+ to 1,202 were not checked$/),
      expect.stringMatching(/^interplay\/order-dependent-grant was not analysed for this policy: it reached its bound for one policy \(BOUND\) and stopped: rules [\d,]+ to 1,202 were not checked$/),
    ]);
    expect(bounds[0]!.message).toMatch(/\((500,000 questions about pairs of rules|40,000 automaton searches|3 s of CPU time)\)/);
    // The rules checked before the bound still report.
    expect(findings.find((f) => f.ruleId === 'interplay/order-dependent-grant')?.message).toMatch(/^rules 1 and 2 overlap/);
  });

  it('a whole-token coverage question past its state bound is named, never taken as "covers"', () => {
    // Every token of rule 2 has the owner acme, but the search over its repository regex meets ~2^16 sets of automaton states.
    const text = [...HEADER, '  - match: {repository_owner: acme}', '  - match: {repository: {regex: "acme/(a|b)*a(a|b){15}"}}'].join('\n') + '\n';
    const { findings } = lintPaths([policyFile(text)]);
    expect(findings.filter((f) => f.ruleId === 'interplay/redundant-rule')).toEqual([]);
    expect(findings.filter((f) => f.ruleId === 'analysis/not-analysed').map((f) => f.message)).toEqual([
      'interplay/redundant-rule was not analysed for this policy: whether rule 1 admits every caller of rule 2 was not decided: the token search explored more than 50000 classes of tokens',
    ]);
    // Within the bound the same question is answered: rule 2 is redundant.
    const small = lintPaths([policyFile(text.replace('{15}', '{3}'))]).findings;
    expect(small.filter((f) => f.ruleId === 'interplay/redundant-rule').map((f) => f.message)).toEqual([
      'rule 2 is redundant: every caller it admits is admitted by rule 1 (line 7) with the same or a higher grant; remove it',
    ]);
  });

  it('rules left out of the pairs (a matcher not analysed) are named', () => {
    // 60,000 states: over what one regex may expand to.
    const big = '[a-z]{1000}'.repeat(60);
    const text = [...HEADER, '  - match: {repository: acme/app}', `  - match: {repository: acme/app, actor: {regex: "${big}"}}`, '    permissions: {contents: write}'].join('\n') + '\n';
    const { findings } = lintPaths([policyFile(text)]);
    const messages = findings.filter((f) => f.ruleId === 'analysis/not-analysed').map((f) => f.message);
    expect(messages).toContain('interplay/redundant-rule was not analysed for this policy: rule 2 was not compared with other rules: the regex expands to too many states');
  });
});
