// `init`: the tightest policy for one caller (its repository plus its ref and/or environment) and a
// test file that proves it admits that caller and denies its neighbours.
import { parse } from 'yaml';
import { API_VERSION, KIND, LEVELS, POLICY_DIR, POLICY_NAME_PATTERN, SCHEMA_URL, type Claims, type Level, type Permissions } from './model.js';
import { PERMISSION_NAMES, offeredLevels } from './validate/permissions.js';
import { didYouMean } from './validate/suggest.js';
import { OWNER_PATTERN } from './lint/config.js';
import { TESTS_DIR } from './load/discover.js';

export class InitError extends Error {
  override name = 'InitError';
}

export interface InitInput {
  repo: string;
  ref?: string;
  environment?: string;
  /** `name=level` strings, as given on the command line. */
  permissions?: readonly string[];
  name?: string;
}

export interface InitPlan {
  name: string;
  /** Relative to the repository: `.atmos/pro/sts/<name>.yaml`. */
  policyPath: string;
  testsPath: string;
  policyText: string;
  testsText: string;
  /** For a person: who the policy admits. */
  caller: string;
  grant: Permissions;
  cases: number;
}

const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const WILDCARD = /[*?]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function planInit(input: InitInput): InitPlan {
  const name = input.name ?? 'default';
  if (!POLICY_NAME_PATTERN.test(name)) throw new InitError(`--name ${JSON.stringify(name)} is not a policy name: use 1 to 64 letters, digits, \`-\` or \`_\` (e.g. --name default, --name ci)`);
  const [owner, repo, ...rest] = input.repo.split('/');
  if (rest.length || !owner || !repo || !OWNER_PATTERN.test(owner) || !REPO_NAME.test(repo) || repo === '.' || repo === '..')
    throw new InitError(`--repo ${JSON.stringify(input.repo)} is not OWNER/REPO: name the calling repository exactly, e.g. --repo acme/infra`);
  const ref = input.ref;
  if (ref !== undefined) {
    if (!ref.startsWith('refs/') || ref.length <= 'refs/'.length || /\s/.test(ref) || CONTROL.test(ref))
      throw new InitError(`--ref ${JSON.stringify(ref)} is not a full git ref: write --ref refs/heads/${ref.replace(/^refs\//, '') || 'main'} (a branch) or --ref refs/tags/v1.0.0 (a tag)`);
    if (WILDCARD.test(ref)) throw new InitError(`--ref ${JSON.stringify(ref)} has a wildcard: init writes an exact ref (e.g. refs/heads/main); widen the policy by hand if you must, and lint it`);
  }
  const env = input.environment;
  if (env !== undefined) {
    if (!env.trim() || CONTROL.test(env)) throw new InitError(`--environment ${JSON.stringify(env)} is not an environment name: write the GitHub Environment's name, e.g. --environment production`);
    if (WILDCARD.test(env)) throw new InitError(`--environment ${JSON.stringify(env)} has a wildcard: init writes an exact environment name`);
  }
  if (ref === undefined && env === undefined) throw new InitError('give the caller\'s --ref (e.g. --ref refs/heads/main) or --environment (e.g. --environment production): a policy on the repository alone admits every branch of it');
  const grant = parsePermissions(input.permissions ?? []);
  const repository = `${owner}/${repo}`;
  const caller = [`\`${repository}\``, ref && `on \`${ref}\``, env !== undefined && `in the \`${env}\` environment`].filter(Boolean).join(' ');

  const q = (s: string) => JSON.stringify(s);
  const plain = (s: string) => (parse(s) === s ? s : q(s));
  const policyPath = `${POLICY_DIR}/${name}.yaml`;
  const policy = [
    `# yaml-language-server: $schema=${SCHEMA_URL}`,
    `# Who may mint a token for this repository: workflows of ${caller.replace(/`/g, '')}.`,
    '# Written by `sts-policy init`; check changes with `sts-policy lint` and `sts-policy test`.',
    `apiVersion: ${API_VERSION}`,
    `kind: ${KIND}`,
    'metadata:',
    `  name: ${plain(name)}`,
    'spec:',
    '  rules:',
    '    - match:',
    `        repository: ${q(repository)}`,
    ...(ref !== undefined ? [`        ref: ${q(ref)}`] : []),
    ...(env !== undefined ? [`        environment: ${q(env)}`] : []),
    ...(input.permissions?.length ? ['      permissions:', ...Object.entries(grant).map(([p, l]) => `        ${p}: ${l}`)] : []),
  ];

  const claims = (o: { repository?: string; ref?: string; environment?: string }): Claims => {
    const r = o.repository ?? repository;
    const c: Claims = {};
    const e = 'environment' in o ? o.environment : env;
    const rf = 'ref' in o ? o.ref : ref;
    c.sub = `repo:${r}:${e !== undefined ? `environment:${e}` : `ref:${rf}`}`;
    c.repository = r;
    c.repository_owner = r.split('/')[0]!;
    if (rf !== undefined) {
      c.ref = rf;
      if (rf.startsWith('refs/heads/')) c.ref_type = 'branch';
      else if (rf.startsWith('refs/tags/')) c.ref_type = 'tag';
    }
    if (e !== undefined) c.environment = e;
    return c;
  };
  const otherRepo = `${owner}/${repo === 'other-repo' ? 'another-repo' : 'other-repo'}`;
  const cases: { name: string; claims: Claims; expect: string; extra?: string[] }[] = [
    { name: `${repository} ${ref !== undefined ? `on ${ref} ` : ''}${env !== undefined ? `in ${env} ` : ''}may mint`, claims: claims({}), expect: 'minted', extra: ['    rule: 1', `    permissions: { ${Object.entries(effectiveGrant(grant, input.permissions)).map(([p, l]) => `${p}: ${l}`).join(', ')} }`] },
    { name: `another repository of ${owner} is denied`, claims: claims({ repository: otherRepo }), expect: 'denied' },
  ];
  if (ref !== undefined) cases.push({ name: `another ${ref.startsWith('refs/tags/') ? 'tag' : 'branch'} is denied`, claims: claims({ ref: otherRef(ref) }), expect: 'denied' });
  if (env !== undefined) cases.push({ name: 'another environment is denied', claims: claims({ environment: env === 'untrusted' ? 'sandbox' : 'untrusted' }), expect: 'denied' });
  const testsPath = `${POLICY_DIR}/${TESTS_DIR}/${name}.test.yaml`;
  const tests = [`# Policy unit tests for ${policyPath} (written by \`sts-policy init\`): run with \`sts-policy test\`.`, 'cases:'];
  for (const c of cases) {
    tests.push(`  - name: ${q(c.name)}`, '    claims:');
    for (const [k, v] of Object.entries(c.claims)) tests.push(`      ${k}: ${q(v)}`);
    tests.push(`    expect: ${c.expect}`, ...(c.extra ?? []));
  }
  return { name, policyPath, testsPath, policyText: policy.join('\n') + '\n', testsText: tests.join('\n') + '\n', caller, grant: effectiveGrant(grant, input.permissions), cases: cases.length };
}

