// Evaluation (SPEC.md §2–§4): first matching rule decides, absent vs empty claims, anchored regexes,
// default grants with `metadata: read`, trap hints in traces, and every seed example as documented.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate, firstMatch, grantOf, type CompiledPolicy, type Evaluation, type MatcherTrace } from '../src/engine/evaluate.js';
import { isValidityError, validatePolicyText } from '../src/validate/policy.js';
import type { Claims } from '../src/model.js';
import { readPolicyFile } from '../src/load/read.js';
import { ROOT } from './helpers/cli.js';

const HEADER = 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n';

/** A valid policy from YAML text, compiled; fails the test on any validity finding. */
function compile(text: string, name = 'default'): CompiledPolicy {
  const v = validatePolicyText(`${name}.yaml`, name, text);
  expect(v.findings.filter(isValidityError)).toEqual([]);
  expect(v.policy).toBeDefined();
  return compilePolicy(v.policy!);
}
const rules = (items: string) => compile(HEADER + items);
/** A seed policy decoded as every command reads it (its one BOM dropped by the reader). */
const seed = (dir: string, name = 'default') => {
  const read = readPolicyFile(join(ROOT, 'fixtures/valid', dir, '.atmos/pro/sts', `${name}.yaml`));
  if (!read.ok) throw new Error(read.message);
  return compile(read.text, name);
};

const push = (owner: string, repo: string, branch = 'main'): Claims => ({
  sub: `repo:${owner}/${repo}:ref:refs/heads/${branch}`,
  repository: `${owner}/${repo}`,
  repository_owner: owner,
  ref: `refs/heads/${branch}`,
  ref_type: 'branch',
  actor: 'octocat',
  workflow_ref: `${owner}/${repo}/.github/workflows/ci.yml@refs/heads/${branch}`,
  sha: 'a'.repeat(40),
});
const withEnv = (owner: string, repo: string, environment: string): Claims => ({
  ...push(owner, repo),
  sub: `repo:${owner}/${repo}:environment:${environment.replace(/:/g, '%3A')}`,
  environment,
});

/** The trace of the matcher on `claim` in rule `rule`. */
function matcherTrace(e: Evaluation, rule: number, claim: string): MatcherTrace {
  const t = e.trace[rule]!.matchers.find((m) => m.claim === claim);
  expect(t).toBeDefined();
  return t!;
}

describe('first matching rule decides', () => {
  const policy = rules(`    - match:
        repository: "acme/infra"
      permissions:
        contents: write
    - match:
        repository_owner: "acme"
    - match:
        subject: "repo:acme/*"
      permissions:
        issues: write
`);

  it('the first match grants, the others are listed', () => {
    const e = evaluate(policy, push('acme', 'infra'));
    expect(e.matched).toBe(true);
    expect(e.rule).toBe(0);
    expect(e.line).toBe(7);
    expect(e.permissions).toEqual({ contents: 'write', metadata: 'read' });
    expect(e.otherMatches).toEqual([
      { rule: 1, line: 11 },
      { rule: 2, line: 13 },
    ]);
    expect(e.trace.map((r) => r.matched)).toEqual([true, true, true]);
  });

  it('a later rule decides when earlier ones do not match', () => {
    const e = evaluate(policy, push('acme', 'app'));
    expect(e.rule).toBe(1);
    expect(e.permissions).toEqual({ contents: 'read', metadata: 'read' });
    expect(e.otherMatches).toEqual([{ rule: 2, line: 13 }]);
  });

  it('no match: denied, with a trace for every rule', () => {
    const e = evaluate(policy, push('acme-labs', 'infra'));
    expect(e).toMatchObject({ matched: false, otherMatches: [], permissions: null });
    expect(e.rule).toBeUndefined();
    expect(e.trace).toHaveLength(3);
    expect(e.trace.every((r) => !r.matched)).toBe(true);
    expect(firstMatch(policy, push('acme-labs', 'infra'))).toBe(-1);
  });

  it('every matcher of a rule must match', () => {
    const p = rules(`    - match:
        repository_owner: "acme"
        ref: "refs/heads/main"
`);
    expect(evaluate(p, push('acme', 'app', 'main')).matched).toBe(true);
    const e = evaluate(p, push('acme', 'app', 'dev'));
    expect(e.matched).toBe(false);
    expect(e.trace[0]!.matchers.map((m) => [m.claim, m.matched])).toEqual([
      ['repository_owner', true],
      ['ref', false],
    ]);
  });

  it('the trace names the token claim, value, kind, pattern and position', () => {
    const e = evaluate(policy, push('acme', 'app'));
    expect(matcherTrace(e, 2, 'subject')).toMatchObject({ tokenClaim: 'sub', value: 'repo:acme/app:ref:refs/heads/main', kind: 'glob', pattern: 'repo:acme/*', matched: true, line: 14, column: 18 });
    expect(matcherTrace(e, 0, 'repository').reason).toContain('offset 5');
  });
});

