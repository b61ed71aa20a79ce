// What users of ESLint, actionlint and zizmor expect of a linter's command line: colour flags, a
// policy on stdin, an upward search from inside `.atmos/pro/sts/`, a reason for --max-warnings, a
// diff of two folders of policy files, SARIF rule properties code scanning sorts by, and plurals.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';

const temp = tempDirs('sts-policy-cli-conventions-');
const ESC = '\u001b[';
const LOOKALIKE = join(ROOT, 'fixtures/rules/security-owner-prefix/invalid/subject-prefix.yaml');
const ANY_OWNER = join(ROOT, 'fixtures/rules/security-any-owner/invalid/subject-star.yaml');

/** A repository with the given policies at `.atmos/pro/sts/`. */
function repo(policies: Record<string, string>): string {
  const dir = temp();
  mkdirSync(join(dir, '.git'));
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  for (const [name, from] of Object.entries(policies)) writeFileSync(join(dir, `.atmos/pro/sts/${name}.yaml`), readFileSync(from, 'utf8').replace(/^(\s+name:) .*$/m, `$1 ${name}`));
  return dir;
}

describe('--color and --no-color', () => {
  it('--color forces colour off a terminal, --no-color wins over FORCE_COLOR, on any command, after the command name too', () => {
    expect(runCli(['lint', ANY_OWNER]).stdout).not.toContain(ESC);
    expect(runCli(['lint', ANY_OWNER, '--color']).stdout).toContain(ESC);
    expect(runCli(['--color', 'lint', ANY_OWNER]).stdout).toContain(ESC);
    expect(runCli(['lint', '--no-color', ANY_OWNER], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } }).stdout).not.toContain(ESC);
    expect(runCli(['--help']).stdout).toMatch(/--color .*--no-color/);
  });
});

describe('lint - (stdin) and --stdin-filename', () => {
  const text = readFileSync(LOOKALIKE, 'utf8');

  it('lints the policy read from stdin under the name --stdin-filename gives, with positions', () => {
    const r = runCli(['lint', '-', '--stdin-filename', '.atmos/pro/sts/subject-prefix.yaml', '--format', 'json'], { input: text });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { files: { path: string; policyName: string }[]; findings: { ruleId: string; line: number; column: number; path: string }[] };
    expect(report.files).toEqual([{ path: '.atmos/pro/sts/subject-prefix.yaml', policyName: 'subject-prefix', valid: true }]);
    expect(report.findings.filter((f) => f.ruleId === 'security/owner-prefix').map((f) => [f.path, f.line, f.column])).toEqual([['.atmos/pro/sts/subject-prefix.yaml', 10, 18]]);
  });

  it('without --stdin-filename it is the default policy: another metadata.name is reported', () => {
    const r = runCli(['lint', '-', '--format', 'json'], { input: text });
    expect((JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId)).toContain('schema/metadata-name');
  });

  it('- goes alone, cannot be fixed in place, and --stdin-filename needs it', () => {
    for (const args of [['-', 'other.yaml'], ['-', '--fix'], ['--stdin-filename', 'x.yaml', ANY_OWNER]]) {
      const r = runCli(['lint', ...args], { input: text });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^sts-policy: .*(stdin|-)/);
    }
  });

  it('stdin over the 1 MiB policy bound is refused as a file would be, and read no further', () => {
    const r = runCli(['lint', '-', '--format', 'json'], { input: `# ${'x'.repeat(1024 * 1024)}\n` });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId)).toEqual(['file/too-large']);
  });
});

describe('upward search: lint run inside .atmos/pro/sts/', () => {
  it('finds the repository\'s policies, as from its root', () => {
    const dir = repo({ default: LOOKALIKE });
    const inside = runCli(['lint', '--format', 'json'], { cwd: join(dir, '.atmos/pro/sts') });
    expect(inside.code).toBe(1);
    const report = JSON.parse(inside.stdout) as { files: { path: string }[] };
    expect(report.files.map((f) => f.path)).toEqual(['../../../.atmos/pro/sts/default.yaml']);
    expect(runCli(['lint', '--format', 'json'], { cwd: join(dir, '.atmos') }).code).toBe(1);
  });
});

