// Claims: default-format subjects (GITHUB-OIDC.md "Default sub"), claims files and raw JWTs
// (payload only), and `--claim k=v` assignments.
import { describe, expect, it } from 'vitest';
import { claimValue, claimsFromSubject, decodeClaimsInput, parseClaimAssignment, parseSubject } from '../src/engine/claims.js';

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const jwt = (payload: string, header = '{"alg":"RS256","typ":"JWT","kid":"k1"}') => `${b64url(header)}.${b64url(payload)}.${b64url('not-a-real-signature')}`;

describe('parseSubject', () => {
  it.each([
    ['repo:acme/app:ref:refs/heads/main', { owner: 'acme', repo: 'app', ownerId: undefined, repoId: undefined, context: { kind: 'ref', ref: 'refs/heads/main' } }],
    ['repo:acme/app:ref:refs/tags/v1.2.3', { owner: 'acme', repo: 'app', ownerId: undefined, repoId: undefined, context: { kind: 'ref', ref: 'refs/tags/v1.2.3' } }],
    ['repo:acme/app:ref:refs/heads/feature/x', { owner: 'acme', repo: 'app', ownerId: undefined, repoId: undefined, context: { kind: 'ref', ref: 'refs/heads/feature/x' } }],
    ['repo:acme/app:environment:production', { owner: 'acme', repo: 'app', ownerId: undefined, repoId: undefined, context: { kind: 'environment', environment: 'production' } }],
    ['repo:octo-org/octo-repo:environment:Production%3AV1', { owner: 'octo-org', repo: 'octo-repo', ownerId: undefined, repoId: undefined, context: { kind: 'environment', environment: 'Production:V1' } }],
    ['repo:acme/app:pull_request', { owner: 'acme', repo: 'app', ownerId: undefined, repoId: undefined, context: { kind: 'pull_request' } }],
    ['repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main', { owner: 'octo-org', repo: 'octo-repo', ownerId: '123456', repoId: '456789', context: { kind: 'ref', ref: 'refs/heads/main' } }],
    ['repo:andreaso@285964/actions-tester@1339936803:environment:prod', { owner: 'andreaso', repo: 'actions-tester', ownerId: '285964', repoId: '1339936803', context: { kind: 'environment', environment: 'prod' } }],
    ['repo:acme@1/app@2:pull_request', { owner: 'acme', repo: 'app', ownerId: '1', repoId: '2', context: { kind: 'pull_request' } }],
  ])('%s', (sub, expected) => {
    expect(parseSubject(sub)).toEqual(expected);
  });

  it.each([
    'repository_owner:monalisa:repository_visibility:private',
    'job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
    'repo:acme/app',
    'repo:acme:ref:refs/heads/main',
    'repo:acme/app:workflow_dispatch',
    'repo:acme/app:pull_request:extra',
    'repo:acme@x/app:ref:refs/heads/main',
    'Repo:acme/app:ref:refs/heads/main',
    '',
  ])('%j is not a default-format subject', (sub) => {
    expect(parseSubject(sub)).toBeUndefined();
  });
});

