// `.sts-policy.yaml`: its JSON schema (kept in step with the rule registry), the hand-written
// checker agreeing with that schema, located errors, discovery by walking up to the repository
// root, trusted owners from the origin remote, and per-rule severities as lint applies them.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { allRuleMetas, isValidityRuleId, lintPaths } from '../src/index.js';
import { CONFIG_KEYS, OWNER_PATTERN, SEVERITY_SETTINGS, SUBJECT_TEMPLATE_KEYS, SettingsResolver, configurableRuleIds, parseConfigText, repoRootOf } from '../src/lint/config.js';
import { ownerFromGitConfig, originOwner } from '../src/load/git.js';
import { ROOT, runCli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';

const SCHEMA_FILE = join(ROOT, 'schemas/sts-policy-config.json');

/** The schema the registry implies: every configurable rule id is a property of `rules`. */
function expectedSchema() {
  const metas = new Map(allRuleMetas().map((m) => [m.id, m]));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://raw.githubusercontent.com/sts-policy/sts-policy/main/schemas/sts-policy-config.json',
    title: 'sts-policy settings (.sts-policy.yaml)',
    description: 'Lint settings for the Atmos Pro STS trust policies of a repository: trusted owners, the org\'s OIDC subject template, and per-rule severity. Found at the repository root (the nearest folder with .git or .atmos), or given with `sts-policy lint --config FILE`.',
    type: 'object',
    additionalProperties: false,
    properties: {
      owners: {
        description: 'Trusted owners (organisations or users): a rule admitting any other owner is reported by security/untrusted-owner. Default: the owner of the repository\'s `origin` remote on github.com.',
        type: 'array',
        minItems: 1,
        items: { type: 'string', pattern: OWNER_PATTERN.source },
      },
      subjectTemplate: {
        description: 'Your organisation\'s custom OIDC subject template (`include_claim_keys`), e.g. [repo, context, job_workflow_ref], so `subject` matchers are checked exactly.',
        type: 'array',
        minItems: 1,
        items: { enum: [...SUBJECT_TEMPLATE_KEYS] },
      },
      rules: {
        description: 'Per-rule severity (`off` disables the rule). Validity rules (file/*, yaml/*, schema/*) predict trust_policy_invalid and cannot be configured.',
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(configurableRuleIds().sort().map((id) => [id, { description: metas.get(id)!.description, $ref: '#/definitions/setting' }])),
      },
    },
    definitions: {
      severity: { enum: [...SEVERITY_SETTINGS] },
      setting: {
        oneOf: [
          { $ref: '#/definitions/severity' },
          {
            type: 'object',
            additionalProperties: false,
            properties: { severity: { $ref: '#/definitions/severity' }, options: { description: 'No rule takes options yet.', type: 'object', maxProperties: 0 } },
          },
        ],
      },
    },
  };
}

