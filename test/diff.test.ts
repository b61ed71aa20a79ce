// The access diff as a library (src/diff/*): verdicts on real policy pairs (fixtures/diff/<case>),
// every gain and loss witness replayed through the simulator against both versions, a property test
// against brute force over realistic claim sets, git revisions, and a bound on a large pair.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { diffAccess, worstGrant, type Verdict } from '../src/diff/access-diff.js';
import { tokenClasses } from '../src/analysis/token-search.js';
import { tokenProblem } from '../src/analysis/token-model.js';
import { dirPairs, filePair, gitPairs } from '../src/diff/sources.js';
import { diffPairs, type PolicyDiff } from '../src/diff/policy-diff.js';
import { compilePolicy, evaluate } from '../src/engine/evaluate.js';
import { isValidityError, validatePolicyText } from '../src/validate/policy.js';
import { POLICY_DIR, type Claims, type Policy } from '../src/model.js';
import { ROOT } from './helpers/cli.js';
import { checkout, higher, largePolicy, POLICY_HEADER as HEADER, replayChange, ruleAlone, worstCase } from './helpers/diff-replay.js';

const FIXTURES = join(ROOT, 'fixtures/diff');
const tmp = mkdtempSync(join(tmpdir(), 'sts-diff-lib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const side = (c: string, s: 'old' | 'new') => join(FIXTURES, c, `${s}.yaml`);
const present = (p: string) => (existsSync(p) ? p : null);

/** The diff of one fixture pair, every witness replayed against both versions. */
function diffCase(c: string): PolicyDiff {
  const [d] = diffPairs([filePair(side(c, 'old'), side(c, 'new'))]);
  expect(d).toBeDefined();
  replayAll(d!, present(side(c, 'old')), present(side(c, 'new')));
  return d!;
}

function replayAll(d: PolicyDiff, oldFile: string | null, newFile: string | null): void {
  const oldDir = checkout(oldFile, mkdtempSync(join(tmp, 'old-')));
  const newDir = checkout(newFile, mkdtempSync(join(tmp, 'new-')));
  for (const g of d.gains) {
    expect(['new-access', 'escalation']).toContain(g.kind);
    replayChange(g, oldDir, newDir);
  }
  for (const l of d.losses) {
    expect(['lost-access', 'reduction']).toContain(l.kind);
    replayChange(l, oldDir, newDir);
  }
  // The verdict follows from the gains and losses.
  const expected: Verdict = d.gains.length && d.losses.length ? 'incomparable' : d.gains.length ? 'wider' : d.losses.length ? 'narrower' : 'equivalent';
  if (d.verdict !== 'undecided') expect(d.verdict).toBe(expected);
}

describe('fixture pairs', () => {
  it('reordering rules is equivalent (worst case: the union of matching rules)', () => {
    const d = diffCase('reorder');
    expect(d).toMatchObject({ change: 'modified', verdict: 'equivalent', gains: [], losses: [] });
  });

  it('a regex alternation split into two rules is equivalent', () => {
    expect(diffCase('split-alternation')).toMatchObject({ change: 'modified', verdict: 'equivalent', gains: [], losses: [] });
  });

  it('a glob rewritten as the equivalent regex is equivalent', () => {
    expect(diffCase('glob-as-regex')).toMatchObject({ change: 'modified', verdict: 'equivalent', gains: [], losses: [] });
  });

  it('`acme/.*` is `acme/*` for repositories (no name holds the newline RE2 `.` stops at), not for free-text environments', () => {
    expect(diffCase('glob-as-regex-newline')).toMatchObject({ verdict: 'equivalent', gains: [], losses: [] });
    const regex = parse(policyText([{ matchers: [['environment', '{ regex: "prod.*" }']], permissions: null }]));
    const glob = parse(policyText([{ matchers: [['environment', '"prod*"']], permissions: null }]));
    const d = diffAccess(regex, glob);
    expect(d.verdict).toBe('wider');
    expect(d.gains[0]!.witness.environment).toMatch(/^prod.*\n/s);
    const regexFile = join(tmp, 'env-regex.yaml');
    const globFile = join(tmp, 'env-glob.yaml');
    writeFileSync(regexFile, policyText([{ matchers: [['environment', '{ regex: "prod.*" }']], permissions: null }]));
    writeFileSync(globFile, policyText([{ matchers: [['environment', '"prod*"']], permissions: null }]));
    replayAll({ path: 'p', change: 'modified', invalid: { before: [], after: [] }, ...d }, regexFile, globFile);
  });

  it('adding a `repo:acme*` subject rule is wider, with a witness owner that is not acme', () => {
    const d = diffCase('add-owner-prefix');
    expect(d.verdict).toBe('wider');
    expect(d.losses).toEqual([]);
    expect(d.gains).toHaveLength(1);
    const g = d.gains[0]!;
    expect(g).toMatchObject({ kind: 'new-access', rule: 1, before: null, after: { contents: 'read', metadata: 'read' } });
    expect(g.witness.repository_owner).toBeDefined();
    expect(g.witness.repository_owner).not.toBe('acme');
    expect(g.witness.sub!.startsWith('repo:acme')).toBe(true);
  });

  it('pinning a ref is narrower', () => {
    const d = diffCase('pin-ref');
    expect(d.verdict).toBe('narrower');
    expect(d.gains).toEqual([]);
    expect(d.losses).toHaveLength(1);
    expect(d.losses[0]).toMatchObject({ kind: 'lost-access', rule: 0, after: null });
    expect(d.losses[0]!.witness.ref).not.toBe('refs/heads/main');
  });

  it('widening one thing and narrowing another is incomparable', () => {
    const d = diffCase('incomparable');
    expect(d.verdict).toBe('incomparable');
    expect(d.gains.map((g) => g.kind)).toEqual(['new-access']);
    expect(d.losses.map((l) => l.kind)).toEqual(['lost-access']);
    expect(d.gains[0]!.witness.repository).not.toBe('acme/app');
    expect(d.losses[0]!.witness.ref).not.toBe('refs/heads/main');
  });

  it('a write grant added is an escalation: read before, write after', () => {
    const d = diffCase('escalation');
    expect(d.verdict).toBe('wider');
    expect(d.losses).toEqual([]);
    expect(d.gains).toHaveLength(1);
    expect(d.gains[0]).toMatchObject({
      kind: 'escalation',
      rule: 0,
      before: { contents: 'read', metadata: 'read' },
      after: { contents: 'write', metadata: 'read' },
    });
  });

  it('an added file (old missing) is change added, verdict wider', () => {
    expect(existsSync(side('added', 'old'))).toBe(false);
    const d = diffCase('added');
    expect(d).toMatchObject({ change: 'added', verdict: 'wider', losses: [], invalid: { before: [], after: [] } });
    expect(d.gains.map((g) => g.kind)).toEqual(['new-access']);
  });

  it('a removed file is change removed, verdict narrower', () => {
    expect(existsSync(side('removed', 'new'))).toBe(false);
    const d = diffCase('removed');
    expect(d).toMatchObject({ change: 'removed', verdict: 'narrower', gains: [] });
    expect(d.losses.map((l) => l.kind)).toEqual(['lost-access']);
  });

  it('an invalid new version loses everything (STS fails closed), with its findings', () => {
    const d = diffCase('invalid-new');
    expect(d).toMatchObject({ change: 'modified', verdict: 'narrower', gains: [] });
    expect(d.invalid.before).toEqual([]);
    expect(d.invalid.after.length).toBeGreaterThan(0);
    expect(d.invalid.after.map((f) => f.ruleId)).toContain('schema/unknown-claim');
    expect(d.invalid.after.every(isValidityError)).toBe(true);
    expect(d.losses).toHaveLength(1);
    expect(d.losses[0]).toMatchObject({ kind: 'lost-access', before: { contents: 'read', metadata: 'read', pull_requests: 'write' }, after: null });
  });

  it('an unchanged file is equivalent', () => {
    expect(diffCase('unchanged')).toMatchObject({ change: 'unchanged', verdict: 'equivalent', gains: [], losses: [] });
  });
});

describe('directories and git revisions', () => {
  /** A repository-shaped tree holding the given policies under .atmos/pro/sts/. */
  function tree(root: string, files: Record<string, string>): string {
    rmSync(join(root, POLICY_DIR), { recursive: true, force: true });
    mkdirSync(join(root, POLICY_DIR), { recursive: true });
    for (const [name, src] of Object.entries(files)) writeFileSync(join(root, POLICY_DIR, `${name}.yaml`), readFileSync(src, 'utf8').replace(/name: default/, `name: ${name}`));
    return root;
  }

  it('pairs policy files of two directories by path: added, removed, modified, unchanged', () => {
    const a = tree(mkdtempSync(join(tmp, 'dir-a-')), { default: side('pin-ref', 'old'), ci: side('unchanged', 'old'), gone: side('removed', 'old') });
    const b = tree(mkdtempSync(join(tmp, 'dir-b-')), { default: side('pin-ref', 'new'), ci: side('unchanged', 'new'), fresh: side('added', 'new') });
    const diffs = diffPairs(dirPairs(a, b));
    const by = Object.fromEntries(diffs.map((d) => [d.path, d]));
    expect(Object.keys(by).sort()).toEqual([`${POLICY_DIR}/ci.yaml`, `${POLICY_DIR}/default.yaml`, `${POLICY_DIR}/fresh.yaml`, `${POLICY_DIR}/gone.yaml`]);
    expect(by[`${POLICY_DIR}/default.yaml`]).toMatchObject({ change: 'modified', verdict: 'narrower' });
    expect(by[`${POLICY_DIR}/ci.yaml`]).toMatchObject({ change: 'unchanged', verdict: 'equivalent' });
    expect(by[`${POLICY_DIR}/fresh.yaml`]).toMatchObject({ change: 'added', verdict: 'wider' });
    expect(by[`${POLICY_DIR}/gone.yaml`]).toMatchObject({ change: 'removed', verdict: 'narrower' });
    // The names now match the files, so every version is valid.
    for (const d of diffs) expect(d.invalid).toEqual({ before: [], after: [] });
  });

  it('reads both sides from git objects, and the head from the working tree when no --head is given', () => {
    const repo = mkdtempSync(join(tmp, 'git-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    tree(repo, { default: side('escalation', 'old'), gone: side('removed', 'old') });
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    tree(repo, { default: side('escalation', 'new'), fresh: side('added', 'new') });
    git('add', '-A');
    git('commit', '-q', '-m', 'head');

    const committed = diffPairs(gitPairs(repo, 'HEAD~1', 'HEAD'));
    expect(committed.map((d) => [d.path, d.change, d.verdict])).toEqual([
      [`${POLICY_DIR}/default.yaml`, 'modified', 'wider'],
      [`${POLICY_DIR}/fresh.yaml`, 'added', 'wider'],
      [`${POLICY_DIR}/gone.yaml`, 'removed', 'narrower'],
    ]);
    expect(committed[0]!.gains.map((g) => g.kind)).toEqual(['escalation']);
    replayAll(committed[0]!, side('escalation', 'old'), side('escalation', 'new'));

    // Uncommitted edits count when the head is the working tree; HEAD..HEAD is unchanged.
    writeFileSync(join(repo, POLICY_DIR, 'default.yaml'), readFileSync(side('pin-ref', 'new'), 'utf8'));
    const work = diffPairs(gitPairs(repo, 'HEAD'));
    expect(work.map((d) => [d.path, d.change, d.verdict])).toEqual([
      [`${POLICY_DIR}/default.yaml`, 'modified', 'incomparable'],
      [`${POLICY_DIR}/fresh.yaml`, 'unchanged', 'equivalent'],
    ]);
    replayAll(work[0]!, side('escalation', 'new'), side('pin-ref', 'new'));
    expect(diffPairs(gitPairs(repo, 'HEAD', 'HEAD')).every((d) => d.change === 'unchanged' && d.verdict === 'equivalent')).toBe(true);
  });

  it('an unknown revision is a GitError, not a crash', () => {
    const repo = mkdtempSync(join(tmp, 'git-empty-'));
    execFileSync('git', ['-C', repo, 'init', '-q', '-b', 'main']);
    expect(() => gitPairs(repo, 'no-such-rev')).toThrow(/cannot read revision/);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the verdict agrees with brute force over a finite set of realistic claim sets.


/** A fixed vocabulary of matchers per claim: globs and regexes, exact and wide. */
const VOCAB: Record<string, string[]> = {
  repository_owner: ['"acme"', '"acme*"', '"*"', '{ regex: "acme|octo-org" }', '"octo-org"'],
  repository: ['"acme/app"', '"acme/*"', '{ regex: "acme/(app|infra)" }', '"*/infra"', '"acme/ap?"', '{ regex: "[a-z-]+/app" }'],
  ref: ['"refs/heads/main"', '"refs/heads/*"', '"refs/tags/*"', '{ regex: "refs/(heads|tags)/.*" }', '"*"'],
  environment: ['"production"', '"*"', '"prod*"', '{ regex: "prod(uction)?" }'],
  subject: ['"repo:acme/*"', '"repo:acme/app:ref:refs/heads/main"', '"repo:*:environment:production"', '"repo:acme*"', '{ regex: "repo:acme/[a-z]+:.*" }'],
  ref_type: ['"branch"', '"tag"'],
  actor: ['"octocat"', '"dependabot[bot]"', '"*"'],
};
const PERMISSIONS = [null, 'contents: write', 'contents: read\n        pull_requests: write', 'issues: read', 'contents: admin'];

const ruleArb = fc.record({
  matchers: fc.uniqueArray(fc.constantFrom(...Object.keys(VOCAB)), { minLength: 1, maxLength: 3 }).chain((claims) => fc.tuple(...claims.map((c) => fc.constantFrom(...VOCAB[c]!.map((m) => [c, m] as const))))),
  permissions: fc.constantFrom(...PERMISSIONS),
});
const policyArb = fc.array(ruleArb, { minLength: 1, maxLength: 3 });
type RuleSpec = { matchers: (readonly [string, string])[]; permissions: string | null };

function policyText(rules: readonly RuleSpec[]): string {
  return (
    HEADER +
    rules
      .map((r) => {
        const match = r.matchers.map(([c, m]) => `        ${c}: ${m}\n`).join('');
        return `    - match:\n${match}${r.permissions ? `      permissions:\n        ${r.permissions}\n` : ''}`;
      })
      .join('')
  );
}

function parse(text: string): Policy {
  const v = validatePolicyText('default.yaml', 'default', text);
  expect(v.findings.filter(isValidityError)).toEqual([]);
  return v.policy!;
}

const SHA = 'a'.repeat(40);
/** Realistic GitHub claim sets: push, pull_request and environment jobs of a few owners and repos. */
const CLAIM_SETS: Claims[] = (() => {
  const out: Claims[] = [];
  for (const owner of ['acme', 'acme-evil', 'octo-org', 'evil'])
    for (const repo of ['app', 'infra', 'apx'])
      for (const ref of ['refs/heads/main', 'refs/heads/feature', 'refs/tags/v1.0.0', 'refs/pull/7/merge'])
        for (const env of [null, 'production', 'prod-eu', 'staging'])
          for (const actor of ['octocat', 'dependabot[bot]']) {
            const c: Claims = {
              sub: env ? `repo:${owner}/${repo}:environment:${env}` : ref.startsWith('refs/pull/') ? `repo:${owner}/${repo}:pull_request` : `repo:${owner}/${repo}:ref:${ref}`,
              repository: `${owner}/${repo}`,
              repository_owner: owner,
              ref,
              ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
              actor,
              workflow_ref: `${owner}/${repo}/.github/workflows/ci.yml@${ref}`,
              sha: SHA,
            };
            if (env) c.environment = env;
            out.push(c);
          }
  return out;
})();

/** Brute force: does some claim set get access, or a higher grant, from `a` than from `b`? */
function bruteGain(a: Policy, b: Policy): Claims | undefined {
  return CLAIM_SETS.find((c) => {
    const wa = worstCase(a, c);
    if (!wa) return false;
    const wb = worstCase(b, c);
    return !wb || higher(wa, wb);
  });
}

describe('property: verdict vs brute force over realistic claim sets', () => {
  it('agrees on random small policy pairs, and every witness replays', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(policyArb, policyArb, (oldRules, newRules) => {
        const oldText = policyText(oldRules);
        const newText = policyText(newRules);
        const before = parse(oldText);
        const after = parse(newText);
        const d = diffAccess(before, after);
        seen.add(d.verdict);
        expect(d.verdict).not.toBe('undecided');
        const gain = bruteGain(after, before);
        const loss = bruteGain(before, after);
        if (gain) expect(['wider', 'incomparable'], `new admits more for ${JSON.stringify(gain)}`).toContain(d.verdict);
        if (loss) expect(['narrower', 'incomparable'], `old admits more for ${JSON.stringify(loss)}`).toContain(d.verdict);
        if (d.verdict === 'equivalent') expect([gain, loss]).toEqual([undefined, undefined]);
        // Soundness: the diff's own witnesses are real differences.
        const oldFile = join(tmp, 'prop-old.yaml');
        const newFile = join(tmp, 'prop-new.yaml');
        writeFileSync(oldFile, oldText);
        writeFileSync(newFile, newText);
        replayAll({ path: 'p', change: 'modified', invalid: { before: [], after: [] }, ...d }, oldFile, newFile);
      }),
      { numRuns: 60, seed: 20240611 },
    );
    // The sample is not degenerate: it met differences both ways.
    expect([...seen].sort()).toEqual(expect.arrayContaining(['incomparable', 'narrower', 'wider']));
  }, 180_000);

  it('dropping a rule never widens, adding one never narrows, and both agree with brute force', () => {
    fc.assert(
      fc.property(policyArb, ruleArb, fc.nat(), (rules, extra, at) => {
        const base = parse(policyText(rules));
        const more = parse(policyText([...rules.slice(0, at % (rules.length + 1)), extra, ...rules.slice(at % (rules.length + 1))]));
        const added = diffAccess(base, more);
        expect(['wider', 'equivalent']).toContain(added.verdict);
        expect(added.losses).toEqual([]);
        if (bruteGain(more, base)) expect(added.verdict).toBe('wider');
        const dropped = diffAccess(more, base);
        expect(['narrower', 'equivalent']).toContain(dropped.verdict);
        expect(dropped.gains).toEqual([]);
        expect(dropped.verdict === 'narrower').toBe(added.verdict === 'wider');
      }),
      { numRuns: 30, seed: 99 },
    );
  }, 120_000);

  it('a policy is equivalent to itself with its rules reversed', () => {
    fc.assert(
      fc.property(policyArb, (rules) => {
        const d = diffAccess(parse(policyText(rules)), parse(policyText([...rules].reverse())));
        expect(d).toMatchObject({ verdict: 'equivalent', gains: [], losses: [] });
      }),
      { numRuns: 25, seed: 7 },
    );
  }, 120_000);
});

describe('building blocks', () => {
  it('a witness takes actor and sha from the rule when it pins them, and stays a consistent token', () => {
    // Regression: the witness search always used actor `octocat`, so a rule pinning the actor fell
    // back to an inconsistent claim set (sub `repo:a/a:...`, repository `a/infra`, ref "").
    const before = parse(policyText([{ matchers: [['repository_owner', '"acme"']], permissions: null }]));
    const after = parse(policyText([
      { matchers: [['repository_owner', '"acme"']], permissions: null },
      { matchers: [['actor', '"dependabot[bot]"'], ['repository', '"*/infra"']], permissions: null },
    ]));
    const d = diffAccess(before, after);
    expect(d.verdict).toBe('wider');
    const w = d.gains[0]!.witness;
    expect(w.actor).toBe('dependabot[bot]');
    expect(w.repository).toBe(`${w.repository_owner}/infra`);
    expect(w.sub).toBe(`repo:${w.repository}:ref:${w.ref}`);
    expect(w.workflow_ref!.startsWith(`${w.repository}/.github/workflows/`)).toBe(true);
    expect(w.ref).toMatch(/^refs\/heads\//);
    const sha = parse(policyText([{ matchers: [['sha', '"0123456789abcdef0123456789abcdef01234567"'], ['repository_owner', '"acme"']], permissions: null }]));
    const [only] = tokenClasses(sha.rules).filter((c) => c.rules.length);
    expect(only!.witness).toMatchObject({ sha: '0123456789abcdef0123456789abcdef01234567', repository_owner: 'acme', sub: expect.stringMatching(/^repo:acme\//) });
  });

  it('worstGrant is the union of the matching rules, and agrees with the independent computation', () => {
    const policy = parse(policyText([
      { matchers: [['repository_owner', '"acme"']], permissions: 'contents: read\n        pull_requests: write' },
      { matchers: [['repository', '"acme/infra"']], permissions: 'contents: write' },
      { matchers: [['repository', '"acme/app"']], permissions: null },
    ]));
    for (const c of CLAIM_SETS.slice(0, 200)) expect(worstGrant(policy.rules.filter((_, i) => ruleAlone(policy, i, c)))).toEqual(worstCase(policy, c));
    const infra = CLAIM_SETS.find((c) => c.repository === 'acme/infra')!;
    expect(worstGrant(policy.rules.slice(0, 2))).toEqual({ contents: 'write', metadata: 'read', pull_requests: 'write' });
    // The simulator's first match grants less than the worst case here: that is why the diff uses the union.
    expect(evaluate(compilePolicy(policy), infra).permissions).toEqual({ contents: 'read', metadata: 'read', pull_requests: 'write' });
  });

  it('a witness is a whole token inside the rule: its subject and workflow_ref name its own repository and context', () => {
    const policy = parse(policyText([{ matchers: [['repository', '"acme/*"'], ['environment', '"production"']], permissions: null }]));
    const [c] = tokenClasses(policy.rules).filter((x) => x.rules.length);
    const w = c!.witness;
    expect(w).toMatchObject({ repository_owner: 'acme', environment: 'production' });
    expect(w.sub).toBe(`repo:${w.repository}:environment:production`);
    expect(w.workflow_ref!.startsWith(`${w.repository}/.github/workflows/`)).toBe(true);
    expect(tokenProblem(w)).toBeUndefined();
    expect(evaluate(compilePolicy(policy), w).matched).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Bound: two 50-rule policies with globs and regexes diff to the right answer (no hang).

describe('bound', () => {
  it('diffs two 50-rule policies with globs and regexes to the exact answer', () => {
    const oldFile = join(tmp, 'large-old.yaml');
    const newFile = join(tmp, 'large-new.yaml');
    writeFileSync(oldFile, largePolicy('old'));
    writeFileSync(newFile, largePolicy('new'));
    const d = diffAccess(parse(largePolicy('old')), parse(largePolicy('new')));
    expect(d.verdict).toBe('incomparable');
    expect(d.gains.map((g) => [g.kind, g.rule])).toEqual([
      ['new-access', 7],
      ['escalation', 30],
    ]);
    expect(d.losses.map((l) => [l.kind, l.rule])).toEqual([['lost-access', 21]]);
    replayAll({ path: 'large', change: 'modified', invalid: { before: [], after: [] }, ...d }, oldFile, newFile);
    // Against itself it is equivalent.
    expect(diffAccess(parse(largePolicy('old')), parse(largePolicy('old'))).verdict).toBe('equivalent');
  }, 120_000);
});

// Keep a copy of the fixtures list honest: every case directory is exercised above (custom-template
// in diff-cli.test.ts, with its settings).
it('every fixtures/diff case is covered', () => {
  const covered = ['reorder', 'split-alternation', 'glob-as-regex', 'glob-as-regex-newline', 'add-owner-prefix', 'pin-ref', 'incomparable', 'escalation', 'added', 'removed', 'invalid-new', 'unchanged', 'custom-template'];
  const dirs = readdirSync(FIXTURES);
  expect(dirs.sort()).toEqual([...covered].sort());
});