describe('claimsFromSubject', () => {
  it('a branch ref: repository, owner, ref and ref_type branch', () => {
    const { claims, notes } = claimsFromSubject('repo:acme/app:ref:refs/heads/main');
    expect(claims).toEqual({ sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', repository_owner: 'acme', ref: 'refs/heads/main', ref_type: 'branch' });
    expect(notes).toEqual([]);
  });

  it('a tag ref: ref_type tag', () => {
    const { claims } = claimsFromSubject('repo:acme/app:ref:refs/tags/v1');
    expect(claims).toEqual({ sub: 'repo:acme/app:ref:refs/tags/v1', repository: 'acme/app', repository_owner: 'acme', ref: 'refs/tags/v1', ref_type: 'tag' });
  });

  it('a ref that is neither a branch nor a tag: no ref_type is guessed', () => {
    const { claims } = claimsFromSubject('repo:acme/app:ref:refs/pull/7/merge');
    expect(claims.ref).toBe('refs/pull/7/merge');
    expect('ref_type' in claims).toBe(false);
  });

  it('an environment subject: the environment unescaped, no ref, and a note saying so', () => {
    const { claims, notes } = claimsFromSubject('repo:octo-org/octo-repo:environment:Production%3AV1');
    expect(claims).toEqual({ sub: 'repo:octo-org/octo-repo:environment:Production%3AV1', repository: 'octo-org/octo-repo', repository_owner: 'octo-org', environment: 'Production:V1' });
    expect('ref' in claims).toBe(false);
    expect('ref_type' in claims).toBe(false);
    expect(notes.join('\n')).toContain('environment');
    expect(notes.join('\n')).toContain('ref');
  });

  it('a pull_request subject: no ref, ref_type branch (as real tokens carry), and a note naming refs/pull/N/merge', () => {
    const { claims, notes } = claimsFromSubject('repo:acme/app:pull_request');
    expect(claims).toEqual({ sub: 'repo:acme/app:pull_request', repository: 'acme/app', repository_owner: 'acme', ref_type: 'branch' });
    expect(notes.join('\n')).toContain('refs/pull/');
  });

  it('an immutable subject: repository and repository_owner stay names, a note names the IDs', () => {
    const sub = 'repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main';
    const { claims, notes } = claimsFromSubject(sub);
    expect(claims).toEqual({ sub, repository: 'octo-org/octo-repo', repository_owner: 'octo-org', ref: 'refs/heads/main', ref_type: 'branch' });
    expect(notes.join('\n')).toContain('immutable');
    expect(notes.join('\n')).toContain('123456');
    expect(notes.join('\n')).toContain('456789');
  });

  it.each(['repository_owner:monalisa:repository_visibility:private', 'repo:acme/app', 'anything at all'])('a customized subject %j keeps only sub, with a note', (sub) => {
    const { claims, notes } = claimsFromSubject(sub);
    expect(claims).toEqual({ sub });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('default format');
    expect(notes[0]).toContain('--claim');
  });

  it.each([
    [['repository_owner', 'context'], 'repository_owner:acme:ref:refs/tags/v1', { repository_owner: 'acme', ref: 'refs/tags/v1', ref_type: 'tag' }],
    [['repository', 'context'], 'repository:acme/app:pull_request', { repository: 'acme/app', repository_owner: 'acme', ref_type: 'branch' }],
    [['repo', 'context', 'job_workflow_ref'], 'repo:acme@1/app@2:environment:prod%3Aeu:job_workflow_ref:acme/wf/.github/workflows/d.yml@refs/heads/main', { repository: 'acme/app', repository_owner: 'acme', environment: 'prod:eu' }],
    [['environment', 'repository_owner'], 'environment:production%3Aeastus:repository_owner:octo-org', { environment: 'production:eastus', repository_owner: 'octo-org' }],
  ])('under the template %j, %j is read part by part', (template, sub, derived) => {
    expect(claimsFromSubject(sub, template).claims).toEqual({ sub, ...derived });
  });

  it.each([
    ['repo:acme/app:ref:refs/heads/main', 'at `repository_owner`'],
    ['repository_owner:acme:ref:refs/heads/main:extra', 'goes on past'],
  ])('a subject %j that does not follow the template keeps only sub, with a note naming where', (sub, where) => {
    const { claims, notes } = claimsFromSubject(sub, ['repository_owner', 'context']);
    expect(claims).toEqual({ sub });
    expect(notes).toEqual([expect.stringContaining(where)]);
  });
});

describe('claimValue', () => {
  it('reads `subject` from the token claim `sub`, and other claims by their own name', () => {
    const claims = { sub: 'repo:acme/app:pull_request', repository: 'acme/app', ref: '' };
    expect(claimValue(claims, 'subject')).toBe('repo:acme/app:pull_request');
    expect(claimValue(claims, 'repository')).toBe('acme/app');
    expect(claimValue(claims, 'ref')).toBe('');
    expect(claimValue(claims, 'environment')).toBeUndefined();
  });

  it('a claims object written with the policy name `subject` is not read as `sub` here', () => {
    expect(claimValue({ subject: 'repo:acme/app:pull_request' }, 'subject')).toBeUndefined();
  });
});

describe('decodeClaimsInput', () => {
  it('a JSON object: string claims kept, non-string values dropped', () => {
    const text = JSON.stringify({ sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', iat: 1787166757, ref_protected: 'true', aud: ['a'], nested: { x: 'y' }, none: null, flag: true, ref: '' });
    expect(decodeClaimsInput(text)).toEqual({ ok: true, jwt: false, claims: { sub: 'repo:acme/app:ref:refs/heads/main', repository: 'acme/app', ref_protected: 'true', ref: '' } });
  });

  it('surrounding whitespace is ignored', () => {
    expect(decodeClaimsInput('\n  {"repository_owner": "acme"}\n')).toEqual({ ok: true, jwt: false, claims: { repository_owner: 'acme' } });
  });

  it('a `subject` key is read as `sub`', () => {
    const r = decodeClaimsInput('{"subject": "repo:acme/app:pull_request"}');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.claims.sub).toBe('repo:acme/app:pull_request');
  });

  it('`sub` wins over `subject` when both are given', () => {
    const r = decodeClaimsInput('{"sub": "repo:acme/a:pull_request", "subject": "repo:acme/b:pull_request"}');
    expect(r.ok && r.claims.sub).toBe('repo:acme/a:pull_request');
  });

  it('a compact JWT: payload claims, jwt: true, header and signature ignored', () => {
    const payload = { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/app:environment:production', repository: 'acme/app', environment: 'production', exp: 1787167057, workflow: 'Deployment 🚀' };
    const r = decodeClaimsInput(jwt(JSON.stringify(payload)));
    expect(r).toEqual({
      ok: true,
      jwt: true,
      claims: { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/app:environment:production', repository: 'acme/app', environment: 'production', workflow: 'Deployment 🚀' },
    });
  });

  it('a JWT with an empty signature segment is still read', () => {
    const text = `${b64url('{"alg":"none"}')}.${b64url('{"actor":"dependabot[bot]"}')}.`;
    expect(decodeClaimsInput(text)).toEqual({ ok: true, jwt: true, claims: { actor: 'dependabot[bot]' } });
  });

  it.each([
    ['not JSON', b64url('{"alg":"RS256"}') + '.' + b64url('this is not json') + '.sig'],
    ['truncated JSON', b64url('{"alg":"RS256"}') + '.' + b64url('{"sub": "repo:') + '.sig'],
  ])('a JWT whose payload is %s is rejected', (_label, text) => {
    const r = decodeClaimsInput(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('JWT');
  });

  it('a JWT whose payload is a JSON array is rejected as not an object', () => {
    const r = decodeClaimsInput(jwt('["repo:acme/app:pull_request"]'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('JSON object');
  });

  it.each([
    ['an array', '[{"sub": "repo:acme/app:pull_request"}]'],
    ['a string', '"repo:acme/app:pull_request"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('JSON that is %s is rejected', (_label, text) => {
    const r = decodeClaimsInput(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('claims must be a JSON object');
  });

  it.each([
    ['garbage', 'hello world'],
    ['an empty input', ''],
    ['YAML', 'sub: repo:acme/app:pull_request'],
    ['a bare subject', 'repo:acme/app:ref:refs/heads/main'],
    ['two JWT segments', 'abc.def'],
  ])('%s is rejected with a message', (_label, text) => {
    const r = decodeClaimsInput(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain('not a JSON object of claims nor a compact JWT');
      expect(r.message.length).toBeGreaterThan(40);
    }
  });
});

describe('parseClaimAssignment', () => {
  it.each([
    ['subject=repo:acme/app:ref:refs/heads/main', { name: 'sub', value: 'repo:acme/app:ref:refs/heads/main' }],
    ['sub=repo:acme/app:pull_request', { name: 'sub', value: 'repo:acme/app:pull_request' }],
    ['environment=production', { name: 'environment', value: 'production' }],
    ['ref=', { name: 'ref', value: '' }],
    ['workflow_ref=acme/app/.github/workflows/ci.yml@refs/heads/main', { name: 'workflow_ref', value: 'acme/app/.github/workflows/ci.yml@refs/heads/main' }],
    ['environment=a=b==c', { name: 'environment', value: 'a=b==c' }],
    ['repo_property_team=platform', { name: 'repo_property_team', value: 'platform' }],
    ['Subject=x', { name: 'Subject', value: 'x' }],
  ])('%j', (arg, expected) => {
    expect(parseClaimAssignment(arg)).toEqual(expected);
  });

  it.each(['environment', '', '=production', 'subject:repo:acme/app:pull_request'])('%j has no `name=` and is rejected', (arg) => {
    expect(parseClaimAssignment(arg)).toBeUndefined();
  });
});