const tempDir = tempDirs('sts-policy-config-');
function put(path: string, content: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const POLICY = ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', '  name: default', 'spec:', '  rules:', '    - match:', '        repository_owner: "acme-labs"', ''].join('\n');

/** A repository with one policy (admitting owner acme-labs) and, optionally, a config and a git origin. */
function repo(opts: { config?: string; origin?: string } = {}): string {
  const dir = tempDir();
  put(join(dir, '.atmos/pro/sts/default.yaml'), POLICY);
  if (opts.config !== undefined) put(join(dir, '.sts-policy.yaml'), opts.config);
  if (opts.origin) put(join(dir, '.git/config'), `[core]\n\tbare = false\n[remote "origin"]\n\turl = ${opts.origin}\n`);
  return dir;
}

const ruleIds = (dir: string, extra: Parameters<typeof lintPaths>[1] = {}) => lintPaths([dir], extra).findings.map((f) => `${f.severity} ${f.ruleId}`);

describe('schemas/sts-policy-config.json', () => {
  it('is the schema the rule registry implies (regenerate with UPDATE_CONFIG_SCHEMA=1)', () => {
    const text = JSON.stringify(expectedSchema(), null, 2) + '\n';
    if (process.env.UPDATE_CONFIG_SCHEMA) writeFileSync(SCHEMA_FILE, text);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(text);
  });

  const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  const corpus: [string, boolean][] = [
    ['owners: [acme]', true],
    ['owners: [acme, acme-labs]\nsubjectTemplate: [repo, context]\nrules: {security/any-owner: error}', true],
    ['rules:\n  style/schema-header: off\n  ignore/unused: info\n  regex/go-version-dependent: {severity: error}', true],
    ['rules: {security/any-owner: {options: {}}}', true],
    ['subjectTemplate: [repo, context, job_workflow_ref]', true],
    ['{}', true],
    ['ownres: [acme]', false],
    ['owners: acme', false],
    ['owners: []', false],
    ['owners: [acme/app]', false],
    ['owners: [12]', false],
    ['owners: [-acme]', false],
    ['subjectTemplate: [repo, contxt]', false],
    ['subjectTemplate: []', false],
    ['rules: {security/any-ownr: error}', false],
    ['rules: {schema/unknown-key: off}', false],
    ['rules: {yaml/syntax: warning}', false],
    ['rules: {security/any-owner: warn}', false],
    ['rules: {security/any-owner: {severity: fatal}}', false],
    ['rules: {security/any-owner: {level: error}}', false],
    ['rules: {security/any-owner: {options: {x: 1}}}', false],
    ['rules: [security/any-owner]', false],
    ['- owners', false],
  ];
  it.each(corpus)('the checker and the schema agree on %j', (text, valid) => {
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(valid);
    expect(parseConfigText('c.yaml', text).ok).toBe(valid);
  });

  it('lists every configurable rule id, and no validity rule', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    const ids = Object.keys(schema.properties.rules.properties);
    expect(ids).toContain('security/any-owner');
    expect(ids).toContain('ignore/unused');
    expect(ids.filter(isValidityRuleId)).toEqual([]);
    // A merge key is a lint error, not a validity one: it can be configured.
    expect(ids).toContain('yaml/merge-key');
    expect(Object.keys(schema.properties)).toEqual([...CONFIG_KEYS]);
  });
});

describe('parseConfigText: located errors that say what to write', () => {
  const problems = (text: string) => {
    const r = parseConfigText('.sts-policy.yaml', text);
    return r.ok ? [] : r.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
  };

  it('an unknown key, with did-you-mean', () => {
    expect(problems('owners: [acme]\nownres: [x]\n')).toEqual(['2:1 unknown key `ownres`: did you mean `owners`? Allowed: owners, subjectTemplate, rules']);
  });

  it('an unknown rule id, with did-you-mean', () => {
    expect(problems('rules:\n  security/any-ownr: error\n')).toEqual(['2:3 unknown rule id `security/any-ownr`: did you mean `security/any-owner`? `sts-policy rules` lists the rule ids']);
  });

  it('a bad severity, with did-you-mean, at the value', () => {
    expect(problems('rules:\n  security/any-owner: warn\n  regex/style: {severity: eror}\n')).toEqual([
      '2:23 `warn` is not a severity: did you mean `warning`? Use `off`, `info`, `warning`, `error`',
      '3:27 `eror` is not a severity: did you mean `error`? Use `off`, `info`, `warning`, `error`',
    ]);
  });

  it('a validity rule cannot be configured: it predicts trust_policy_invalid', () => {
    const [p] = problems('rules:\n  schema/unknown-key: off\n');
    expect(p).toMatch(/^2:3 `schema\/unknown-key` cannot be configured: it predicts `trust_policy_invalid`/);
  });

  it('owners and subject template entries', () => {
    expect(problems('owners: [acme, acme/app, 7]\n')).toEqual([
      '1:16 `acme/app` is not an owner login (letters, digits and single hyphens, up to 39 characters; for `acme/app` write its owner `acme`)',
      '1:26 an owner is a login string, not the number 7: quote it',
    ]);
    expect(problems('owners: acme\n')[0]).toMatch(/^1:9 `owners` must be a non-empty list of owner logins, e\.g\. `owners: \[acme, acme-labs\]`/);
    expect(problems('subjectTemplate:\n  - repo\n  - contxt\n')[0]).toMatch(/^3:5 `contxt` is not a claim key .*did you mean `context`\?/);
  });

  it('options a rule does not take, unknown setting keys, YAML errors, a non-mapping', () => {
    expect(problems('rules:\n  regex/style: {options: {x: 1}}\n')).toEqual(['2:17 `regex/style` takes no options; remove `options`']);
    expect(problems('rules:\n  regex/style: {level: off}\n')[0]).toMatch(/^2:17 unknown key `level`/);
    expect(problems('owners: [acme\n')[0]).toMatch(/^2:1 YAML syntax error/);
    expect(problems('- acme\n')[0]).toMatch(/^1:1 a config is a mapping/);
    expect(problems('owners: [a]\nowners: [b]\n')[0]).toMatch(/^2:1 duplicate key `owners`/);
  });

  it('an empty file or comments only is the default config', () => {
    expect(parseConfigText('c', '')).toEqual({ ok: true, config: {} });
    expect(parseConfigText('c', '# nothing yet\n')).toEqual({ ok: true, config: {} });
  });
});

