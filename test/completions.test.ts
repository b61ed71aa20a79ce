// Policy answers over whole tokens: a caller given by some claims stands for every token the model
// allows with them. The automata's verdict is checked against brute force over a finite token
// universe that holds a token of every class the patterns below can tell apart.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, firstMatch, type CompiledPolicy } from '../src/engine/evaluate.js';
import { isValidityError, validatePolicyText } from '../src/validate/policy.js';
import { tokenClaims, tokenProblem, type TokenValues } from '../src/analysis/token-model.js';
import { completions } from '../src/simulate/completions.js';
import { loadTestFile, runTestFile } from '../src/simulate/policy-tests.js';
import { CLAIM_NAMES, TOKEN_CLAIM, type ClaimName, type Claims } from '../src/model.js';
import { ROOT, runCli } from './helpers/cli.js';

const HEADER = 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n';

function compile(text: string): CompiledPolicy {
  const v = validatePolicyText('default.yaml', 'default', text);
  expect(v.findings.filter(isValidityError)).toEqual([]);
  return compilePolicy(v.policy!);
}

/** Patterns per claim; the universe below has a value on each side of every one of them. */
const PATTERNS: Record<ClaimName, string[]> = {
  subject: ['"*"', '"repo:acme/*"', '"*:pull_request"', 'repo:acme/app:ref:refs/heads/main', '"*:environment:prod"'],
  repository: ['acme/app', '"acme/*"', '"*/web"'],
  repository_owner: ['acme', 'other'],
  ref: ['refs/heads/main', '"refs/heads/*"', '"refs/tags/*"', '"*"', '{ regex: "refs/(heads|tags)/(main|v1)" }'],
  ref_type: ['branch', 'tag'],
  actor: ['"*"', 'renovate[bot]', '"*[bot]"'],
  workflow_ref: ['acme/app/.github/workflows/ci.yml@refs/heads/main', '"*@refs/heads/main"', '"acme/*"'],
  environment: ['prod', '"*"'],
  sha: ['"*"'],
};

/** Every token built from these values: each free value has one that no pattern names (a ref may hold `@`: `*@refs/heads/main` reads it). */
function universe(): Claims[] {
  const out: Claims[] = [];
  const refs: [TokenValues['refType'], string][] = [
    ...['refs/heads/main', 'refs/heads/dev', 'refs/pull/1/merge', '', 'refs/heads/x@refs/heads/main', 'refs/pull/x@refs/heads/main'].map((r): [TokenValues['refType'], string] => ['branch', r]),
    ...['refs/tags/v1', 'refs/pull/1/merge', '', 'refs/pull/x@refs/heads/main', 'refs/tags/x@refs/heads/main'].map((r): [TokenValues['refType'], string] => ['tag', r]),
  ];
  const contexts: [TokenValues['context'], string][] = [['ref', 'prod'], ['pull_request', 'prod'], ['environment', 'prod'], ['environment', 'staging'], ['environment', 'pull_request']];
  for (const owner of ['acme', 'other', 'zed'])
    for (const name of ['app', 'web', 'x'])
      for (const form of ['classic', 'immutable'] as const)
        for (const [context, environment] of contexts)
          for (const [refType, ref] of refs)
            for (const at of ['ref', 'sha'] as const)
              for (const actor of ['octocat', 'renovate[bot]', 'dependabot[bot]'])
                for (const file of ['ci.yml', 'cd.yml'])
                  out.push(tokenClaims({ owner, name, form, ownerId: '1', repoId: '2', file, context, environment, ref, refType, at, workflowSha: 'a'.repeat(40), sha: 'b'.repeat(40), actor, free: {} }));
  return out;
}

const UNIVERSE = universe();
const value = (c: Claims, claim: ClaimName) => c[TOKEN_CLAIM[claim]];

const policyArb = fc.array(
  fc.uniqueArray(fc.constantFrom(...CLAIM_NAMES), { minLength: 1, maxLength: 3 }).chain((claims) => fc.tuple(...claims.map((claim) => fc.constantFrom(...PATTERNS[claim].map((p) => [claim, p] as const))))),
  { minLength: 1, maxLength: 4 },
);

