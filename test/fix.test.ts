// `lint --fix`, `--fix-unsafe`, `--fix-dry-run`: every fix the validator and the rules offer applies
// cleanly to a real file (valid YAML, comments and layout kept), edits never overlap or break the
// file, and writing never follows a symlink or touches anything but the linted files.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixPolicyText, MAX_FIX_PASSES } from '../src/lint/fix.js';
import { unifiedDiff } from '../src/report/unified-diff.js';
import { runCli } from './helpers/cli.js';

const HEADER = '# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json';
const doc = (...lines: string[]) => lines.join('\n') + '\n';
const top = (name = 'default') => ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', `  name: ${name}`, 'spec:', '  rules:'];

const fix = (text: string, unsafe = false, name = 'default') => fixPolicyText(`${name}.yaml`, name, text, { config: {}, unsafe });

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
function repoWith(text: string | Buffer, name = 'default'): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sts-policy-fix-'));
  temps.push(dir);
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  const file = join(dir, `.atmos/pro/sts/${name}.yaml`);
  writeFileSync(file, text);
  return { dir, file };
}

describe('each fix applies cleanly and keeps comments', () => {
  const cases: { name: string; before: string; after: string; unsafe?: boolean; rules: string[] }[] = [
    {
      name: 'yaml/unquoted-asterisk: quote a bare `*` (block and flow)',
      before: doc(HEADER, ...top(), '    - match:', '        repository_owner: *   # anyone', '    - match: {repository: "acme/a", ref: *}  # flow'),
      after: doc(HEADER, ...top(), '    - match:', '        repository_owner: "*"   # anyone', '    - match: {repository: "acme/a", ref: "*"}  # flow'),
      rules: ['yaml/unquoted-asterisk', 'yaml/unquoted-asterisk'],
    },
    {
      name: 'schema/unknown-permission: pull-requests -> pull_requests',
      before: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app" # the caller', '        ref: "refs/heads/main"', '      permissions:', '        pull-requests: write  # PRs', '        Contents: read'),
      after: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app" # the caller', '        ref: "refs/heads/main"', '      permissions:', '        pull_requests: write  # PRs', '        contents: read'),
      rules: ['schema/unknown-permission', 'schema/unknown-permission'],
    },
    {
      name: 'schema/unknown-claim: Repository -> repository',
      before: doc(HEADER, ...top(), '    - match:', '        Repository: "acme/app"   # exact', '        ref: "refs/heads/main"'),
      after: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"   # exact', '        ref: "refs/heads/main"'),
      rules: ['schema/unknown-claim'],
    },
    {
      name: 'schema/metadata-name: set it to the file name',
      before: doc(HEADER, ...top('ci-policy'), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"').replace('name: ci-policy', "name: 'old' # renamed"),
      after: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"').replace('name: default', 'name: default # renamed'),
      rules: ['schema/metadata-name'],
    },
    {
      name: 'schema/kind and schema/invalid-level: case only',
      before: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"', '      permissions:', '        contents: Read').replace('kind: TrustPolicy', 'kind: trustpolicy'),
      after: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"', '      permissions:', '        contents: read'),
      rules: ['schema/invalid-level', 'schema/kind'],
    },
    {
      name: 'style/schema-header: add the header above the first comment',
      before: doc('# who may read this repo', ...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"'),
      after: doc(HEADER, '# who may read this repo', ...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"'),
      rules: ['style/schema-header'],
    },
    {
      name: 'regex/style: drop redundant anchors, escapes kept',
      before: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        workflow_ref: {regex: \'^acme/app/\\.github/workflows/deploy\\.yml@refs/heads/main$\'}  # deploy only'),
      after: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        workflow_ref: {regex: "acme/app/\\\\.github/workflows/deploy\\\\.yml@refs/heads/main"}  # deploy only'),
      rules: ['regex/style'],
    },
    {
      name: 'correctness/dead-matcher (unsafe): ref: main -> refs/heads/main',
      before: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: main  # the branch'),
      after: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"  # the branch'),
      unsafe: true,
      rules: ['correctness/dead-matcher'],
    },
    {
      name: 'regex/unescaped-dot (unsafe): escape the dot',
      before: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: {regex: "refs/tags/v1.0"}'),
      after: doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: {regex: "refs/tags/v1\\\\.0"}'),
      unsafe: true,
      rules: ['regex/unescaped-dot'],
    },
  ];

  it.each(cases)('$name', ({ before, after, unsafe, rules }) => {
    const r = fix(before, unsafe);
    expect(r.text).toBe(after);
    expect(r.applied.map((a) => a.ruleId).sort()).toEqual([...rules].sort());
    expect(r.validated.policy, 'the fixed policy is valid').toBeDefined();
    expect(r.findings.filter((f) => f.fix && (f.fix.safe || unsafe))).toEqual([]);
    // Running the fixer again changes nothing: fixes are idempotent.
    expect(fix(r.text, unsafe).text).toBe(after);
  });

  it('unsafe fixes are applied only with unsafe', () => {
    const before = doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: main');
    const r = fix(before);
    expect(r.text).toBe(before);
    expect(r.findings.map((f) => [f.ruleId, f.fix?.safe])).toEqual([['correctness/dead-matcher', false]]);
  });
});

describe('edits that would break the file are not made', () => {
  it('a rename onto a key that already exists is skipped (no duplicate key)', () => {
    const before = doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"', '      permissions:', '        pull-requests: write', '        pull_requests: read');
    const r = fix(before);
    expect(r.text).toBe(before);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['schema/unknown-permission']);
  });

  it('a metadata.name that YAML would read as a number is quoted', () => {
    const before = doc(HEADER, ...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"');
    const r = fix(before, false, '123');
    expect(r.text).toContain('  name: "123"\n');
    expect(r.validated.policy).toBeDefined();
  });

  it('stops within the pass limit, and each pass re-validates', () => {
    const before = doc('# c', ...top('x'), '    - match:', '        repository_owner: *', '        Repository: "acme/app"', '        ref: "refs/heads/main"');
    const r = fix(before);
    expect(r.passes).toBeGreaterThanOrEqual(2); // the asterisk first: the other findings need valid YAML
    expect(r.passes).toBeLessThanOrEqual(MAX_FIX_PASSES);
    expect(r.text).toBe(doc(HEADER, '# c', ...top(), '    - match:', '        repository_owner: "*"', '        repository: "acme/app"', '        ref: "refs/heads/main"'));
  });

  it('keeps CRLF line endings', () => {
    const before = doc(...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"').replace(/\n/g, '\r\n');
    const r = fix(before);
    expect(r.text).toBe(`${HEADER}\r\n${before}`);
  });
});

describe('unifiedDiff', () => {
  it('prints `diff -u` hunks with three lines of context', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', ''].join('\n');
    const b = ['0', '1', '2', '3', '4', '5', 'six', '7', '8', '9', '10', ''].join('\n');
    expect(unifiedDiff('f.yaml', a, b)).toBe(['--- a/f.yaml', '+++ b/f.yaml', '@@ -1,9 +1,10 @@', '+0', ' 1', ' 2', ' 3', ' 4', ' 5', '-6', '+six', ' 7', ' 8', ' 9', ''].join('\n'));
    expect(unifiedDiff('f.yaml', 'a\nb', 'a\nc')).toBe(['--- a/f.yaml', '+++ b/f.yaml', '@@ -1,2 +1,2 @@', ' a', '-b', '\\ No newline at end of file', '+c', '\\ No newline at end of file', ''].join('\n'));
    expect(unifiedDiff('f.yaml', 'same\n', 'same\n')).toBe('');
  });

  it('splits distant changes into separate hunks whose counts add up', () => {
    const a = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const b = a.replace('line 2\n', 'line two\n').replace('line 30\n', 'line 30\nline 30.5\n');
    const d = unifiedDiff('f', a, b);
    expect(d.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,5 +1,5 @@', '@@ -28,6 +28,7 @@']);
    expect(applyPatch(a, d)).toBe(b);
  });
});

/** Applies a unified diff made by unifiedDiff (test oracle: the patch must reproduce the new text). */
function applyPatch(text: string, patch: string): string {
  const old = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const out: string[] = [];
  let at = 0;
  const lines = patch.split('\n').slice(2);
  for (let i = 0; i < lines.length; i++) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[i]!);
    if (!h) continue;
    const start = Number(h[1]) - (h[2] === '0' ? 0 : 1);
    while (at < start) out.push(old[at++]!);
    for (i++; i < lines.length && !lines[i]!.startsWith('@@') && lines[i] !== ''; i++) {
      const [kind, body] = [lines[i]![0], lines[i]!.slice(1)];
      const noEol = lines[i + 1]?.startsWith('\\');
      if (kind === ' ' || kind === '-') at++;
      if (kind === ' ' || kind === '+') out.push(noEol ? body : `${body}\n`);
      if (noEol) i++;
    }
    i--;
  }
  while (at < old.length) out.push(old[at++]!);
  return out.join('');
}

describe('the CLI', () => {
  const fixable = doc('# acme policy', ...top(), '    - match:', '        repository: "acme/app"  # caller', '        ref: main', '      permissions:', '        pull-requests: write');

  it('--fix writes safe fixes in place and reports what remains', () => {
    const { dir, file } = repoWith(fixable);
    const r = runCli(['lint', '--fix', '--format', 'json'], { cwd: dir });
    expect(readFileSync(file, 'utf8')).toBe(doc(HEADER, '# acme policy', ...top(), '    - match:', '        repository: "acme/app"  # caller', '        ref: main', '      permissions:', '        pull_requests: write'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string; line: number }) => `${f.line} ${f.ruleId}`)).toEqual(['11 correctness/dead-matcher']);
    expect(r.stderr).toBe('sts-policy: fixed 2 problems in 1 file; unsafe fixes need --fix-unsafe\n');
  });

  it('--fix-unsafe applies unsafe fixes too', () => {
    const { dir, file } = repoWith(fixable);
    const r = runCli(['lint', '--fix-unsafe'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('        ref: "refs/heads/main"\n');
    expect(r.stdout).toBe('✔ 1 policy file checked, no problems\n');
  });

  it('--fix-dry-run prints a unified diff that reproduces the fix, and writes nothing', () => {
    const { dir, file } = repoWith(fixable);
    const mtime = lstatSync(file).mtimeMs;
    const r = runCli(['lint', '--fix-dry-run'], { cwd: dir });
    expect(readFileSync(file, 'utf8')).toBe(fixable);
    expect(lstatSync(file).mtimeMs).toBe(mtime);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['--- a/.atmos/pro/sts/default.yaml', '+++ b/.atmos/pro/sts/default.yaml', '@@ -1,3 +1,4 @@']);
    expect(applyPatch(fixable, r.stdout)).toBe(fix(fixable).text);
    expect(r.stderr).toBe('sts-policy: would fix 2 problems in 1 file; unsafe fixes need --fix-unsafe\n');
    expect(r.code).toBe(1); // what lint would say after the fixes: the dead matcher remains
  });

  it('keeps a UTF-8 byte order mark', () => {
    const body = doc(...top(), '    - match:', '        repository: "acme/app"', '        ref: "refs/heads/main"');
    const { dir, file } = repoWith(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
    expect(runCli(['lint', '--fix'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(file)).toEqual(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEADER}\n${body}`)]));
  });

  it('never writes through a symlinked policy, nor to its target', () => {
    const target = repoWith(fixable, 'elsewhere').file;
    const { dir, file } = repoWith('');
    rmSync(file);
    symlinkSync(target, file);
    const r = runCli(['lint', '--fix-unsafe', '--format', 'json'], { cwd: dir });
    expect(readlinkSync(file)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe(fixable);
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['file/symlink']);
    expect(r.code).toBe(1);
  });

  it('fixes nothing outside the linted files (a named file only)', () => {
    const { dir, file } = repoWith(fixable);
    const other = join(dir, '.atmos/pro/sts/ci.yaml');
    writeFileSync(other, fixable.replace('name: default', 'name: ci'));
    runCli(['lint', '--fix', file], { cwd: dir });
    expect(readFileSync(other, 'utf8')).toBe(fixable.replace('name: default', 'name: ci'));
    expect(readFileSync(file, 'utf8')).not.toBe(fixable);
  });
});