describe('trusted owners from the origin remote', () => {
  it.each([
    ['https://github.com/acme/app.git', 'acme'],
    ['https://github.com/acme/app', 'acme'],
    ['https://github.com/acme/app/', 'acme'],
    ['git@github.com:acme-labs/app.git', 'acme-labs'],
    ['ssh://git@github.com/acme/app.git', 'acme'],
    ['https://x-access-token:secret@github.com/acme/app.git', 'acme'],
    ['https://gitlab.com/acme/app.git', undefined],
    ['https://github.com.evil.example/acme/app.git', undefined],
    ['https://notgithub.com/acme/app.git', undefined],
  ])('%s -> %s', (url, owner) => {
    expect(ownerFromGitConfig(`[remote "origin"]\n\turl = ${url}\n`)).toBe(owner);
  });

  it('reads only [remote "origin"]', () => {
    expect(ownerFromGitConfig('[remote "upstream"]\n\turl = https://github.com/other/app\n[remote "origin"]\n\tfetch = x\n')).toBeUndefined();
    expect(ownerFromGitConfig('[remote "upstream"]\n\turl = https://github.com/other/app\n[remote "origin"]\n\turl = git@github.com:acme/app.git\n')).toBe('acme');
  });

  it('follows a worktree `.git` file to the common git dir', () => {
    const main = repo({ origin: 'git@github.com:acme/app.git' });
    put(join(main, '.git/worktrees/wt/commondir'), '../..\n');
    const wt = tempDir();
    put(join(wt, '.git'), `gitdir: ${join(main, '.git/worktrees/wt')}\n`);
    expect(originOwner(wt)).toBe('acme');
    expect(originOwner(tempDir())).toBeUndefined();
  });

  it('lint reports an owner outside the origin owner; config owners take precedence', () => {
    const dir = repo({ origin: 'git@github.com:acme/app.git' });
    expect(ruleIds(dir)).toContain('error security/untrusted-owner');
    const configured = repo({ origin: 'git@github.com:acme/app.git', config: 'owners: [acme, acme-labs]\n' });
    expect(ruleIds(configured)).not.toContain('error security/untrusted-owner');
    expect(ruleIds(repo())).not.toContain('error security/untrusted-owner');
  });
});

describe('discovery: the repository root of each linted path', () => {
  it('the root is the nearest folder with .git or .atmos', () => {
    const dir = repo();
    expect(repoRootOf(join(dir, '.atmos/pro/sts/default.yaml'))).toBe(dir);
    expect(repoRootOf(join(dir, '.atmos/pro/sts'))).toBe(dir);
  });

  it('each repository of a folder of clones gets its own config', () => {
    const clones = tempDir();
    put(join(clones, 'a/.atmos/pro/sts/default.yaml'), POLICY);
    put(join(clones, 'a/.sts-policy.yaml'), 'owners: [acme]\n');
    put(join(clones, 'b/.atmos/pro/sts/default.yaml'), POLICY);
    put(join(clones, 'b/.sts-policy.yaml'), 'owners: [acme-labs]\n');
    const r = lintPaths([clones]);
    expect(r.errors).toEqual([]);
    const untrusted = r.findings.filter((f) => f.ruleId === 'security/untrusted-owner').map((f) => f.path);
    expect(untrusted).toEqual([join(clones, 'a/.atmos/pro/sts/default.yaml')]);
  });

  it('a config above the repository root is not read', () => {
    const outer = tempDir();
    put(join(outer, '.sts-policy.yaml'), 'rules: {style/schema-header: off}\n');
    put(join(outer, 'r/.atmos/pro/sts/default.yaml'), POLICY);
    expect(ruleIds(join(outer, 'r'))).toContain('info style/schema-header');
  });

  it('a symlinked .sts-policy.yaml is refused with a located error, never followed', () => {
    const dir = repo();
    const elsewhere = put(join(tempDir(), 'cfg.yaml'), 'rules: {style/schema-header: off}\n');
    symlinkSync(elsewhere, join(dir, '.sts-policy.yaml'));
    expect(lintPaths([dir]).errors[0]).toMatch(/\.sts-policy\.yaml:1:1: \.sts-policy\.yaml is a symbolic link/);
  });

  it('an explicit config applies to every file instead of the repositories\' own', () => {
    const dir = repo({ config: 'rules: {style/schema-header: error}\n' });
    const cfg = put(join(tempDir(), 'ci.yaml'), 'rules: {style/schema-header: off}\n');
    expect(ruleIds(dir)).toContain('error style/schema-header');
    expect(ruleIds(dir, { configPath: cfg })).not.toContain('error style/schema-header');
    expect(new SettingsResolver({ configPath: cfg }).forPath(dir).configPath).toBe(cfg);
  });
});