describe('grants', () => {
  it('the default grant is contents: read plus metadata: read', () => {
    expect(grantOf(null)).toEqual({ contents: 'read', metadata: 'read' });
    expect(evaluate(rules('    - match:\n        repository_owner: "acme"\n'), push('acme', 'x')).permissions).toEqual({ contents: 'read', metadata: 'read' });
  });

  it('explicit permissions get metadata: read, keys sorted', () => {
    const p = rules(`    - match:
        repository_owner: "acme"
      permissions:
        workflows: write
        pull_requests: write
        actions: read
`);
    const granted = evaluate(p, push('acme', 'x')).permissions!;
    expect(granted).toEqual({ actions: 'read', metadata: 'read', pull_requests: 'write', workflows: 'write' });
    expect(Object.keys(granted)).toEqual(['actions', 'metadata', 'pull_requests', 'workflows']);
  });

  it('explicit permissions replace the default: no contents unless asked for', () => {
    expect(grantOf({ issues: 'write' })).toEqual({ issues: 'write', metadata: 'read' });
  });
});

describe('absent vs empty claims', () => {
  const anyEnv = rules('    - match:\n        environment: "*"\n');

  it('an absent environment never matches, not even "*", and the trace says it is absent', () => {
    const e = evaluate(anyEnv, push('acme', 'app'));
    expect(e.matched).toBe(false);
    const t = matcherTrace(e, 0, 'environment');
    expect(t.value).toBeNull();
    expect(t.matched).toBe(false);
    expect(t.reason).toContain('absent');
    expect(t.reason).toContain('no environment');
  });

  it('any other absent claim never matches "*" either', () => {
    const e = evaluate(rules('    - match:\n        actor: "*"\n'), { sub: 'repo:acme/app:pull_request' });
    expect(e.matched).toBe(false);
    expect(matcherTrace(e, 0, 'actor').reason).toContain('`actor` is absent');
  });

  it('a non-string claim value counts as absent', () => {
    expect(evaluate(anyEnv, { environment: 42 } as unknown as Claims).matched).toBe(false);
  });

  it('an empty-string claim is present: "*" matches it', () => {
    expect(evaluate(anyEnv, { environment: '' }).matched).toBe(true);
    const ref = rules('    - match:\n        ref: "*"\n');
    expect(evaluate(ref, { ref: '' }).matched).toBe(true);
  });

  it('an empty-string claim does not match a non-empty pattern', () => {
    const e = evaluate(rules('    - match:\n        ref: "refs/*"\n'), { ref: '' });
    expect(e.matched).toBe(false);
    expect(matcherTrace(e, 0, 'ref').value).toBe('');
  });

  it('an environment job matches owner + environment', () => {
    const p = seed('owner-environment');
    expect(evaluate(p, withEnv('acme', 'app', 'production')).matched).toBe(true);
    expect(evaluate(p, withEnv('acme', 'app', 'Production')).matched).toBe(false);
  });
});

describe('regex matchers are anchored', () => {
  const re = rules('    - match:\n        repository_owner: { regex: "acme" }\n');

  it('`acme` matches acme and not acme-evil or evil-acme', () => {
    expect(evaluate(re, { repository_owner: 'acme' }).matched).toBe(true);
    expect(evaluate(re, { repository_owner: 'acme-evil' }).matched).toBe(false);
    expect(evaluate(re, { repository_owner: 'evil-acme' }).matched).toBe(false);
  });

  it('the trace says the regex matches part of the value only', () => {
    const t = matcherTrace(evaluate(re, { repository_owner: 'acme-evil' }), 0, 'repository_owner');
    expect(t.kind).toBe('regex');
    expect(t.reason).toContain('matches part of the value');
    expect(t.reason).toContain('anchored');
    const none = matcherTrace(evaluate(re, { repository_owner: 'other' }), 0, 'repository_owner');
    expect(none.reason).toBe('the regex does not match the value');
  });

  it('an alternation is anchored as a whole: `acme|acme-labs` matches both, whole', () => {
    const alt = rules('    - match:\n        repository_owner: { regex: "acme|acme-labs" }\n');
    expect(evaluate(alt, { repository_owner: 'acme' }).matched).toBe(true);
    expect(evaluate(alt, { repository_owner: 'acme-labs' }).matched).toBe(true);
    expect(evaluate(alt, { repository_owner: 'acme-labs-evil' }).matched).toBe(false);
    expect(evaluate(alt, { repository_owner: 'x-acme' }).matched).toBe(false);
  });

  it('`.` in a regex matches an astral code point as one character', () => {
    const dot = rules('    - match:\n        actor: { regex: "a.b" }\n');
    expect(evaluate(dot, { actor: 'a😀b' }).matched).toBe(true);
    expect(evaluate(dot, { actor: 'a😀😀b' }).matched).toBe(false);
  });

  it('a regex on an absent claim never matches, even `.*`', () => {
    const any = rules('    - match:\n        environment: { regex: ".*" }\n');
    expect(evaluate(any, push('acme', 'app')).matched).toBe(false);
    expect(evaluate(any, { environment: '' }).matched).toBe(true);
  });
});

