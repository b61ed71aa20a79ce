// The token model (SPEC.md §5, src/analysis/token-model.ts) and the search over it
// (src/analysis/token-search.ts), against brute force over a finite universe of tokens GitHub can
// issue, built here independently of the model: every combination of rules some universe token
// matches is a class the search finds, and every class's witness is a whole token that exactly its
// rules admit (the evaluator judges). The same for custom subject templates, over universes whose
// subjects follow them. Plus the relations check, the examples of issue 18, and coverage of one rule
// by another over whole tokens (`tokensCover`, interplay/redundant-rule) against the same universe.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenClasses } from '../src/analysis/token-search.js';
import { candidateToken } from '../src/analysis/token-candidate.js';
import { tokenWitness } from '../src/analysis/token-witness.js';
import { tokenModel, tokenProblem } from '../src/analysis/token-model.js';
import { ruleCovers, tokensCover } from '../src/analysis/rule-analysis.js';
import { acceptsWord } from '../src/analysis/nfa.js';
import { shapeNfa } from '../src/analysis/shapes.js';
import { compilePolicy, firstMatch } from '../src/engine/evaluate.js';
import { diffAccess } from '../src/diff/access-diff.js';
import { isValidityError, validatePolicyText } from '../src/validate/policy.js';
import type { Claims, Policy, Rule } from '../src/model.js';
import { POLICY_HEADER } from './helpers/diff-replay.js';

const SHA = 'a'.repeat(40);
const OTHER_SHA = '0123456789abcdef0123456789abcdef01234567';

/**
 * Tokens GitHub can issue, written out claim by claim (not with the model's own builder), their
 * subject following `template` (GitHub's default when absent; GITHUB-OIDC.md "Customized `sub`").
 */
function universe(template?: readonly string[]): Claims[] {
  const out: Claims[] = [];
  for (const owner of ['acme', 'acme-evil', 'octo-org'])
    for (const name of ['app', 'infra', 'app.js'])
      for (const repo of [`${owner}/${name}`, `${owner}@42/${name}@4711`])
        for (const env of [null, 'production', 'prod:eu'])
          for (const ref of ['', 'refs/heads/main', 'refs/heads/feature/x', 'refs/tags/v1.0.0', 'refs/pull/7/merge'])
            for (const pr of env === null ? [false, true] : [false])
              for (const refType of ref.startsWith('refs/heads/') ? ['branch'] : ref.startsWith('refs/tags/') ? ['tag'] : ['branch', 'tag'])
                for (const at of [ref, OTHER_SHA])
                  for (const actor of ['octocat', 'renovate[bot]'])
                    for (const jobWorkflow of template?.includes('job_workflow_ref') ? ['acme/shared/.github/workflows/deploy.yml@refs/heads/main', 'octo-org/x/.github/workflows/a:b.yml@v1'] : ['']) {
                      if (template?.includes('environment') && env === null) continue;
                      const context = env !== null ? `environment:${env.replace(/:/g, '%3A')}` : pr ? 'pull_request' : `ref:${ref}`;
                      const c: Claims = { sub: '', repository: `${owner}/${name}`, repository_owner: owner, ref, ref_type: refType };
                      if (env !== null) c.environment = env;
                      Object.assign(c, { actor, workflow_ref: `${owner}/${name}/.github/workflows/${at === ref ? 'ci.yml' : 'deploy.yml'}@${at}`, sha: SHA });
                      const value = (k: string) => (k === 'repo' ? `repo:${repo}` : k === 'context' ? context : `${k}:${(k === 'job_workflow_ref' ? jobWorkflow : c[k]!).replace(/:/g, '%3A')}`);
                      c.sub = (template ?? ['repo', 'context']).map(value).join(':');
                      out.push(c);
                    }
  return out;
}
const UNIVERSE = universe();

/** Matchers per claim, chosen so rules meet through related claims (subject vs repository, ref, environment). */
const VOCAB: Record<string, string[]> = {
  repository_owner: ['acme', '"acme*"', '"*"', '{ regex: "acme|octo-org" }'],
  repository: ['"acme/*"', '"*/infra"', '{ regex: "acme/app(\\\\.js)?" }', 'acme/app'],
  subject: ['"repo:acme/*"', '"repo:*:environment:prod%3Aeu"', '{ regex: "repo:.*:environment:[a-z]+" }', '"repo:acme/app:ref:refs/heads/main"', '"repo:*:environment:prod*"', '"repo:acme@*"', '"repo:*:pull_request"', '{ regex: "repo:[a-z-]+/app:ref:refs/(heads|tags)/.*" }'],
  ref: ['refs/heads/main', '"refs/heads/*"', '"refs/tags/*"', 'main', '""', '"*"'],
  ref_type: ['branch', 'tag'],
  environment: ['production', '"prod*"', '{ regex: "prod:.*" }'],
  workflow_ref: ['"acme/*/.github/workflows/deploy.yml@*"', '"*@refs/tags/*"', '"octo-org/*"', '"acme/app/.github/workflows/ci.yml@refs/heads/main"'],
  actor: ['"*[bot]"', 'octocat'],
};

