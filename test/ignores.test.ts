// Inline ignores: `# sts-policy-ignore <rule-id>[,<rule-id>] -- <reason>` on the finding's line or
// alone on the line above; reasons required; unused ignores reported; validity findings never
// ignorable; --no-ignores; the summaries and SARIF count or mark what was ignored.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintPaths, SourceText } from '../src/index.js';
import { parseIgnores } from '../src/lint/ignores.js';
import { runCli } from './helpers/cli.js';

const HEAD = ['# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json', 'apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', '  name: default', 'spec:', '  rules:'];
const policy = (...ruleLines: string[]) => [...HEAD, ...ruleLines, ''].join('\n');

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});
function repoWith(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sts-policy-ignores-'));
  temps.push(dir);
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  writeFileSync(join(dir, '.atmos/pro/sts/default.yaml'), text);
  return dir;
}
const out = (r: ReturnType<typeof lintPaths>) => r.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.ruleId}`);

// Line 9 is the `repository` matcher: any-owner reports there.
const ANY_OWNER = '        repository: "*/terraform-modules"';

describe('parseIgnores: only comments, with their lines, ids and reason', () => {
  it('a trailing comment covers its own line; a comment alone covers the next line of code too', () => {
    const text = ['a: 1 # sts-policy-ignore security/any-owner -- why', '# sts-policy-ignore regex/style, regex/unescaped-dot -- two rules', '# another comment', 'b: 2', ''].join('\n');
    const ds = parseIgnores(new SourceText(text));
    expect(ds.map((d) => ({ lines: d.lines, ids: d.ids.map((i) => i.id), reason: d.reason }))).toEqual([
      { lines: [1], ids: ['security/any-owner'], reason: 'why' },
      { lines: [2, 3, 4], ids: ['regex/style', 'regex/unescaped-dot'], reason: 'two rules' },
    ]);
    expect(text.slice(ds[0]!.ids[0]!.start, ds[0]!.ids[0]!.end)).toBe('security/any-owner');
  });

  it('a blank line ends what a comment covers', () => {
    const [d] = parseIgnores(new SourceText('# sts-policy-ignore a/b -- r\n\nc: 1\n'));
    expect(d!.lines).toEqual([1]);
  });

  it('never reads a marker inside a quoted or block scalar, or a longer word', () => {
    const text = ['a: "x # sts-policy-ignore security/any-owner -- no"', 'b: |', '  # sts-policy-ignore security/any-owner -- no', 'c: 1 # sts-policy-ignored security/any-owner -- no', ''].join('\n');
    expect(parseIgnores(new SourceText(text))).toEqual([]);
  });

  it('reports a missing reason and an ignore that names no rule', () => {
    const ds = parseIgnores(new SourceText('a: 1 # sts-policy-ignore security/any-owner\nb: 1 # sts-policy-ignore security/any-owner because public\nc: 1 # sts-policy-ignore -- a reason\n'));
    expect(ds.map((d) => d.problem?.ruleId)).toEqual(['ignore/missing-reason', 'ignore/missing-reason', 'ignore/unused']);
    expect(ds[1]!.problem!.message).toContain('separate the reason from the rule ids with ` -- `');
  });
});

describe('lint with ignores', () => {
  it('a trailing ignore with a reason suppresses the finding and is counted', () => {
    const r = lintPaths([repoWith(policy('    - match:', `${ANY_OWNER} # sts-policy-ignore security/any-owner -- public modules, read-only`))]);
    expect(out(r)).toEqual([]);
    expect(r.ignored.map((f) => [f.ruleId, f.line, f.ignoredBy])).toEqual([['security/any-owner', 9, { line: 9, reason: 'public modules, read-only' }]]);
  });

  it('an ignore alone on the line above suppresses it too', () => {
    const r = lintPaths([repoWith(policy('    - match:', '        # sts-policy-ignore security/any-owner -- public modules', ANY_OWNER))]);
    expect(out(r)).toEqual([]);
    expect(r.ignored).toHaveLength(1);
  });

  it('an ignore without a reason suppresses nothing and is itself a warning', () => {
    const r = lintPaths([repoWith(policy('    - match:', `${ANY_OWNER} # sts-policy-ignore security/any-owner`))]);
    expect(out(r)).toEqual(['9:21 warning security/any-owner', '9:43 warning ignore/missing-reason']);
    expect(r.ignored).toEqual([]);
  });

  it('unused ignores: nothing reported there, or a rule id that does not exist', () => {
    const r = lintPaths([repoWith(policy('    - match:', '        repository: "acme/app" # sts-policy-ignore security/any-owner,security/any-ownr -- stale', '        ref: "refs/heads/main"'))]);
    expect(out(r)).toEqual(['9:52 warning ignore/unused', '9:71 warning ignore/unused']);
    expect(r.findings[0]!.message).toContain('`security/any-owner` reports nothing on this line');
    expect(r.findings[1]!.message).toContain('did you mean `security/any-owner`?');
  });

  it('validity findings cannot be ignored, and the finding says why', () => {
    const r = lintPaths([repoWith(policy('    - match:', '        repositry: "acme/app" # sts-policy-ignore schema/unknown-claim -- we know'))]);
    expect(out(r)).toEqual(['9:9 error schema/unknown-claim', '9:51 warning ignore/unused']);
    expect(r.findings[1]!.message).toMatch(/`schema\/unknown-claim` cannot be ignored: it predicts `trust_policy_invalid`/);
    expect(r.files[0]!.valid).toBe(false);
  });

  it('analysis/subject-template is about GitHub\'s settings, not the file: an ignore of it says where to act instead', () => {
    const r = lintPaths([repoWith(policy('    - match:', '        repository: "acme/app" # sts-policy-ignore analysis/subject-template -- no token', '        ref: "refs/heads/main"'))]);
    expect(out(r)).toEqual(['9:52 warning ignore/unused']);
    expect(r.findings[0]!.message).toContain('`analysis/subject-template` is about the subject template GitHub uses (pr-check and audit), not this file, and cannot be ignored here: grant the token what its message names, or set its severity under `rules:` in .sts-policy.yaml');
  });

  it('on an invalid policy the lint rules did not run, so a lint-rule ignore is not called unused', () => {
    const r = lintPaths([repoWith(policy('    - match:', `${ANY_OWNER} # sts-policy-ignore security/any-owner -- public`, '        repositry: "x"'))]);
    expect(out(r)).toEqual(['10:9 error schema/unknown-claim']);
  });

  it('ignores: false (--no-ignores) disregards every comment', () => {
    const dir = repoWith(policy('    - match:', `${ANY_OWNER} # sts-policy-ignore security/any-owner -- public`, '        ref: "refs/heads/main" # sts-policy-ignore regex/style'));
    const r = lintPaths([dir], { ignores: false });
    expect(out(r)).toEqual(['9:21 warning security/any-owner']);
    expect(r.ignored).toEqual([]);
  });

  it('several findings of the rule on one line are all suppressed, and other rules stay', () => {
    const text = policy('    - match: {repository: "*/mods", environment: "prod"} # sts-policy-ignore security/any-owner -- public');
    const r = lintPaths([repoWith(text)]);
    expect(r.ignored.map((f) => f.ruleId)).toEqual(['security/any-owner']);
    expect(r.findings.filter((f) => f.ruleId.startsWith('ignore/'))).toEqual([]);
  });
});