/** Without --permission a rule grants the read-only default (SPEC.md §2): `contents: read`. */
const effectiveGrant = (grant: Permissions, given: readonly string[] | undefined): Permissions => (given?.length ? grant : { contents: 'read' });

function otherRef(ref: string): string {
  const pick = (candidates: string[]) => candidates.find((c) => c !== ref)!;
  if (ref.startsWith('refs/heads/')) return pick(['refs/heads/feature/untrusted', 'refs/heads/untrusted']);
  if (ref.startsWith('refs/tags/')) return pick(['refs/tags/untrusted', 'refs/tags/untrusted-2']);
  return `${ref}-other`;
}

function parsePermissions(args: readonly string[]): Permissions {
  const out: Permissions = {};
  for (const arg of args) {
    const m = /^([^=]+)=(.*)$/.exec(arg);
    if (!m) throw new InitError(`--permission ${JSON.stringify(arg)}: write NAME=LEVEL, e.g. --permission contents=read`);
    const [, name, level] = m as unknown as [string, string, string];
    if (!PERMISSION_NAMES.includes(name)) {
      const hint = didYouMean(name, PERMISSION_NAMES);
      throw new InitError(`--permission ${arg}: \`${name}\` is not a GitHub App permission${hint ? `; did you mean --permission ${hint}=${level}?` : ' (e.g. contents, pull_requests, issues, actions)'}`);
    }
    if (!(LEVELS as readonly string[]).includes(level)) {
      const hint = didYouMean(level, LEVELS);
      throw new InitError(`--permission ${arg}: \`${level}\` is not a level: use read, write or admin${hint ? `; did you mean --permission ${name}=${hint}?` : ''}`);
    }
    const offered = offeredLevels(name) ?? LEVELS;
    if (!offered.includes(level as Level)) throw new InitError(`--permission ${arg}: GitHub does not offer \`${name}: ${level}\` (it offers ${offered.join(', ')})`);
    if (name in out && out[name] !== level) throw new InitError(`--permission ${name} is given twice (${out[name]} and ${level}): give it once`);
    out[name] = level as Level;
  }
  return out;
}