const rulesOf = (vocab: Record<string, string[]>) => fc.uniqueArray(fc.constantFrom(...Object.keys(vocab)), { minLength: 1, maxLength: 3 }).chain((claims) => fc.tuple(...claims.map((c) => fc.constantFrom(...vocab[c]!.map((m) => `        ${c}: ${m}\n`)))));
const ruleArb = rulesOf(VOCAB);

/**
 * Custom subject templates (GITHUB-OIDC.md examples), with subject matchers written for each. The
 * last ones read a value twice or against workflow_ref's order: the subject replays the value.
 */
const TEMPLATES: { template: string[]; subjects: string[] }[] = [
  { template: ['repo', 'context', 'job_workflow_ref'], subjects: ['"repo:acme/*:job_workflow_ref:acme/shared/*"', '"*:job_workflow_ref:*a%3Ab.yml@*"', '"repo:*:environment:prod*:job_workflow_ref:*"', '"repo:*:pull_request:*"', '{ regex: "repo:acme/app:ref:refs/heads/.*:job_workflow_ref:.*" }', '"repo:acme/*"'] },
  { template: ['environment', 'repository_owner'], subjects: ['"environment:production:repository_owner:acme"', '"environment:prod%3Aeu:*"', '{ regex: "environment:[a-z]+:repository_owner:acme.*" }', '"*:repository_owner:octo-org"'] },
  { template: ['repository_owner', 'ref_type', 'ref'], subjects: ['"repository_owner:acme:ref_type:tag:*"', '"*:ref:refs/heads/*"', '"repository_owner:acme-evil:*"', '{ regex: "repository_owner:[a-z-]+:ref_type:branch:ref:" }'] },
  { template: ['ref', 'repository_owner'], subjects: ['"ref:refs/tags/*:repository_owner:acme"', '"ref::*"', '"*:repository_owner:octo-org"'] },
  { template: ['repo', 'context', 'ref'], subjects: ['"repo:acme/*:ref:refs/heads/main:ref:refs/heads/dev"', '"repo:acme/*:ref:refs/heads/main:ref:refs/heads/main"', '"repo:*:ref:*:ref:refs/tags/*"', '{ regex: "repo:acme/app:environment:prod.*:ref:refs/heads/.*" }', '"repo:*:pull_request:ref:*"'] },
  { template: ['context', 'repo'], subjects: ['"ref:refs/heads/main:repo:acme/*"', '"environment:prod*:repo:acme@*"', '"*:repo:octo-org/*"', '{ regex: "ref:refs/tags/v.*:repo:acme/app" }'] },
  { template: ['workflow_ref', 'repository_owner', 'repository_owner'], subjects: ['"workflow_ref:acme/*:repository_owner:acme:repository_owner:acme"', '"*:repository_owner:acme:repository_owner:octo-org"', '"workflow_ref:*@refs/heads/main:*"'] },
];

function parse(text: string): Policy {
  const v = validatePolicyText('default.yaml', 'default', text);
  expect(v.findings.filter(isValidityError)).toEqual([]);
  return v.policy!;
}
const policyOf = (rules: readonly (readonly string[])[]) => parse(POLICY_HEADER + rules.map((m) => `    - match:\n${m.join('')}`).join(''));

const aloneCache = new WeakMap<Rule, ReturnType<typeof compilePolicy>>();
/** Does the rule, alone, admit the claims? (the evaluator: RE2 and SPEC.md globs) */
function admits(rule: Rule, claims: Claims): boolean {
  let c = aloneCache.get(rule);
  if (!c) aloneCache.set(rule, (c = compilePolicy({ name: 'default', path: '', rules: [{ ...rule, index: 0 }] })));
  return firstMatch(c, claims) === 0;
}
const matching = (rules: readonly Rule[], claims: Claims) => rules.flatMap((r, i) => (admits(r, claims) ? [i] : []));