describe('the CLI: summaries and SARIF', () => {
  const text = policy('    - match:', `${ANY_OWNER} # sts-policy-ignore security/any-owner -- public modules, read-only`);

  it('stylish and JSON summaries count ignored findings; the exit code ignores them', () => {
    const dir = repoWith(text);
    const stylish = runCli(['lint', '--max-warnings', '0'], { cwd: dir });
    expect(stylish.code).toBe(0);
    expect(stylish.stdout).toBe('✔ 1 policy file checked, no problems (1 ignored by comments)\n');
    const json = runCli(['lint', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout).summary).toEqual({ files: 1, errors: 0, warnings: 0, infos: 0, ignored: 1 });
    expect(JSON.parse(json.stdout).findings).toEqual([]);
  });

  it('--no-ignores reports the finding again', () => {
    const r = runCli(['lint', '--no-ignores', '--format', 'json', '--max-warnings', '0'], { cwd: repoWith(text) });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['security/any-owner']);
    expect(report.summary.ignored).toBe(0);
  });

  it('SARIF keeps an ignored finding as a result with an in-source suppression and its reason', () => {
    const r = runCli(['lint', '--format', 'sarif'], { cwd: repoWith(text) });
    const results = JSON.parse(r.stdout).runs[0].results;
    expect(results).toHaveLength(1);
    expect(results[0].ruleId).toBe('security/any-owner');
    expect(results[0].suppressions).toEqual([{ kind: 'inSource', justification: 'public modules, read-only' }]);
  });
});
