// `sts-policy lint` end to end through the built CLI: exit codes, every output format, the JSON
// contract, colour, near misses (fixtures/near-miss) and the file-safety rules (symlinks,
// directories, size, encoding) on repositories built in temporary folders, since git cannot hold them.
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, type Run } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';
import { bigPolicyText } from '../bench/gen-big-policy.mjs';
import { lintPaths, SettingsResolver } from '../src/index.js';
import { jsonPieces } from '../src/report/json.js';

// ---------------------------------------------------------------------------------------------
// Helpers

const STACK_LINE = /^\s+at /m;
const ESC = '\u001b[';

/** Runs the CLI and checks what must hold for every run: no stack trace, no internal failure. */
function lint(args: string[], opts: Parameters<typeof runCli>[1] = {}): Run {
  const r = runCli(['lint', ...args], opts);
  expect(r.stdout).not.toMatch(STACK_LINE);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).not.toBe(3);
  return r;
}

interface JsonFinding {
  path: string;
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  docsUrl: string;
  fix: null | { range: [number, number]; text: string; safe: boolean; description: string };
}
interface JsonReport {
  version: number;
  files: { path: string; policyName: string; valid: boolean }[];
  findings: JsonFinding[];
  summary: { files: number; errors: number; warnings: number; infos: number; ignored: number };
}

function lintJson(args: string[], opts: Parameters<typeof runCli>[1] = {}): { run: Run; report: JsonReport } {
  const run = lint([...args, '--format', 'json'], opts);
  return { run, report: JSON.parse(run.stdout) as JsonReport };
}

const tempDir = tempDirs('sts-policy-cli-lint-');

/** Writes a file, creating its folders. */
function put(path: string, content: string | Uint8Array): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** A valid policy named `name`, optionally with a different claim key on the match line. */
function policy(name: string, claim = 'repository_owner'): string {
  return [
    'apiVersion: atmos-pro.com/v1alpha1',
    'kind: TrustPolicy',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  rules:',
    '    - match:',
    `        ${claim}: "acme"`,
    // Last, so the positions above stay put; within the first lines, so style/schema-header is quiet.
    '# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json',
    '',
  ].join('\n');
}

/** A repository root marked by an empty `.git` folder. */
function repo(root: string): string {
  mkdirSync(join(root, '.git'), { recursive: true });
  return root;
}

const STS = '.atmos/pro/sts';
const FORMATS = ['stylish', 'json', 'sarif', 'github'] as const;

// ---------------------------------------------------------------------------------------------