describe('the universe is in the model', () => {
  it('every universe token satisfies every relation', () => {
    for (const t of UNIVERSE) expect(tokenProblem(t), JSON.stringify(t)).toBeUndefined();
  });

  it('claim sets GitHub cannot issue are named with the relation they break', () => {
    const t = UNIVERSE.find((c) => c.sub === 'repo:acme/app:ref:refs/heads/main' && c.workflow_ref!.endsWith('@refs/heads/main'))!;
    const broken: [Claims, RegExp][] = [
      [{ ...t, sub: 'repo:a/a:ref:refs/a' }, /sub/],
      [{ ...t, repository_owner: 'a' }, /repository/],
      [{ ...t, ref: '' }, /sub/],
      [{ ...t, ref_type: 'tag' }, /ref_type/],
      [{ ...t, environment: 'production' }, /environment/],
      [{ ...t, workflow_ref: 'other/repo/.github/workflows/ci.yml@refs/heads/main' }, /workflow_ref/],
      [{ ...t, workflow_ref: 'acme/app/.github/workflows/ci.yml@refs/heads/other' }, /workflow_ref/],
      [{ ...t, ref: 'main', sub: 'repo:acme/app:ref:main', workflow_ref: 'acme/app/.github/workflows/ci.yml@main' }, /ref/],
      [{ ...t, sha: 'main' }, /sha/],
    ];
    for (const [c, why] of broken) expect(tokenProblem(c), JSON.stringify(c)).toMatch(why);
  });

  it('each value a witness falls back to fits its shape in the model', () => {
    for (const template of [undefined, ...TEMPLATES.map((t) => t.template)])
      for (const n of tokenModel(template).nodes) if (n.kind === 'segment') expect(acceptsWord(shapeNfa(n.shape), n.fallback), `${n.variable}: ${n.fallback}`).toBe(true);
  });
});

describe('property: token classes vs brute force over the universe', () => {
  it('every combination of rules a universe token matches is found, and every witness is a whole token matched by exactly its class', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 4 }), (specs) => {
        const policy = policyOf(specs);
        const classes = tokenClasses(policy.rules);
        const found = new Set(classes.map((c) => c.rules.join(',')));
        for (const t of UNIVERSE) {
          const m = matching(policy.rules, t).join(',');
          expect(found.has(m), `rules [${m}] match ${JSON.stringify(t)} but no class has them`).toBe(true);
        }
        for (const c of classes) {
          expect(tokenProblem(c.witness), JSON.stringify(c.witness)).toBeUndefined();
          expect(matching(policy.rules, c.witness), JSON.stringify(c.witness)).toEqual(c.rules);
        }
        expect(found.size).toBe(classes.length);
      }),
      { numRuns: 120, seed: 1818 },
    );
  }, 180_000);
});

describe('property: custom subject templates, token classes vs brute force over their universe', () => {
  for (const { template, subjects } of TEMPLATES)
    it(`[${template.join(', ')}]: every combination a universe token matches is found; witnesses are whole tokens matched by exactly their class`, () => {
      const tokens = universe(template);
      for (const t of tokens.slice(0, 50)) expect(tokenProblem(t, template), JSON.stringify(t)).toBeUndefined();
      expect(tokenProblem(tokens[0]!), 'a custom subject is not a default-template token').toMatch(/sub/);
      fc.assert(
        fc.property(fc.array(rulesOf({ ...VOCAB, subject: subjects }), { minLength: 1, maxLength: 4 }), (specs) => {
          const policy = policyOf(specs);
          const classes = tokenClasses(policy.rules, { template });
          const found = new Set(classes.map((c) => c.rules.join(',')));
          for (const t of tokens) {
            const m = matching(policy.rules, t).join(',');
            expect(found.has(m), `rules [${m}] match ${JSON.stringify(t)} but no class has them`).toBe(true);
          }
          for (const c of classes) {
            expect(tokenProblem(c.witness, template), JSON.stringify(c.witness)).toBeUndefined();
            expect(matching(policy.rules, c.witness), JSON.stringify(c.witness)).toEqual(c.rules);
          }
        }),
        { numRuns: 40, seed: 1818 },
      );
    }, 180_000);
});