describe('rule severities from the config', () => {
  it('off drops a rule; a severity replaces the default', () => {
    const dir = repo({ config: 'rules:\n  style/schema-header: off\n  security/owner-prefix: error\n' });
    expect(ruleIds(dir).filter((r) => r.endsWith('style/schema-header'))).toEqual([]);
  });

  it('applies to rules the validator and the ignore checker emit, but never to validity rules', () => {
    const dir = tempDir();
    put(join(dir, '.sts-policy.yaml'), 'rules:\n  regex/go-version-dependent: error\n  ignore/unused: info\n  style/schema-header: off\n');
    put(
      join(dir, '.atmos/pro/sts/default.yaml'),
      POLICY.replace('repository_owner: "acme-labs"', 'repository_owner: "acme-labs" # sts-policy-ignore security/any-owner -- stale\n        actor: {regex: "\\\\p{Letter}+"}'),
    );
    expect(ruleIds(dir)).toEqual(['info ignore/unused', 'error regex/go-version-dependent']);
  });

  it('gives the subject template to the rules', () => {
    const policy = POLICY.replace('repository_owner: "acme-labs"', 'repository: "acme/app"\n        subject: "repository_owner:acme:ref:refs/heads/main"');
    const dir = tempDir();
    put(join(dir, '.atmos/pro/sts/default.yaml'), policy);
    expect(ruleIds(dir)).toContain('info correctness/dead-matcher');
    put(join(dir, '.sts-policy.yaml'), 'subjectTemplate: [repository_owner, context]\n');
    expect(ruleIds(dir)).not.toContain('info correctness/dead-matcher');
    expect(ruleIds(dir)).not.toContain('error correctness/dead-matcher');
    // Under a declared template, a subject of another shape is dead, and the message shows the template's shape.
    put(join(dir, '.sts-policy.yaml'), 'subjectTemplate: [repo, context, job_workflow_ref]\n');
    const dead = lintPaths([dir]).findings.filter((f) => f.ruleId === 'correctness/dead-matcher');
    expect(dead.map((f) => [f.severity, f.line, f.message])).toEqual([
      ['error', 9, '`subject: repository_owner:acme:ref:refs/heads/main` can never match, so rule 1 never matches: with `subjectTemplate: [repo, context, job_workflow_ref]` a subject is `repo:OWNER/REPO:CONTEXT:job_workflow_ref:VALUE` (CONTEXT: `ref:REF`, `environment:ENV` or `pull_request`), a `:` in a value written `%3A`'],
    ]);
  });
});

describe('the CLI: config mistakes are usage errors with positions', () => {
  it('exit 2, every problem as file:line:col, no stack trace', () => {
    const dir = repo({ config: 'ownres: [acme]\nrules:\n  security/any-ownr: warn\n' });
    const r = runCli(['lint'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'sts-policy: .sts-policy.yaml:1:1: unknown key `ownres`: did you mean `owners`? Allowed: owners, subjectTemplate, rules',
      'sts-policy: .sts-policy.yaml:3:3: unknown rule id `security/any-ownr`: did you mean `security/any-owner`? `sts-policy rules` lists the rule ids',
    ]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('--config FILE is used, and a missing one is a usage error', () => {
    const dir = repo();
    const cfg = put(join(tempDir(), 'ci.yaml'), 'rules: {style/schema-header: error}\n');
    const r = runCli(['lint', '--config', cfg, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string; severity: string }) => `${f.severity} ${f.ruleId}`)).toContain('error style/schema-header');
    const missing = runCli(['lint', '--config', join(dir, 'nope.yaml')], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml:1:1: cannot read the config: ENOENT/);
  });
});