describe('exit codes', () => {
  it('0 on fixtures/valid', () => {
    const r = lint(['fixtures/valid']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // The seeds' only warnings: the documented match-all opt-in and a write grant to a whole org.
    expect(r.stdout).toMatch(/\(0 errors, 2 warnings, \d+ infos\) in 9 policy files$/m);
  });

  it('1 on an invalid file', () => {
    const r = lint(['fixtures/invalid/unknown-claim.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('schema/unknown-claim');
  });

  it('2 for a nonexistent path, naming it on stderr', () => {
    const r = lint(['fixtures/does-not-exist']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('fixtures/does-not-exist: no such file or directory');
  });

  it('2 for a nonexistent path even beside a valid one', () => {
    const r = lint(['fixtures/valid', 'nope-nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope-nope');
  });

  it('2 for an empty directory, naming what was looked for; --allow-empty makes it 0', () => {
    const dir = tempDir();
    const r = lint([dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(dir);
    expect(r.stderr).toContain('.atmos/pro/sts/<name>.yaml');
    expect(r.stderr).toContain('--allow-empty');

    const ok = lint([dir, '--allow-empty']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('0 policy files checked, no problems');

    const json = lintJson([dir, '--allow-empty']);
    expect(json.run.code).toBe(0);
    expect(json.report).toEqual({ version: 1, files: [], findings: [], summary: { files: 0, errors: 0, warnings: 0, infos: 0, ignored: 0 } });
  });

  it('2 for an unknown option', () => {
    const r = lint(['fixtures/valid', '--no-such-option']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown option '--no-such-option'");
  });

  it('2 for --format bogus, listing the choices', () => {
    const r = lint(['fixtures/valid', '--format', 'bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('bogus');
    expect(r.stderr).toMatch(/stylish, json, sarif, github/);
  });

  it('2 for --max-warnings that is not a whole number', () => {
    for (const bad of ['abc', '-1', '1.5']) {
      const r = lint(['fixtures/valid', '--max-warnings', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`expected a whole number, got "${bad}"`);
    }
  });

  it('the default path is the current directory', () => {
    const r = lint([], { cwd: join(ROOT, 'fixtures/examples/acme/terraform-modules') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 policy file checked, no problems');
  });

  it('reports the same paths however the folder is spelled (`./x/`, `x//y`, `.`)', () => {
    // Files and findings (near misses included), as reported.
    const paths = (args: string[], cwd = ROOT) => {
      const report = JSON.parse(lint(['--format', 'json', ...args], { cwd }).stdout) as JsonReport;
      return [...report.files, ...report.findings].map((f) => f.path);
    };
    const plain = paths(['fixtures']);
    expect(plain.length).toBeGreaterThan(20);
    expect(plain.every((p) => p.startsWith('fixtures/') && !p.includes('//') && !p.includes('/./'))).toBe(true);
    expect(paths(['./fixtures/'])).toEqual(plain);
    expect(paths(['.//fixtures/.'])).toEqual(plain);
    expect(paths(['.'], join(ROOT, 'fixtures'))).toEqual(plain.map((p) => p.slice('fixtures/'.length)));
    expect(paths([join(ROOT, 'fixtures')])).toEqual(plain.map((p) => join(ROOT, p)));
  });
});

describe('--max-warnings and --quiet', () => {
  const warningOnly = 'fixtures/invalid/regex-go125-class-name.yaml';

  it('a warning-only result exits 0 by default', () => {
    const { run, report } = lintJson([warningOnly]);
    expect(run.code).toBe(0);
    expect(report.summary).toEqual({ files: 1, errors: 0, warnings: 1, infos: 0, ignored: 0 });
    expect(report.findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.ruleId}`)).toEqual(['9:18 warning regex/go-version-dependent']);
  });

  it('--max-warnings 0 turns one warning into exit 1; --max-warnings 1 keeps 0', () => {
    const zero = lint([warningOnly, '--max-warnings', '0']);
    expect(zero.code).toBe(1);
    expect(zero.stdout).toContain('regex/go-version-dependent');
    expect(lint([warningOnly, '--max-warnings', '1']).code).toBe(0);
    expect(lint([warningOnly, '--max-warnings', '2']).code).toBe(0);
  });

  it('--quiet drops warnings from every format and from the counts', () => {
    const stylish = lint([warningOnly, '--quiet']);
    expect(stylish.code).toBe(0);
    expect(stylish.stdout).not.toContain('warning  ');
    expect(stylish.stdout).not.toContain('regex/go-version-dependent');
    expect(stylish.stdout).toContain('1 policy file checked, no problems');

    const { report } = lintJson([warningOnly, '--quiet']);
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({ files: 1, errors: 0, warnings: 0, infos: 0, ignored: 0 });

    expect(lint([warningOnly, '--quiet', '--format', 'github']).stdout).toBe('');
  });

  it('--quiet keeps errors', () => {
    const r = lintJson(['fixtures/invalid/unknown-claim.yaml', warningOnly, '--quiet']);
    expect(r.run.code).toBe(1);
    expect(r.report.findings.map((f) => f.ruleId)).toEqual(['schema/unknown-claim']);
    expect(r.report.summary).toEqual({ files: 2, errors: 1, warnings: 0, infos: 0, ignored: 0 });
  });
});

describe('--output', () => {
  it('writes the report to the file and prints nothing on stdout', () => {
    const dir = tempDir();
    const out = join(dir, 'report.json');
    const r = lint(['fixtures/invalid/unknown-claim.yaml', '--format', 'json', '--output', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const written = readFileSync(out, 'utf8');
    expect(written).toBe(lint(['fixtures/invalid/unknown-claim.yaml', '--format', 'json']).stdout);
    expect((JSON.parse(written) as JsonReport).findings[0]!.ruleId).toBe('schema/unknown-claim');
  });

  it('-o with stylish writes no colour, even under FORCE_COLOR', () => {
    const out = join(tempDir(), 'report.txt');
    const r = lint(['fixtures/invalid/unknown-claim.yaml', '-o', out], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(r.stdout).toBe('');
    const written = readFileSync(out, 'utf8');
    expect(written).toContain('fixtures/invalid/unknown-claim.yaml:9:9  error  ');
    expect(written).not.toContain(ESC);
  });

  it('an unwritable --output is a usage error (2) with a message, not an internal error', () => {
    const dir = tempDir();
    for (const out of [join(dir, 'missing-folder', 'r.json'), dir]) {
      const r = lint(['fixtures/valid', '--format', 'json', '--output', out]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`cannot write ${out}`);
    }
  });
});

describe('--concurrency', () => {
  it('worker threads give the very report the main thread gives, in every format', () => {
    for (const format of ['json', 'stylish', 'sarif', 'github']) {
      const off = lint(['fixtures', '--format', format, '--concurrency', 'off']);
      const two = lint(['fixtures', '--format', format, '--concurrency', '3']);
      expect(off.code, format).toBe(1);
      expect(two.code, format).toBe(off.code);
      expect(two.stdout, format).toBe(off.stdout);
    }
  });

  it('a tree of many repositories: batches the main thread validated and batches sent as read give the main thread\'s report', () => {
    // Every fixture policy (valid, invalid, anchors, flow style, BOM...) in its own repository, three times over.
    const clones = tempDir();
    const policies: string[] = [];
    const collect = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) collect(join(dir, e.name));
        else if (/^[A-Za-z0-9_-]+\.yaml$/.test(e.name)) policies.push(join(dir, e.name));
      }
    };
    for (const d of ['fixtures/valid', 'fixtures/invalid', 'fixtures/rules', 'fixtures/examples']) collect(join(ROOT, d));
    let n = 0;
    for (let copy = 0; copy < 3; copy++)
      for (const p of policies) {
        const dir = join(clones, `r${n++}`, '.atmos/pro/sts');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, p.split('/').pop()!), readFileSync(p));
      }
    expect(n).toBeGreaterThan(500);
    for (const [format, workers] of [['json', '1'], ['stylish', '1'], ['json', '2']] as const) {
      const off = lint([clones, '--format', format, '--concurrency', 'off']);
      const on = lint([clones, '--format', format, '--concurrency', workers], { env: { STS_POLICY_DEBUG: '1' } });
      expect(off.code, format).toBe(1);
      expect([on.code, on.stdout], format).toEqual([off.code, off.stdout]);
      // Both kinds of batch were sent (a worker starting up is busy: the main thread validates).
      expect(on.stderr).toMatch(/debug: batch \d+ \(\d+ targets\) to worker \d, as read/);
      expect(on.stderr).toMatch(/debug: batch \d+ \(\d+ targets\) to worker \d, validated by the main thread/);
    }
    // Not vacuous: the anchor rule (whose document cannot cross threads) and validity errors are in it.
    const report = JSON.parse(lint([clones, '--format', 'json']).stdout) as JsonReport;
    expect(report.summary.files).toBe(n);
    expect(report.findings.some((f) => f.ruleId === 'style/yaml-anchors')).toBe(true);
    expect(report.findings.some((f) => f.ruleId === 'yaml/unquoted-asterisk')).toBe(true);
    // Seven lints of every fixture; analysis/not-analysed's regex of 51,000 states costs re2js
    // 0.3-1.5 s to compile in each thread.
  }, 60_000);

  it('workers apply each repository\'s settings (config, origin owner), an explicit --config and a broken config as the main thread does', () => {
    const clones = tempDir();
    const policy = readFileSync(join(ROOT, 'fixtures/examples/acme/terraform-modules/.atmos/pro/sts/default.yaml'), 'utf8');
    const put = (path: string, text: string) => (mkdirSync(join(clones, path, '..'), { recursive: true }), writeFileSync(join(clones, path), text));
    // Enough repositories for several batches; every third has a config, every third an origin remote.
    for (let i = 0; i < 200; i++) {
      put(`r${i}/.atmos/pro/sts/default.yaml`, policy);
      if (i % 3 === 1) put(`r${i}/.sts-policy.yaml`, 'owners: [someone-else]\nrules: {security/untrusted-owner: warning}\n');
      if (i % 3 === 2) put(`r${i}/.git/config`, '[remote "origin"]\n\turl = git@github.com:other-org/r.git\n');
    }
    const explicit = join(tempDir(), 'ci.yaml');
    writeFileSync(explicit, 'rules: {security/untrusted-owner: off}\n');
    const both = (extra: string[]) => {
      const off = lint([clones, '--format', 'json', '--concurrency', 'off', ...extra]);
      const two = lint([clones, '--format', 'json', '--concurrency', '2', ...extra]);
      expect([two.code, two.stdout, two.stderr]).toEqual([off.code, off.stdout, off.stderr]);
      return off;
    };
    const own = JSON.parse(both([]).stdout) as JsonReport;
    expect(own.summary.files).toBe(200);
    // Not vacuous: the configs name other owners at a lowered severity; the origin remotes name another owner.
    const untrusted = (r: JsonReport, severity: string) => new Set(r.findings.filter((f) => f.ruleId === 'security/untrusted-owner' && f.severity === severity).map((f) => f.path)).size;
    expect([untrusted(own, 'error'), untrusted(own, 'warning')]).toEqual([66, 67]);
    const silenced = JSON.parse(both(['--config', explicit]).stdout) as JsonReport;
    expect([untrusted(silenced, 'error'), untrusted(silenced, 'warning')]).toEqual([0, 0]);
    // A broken config is a usage error, located, from either thread.
    put('r7/.sts-policy.yaml', 'ownres: [acme]\n');
    const broken = both([]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('r7/.sts-policy.yaml:1:1: unknown key `ownres`');
  });

  it('refuses a value that is not a count, auto or off', () => {
    for (const bad of ['0', 'many', '-1']) {
      const r = lint(['fixtures/valid', '--concurrency', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toContain('--concurrency takes a number of workers');
    }
  });
});

describe('the JSON contract (version 1)', () => {
  const args = ['fixtures/invalid/unknown-claim.yaml', 'fixtures/invalid/regex-go125-class-name.yaml', 'fixtures/invalid/yaml-syntax.yaml', 'fixtures/valid/owner'];

  it('has exactly the documented keys and types', () => {
    const { run, report } = lintJson(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(Object.keys(report).sort()).toEqual(['files', 'findings', 'summary', 'version']);
    expect(report.version).toBe(1);
    expect(Object.keys(report.summary).sort()).toEqual(['errors', 'files', 'ignored', 'infos', 'warnings']);
    expect(report.files.length).toBe(4);
    for (const f of report.files) {
      expect(Object.keys(f).sort()).toEqual(['path', 'policyName', 'valid']);
      expect(typeof f.path).toBe('string');
      expect(typeof f.policyName).toBe('string');
      expect(typeof f.valid).toBe('boolean');
    }
    expect(report.files.map((f) => [f.path, f.policyName, f.valid])).toEqual([
      ['fixtures/invalid/regex-go125-class-name.yaml', 'regex-go125-class-name', true],
      ['fixtures/invalid/unknown-claim.yaml', 'unknown-claim', false],
      ['fixtures/invalid/yaml-syntax.yaml', 'yaml-syntax', false],
      [`fixtures/valid/owner/${STS}/default.yaml`, 'default', true],
    ]);
    expect(report.findings.length).toBeGreaterThanOrEqual(3);
    for (const f of report.findings) {
      expect(Object.keys(f).sort()).toEqual(['column', 'docsUrl', 'endColumn', 'endLine', 'fix', 'line', 'message', 'path', 'ruleId', 'severity'].sort());
      expect(['error', 'warning', 'info']).toContain(f.severity);
      for (const n of [f.line, f.column, f.endLine, f.endColumn]) {
        expect(Number.isInteger(n)).toBe(true);
        expect(n).toBeGreaterThanOrEqual(1);
      }
      expect(f.endLine * 100_000 + f.endColumn).toBeGreaterThanOrEqual(f.line * 100_000 + f.column);
      expect(f.docsUrl).toMatch(/^https:\/\//);
      expect(f.docsUrl.endsWith(`/${f.ruleId}.md`)).toBe(true);
      expect(typeof f.message).toBe('string');
      if (f.fix !== null) {
        expect(Object.keys(f.fix).sort()).toEqual(['description', 'range', 'safe', 'text']);
        expect(typeof f.fix.text).toBe('string');
        expect(typeof f.fix.safe).toBe('boolean');
      }
    }
  });

  it('is made in pieces of at most 1,000 findings, joined JSON.stringify\'s very text', () => {
    const result = lintPaths(args, { settings: new SettingsResolver({}) });
    const files = result.files.map(({ path, policyName, valid }) => ({ path, policyName, valid }));
    const summary = { files: files.length, errors: 0, warnings: 0, infos: 0, ignored: 0 };
    // Real findings, repeated past two pieces; and a report without any.
    const many = Array.from({ length: 2500 }, (_, i) => result.findings[i % result.findings.length]!);
    for (const findings of [result.findings, many, []]) {
      const report = { version: 1 as const, files, findings, summary };
      const pieces = [...jsonPieces(report)];
      expect(pieces.join('')).toBe(JSON.stringify(report, null, 2) + '\n');
      expect(pieces.filter((p) => p.includes('"ruleId"')).map((p) => p.split('"ruleId"').length - 1)).toEqual(findings.length ? (findings.length > 1000 ? [1000, 1000, 500] : [findings.length]) : []);
    }
  });

  it('a report of several MiB is JSON.stringify\'s layout byte for byte, on stdout as in --output', () => {
    const dir = tempDir();
    const file = put(join(dir, STS, 'default.yaml'), bigPolicyText(1000));
    const r = spawnSync(process.execPath, [CLI, 'lint', '--format', 'json', file], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    // Written in pieces of about 1 MB: this one takes two.
    expect(r.stdout.length).toBeGreaterThan(1.5 * 2 ** 20);
    expect(r.stdout).toBe(JSON.stringify(JSON.parse(r.stdout), null, 2) + '\n');
    const out = join(dir, 'report.json');
    expect(lint([file, '--format', 'json', '-o', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
  });

  it('uses 1-based positions with an exclusive end column', () => {
    const { report } = lintJson(['fixtures/invalid/unknown-claim.yaml']);
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0]!;
    // `        repositoryowner: "acme"`: the key starts at column 9 and is 15 characters long.
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([9, 9, 9, 24]);
    expect(f).toMatchObject({ path: 'fixtures/invalid/unknown-claim.yaml', ruleId: 'schema/unknown-claim', severity: 'error' });
    expect(f.message).toContain('repository_owner');
    expect(f.fix).toMatchObject({ text: 'repository_owner' });
  });

  it('counts in the summary equal the findings', () => {
    const { report } = lintJson([...args, 'fixtures/near-miss']);
    const count = (s: string) => report.findings.filter((f) => f.severity === s).length;
    expect(report.summary).toEqual({ files: report.files.length, errors: count('error'), warnings: count('warning'), infos: count('info'), ignored: 0 });
    expect(report.summary.errors).toBeGreaterThan(0);
    expect(report.summary.warnings).toBe(1);
  });

  it('findings are sorted by path, then position', () => {
    const { report } = lintJson(['fixtures', ...readdirSync(join(ROOT, 'fixtures/invalid')).filter((f) => f.endsWith('.yaml')).map((f) => `fixtures/invalid/${f}`)]);
    const keys = report.findings.map((f) => [f.path, f.line, f.column] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    expect(keys).toEqual(sorted);
  });
});

describe('stylish', () => {
  it('prints the location line, a code frame with `>` and a caret under the key, and a summary', () => {
    const r = lint(['fixtures/invalid/unknown-claim.yaml']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('fixtures/invalid/unknown-claim.yaml:9:9'));
    expect(head).toBe(0);
    expect(lines[0]).toMatch(/^fixtures\/invalid\/unknown-claim\.yaml:9:9 {2}error {2}unknown claim `repositoryowner`.* {2}schema\/unknown-claim$/);
    expect(lines).toContain('     8 |     - match:');
    const marked = lines.findIndex((l) => /^ {2}> +9 \| /.test(l));
    expect(lines[marked]).toBe('  >  9 |         repositoryowner: "acme"');
    // Only the reported line carries `>`.
    expect(lines.filter((l) => /^ {2}> /.test(l))).toHaveLength(1);
    const caretLine = lines[marked + 1]!;
    expect(caretLine).toMatch(/^ +\| +\^+$/);
    expect(caretLine.match(/\^+/)![0]).toHaveLength(15);
    // The carets sit exactly under `repositoryowner`.
    expect(caretLine.indexOf('^')).toBe(lines[marked]!.indexOf('repositoryowner'));
    expect(lines).toContain('✖ 1 problem (1 error, 0 warnings, 0 infos) in 1 policy file');
  });

  it('shows a warning with its severity and rule id', () => {
    const r = lint(['fixtures/invalid/regex-go125-class-name.yaml']);
    expect(r.stdout).toMatch(/^fixtures\/invalid\/regex-go125-class-name\.yaml:9:18 {2}warning {2}.+ {2}regex\/go-version-dependent$/m);
    expect(r.stdout).toContain('✖ 1 problem (0 errors, 1 warning, 0 infos) in 1 policy file');
  });

  it('has no colour by default (not a TTY)', () => {
    const r = lint(['fixtures/invalid/unknown-claim.yaml'], { env: { NO_COLOR: undefined, FORCE_COLOR: undefined } });
    expect(r.stdout).toContain('schema/unknown-claim');
    expect(r.stdout).not.toContain(ESC);
  });

  it('FORCE_COLOR=1 adds ANSI colour', () => {
    const r = lint(['fixtures/invalid/unknown-claim.yaml'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(r.stdout).toContain(`${ESC}31merror${ESC}39m`);
    expect(r.stdout).toContain(`${ESC}31m${'^'.repeat(15)}${ESC}39m`);
  });

  it('NO_COLOR wins over FORCE_COLOR=1', () => {
    const r = lint(['fixtures/invalid/unknown-claim.yaml'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(r.stdout).toContain('schema/unknown-claim');
    expect(r.stdout).not.toContain(ESC);
    expect(r.stderr).not.toContain(ESC);
  });

  it('colour never reaches the other formats', () => {
    for (const format of ['json', 'sarif', 'github']) {
      const r = lint(['fixtures/invalid/unknown-claim.yaml', '--format', format], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
      expect(r.stdout).not.toContain(ESC);
    }
  });
});

describe('github format', () => {
  it('writes one workflow command per finding with all the location properties', () => {
    const r = lint(['fixtures/invalid/regex-go125-class-name.yaml', 'fixtures/invalid/unknown-claim.yaml', '--format', 'github']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::warning file=fixtures\/invalid\/regex-go125-class-name\.yaml,line=9,col=18,endLine=9,endColumn=32,title=regex\/go-version-dependent::\S/);
    expect(lines[1]).toMatch(/^::error file=fixtures\/invalid\/unknown-claim\.yaml,line=9,col=9,endLine=9,endColumn=24,title=schema\/unknown-claim::unknown claim `repositoryowner`/);
  });

  it('escapes % and newlines in the message, and also : and , in properties', () => {
    const dir = tempDir();
    // A quoted claim key holding `%` and a newline: the unknown-claim message quotes it.
    put(join(dir, 'we,ird:dir', STS, 'default.yaml'), policy('default', '"100%\\nowner"'));
    const r = lint(['we,ird:dir', '--format', 'github'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stdout.slice(0, -1).split('\n');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.startsWith(`::error file=we%2Cird%3Adir/${STS}/default.yaml,line=8,col=9,endLine=8,endColumn=22,title=schema/unknown-claim::`)).toBe(true);
    const message = line.slice(line.indexOf('::', 2) + 2);
    expect(message).toContain('`100%25%0Aowner`');
    expect(message).not.toMatch(/%(?!25|0A|0D)/);
    expect(message).not.toContain('\r');
  });
});

describe('near misses (fixtures/near-miss)', () => {
  const base = 'fixtures/near-miss';
  const expected: Record<string, RegExp> = {
    [`${base}/github-guess/.github/atmos/pro/sts/default.yaml`]: /`\.github\/atmos\/pro\/sts\/default\.yaml`.*`\.atmos\/pro\/sts\/<name>\.yaml`/,
    [`${base}/wrong-folder/.atmos/pro/sts.yaml`]: /`\.atmos\/pro\/sts\.yaml`.*`\.atmos\/pro\/sts\/<name>\.yaml`/,
    [`${base}/wrong-folder/.atmos/sts/default.yaml`]: /`\.atmos\/sts\/default\.yaml`.*`\.atmos\/pro\/sts\/<name>\.yaml`/,
    [`${base}/wrong-name/${STS}/Default.yaml`]: /`default\.yaml` \(lowercase\).*case-sensitive.*rename it to `default\.yaml`/,
    [`${base}/wrong-name/${STS}/default.yml`]: /`\.atmos\/pro\/sts\/<name>\.yaml`.*`default\.yml`.*rename it to `default\.yaml`/,
    [`${base}/wrong-name/${STS}/prod/default.yaml`]: /subfolder of `\.atmos\/pro\/sts\/`.*`\.atmos\/pro\/sts\/<name>\.yaml`/,
  };

  it('reports each near miss as file/near-miss with a message naming the right location', () => {
    const { run, report } = lintJson([base]);
    expect(run.code).toBe(1);
    expect(report.findings.map((f) => f.path).sort()).toEqual(Object.keys(expected).sort());
    for (const f of report.findings) {
      expect(f.ruleId).toBe('file/near-miss');
      expect(f.severity).toBe('error');
      expect([f.line, f.column]).toEqual([1, 1]);
      expect(f.message).toMatch(expected[f.path]!);
    }
  });

  it('never reports the test files under .atmos/pro/sts/tests/', () => {
    for (const format of FORMATS) {
      const r = lint([base, '--format', format]);
      expect(r.stdout).not.toContain('tests/default.test.yaml');
      expect(r.stdout).not.toContain('/tests/');
    }
    const { report } = lintJson([join(base, 'wrong-name')]);
    expect(report.files.map((f) => f.path)).toEqual([`${base}/wrong-name/${STS}/Default.yaml`]);
  });

  it('lints the one file that is at a policy path (Default.yaml, for policy_name: Default)', () => {
    const { report } = lintJson([base]);
    expect(report.files).toEqual([{ path: `${base}/wrong-name/${STS}/Default.yaml`, policyName: 'Default', valid: true }]);
  });

  it('reports near misses named explicitly on the command line', () => {
    for (const file of [`${base}/wrong-name/${STS}/default.yml`, `${base}/wrong-name/${STS}/prod/default.yaml`, `${base}/wrong-folder/.atmos/pro/sts.yaml`, `${base}/wrong-folder/.atmos/sts/default.yaml`, `${base}/github-guess/.github/atmos/pro/sts/default.yaml`]) {
      const { run, report } = lintJson([file]);
      expect(run.code).toBe(1);
      expect(report.files).toEqual([]);
      expect(report.findings.map((f) => [f.path, f.ruleId])).toEqual([[file, 'file/near-miss']]);
    }
  });

  it('stylish names the near miss without a code frame', () => {
    const r = lint([`${base}/wrong-name/${STS}/default.yml`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${base}/wrong-name/${STS}/default.yml:1:1  error  `);
    expect(r.stdout).toContain('file/near-miss');
    expect(r.stdout).toContain('✖ 1 problem (1 error, 0 warnings, 0 infos) in 0 policy files');
  });

  it('reports other extensions and letter cases in a temporary repo', () => {
    const dir = repo(tempDir());
    put(join(dir, STS, 'default.yaml'), policy('default'));
    put(join(dir, STS, 'default.YAML'), policy('default'));
    put(join(dir, STS, 'ci.Yaml'), policy('ci'));
    put(join(dir, STS, 'ci.json'), '{}');
    put(join(dir, STS, 'README.md'), '# not a policy, not a near miss\n');
    const { run, report } = lintJson([dir]);
    expect(run.code).toBe(1);
    expect(report.files.map((f) => [f.path, f.valid])).toEqual([[join(dir, STS, 'default.yaml'), true]]);
    expect(report.findings.map((f) => [f.path.slice(dir.length + 1), f.ruleId])).toEqual([
      [`${STS}/ci.Yaml`, 'file/near-miss'],
      [`${STS}/ci.json`, 'file/near-miss'],
      [`${STS}/default.YAML`, 'file/near-miss'],
    ]);
    for (const f of report.findings) expect(f.message).toContain('.atmos/pro/sts/<name>.yaml');
  });
});

describe('discovery across many clones', () => {
  it('lints every repository under a folder of clones', () => {
    const dir = tempDir();
    put(join(repo(join(dir, 'acme/app')), STS, 'default.yaml'), policy('default'));
    put(join(repo(join(dir, 'acme/lib')), STS, 'default.yaml'), policy('default', 'repositoryowner'));
    put(join(repo(join(dir, 'acme/lib')), STS, 'ci.yaml'), policy('ci'));
    repo(join(dir, 'acme/no-policy'));
    put(join(repo(join(dir, 'other/group/nested')), STS, 'default.yaml'), policy('default'));
    // Files outside any repository, and in node_modules, are not policies.
    put(join(dir, 'notes/default.yaml'), 'not: a policy\n');
    put(join(dir, 'acme/app/node_modules/x', STS, 'default.yaml'), 'garbage: [\n');

    const { run, report } = lintJson([dir]);
    expect(run.code).toBe(1);
    expect(report.files.map((f) => [f.path.slice(dir.length + 1), f.policyName, f.valid])).toEqual([
      [`acme/app/${STS}/default.yaml`, 'default', true],
      [`acme/lib/${STS}/ci.yaml`, 'ci', true],
      [`acme/lib/${STS}/default.yaml`, 'default', false],
      [`other/group/nested/${STS}/default.yaml`, 'default', true],
    ]);
    expect(report.findings.map((f) => [f.path.slice(dir.length + 1), `${f.line}:${f.column}`, f.ruleId])).toEqual([[`acme/lib/${STS}/default.yaml`, '8:9', 'schema/unknown-claim']]);

    // The same from inside the folder with no path argument.
    const here = lintJson([], { cwd: dir });
    expect(here.report.files.map((f) => f.path)).toEqual([`acme/app/${STS}/default.yaml`, `acme/lib/${STS}/ci.yaml`, `acme/lib/${STS}/default.yaml`, `other/group/nested/${STS}/default.yaml`]);
    expect(here.run.code).toBe(1);
  });

  it('a repository marked only by .git with no policy is "nothing to lint" (2)', () => {
    const dir = repo(tempDir());
    const r = lint([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.atmos/pro/sts/<name>.yaml');
  });

  it('a folder of clones named through a symlink is walked', () => {
    const dir = tempDir();
    put(join(repo(join(dir, 'real/acme/app')), STS, 'default.yaml'), policy('default'));
    symlinkSync(join(dir, 'real'), join(dir, 'clones'));
    const { run, report } = lintJson(['clones'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(report.files).toEqual([{ path: `clones/acme/app/${STS}/default.yaml`, policyName: 'default', valid: true }]);
    expect(report.findings).toEqual([]);
  });

  it('a symlink to a repository inside a folder of clones is not followed', () => {
    const dir = tempDir();
    const outside = tempDir();
    put(join(repo(join(outside, 'app')), STS, 'default.yaml'), policy('default', 'OUTSIDE_CLAIM'));
    put(join(repo(join(dir, 'acme/lib')), STS, 'default.yaml'), policy('default'));
    symlinkSync(join(outside, 'app'), join(dir, 'acme/app'));
    const { run, report } = lintJson([dir]);
    expect(run.code).toBe(0);
    expect(report.files.map((f) => f.path)).toEqual([join(dir, 'acme/lib', STS, 'default.yaml')]);
    expect(run.stdout).not.toContain('OUTSIDE_CLAIM');
  });
});

describe('file safety: symlinks, directories, size, encoding', () => {
  const SECRET = 'TOP-SECRET-do-not-print-4f1c';

  it('a symlinked policy file is file/symlink and its target is never read', () => {
    const outside = tempDir();
    const target = put(join(outside, 'secret.yaml'), `${SECRET}\n${policy('default', SECRET)}`);
    const dir = repo(tempDir());
    mkdirSync(join(dir, STS), { recursive: true });
    symlinkSync(target, join(dir, STS, 'default.yaml'));
    put(join(dir, STS, 'ci.yaml'), policy('ci'));

    const { run, report } = lintJson([dir]);
    expect(run.code).toBe(1);
    expect(report.files).toEqual([
      { path: join(dir, STS, 'ci.yaml'), policyName: 'ci', valid: true },
      { path: join(dir, STS, 'default.yaml'), policyName: 'default', valid: false },
    ]);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ path: join(dir, STS, 'default.yaml'), ruleId: 'file/symlink', severity: 'error', line: 1, column: 1 });
    expect(report.findings[0]!.message).toContain('symbolic link');

    for (const format of FORMATS) {
      for (const args of [[dir], [join(dir, STS, 'default.yaml')]]) {
        const r = lint([...args, '--format', format]);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain('file/symlink');
        expect(r.stdout + r.stderr).not.toContain(SECRET);
      }
    }
  });

  it('a symlink named explicitly on the command line is not followed either', () => {
    const outside = tempDir();
    const target = put(join(outside, 'secret.yaml'), `${SECRET}: [\n`);
    const dir = tempDir();
    symlinkSync(target, join(dir, 'policy.yaml'));
    const r = lintJson([join(dir, 'policy.yaml')]);
    expect(r.run.code).toBe(1);
    expect(r.report.findings.map((f) => f.ruleId)).toEqual(['file/symlink']);
    expect(r.run.stdout).not.toContain(SECRET);
  });

  for (const linked of ['.atmos/pro/sts', '.atmos/pro', '.atmos'] as const) {
    it(`a symlinked \`${linked}\` folder is reported and not followed`, () => {
      const outside = tempDir();
      // What the link points at: a folder whose policy would quote the secret if it were read.
      const rest = STS.slice(linked.length + 1);
      put(join(outside, 'target', rest, 'default.yaml'), policy('default', SECRET));
      const dir = repo(tempDir());
      mkdirSync(join(dir, linked, '..'), { recursive: true });
      symlinkSync(join(outside, 'target'), join(dir, linked));

      for (const format of FORMATS) {
        const r = lint([dir, '--format', format]);
        expect(r.code).toBe(1);
        expect(r.stdout + r.stderr).not.toContain(SECRET);
        // (SARIF lists every rule in its driver metadata, so look for a result, not the id.)
        expect(r.stdout).not.toMatch(/schema\/unknown-claim {2}|title=schema\/unknown-claim|"ruleId": "schema\/unknown-claim"/);
      }
      const { report } = lintJson([dir]);
      expect(report.files).toEqual([]);
      expect(report.findings).toHaveLength(1);
      const f = report.findings[0]!;
      expect(f.path).toBe(join(dir, linked));
      expect(f.ruleId).toMatch(/^file\//);
      expect(f.severity).toBe('error');
      expect(f.message).toContain(`\`${linked}\` is a symbolic link`);

      // Naming the policy file or the policy folder through the link does not read it either.
      for (const arg of [join(dir, STS, 'default.yaml'), join(dir, STS), `${join(dir, STS)}/`]) {
        const r = lint([arg, '--format', 'json']);
        expect(r.code).toBe(1);
        expect(r.stdout).not.toContain(SECRET);
        expect((JSON.parse(r.stdout) as JsonReport).findings.map((x) => x.ruleId)).toEqual([expect.stringMatching(/^file\/(near-miss|symlink)$/)]);
      }
    });
  }

  it('a directory at .atmos/pro/sts/default.yaml is file/directory', () => {
    const dir = repo(tempDir());
    mkdirSync(join(dir, STS, 'default.yaml'), { recursive: true });
    for (const arg of [dir, join(dir, STS, 'default.yaml')]) {
      const { run, report } = lintJson([arg]);
      expect(run.code).toBe(1);
      expect(report.files).toEqual([{ path: join(dir, STS, 'default.yaml'), policyName: 'default', valid: false }]);
      expect(report.findings.map((f) => [f.ruleId, f.severity, f.line, f.column])).toEqual([['file/directory', 'error', 1, 1]]);
      expect(report.findings[0]!.message).toContain('directory');
    }
    const stylish = lint([dir]);
    expect(stylish.stdout).toContain(`${join(dir, STS, 'default.yaml')}:1:1  error  `);
    expect(stylish.stdout).toContain('file/directory');
  });

  it('a FIFO at a policy path is reported, never waited on', () => {
    const dir = repo(tempDir());
    mkdirSync(join(dir, STS), { recursive: true });
    expect(spawnSync('mkfifo', [join(dir, STS, 'default.yaml')]).status).toBe(0);
    const { run, report } = lintJson([dir]);
    expect(run.code).toBe(1);
    expect(report.findings.map((f) => [f.ruleId, f.line, f.column, f.message])).toEqual([['file/unreadable', 1, 1, 'the policy path is not a regular file']]);
  });

  it('a 2 MiB policy is file/too-large', () => {
    const dir = repo(tempDir());
    const size = 2 * 1024 * 1024;
    put(join(dir, STS, 'default.yaml'), policy('default') + '#'.repeat(size - policy('default').length - 1) + '\n');
    const { run, report } = lintJson([dir]);
    expect(run.code).toBe(1);
    expect(report.files).toEqual([{ path: join(dir, STS, 'default.yaml'), policyName: 'default', valid: false }]);
    expect(report.findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([['file/too-large', 1, 1]]);
    expect(report.findings[0]!.message).toContain(String(size));
    expect(lint([dir]).stdout).toContain('file/too-large');
  });

  it('a policy of exactly 1 MiB is read; one byte more is file/too-large', () => {
    const dir = repo(tempDir());
    const limit = 1024 * 1024;
    const head = policy('default');
    put(join(dir, STS, 'default.yaml'), head + '#'.repeat(limit - head.length));
    put(join(dir, STS, 'ci.yaml'), policy('ci') + '#'.repeat(limit - policy('ci').length + 1));
    const { report } = lintJson([dir]);
    expect(report.files.map((f) => [f.policyName, f.valid])).toEqual([
      ['ci', false],
      ['default', true],
    ]);
    expect(report.findings.map((f) => [f.path.slice(dir.length + 1), f.ruleId])).toEqual([[`${STS}/ci.yaml`, 'file/too-large']]);
  });

  it('non-UTF-8 bytes are file/not-utf8 at the line and column of the first bad byte', () => {
    const dir = repo(tempDir());
    // `        actor: "caf` is 19 characters, so the Latin-1 é (0xE9) is at 8:20.
    const latin1 = Buffer.concat([Buffer.from(policy('default').replace(/repository_owner: "acme"\n[\s\S]*$/, 'actor: "caf')), Buffer.from([0xe9]), Buffer.from('"\n')]);
    put(join(dir, STS, 'default.yaml'), latin1);
    const { run, report } = lintJson([dir]);
    expect(run.code).toBe(1);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ ruleId: 'file/not-utf8', severity: 'error', line: 8, column: 20, endLine: 8, endColumn: 21 });
    expect(report.findings[0]!.message).toContain('0xe9');
    expect(lint([dir]).stdout).toContain(`${join(dir, STS, 'default.yaml')}:8:20  error  `);
    expect(lint([dir, '--format', 'github']).stdout).toMatch(/^::error file=[^,]+,line=8,col=20,endLine=8,endColumn=21,title=file\/not-utf8::/);
  });

  it('columns after a BOM and multi-byte characters count characters, not bytes', () => {
    const dir = repo(tempDir());
    // BOM, `# café ` (7 characters, 8 bytes), then a lone 0xFF: line 1, column 8.
    put(join(dir, STS, 'default.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# café '), Buffer.from([0xff]), Buffer.from('\n')]));
    // CRLF lines, then a truncated 3-byte sequence at the start of line 3.
    put(join(dir, STS, 'ci.yaml'), Buffer.concat([Buffer.from('# one\r\n# two\r\n'), Buffer.from([0xe2, 0x82]), Buffer.from('\r\n')]));
    const { report } = lintJson([dir]);
    expect(report.findings.map((f) => [f.path.slice(dir.length + 1), f.ruleId, f.line, f.column])).toEqual([
      [`${STS}/ci.yaml`, 'file/not-utf8', 3, 1],
      [`${STS}/default.yaml`, 'file/not-utf8', 1, 8],
    ]);
  });

  it('the other files still lint when one is bad', () => {
    const outside = tempDir();
    const dir = repo(tempDir());
    put(join(dir, STS, 'good.yaml'), policy('good'));
    put(join(dir, STS, 'typo.yaml'), policy('typo', 'repositoryowner'));
    put(join(dir, STS, 'big.yaml'), '#'.repeat(2 * 1024 * 1024));
    put(join(dir, STS, 'latin1.yaml'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
    mkdirSync(join(dir, STS, 'folder.yaml'));
    symlinkSync(put(join(outside, 'x.yaml'), SECRET), join(dir, STS, 'link.yaml'));
    put(join(dir, STS, 'default.yml'), policy('default'));

    const { run, report } = lintJson([dir]);
    expect(run.code).toBe(1);
    const rel = (p: string) => p.slice(dir.length + 1);
    expect(report.files.map((f) => [rel(f.path), f.valid])).toEqual([
      [`${STS}/big.yaml`, false],
      [`${STS}/folder.yaml`, false],
      [`${STS}/good.yaml`, true],
      [`${STS}/latin1.yaml`, false],
      [`${STS}/link.yaml`, false],
      [`${STS}/typo.yaml`, false],
    ]);
    expect(report.findings.map((f) => [rel(f.path), `${f.line}:${f.column}`, f.ruleId])).toEqual([
      [`${STS}/big.yaml`, '1:1', 'file/too-large'],
      [`${STS}/default.yml`, '1:1', 'file/near-miss'],
      [`${STS}/folder.yaml`, '1:1', 'file/directory'],
      [`${STS}/latin1.yaml`, '1:3', 'file/not-utf8'],
      [`${STS}/link.yaml`, '1:1', 'file/symlink'],
      [`${STS}/typo.yaml`, '8:9', 'schema/unknown-claim'],
    ]);
    expect(report.summary).toEqual({ files: 6, errors: 6, warnings: 0, infos: 0, ignored: 0 });
    expect(run.stdout).not.toContain(SECRET);

    const stylish = lint([dir]);
    expect(stylish.stdout).toContain('  > 8 |         repositoryowner: "acme"');
    expect(stylish.stdout).toContain('✖ 6 problems (6 errors, 0 warnings, 0 infos) in 6 policy files');
  });
});

describe('no output ever contains a stack trace', () => {
  const invalidFiles = readdirSync(join(ROOT, 'fixtures/invalid'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `fixtures/invalid/${f}`);

  it.each(FORMATS)('all of fixtures/ with --format %s', (format) => {
    const r = lint(['fixtures', ...invalidFiles, '--format', format]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout.length).toBeGreaterThan(0);
    if (format === 'json') {
      const report = JSON.parse(r.stdout) as JsonReport;
      expect(report.files.length).toBe(invalidFiles.length + 23);
      expect(report.findings.some((f) => f.ruleId === 'file/not-utf8')).toBe(true);
      expect(report.findings.some((f) => f.ruleId === 'file/near-miss')).toBe(true);
    }
    if (format === 'sarif') {
      const log = JSON.parse(r.stdout) as { version: string; runs: { results: unknown[] }[] };
      expect(log.version).toBe('2.1.0');
      expect(log.runs[0]!.results.length).toBeGreaterThan(invalidFiles.length);
    }
    if (format === 'github') for (const line of r.stdout.trimEnd().split('\n')) expect(line).toMatch(/^::(error|warning|notice) file=[^:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^:]+::/);
    if (format === 'stylish') expect(r.stdout).toMatch(/^✖ \d+ problems \(\d+ errors, \d+ warnings?, \d+ infos?\) in \d+ policy files$/m);
  });

  it.each(FORMATS)('the temporary hazards with --format %s', (format) => {
    const dir = repo(tempDir());
    mkdirSync(join(dir, STS, 'default.yaml'), { recursive: true });
    put(join(dir, STS, 'big.yaml'), '#'.repeat(1024 * 1024 + 1));
    put(join(dir, STS, 'bad.yaml'), Buffer.from([0xc0, 0xaf]));
    symlinkSync('/nonexistent/dangling', join(dir, STS, 'dangling.yaml'));
    const r = lint([dir, '--format', format]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
  });
});