describe('trap hints in reasons', () => {
  const mainOnly = rules('    - match:\n        subject: "repo:acme/app:ref:refs/heads/main"\n');
  const subjectReason = (claims: Claims) => {
    const e = evaluate(mainOnly, claims);
    expect(e.matched).toBe(false);
    return matcherTrace(e, 0, 'subject').reason!;
  };

  it('an environment subject: the hint names the environment', () => {
    const reason = subjectReason(withEnv('acme', 'app', 'production'));
    expect(reason).toContain('environment');
    expect(reason).toContain(':environment:production');
  });

  it('an environment with `%3A`: the hint shows the decoded environment', () => {
    expect(subjectReason(withEnv('acme', 'app', 'Production:V1'))).toContain('environment:Production:V1');
  });

  it('a pull_request subject: the hint names pull_request', () => {
    expect(subjectReason({ ...push('acme', 'app'), sub: 'repo:acme/app:pull_request', ref: 'refs/pull/7/merge' })).toContain('pull_request subject');
  });

  it('an immutable subject: the hint names the immutable format', () => {
    const reason = subjectReason({ ...push('acme', 'app'), sub: 'repo:acme@123/app@456:ref:refs/heads/main' });
    expect(reason).toContain('immutable');
    expect(reason).toContain('repository');
  });

  it('no hint for an ordinary miss', () => {
    const reason = subjectReason(push('acme', 'app', 'dev'));
    expect(reason).not.toContain('Note:');
  });

  it('`ref: main` against refs/heads/main: the hint names refs/heads/', () => {
    const e = evaluate(rules('    - match:\n        ref: "main"\n'), push('acme', 'app', 'main'));
    expect(e.matched).toBe(false);
    const reason = matcherTrace(e, 0, 'ref').reason!;
    expect(reason).toContain('refs/heads/main');
    expect(reason).toContain('refs/heads/');
  });

  it('no refs/heads/ hint for a full ref pattern', () => {
    const e = evaluate(rules('    - match:\n        ref: "refs/heads/main"\n'), push('acme', 'app', 'dev'));
    expect(matcherTrace(e, 0, 'ref').reason).not.toContain('Note:');
  });
});

describe('SPEC seed examples behave as documented', () => {
  it('match-all `subject: "*"` admits any subject, default or customized', () => {
    const p = seed('match-all');
    for (const sub of ['repo:acme/app:ref:refs/heads/main', 'repo:other/x:pull_request', 'repo:o@1/r@2:environment:prod', 'repository_owner:monalisa', ''])
      expect(evaluate(p, { sub }).permissions).toEqual({ contents: 'read', metadata: 'read' });
    expect(evaluate(p, { repository: 'acme/app' }).matched).toBe(false);
  });

  it('owner `acme` admits acme/x and not acme-labs or ACME', () => {
    for (const dir of ['owner', 'skeleton-header', 'utf8-bom']) {
      const p = seed(dir);
      expect(evaluate(p, push('acme', 'x')).matched).toBe(true);
      expect(evaluate(p, withEnv('acme', 'x', 'production')).matched).toBe(true);
      expect(evaluate(p, push('acme-labs', 'x')).matched).toBe(false);
      expect(evaluate(p, push('ACME', 'x')).matched).toBe(false);
    }
  });

  it('exact subject admits only acme/infra on main', () => {
    const p = seed('exact-subject');
    expect(evaluate(p, push('acme', 'infra', 'main')).matched).toBe(true);
    expect(evaluate(p, push('acme', 'infra', 'dev')).matched).toBe(false);
    expect(evaluate(p, push('acme', 'infra', 'main-2')).matched).toBe(false);
    expect(evaluate(p, push('acme', 'infrastructure', 'main')).matched).toBe(false);
    expect(evaluate(p, withEnv('acme', 'infra', 'production')).matched).toBe(false);
  });

  it('owner + environment needs both', () => {
    const p = seed('owner-environment');
    expect(evaluate(p, withEnv('acme', 'app', 'production')).matched).toBe(true);
    expect(evaluate(p, push('acme', 'app')).matched).toBe(false);
    expect(evaluate(p, withEnv('acme', 'app', 'staging')).matched).toBe(false);
    expect(evaluate(p, withEnv('acme-labs', 'app', 'production')).matched).toBe(false);
  });

  it('the three-rule policy: any one rule admits', () => {
    const p = seed('any-rule');
    expect(evaluate(p, push('acme', 'infra')).rule).toBe(0);
    expect(evaluate(p, push('acme', 'platform-core', 'dev')).rule).toBe(1);
    expect(evaluate(p, push('acme', 'platform-')).rule).toBe(1);
    expect(evaluate(p, push('acme-labs', 'anything')).rule).toBe(2);
    expect(evaluate(p, push('acme', 'infra', 'dev')).matched).toBe(false);
    expect(evaluate(p, push('acme', 'platform')).matched).toBe(false);
    expect(evaluate(p, push('acme-labs-x', 'y')).matched).toBe(false);
  });

  it('the permissions example grants pull_requests: write', () => {
    const e = evaluate(seed('permissions'), push('acme', 'app'));
    expect(e.permissions).toEqual({ contents: 'read', metadata: 'read', pull_requests: 'write' });
  });

  it('the named `ci` policy admits acme/* repositories', () => {
    const p = seed('named-ci', 'ci');
    expect(evaluate(p, push('acme', 'app')).matched).toBe(true);
    expect(evaluate(p, push('acme-labs', 'app')).matched).toBe(false);
  });
});