describe('completions: the answers over every token with the given claims', () => {
  it('equal brute force over a finite universe holding every class the patterns tell apart', () => {
    fc.assert(
      fc.property(policyArb, fc.nat(UNIVERSE.length - 1), fc.uniqueArray(fc.constantFrom(...CLAIM_NAMES), { maxLength: 7 }), (rules, pick, given) => {
        const yaml = rules.map((ms) => `    - match:\n${ms.map(([c, p]) => `        ${c}: ${p}\n`).join('')}`).join('');
        const policy = compile(HEADER + yaml);
        const token = UNIVERSE[pick]!;
        const claims: Claims = Object.fromEntries(given.filter((c) => value(token, c) !== undefined).map((c) => [TOKEN_CLAIM[c], value(token, c)!]));
        const comp = completions(policy, claims);
        const brute = new Set(UNIVERSE.filter((t) => Object.entries(claims).every(([k, v]) => t[k] === v)).map((t) => firstMatch(policy, t)));
        if (comp.kind === 'given') return expect([...brute]).toEqual([firstMatch(policy, token)]);
        expect(comp.kind).toBe('answers');
        if (comp.kind !== 'answers') return;
        const firsts = comp.answers.map((a) => a.evaluation.rule ?? -1);
        expect(firsts).toHaveLength(brute.size);
        expect(new Set(firsts)).toEqual(brute);
        for (const a of comp.answers) {
          // Each witness is a token GitHub can issue, with the given claims, answered as said.
          expect(tokenProblem(a.witness)).toBeUndefined();
          for (const [k, v] of Object.entries(claims)) expect(a.witness[k]).toBe(v);
          expect(firstMatch(policy, a.witness)).toBe(a.evaluation.rule ?? -1);
        }
      }),
      { numRuns: 60, seed: 18 },
    );
  });

  it('every claim given: the claims are the token, whatever the model says', () => {
    const policy = compile(HEADER + '    - match:\n        actor: "*"\n');
    const claims = { sub: 'custom-template', repository: 'a/b', repository_owner: 'a', ref: '', ref_type: 'branch', actor: 'x', workflow_ref: 'w', sha: 's' };
    expect(completions(policy, claims)).toEqual({ kind: 'given' });
  });

  it('claims no token of the model has (a custom subject) are taken as given', () => {
    const policy = compile(HEADER + '    - match:\n        actor: "*"\n');
    expect(completions(policy, { sub: 'project:acme' })).toEqual({ kind: 'outside' });
  });

  it('past its bound the search answers undecided, naming the bound', () => {
    const policy = compile(HEADER + '    - match:\n        actor: { regex: "[a-z]{3,9}-(bot|ci)" }\n');
    expect(completions(policy, { sub: 'repo:acme/app:pull_request' }, { maxStates: 5 })).toEqual({ kind: 'undecided', reason: 'the token search explored more than 5 classes of tokens' });
  });
});

describe('sts-policy test: cases over whole tokens (issue 18)', () => {
  const dir = (name: string) => join(ROOT, 'fixtures/completions', name);
  const cases = (name: string) => {
    const r = runCli(['test', dir(name), '--format', 'json']);
    expect(r.code).toBe(1);
    return JSON.parse(r.stdout).files[0].cases as { name: string; passed: boolean; failure: string | null; completions?: { outcome: string; rule: number | null; witness: Claims }[] }[];
  };

  it("the issue's three subjects, once denied because the actor was absent, fail: every token they stand for is minted, for lack of `actor`", () => {
    const [env, pr, branch, other] = cases('any-actor');
    for (const c of [env!, pr!, branch!]) {
      expect(c.passed).toBe(false);
      expect(c.failure).toBe("expected trust_policy_denied, got minted (rule 1) for every token with the case's claims: the case leaves out `actor`, e.g. actor is octocat");
      expect(c.completions).toHaveLength(1);
    }
    expect(other).toMatchObject({ passed: true, failure: null });
  });

  it('a case whose answer turns on claims it leaves out fails naming them, a witness token per side that simulate --claims reproduces', () => {
    const [pr, env, person, renovate] = cases('renovate');
    expect(pr!.failure).toContain("expected trust_policy_denied for every token with the case's claims, but the answer depends on claims it leaves out: ");
    expect(pr!.failure).toContain('when ref is refs/pull/1/merge and actor is renovate[bot] (rule 2)');
    expect(pr!.failure).toMatch(/: add `ref`, `actor` to the case$/);
    expect(env!.failure).toContain('when ref is refs/heads/main and actor is octocat (rule 1)');
    expect(person).toMatchObject({ passed: true });
    expect(renovate).toMatchObject({ passed: true });
    expect(pr!.completions!.map((c) => [c.outcome, c.rule])).toEqual([['trust_policy_denied', undefined], ['minted', 2], ['minted', 1]]);
    for (const side of pr!.completions!) {
      const sim = runCli(['simulate', '--claims', '-', '--source', `acme/deployer=${dir('renovate')}`, '--format', 'json'], { input: JSON.stringify(side.witness) });
      const repo = JSON.parse(sim.stdout).repos['acme/deployer'];
      expect([repo.outcome, repo.ruleNumber ?? undefined]).toEqual([side.outcome, side.rule]);
    }
  });

  it('text and JUnit carry the reason and the witnesses', () => {
    const text = runCli(['test', dir('renovate')]);
    expect(text.stdout).toContain('      minted (rule 2) for {"sub":"repo:acme/deployer:pull_request",');
    const junit = runCli(['test', dir('any-actor'), '--format', 'junit']);
    expect(junit.stdout).toContain('<failure message="expected trust_policy_denied, got minted (rule 1) for every token with the case&apos;s claims'.replace('&apos;', "'"));
    expect(junit.stdout).toContain('minted (rule 1) for {&quot;sub&quot;:&quot;repo:acme/deployer:environment:staging&quot;');
  });
});

