// The explorer's parts without a terminal: key decoding (bursts split, control characters
// dropped), the claims form (subject parsing, JWT, absent vs empty), the failing part of a value,
// discovery of sources (no_trust_policy rows, --policy-name) and incremental evaluation.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeKeys, splitBurst, type InkKey } from '../src/tui/input.js';
import { editClaim, emptyForm, formClaims, formFromClaims, subjectIsHiddenToken, toggleEnvironment, type ClaimsForm } from '../src/tui/claims-form.js';
import { failingPart } from '../src/tui/highlight.js';
import { loadSource, planSources } from '../src/tui/sources.js';
import { ExploreSession } from '../src/tui/session.js';
import { evaluate } from '../src/engine/evaluate.js';
import { ROOT } from './helpers/cli.js';

const NO_KEY: InkKey = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false };
const tmp = mkdtempSync(join(tmpdir(), 'sts-explore-model-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function policy(dir: string, name: string, rules: string[]): string {
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  const path = join(dir, `.atmos/pro/sts/${name}.yaml`);
  writeFileSync(path, ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', `  name: ${name}`, 'spec:', '  rules:', ...rules, ''].join('\n'));
  return path;
}

describe('decodeKeys', () => {
  it('splits a burst into one event per control key, keeping printable runs together', () => {
    expect(splitBurst('\u007f\u007f')).toEqual([{ kind: 'backspace' }, { kind: 'backspace' }]);
    expect(splitBurst('ab\u0015cd')).toEqual([{ kind: 'text', text: 'ab' }, { kind: 'clear' }, { kind: 'text', text: 'cd' }]);
    expect(splitBurst('x\u0007\u0001y\r\n')).toEqual([{ kind: 'text', text: 'x' }, { kind: 'text', text: 'y' }]);
    expect(splitBurst('\u0003')).toEqual([{ kind: 'interrupt' }]);
    expect(splitBurst('a\u0008😀')).toEqual([{ kind: 'text', text: 'a' }, { kind: 'backspace' }, { kind: 'text', text: '😀' }]);
  });

  it('reads Ink key flags: Ctrl+U clears instead of typing u, Ctrl+C quits, other Ctrl keys are dropped', () => {
    expect(decodeKeys('u', { ...NO_KEY, ctrl: true })).toEqual([{ kind: 'clear' }]);
    expect(decodeKeys('c', { ...NO_KEY, ctrl: true })).toEqual([{ kind: 'interrupt' }]);
    expect(decodeKeys('x', { ...NO_KEY, ctrl: true })).toEqual([]);
    expect(decodeKeys('u', NO_KEY)).toEqual([{ kind: 'text', text: 'u' }]);
    expect(decodeKeys('', { ...NO_KEY, delete: true })).toEqual([{ kind: 'backspace' }]);
    expect(decodeKeys('', { ...NO_KEY, tab: true, shift: true })).toEqual([{ kind: 'tab', shift: true }]);
    expect(decodeKeys('', { ...NO_KEY, upArrow: true })).toEqual([{ kind: 'up' }]);
  });
});

describe('the claims form', () => {
  const type = (form: ClaimsForm, claim: Parameters<typeof editClaim>[1], text: string) => editClaim(form, claim, { kind: 'text', text });

  it('derives repository, owner, ref and ref_type from a classic subject, and re-derives as it changes', () => {
    let form = type(emptyForm(), 'sub', 'repo:acme/app:ref:refs/tags/v1');
    expect(formClaims(form)).toEqual({ sub: 'repo:acme/app:ref:refs/tags/v1', repository: 'acme/app', repository_owner: 'acme', ref: 'refs/tags/v1', ref_type: 'tag' });
    form = editClaim(form, 'sub', { kind: 'clear' });
    form = type(form, 'sub', 'repo:acme/app:environment:prod');
    expect(formClaims(form)).toEqual({ sub: 'repo:acme/app:environment:prod', repository: 'acme/app', repository_owner: 'acme', environment: 'prod' });
  });

  it('parses the immutable subject into the names, and keeps fields a person edited', () => {
    let form = type(emptyForm(), 'actor', 'octocat');
    form = type(form, 'sub', 'repo:acme@123/app@456:ref:refs/heads/main');
    expect(formClaims(form)).toMatchObject({ repository: 'acme/app', repository_owner: 'acme', ref: 'refs/heads/main', actor: 'octocat' });
  });

  it('tells an absent claim from an empty one, and toggles the environment', () => {
    let form = formFromClaims({ sub: 'x', ref: '' }, 'test');
    expect(formClaims(form)).toEqual({ sub: 'x', ref: '' });
    form = toggleEnvironment(form);
    expect(formClaims(form)).toEqual({ sub: 'x', ref: '', environment: '' });
    form = type(form, 'environment', 'prod');
    form = toggleEnvironment(form);
    expect('environment' in formClaims(form)).toBe(false);
    form = editClaim(form, 'sub', { kind: 'backspace' });
    expect('sub' in formClaims(form)).toBe(false);
  });

  it('decodes a pasted JWT into its claims, hides a partial one, and keeps only its size', () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'RS256' })}.${b64({ sub: 'repo:a/b:ref:refs/heads/main', aud: 'x' })}.c2ln`;
    const partial = type(emptyForm(), 'sub', token.slice(0, 30));
    expect(subjectIsHiddenToken(partial)).toBe(true);
    const form = type(partial, 'sub', token.slice(30));
    expect(formClaims(form)).toEqual({ sub: 'repo:a/b:ref:refs/heads/main', aud: 'x' });
    expect(form.jwt).toEqual({ chars: token.length, claims: 2 });
    expect(JSON.stringify(form)).not.toContain(token.split('.')[1]!);
  });
});

describe('failingPart', () => {
  const m = (pattern: string, value: string, kind: 'glob' | 'regex' = 'glob') => {
    const dir = join(tmp, `hl-${Math.random().toString(36).slice(2)}`);
    const match = kind === 'glob' ? `        ref: ${JSON.stringify(pattern)}` : `        ref: { regex: ${JSON.stringify(pattern)} }`;
    const entry = loadSource(planSources([policy(dir, 'default', ['    - match:', match])]).sources[0]!);
    return failingPart(evaluate(entry.compiled!, { ref: value }).trace[0]!.matchers[0]!);
  };

  it('starts where the glob stops matching', () => {
    expect(m('refs/heads/main', 'refs/heads/dev')).toEqual({ start: 11, end: 14 });
    expect(m('refs/heads/main', 'refs/heads/mainline')).toEqual({ start: 15, end: 19 });
    expect(m('refs/heads/main', 'refs/heads/ma')).toEqual({ start: 13, end: 13 });
    // The value does not end with `/main`: its last five characters are the failing part.
    expect(m('refs/*/main', 'refs/heads/dev')).toEqual({ start: 9, end: 14 });
    expect(m('refs/*/x/*', 'refs/heads/dev')).toEqual({ start: 5, end: 14 });
    expect(m('refs/heads/main', 'refs/heads/main')).toBeUndefined();
  });

  it('marks the whole value for a regex', () => {
    expect(m('refs/heads/(main|dev)', 'refs/heads/x', 'regex')).toEqual({ start: 0, end: 12 });
  });
});

describe('sources', () => {
  const ws = join(tmp, 'ws');
  const withPolicy = join(ws, 'acme', 'modules');
  const withCi = join(ws, 'acme', 'ci-only');
  const bare = join(ws, 'acme', 'bare');
  policy(withPolicy, 'default', ['    - match:', '        repository: "acme/app"']);
  policy(withCi, 'ci', ['    - match:', '        actor: "octocat"']);
  mkdirSync(join(bare, '.git'), { recursive: true });
  mkdirSync(join(bare, '.atmos/pro/sts'), { recursive: true });
  writeFileSync(join(bare, '.atmos/pro/sts/default.yml'), 'x: 1\n');

  it('opens on every policy of a workspace, and a repo without one is no_trust_policy with its near misses', () => {
    const plan = planSources([ws]);
    expect(plan.sources.map((s) => [s.repo, s.policyName, s.exists])).toEqual([
      ['acme/bare', 'default', false],
      ['acme/ci-only', 'ci', true],
      ['acme/modules', 'default', true],
    ]);
    expect(plan.sources[0]!.nearMisses.map((f) => f.ruleId)).toEqual(['file/near-miss']);
    const entries = plan.sources.map(loadSource);
    expect(entries.map((e) => e.status)).toEqual(['missing', 'valid', 'valid']);
    expect(new ExploreSession(entries).results({}).map((r) => r.outcome)).toEqual(['no_trust_policy', 'trust_policy_denied', 'trust_policy_denied']);
  });

  it('--policy-name keeps that policy, and repos without it are no_trust_policy', () => {
    const plan = planSources([ws], 'ci');
    expect(plan.sources.map((s) => [s.repo, s.policyName, s.exists])).toEqual([
      ['acme/bare', 'ci', false],
      ['acme/ci-only', 'ci', true],
      ['acme/modules', 'ci', false],
    ]);
  });

  it('an invalid policy is trust_policy_invalid, with its validity findings', () => {
    const dir = join(tmp, 'broken');
    policy(dir, 'default', ['    - match:', '        repositoryowner: "acme"']);
    const [entry] = planSources([dir]).sources.map(loadSource);
    expect(entry!.status).toBe('invalid');
    expect(entry!.findings.some((f) => f.severity === 'error')).toBe(true);
    expect(new ExploreSession([entry!]).results({ repository_owner: 'acme' })[0]!.outcome).toBe('trust_policy_invalid');
  });

  it('a missing path is a usage error', () => {
    expect(planSources([join(tmp, 'nope')]).errors).toEqual([`${join(tmp, 'nope')}: no such file or directory`]);
  });
});

describe('ExploreSession', () => {
  it('re-evaluates only the policies that read the claim that changed', () => {
    const dir = join(tmp, 'many');
    const paths = [
      policy(join(dir, 'a'), 'default', ['    - match:', '        actor: "octocat"']),
      policy(join(dir, 'b'), 'default', ['    - match:', '        repository: "acme/app"', '      permissions:', '        issues: write']),
      policy(join(dir, 'c'), 'default', ['    - match:', '        repository: "acme/*"', '        ref: "refs/heads/main"']),
    ];
    const session = new ExploreSession(planSources(paths).sources.map(loadSource));
    expect(session.results({ repository: 'acme/app' }).map((r) => r.outcome)).toEqual(['trust_policy_denied', 'minted', 'trust_policy_denied']);
    expect(session.evaluations).toBe(3);
    expect(session.results({ repository: 'acme/app', actor: 'octocat' }).map((r) => r.outcome)).toEqual(['minted', 'minted', 'trust_policy_denied']);
    expect(session.evaluations).toBe(4);
    const r = session.results({ repository: 'acme/app', actor: 'octocat', ref: 'refs/heads/main' });
    expect(r.map((x) => x.outcome)).toEqual(['minted', 'minted', 'minted']);
    expect(r[1]!.permissions).toEqual({ issues: 'write', metadata: 'read' });
    expect(session.evaluations).toBe(5);
  });

  it('opens on the seed examples: every fixture policy loads and compiles', () => {
    const entries = planSources([join(ROOT, 'fixtures/valid'), join(ROOT, 'fixtures/examples')]).sources.map(loadSource);
    expect(entries.length).toBeGreaterThan(5);
    expect(entries.every((e) => e.status === 'valid' && e.compiled)).toBe(true);
  });
});