describe('--max-warnings', () => {
  it('says why it fails', () => {
    const r = runCli(['lint', ANY_OWNER, '--max-warnings', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('sts-policy: too many warnings (1, maximum 0)');
    expect(runCli(['lint', ANY_OWNER, '--max-warnings', '1']).stderr).toBe('');
  });
});

describe('diff of two folders of policy files', () => {
  it('pairs the folders\' own <name>.yaml files by name', () => {
    const before = temp();
    const after = temp();
    const tight = join(ROOT, 'fixtures/rules/tight/repository-ref.yaml');
    copyFileSync(tight, join(before, 'repository-ref.yaml'));
    writeFileSync(join(after, 'repository-ref.yaml'), readFileSync(tight, 'utf8').replace(/ref: "refs\/heads\/main"/, 'ref: "refs/heads/*"'));
    const r = runCli(['diff', before, after, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { policies: { path: string; verdict: string }[] };
    expect(report.policies.map((p) => [p.path, p.verdict])).toEqual([['repository-ref.yaml', 'wider']]);
    expect(runCli(['diff', before, after]).stdout).toMatch(/^1 policy file: 1 with new access/m);
  });
});

describe('SARIF rule properties for code scanning', () => {
  it('every security rule has tags with `security` and a security-severity by its default severity; others a category tag', () => {
    const r = runCli(['lint', LOOKALIKE, '--format', 'sarif']);
    const rules = (JSON.parse(r.stdout) as { runs: { tool: { driver: { rules: { id: string; properties: { tags: string[]; 'security-severity'?: string } }[] } } }[] }).runs[0]!.tool.driver.rules;
    const byId = new Map(rules.map((x) => [x.id, x.properties]));
    expect(byId.get('security/owner-prefix')).toEqual({ tags: ['security'], 'security-severity': '8.0' });
    expect(byId.get('security/any-owner')).toEqual({ tags: ['security'], 'security-severity': '5.0' });
    expect(byId.get('permissions/escalation')).toEqual({ tags: ['security', 'permissions'], 'security-severity': '5.0' });
    expect(byId.get('style/schema-header')).toEqual({ tags: ['style'] });
    for (const rule of rules) if (/^(security|permissions)\//.test(rule.id)) expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
  });
});

describe('plurals', () => {
  it('one policy file, several problems', () => {
    const r = runCli(['lint', LOOKALIKE]);
    expect(r.stdout).toMatch(/in 1 policy file$/m);
    expect(r.stdout).not.toMatch(/\(s\)/);
  });
});

describe('simulate: small ones', () => {
  const source = `acme/terraform-modules=${join(ROOT, 'fixtures/examples/acme/terraform-modules')}`;
  type Sim = { claims: Record<string, string>; notes: string[]; repos: Record<string, { rule: number | null; ruleNumber: number | null; outcome: string }> };
  const simulate = (args: string[]) => JSON.parse(runCli(['simulate', '--source', source, '--format', 'json', ...args]).stdout) as Sim;

  it('a pull_request subject carries ref_type branch, as real tokens do', () => {
    expect(simulate(['--subject', 'repo:acme/infra:pull_request']).claims.ref_type).toBe('branch');
  });

  it('the note suggesting --claim ref=... goes once that claim is given', () => {
    expect(simulate(['--subject', 'repo:acme/infra:pull_request']).notes.join('\n')).toContain('--claim ref=refs/pull/N/merge');
    const given = simulate(['--subject', 'repo:acme/infra:pull_request', '--claim', 'ref=refs/pull/7/merge']);
    expect(given.notes.join('\n')).not.toContain('--claim ref=');
    expect(given.claims.ref).toBe('refs/pull/7/merge');
  });

  it('JSON says both the 0-based rule index and the 1-based number the text shows', () => {
    const json = simulate(['--subject', 'repo:acme/infra:ref:refs/heads/main']).repos['acme/terraform-modules']!;
    expect(json.outcome).toBe('minted');
    expect(json.ruleNumber).toBe(json.rule! + 1);
    const text = runCli(['simulate', '--source', source, '--subject', 'repo:acme/infra:ref:refs/heads/main']).stdout;
    expect(text).toContain(`rule ${json.ruleNumber} (line`);
  });
});

describe('quoted glob arguments', () => {
  it('are expanded as a shell would, dot folders named in the pattern included; no match is a usage error', () => {
    const r = runCli(['lint', 'fixtures/rules/security-any-owner/invalid/*.yaml', '--format', 'json']);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }).files.map((f) => f.path);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.every((f) => /^fixtures\/rules\/security-any-owner\/invalid\/[^/]+\.yaml$/.test(f))).toBe(true);
    const deep = runCli(['lint', '*/*/.atmos/pro/sts/*.yaml', '--format', 'json'], { cwd: join(ROOT, 'fixtures/examples') });
    expect((JSON.parse(deep.stdout) as { files: { path: string }[] }).files.map((f) => f.path)).toEqual(['acme/terraform-modules/.atmos/pro/sts/default.yaml']);
    const none = runCli(['lint', 'nothing-here/*.yaml']);
    expect([none.code, none.stderr]).toEqual([2, 'sts-policy: nothing-here/*.yaml: no file or folder matches this pattern\n']);
  });
});