describe('sts-policy test: subjects under the subject template of the repository\'s .sts-policy.yaml', () => {
  const dir = join(ROOT, 'fixtures/completions/owner-template');

  it('a case\'s subject is read and completed under the template: `repository_owner:acme:ref:refs/heads/main` is acme\'s main branch', () => {
    const file = loadTestFile(join(dir, '.atmos/pro/sts/tests/default.test.yaml'));
    expect(file.subjectTemplate).toEqual(['repository_owner', 'context']);
    expect(file.cases[0]!.claims).toEqual({ sub: 'repository_owner:acme:ref:refs/heads/main', repository_owner: 'acme', ref: 'refs/heads/main', ref_type: 'branch' });
    const [main, other, dev] = runTestFile(file).results;
    expect(main).toMatchObject({ passed: true, actual: 'minted', rule: 1 });
    expect(other).toMatchObject({ passed: true, actual: 'trust_policy_denied' });
    // Vacuous as given (no repository, so rule 2 never matched): over the template's tokens it depends on `repository`.
    expect(dev!.passed).toBe(false);
    expect(dev!.failure).toMatch(/^expected trust_policy_denied for every token with the case's claims, but the answer depends on claims it leaves out: .*minted when repository is acme\/app \(rule 2\).*: add `repository` to the case$/);
    for (const side of dev!.completions!) expect(tokenProblem(side.witness, ['repository_owner', 'context']), JSON.stringify(side.witness)).toBeUndefined();
  });

  it('through the CLI: the vacuous case fails (exit 1), the others pass', () => {
    const r = runCli(['test', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const cases = JSON.parse(r.stdout).files[0].cases as { name: string; passed: boolean }[];
    expect(cases.map((c) => c.passed)).toEqual([true, true, false]);
  });
});

describe('sts-policy simulate --subject: an answer that claims not given would change says so', () => {
  const source = (name: string) => `acme/deployer=${join(ROOT, 'fixtures/completions', name)}`;

  it('a --subject follows the checkout\'s subjectTemplate: its claims are derived, and the tokens searched are that template\'s', () => {
    const main = runCli(['simulate', '--subject', 'repository_owner:acme:ref:refs/heads/main', '--source', source('owner-template'), '--expect', 'minted']);
    expect(main.code, main.stderr).toBe(0);
    expect(main.stdout).toContain('  repository_owner  acme   (derived from the subject)\n');
    expect(main.stdout).toContain('  note: read with the subject template [repository_owner, context]\n');
    const dev = runCli(['simulate', '--subject', 'repository_owner:acme:ref:refs/heads/dev', '--source', source('owner-template'), '--expect', 'denied']);
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain('  the answer depends on claims not given: trust_policy_denied here because repository is absent');
    expect(dev.stdout).toContain('    minted by rule 2 when repository is acme/app, e.g. {"sub":"repository_owner:acme:ref:refs/heads/dev","repository":"acme/app",');
  });

  it('text: which claims decide, each other answer with a witness token, and the flags to give; the exit code is the answer\'s as before', () => {
    const r = runCli(['simulate', '--subject', 'repo:acme/deployer:pull_request', '--source', source('renovate'), '--expect', 'denied']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('acme/deployer  trust_policy_denied\n');
    expect(r.stdout).toContain('  the answer depends on claims not given: trust_policy_denied here because actor and ref are absent (a token GitHub issues has them)\n');
    expect(r.stdout).toContain('    minted by rule 2 when actor is renovate[bot] and ref is refs/pull/1/merge, e.g. {"sub":"repo:acme/deployer:pull_request",');
    expect(r.stdout).toContain('    pass --claim actor=... --claim ref=... (or --claims with a whole token) to decide\n');
  });

  it('json: `dependence` names the claims and the answers with witnesses; null once the deciding claims are given', () => {
    const j = JSON.parse(runCli(['simulate', '--subject', 'repo:acme/deployer:environment:staging', '--source', source('any-actor'), '--format', 'json']).stdout).repos['acme/deployer'];
    expect(j.outcome).toBe('trust_policy_denied');
    expect(j.dependence.claims).toEqual(['actor']);
    expect(j.dependence.answers).toMatchObject([{ outcome: 'minted', rule: 0, ruleNumber: 1, witness: { sub: 'repo:acme/deployer:environment:staging', environment: 'staging', actor: 'octocat' } }]);
    const given = JSON.parse(runCli(['simulate', '--subject', 'repo:acme/deployer:environment:staging', '--claim', 'actor=octocat', '--source', source('any-actor'), '--format', 'json']).stdout).repos['acme/deployer'];
    expect([given.outcome, given.dependence]).toEqual(['minted', null]);
  });
});