describe('firstMatch agrees with evaluate', () => {
  const policies: Record<string, CompiledPolicy> = {
    seeds: seed('any-rule'),
    globs: rules(`    - match:
        subject: "repo:acme/*:ref:refs/heads/main"
    - match:
        repository: "acme/?pp"
        environment: "*"
    - match:
        actor: "dependabot[bot]"
        ref: "*"
    - match:
        workflow_ref: "*@refs/tags/*"
        ref_type: "tag"
`),
    regexes: rules(`    - match:
        repository_owner: { regex: "acme|acme-labs" }
        ref: { regex: "refs/heads/(main|release/.+)" }
    - match:
        environment: { regex: "prod.*" }
    - match:
        sha: { regex: "[0-9a-f]{40}" }
        actor: { regex: ".*\\\\[bot\\\\]" }
`),
    mixed: rules(`    - match:
        subject: "*"
        environment: { regex: "" }
    - match:
        repository: "acme/*"
        ref: { regex: "refs/tags/v[0-9]+" }
    - match:
        ref_type: "branch"
`),
  };

  const pick = (values: string[]) => fc.option(fc.constantFrom(...values), { nil: undefined, freq: 3 });
  const claimsArb: fc.Arbitrary<Claims> = fc
    .record({
      sub: pick(['repo:acme/app:ref:refs/heads/main', 'repo:acme/infra:ref:refs/heads/main', 'repo:acme/app:environment:prod', 'repo:acme@1/app@2:ref:refs/heads/main', 'repo:acme/app:pull_request', '']),
      repository: pick(['acme/app', 'acme/infra', 'acme/platform-x', 'acme-labs/app', 'acme/opp', '']),
      repository_owner: pick(['acme', 'acme-labs', 'acme-evil', '']),
      ref: pick(['refs/heads/main', 'refs/heads/release/1.0', 'refs/heads/release/', 'refs/tags/v12', 'refs/pull/1/merge', '']),
      ref_type: pick(['branch', 'tag', '']),
      actor: pick(['octocat', 'dependabot[bot]', 'dependabotb', 'renovate[bot]']),
      workflow_ref: pick(['acme/app/.github/workflows/ci.yml@refs/heads/main', 'acme/app/.github/workflows/release.yml@refs/tags/v1']),
      environment: pick(['prod', 'production', 'Production', '']),
      sha: pick(['a'.repeat(40), 'A'.repeat(40), 'abc']),
    })
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Claims);

  it.each(Object.keys(policies))('%s', (name) => {
    const p = policies[name]!;
    const seen = new Set<number>();
    fc.assert(
      fc.property(claimsArb, (claims) => {
        const e = evaluate(p, claims);
        const fast = firstMatch(p, claims);
        seen.add(fast);
        expect(fast).toBe(e.matched ? e.rule : -1);
        expect(e.matched).toBe(e.trace.some((r) => r.matched));
        const hits = e.trace.filter((r) => r.matched).map((r) => r.rule);
        expect(e.otherMatches.map((m) => m.rule)).toEqual(hits.slice(1));
        expect(e.permissions === null).toBe(!e.matched);
        for (const r of e.trace) expect(r.matched).toBe(r.matchers.every((m) => m.matched));
        for (const m of e.trace.flatMap((r) => r.matchers)) expect(m.matched).toBe(m.reason === undefined);
      }),
      { numRuns: 2000 },
    );
    // The generator reaches both a denial and at least one matching rule for every policy.
    expect(seen.has(-1)).toBe(true);
    expect([...seen].some((i) => i >= 0)).toBe(true);
  });
});