describe('verdicts over the tokens GitHub can issue (issue 18)', () => {
  const one = (...m: string[]) => policyOf([m.map((x) => `        ${x}\n`)]);

  it('a subject pinning tag refs admits the tag jobs (the ref type is a choice the subject reads too)', () => {
    const d = diffAccess(null, one('subject: "repo:acme/app:ref:refs/tags/*"'));
    expect(d.verdict).toBe('wider');
    expect(d.gains[0]!.witness).toMatchObject({ sub: 'repo:acme/app:ref:refs/tags/v1.0.0', ref_type: 'tag' });
  });

  it('`repository_owner: acme` and `repository: "acme/*"` are equivalent', () => {
    expect(diffAccess(one('repository_owner: acme'), one('repository: "acme/*"'))).toMatchObject({ verdict: 'equivalent', gains: [], losses: [] });
  });

  it('a subject replaced by repository + ref loses nobody: every old caller is still admitted', () => {
    const d = diffAccess(one('subject: repo:acme/infra:ref:refs/heads/main'), one('repository: acme/infra', 'ref: "refs/heads/*"'));
    expect(d.verdict).toBe('wider');
    expect(d.losses).toEqual([]);
    for (const g of d.gains) expect(tokenProblem(g.witness)).toBeUndefined();
  });

  it('a tag read only through the subject or workflow_ref is found: ref_type is chosen for them too', () => {
    for (const m of ['subject: "repo:acme/app:ref:refs/tags/*"', 'workflow_ref: "acme/app/.github/workflows/ci.yml@refs/tags/*"']) {
      const [found] = tokenClasses(one(m).rules, { required: [0] });
      expect(found?.witness).toMatchObject({ ref_type: 'tag' });
      expect(tokenProblem(found!.witness)).toBeUndefined();
    }
  });

  it('rules no token satisfies admit nobody: adding them changes nobody\'s access', () => {
    const base = one('repository_owner: acme');
    for (const dead of [['ref: main'], ['environment: production', 'subject: "repo:acme/*:ref:*"'], ['repository: acme/app', 'repository_owner: other'], ['workflow_ref: "other/app/*"', 'repository: acme/app']]) {
      const more = policyOf([['        repository_owner: acme\n'], dead.map((x) => `        ${x}\n`)]);
      expect(tokenClasses([more.rules[1]!]).map((c) => c.rules), dead.join(', ')).toEqual([[]]);
      expect(diffAccess(base, more).verdict, dead.join(', ')).toBe('equivalent');
    }
  });

  it('an environment job is named by its environment, whatever its ref: a `:ref:` subject does not admit it', () => {
    const d = diffAccess(one('subject: "repo:acme/app:ref:refs/heads/main"'), one('repository: acme/app', 'ref: refs/heads/main'));
    expect(d.verdict).toBe('wider');
    // The new rule admits the environment and pull_request jobs on main that the subject rule never did.
    const w = d.gains[0]!.witness;
    expect(w.sub).not.toBe('repo:acme/app:ref:refs/heads/main');
    expect(w.ref).toBe('refs/heads/main');
    expect(tokenProblem(w)).toBeUndefined();
  });
});

describe('witnesses: a cheap candidate first, the token search when it fails (issue 18)', () => {
  it('property: a witness exactly when some token matches every rule, a whole token they all admit; a candidate is always one', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 3 }), (specs) => {
        const { rules } = policyOf(specs);
        const exists = tokenClasses(rules).some((c) => c.rules.length === rules.length);
        const witness = tokenWitness(rules);
        expect(witness !== undefined, JSON.stringify(specs)).toBe(exists);
        for (const t of [witness, candidateToken(rules)]) {
          if (!t) continue;
          expect(tokenProblem(t), JSON.stringify(t)).toBeUndefined();
          expect(matching(rules, t), JSON.stringify(t)).toEqual(rules.map((_, i) => i));
        }
      }),
      { numRuns: 150, seed: 2418 },
    );
  }, 180_000);

  const rulesOf = (...rules: string[][]) => policyOf(rules.map((m) => m.map((x) => `        ${x}\n`))).rules;

  it('values come from the claim that names one word first, so a wildcard elsewhere keeps them', () => {
    const t = candidateToken(rulesOf(['repository: "org-0/*"'], ['subject: repo:org-0/infra:ref:refs/heads/main']));
    expect(t).toMatchObject({ sub: 'repo:org-0/infra:ref:refs/heads/main', repository: 'org-0/infra', ref: 'refs/heads/main', ref_type: 'branch' });
  });

  it('the model\'s readable choices: a tag ref for `ref_type: tag`, a pull_request job, an environment named in the subject', () => {
    expect(candidateToken(rulesOf(['repository: "acme/*"', 'ref_type: tag']))).toMatchObject({ repository: 'acme/app', ref: 'refs/tags/v1.0.0', ref_type: 'tag', sub: 'repo:acme/app:ref:refs/tags/v1.0.0' });
    expect(candidateToken(rulesOf(['subject: "repo:acme/*:pull_request"']))).toMatchObject({ sub: 'repo:acme/app:pull_request', ref: 'refs/pull/1/merge' });
    const env = candidateToken(rulesOf(['repository: acme/infra', 'subject: "repo:acme/*:environment:prod-*"']))!;
    expect(env).toMatchObject({ repository: 'acme/infra', environment: 'prod-', sub: 'repo:acme/infra:environment:prod-' });
    expect(env.workflow_ref).toBe('acme/infra/.github/workflows/ci.yml@refs/heads/main');
  });

  it('no candidate when the per-claim words cannot make one token; the search then decides (here: none)', () => {
    const rules = rulesOf(['environment: production'], ['subject: "repo:acme/*:ref:refs/heads/main"']);
    expect(candidateToken(rules)).toBeUndefined();
    expect(tokenWitness(rules)).toBeUndefined();
    // A workflow pinned at a branch another matcher does not admit: the search finds the SHA-pinned workflow.
    const pinned = rulesOf(['workflow_ref: "acme/app/.github/workflows/*"', 'ref: refs/heads/dev']);
    expect(tokenWitness(pinned)).toMatchObject({ ref: 'refs/heads/dev', repository: 'acme/app' });
  });
});

describe('coverage over whole tokens: rule b admits every token rule a admits (issue 18 point 2)', () => {
  const rule = (...m: string[]) => policyOf([m.map((x) => `        ${x}\n`)]).rules[0]!;

  it.each([
    // [b, a, b covers a, a covers b]
    [['repository_owner: acme'], ['repository: "acme/x"'], true, false],
    [['repository: "acme/app"'], ['workflow_ref: "acme/app/.github/workflows/deploy.yml@refs/heads/main"'], true, false],
    [['workflow_ref: "acme/app/*"'], ['repository: "acme/app"'], true, true],
    // A token with this subject has that repository and ref; environment and pull_request jobs on main have other subjects.
    [['repository: acme/infra', 'ref: refs/heads/main'], ['subject: "repo:acme/infra:ref:refs/heads/main"'], true, false],
    // One class apart: the immutable subject `repo:acme@ID/NAME@ID:environment:production`.
    [['repository_owner: acme', 'environment: production'], ['subject: "repo:acme/*:environment:production"'], true, false],
    [['ref_type: branch'], ['ref: "refs/heads/*"'], true, false],
  ] as const)('%j covers %j: %s, and back: %s', (b, a, forth, back) => {
    const [rb, ra] = [rule(...b), rule(...a)];
    expect(ruleCovers(rb, ra), 'claim by claim').toBe(false);
    expect(tokensCover(rb, ra)).toBe(forth);
    expect(tokensCover(ra, rb)).toBe(back);
  });

  it('subjects follow the subject template', () => {
    const [b, a] = [rule('subject: "repository_owner:acme:*"'), rule('repository: acme/app', 'ref: refs/heads/main')];
    expect(tokensCover(b, a, ['repository_owner', 'context'])).toBe(true);
    // With GitHub's default template that subject admits no token at all.
    expect(tokensCover(b, a)).toBe(false);
    // Every job has an environment under this one, named after the owner: still every token of acme.
    expect(tokensCover(b, a, ['repository_owner', 'environment'])).toBe(true);
    expect(tokensCover(b, a, ['environment', 'repository_owner'])).toBe(false);
  });

  it('property: never "covers" when a universe token of a is refused by b; a "no" has a whole token of a that b refuses', () => {
    let decidedByTokens = 0;
    fc.assert(
      fc.property(ruleArb, ruleArb, (sa, sb) => {
        const [a, b] = policyOf([sa, sb]).rules as [Rule, Rule];
        const covers = tokensCover(b, a);
        const missed = UNIVERSE.find((t) => admits(a, t) && !admits(b, t));
        if (covers) {
          expect(missed, `${JSON.stringify([sa, sb])}: b refuses ${JSON.stringify(missed)}`).toBeUndefined();
          if (!ruleCovers(b, a)) decidedByTokens++;
        } else {
          const only = tokenClasses([a, b], { required: [0], every: true }).find((c) => !c.rules.includes(1));
          expect(only, JSON.stringify([sa, sb])).toBeDefined();
          expect(tokenProblem(only!.witness)).toBeUndefined();
          expect([admits(a, only!.witness), admits(b, only!.witness)]).toEqual([true, false]);
        }
      }),
      { numRuns: 400, seed: 1826 },
    );
    // The property reaches verdicts the claim-by-claim check cannot give.
    expect(decidedByTokens).toBeGreaterThan(5);
  }, 180_000);
});
