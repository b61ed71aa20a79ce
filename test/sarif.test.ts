// `lint --format sarif` through the built CLI, checked against the official SARIF 2.1.0 schema and
// against Microsoft's own validator (`sarif-multitool validate`).
//
// test/schemas/sarif-schema-2.1.0.json is vendored verbatim from the npm package
// @microsoft/sarif-multitool-linux@5.7.0, file `package/sarif-2.1.0.json`
// (sha256 1c49a0f2b60444c71bb14878e21e0d882198eff4c539861b133093ad89ed798c): the schema that
// Microsoft's validator itself uses. It declares `"$schema": "https://json-schema.org/draft/2020-12/schema"`
// (only draft-07-era keywords inside: definitions, $ref, anyOf, oneOf, enum, format, ...), so it is
// compiled with ajv's Ajv2020 class, as declared, plus ajv-formats for uri, uri-reference, date-time
// and uuid (test/helpers/sarif-schema.ts).
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateSarif } from './helpers/sarif-schema.js';
import type { Log, Result } from 'sarif';
import type { Finding } from '../src/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';
import { readOut } from './helpers/golden.js';

const require = createRequire(import.meta.url);

const FINGERPRINT = 'stsPolicyFinding/v1';
const invalidDir = join(ROOT, 'fixtures/invalid');
const allInvalid = readdirSync(invalidDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `fixtures/invalid/${f}`);
const someInvalid = ['unknown-claim', 'permission-level-invalid', 'regex-go125-class-name', 'yaml-syntax', 'not-utf8', 'empty-file', 'duplicate-key', 'multiple-documents'].map(
  (c) => `fixtures/invalid/${c}.yaml`,
);


function lintSarif(paths: string[], opts: { cwd?: string; code: number }): Log {
  const r = runCli(['lint', '--format', 'sarif', ...paths], { cwd: opts.cwd });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(opts.code);
  return JSON.parse(r.stdout) as Log;
}

function resultsOf(log: Log): Result[] {
  expect(log.runs.length).toBe(1);
  return log.runs[0]!.results ?? [];
}

const SARIF_LEVEL: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };

/** Everything the brief requires of any log we emit, beyond the schema. */
function checkLog(log: Log, cwd: string): void {
  const ok = validateSarif(log);
  expect(ok ? [] : validateSarif.errors).toEqual([]);
  expect(log.version).toBe('2.1.0');
  const run = log.runs[0]!;
  const rules = run.tool.driver.rules ?? [];
  expect(rules.length).toBeGreaterThan(0);
  for (const rule of rules) {
    expect(rule.helpUri, rule.id).toMatch(/^https:\/\/\S+$/);
    expect(new URL(rule.helpUri!).protocol).toBe('https:');
  }
  expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  const base = run.originalUriBaseIds?.['%SRCROOT%']?.uri;
  expect(base).toMatch(/^file:\/\/.*\/$/);
  for (const result of run.results ?? []) {
    const rule = rules.find((r) => r.id === result.ruleId);
    expect(rule, `rule ${result.ruleId} missing from tool.driver.rules`).toBeDefined();
    expect(rule!.helpUri).toMatch(/^https:\/\//);
    if (result.ruleIndex !== undefined) expect(rules[result.ruleIndex]!.id).toBe(result.ruleId);
    expect(result.partialFingerprints?.[FINGERPRINT]).toMatch(/^[0-9a-f]{16,}$/);
    expect(result.locations?.length).toBeGreaterThan(0);
    for (const loc of result.locations ?? []) {
      const art = loc.physicalLocation!.artifactLocation!;
      const uri = art.uri!;
      expect(art.uriBaseId).toBe('%SRCROOT%');
      expect(uri).not.toMatch(/^[a-z][a-z0-9+.-]*:/i); // no scheme: not file://, not C:
      expect(uri.startsWith('/')).toBe(false);
      expect(uri).not.toContain('\\');
      expect(uri).not.toContain(ROOT.replace(/\/$/, ''));
      expect(uri).not.toContain(tmpdir());
      // The relative reference resolves, against %SRCROOT%, to a file that exists.
      expect(existsSync(fileURLToPath(new URL(uri, base)))).toBe(true);
      const region = loc.physicalLocation!.region!;
      expect(region.startLine).toBeGreaterThanOrEqual(1);
      expect(region.startColumn).toBeGreaterThanOrEqual(1);
      expect(region.endLine ?? region.startLine).toBeGreaterThanOrEqual(region.startLine!);
      if ((region.endLine ?? region.startLine) === region.startLine) expect(region.endColumn ?? region.startColumn).toBeGreaterThanOrEqual(region.startColumn!);
    }
  }
  // No absolute location anywhere outside originalUriBaseIds.
  const { originalUriBaseIds: _base, ...rest } = run;
  expect(JSON.stringify(rest)).not.toContain('file://');
  expect(JSON.stringify(rest)).not.toContain(JSON.stringify(cwd).slice(1, -1));
}

/** `line:col severity rule` per result, as the fixtures' .out files begin. */
function located(results: Result[]): Map<string, string[]> {
  const byUri = new Map<string, string[]>();
  for (const r of results) {
    const pl = r.locations![0]!.physicalLocation!;
    const sev = Object.entries(SARIF_LEVEL).find(([, l]) => l === r.level)![0];
    const list = byUri.get(pl.artifactLocation!.uri!) ?? [];
    list.push(`${pl.region!.startLine}:${pl.region!.startColumn} ${sev} ${r.ruleId}`);
    byUri.set(pl.artifactLocation!.uri!, list);
  }
  return byUri;
}

function expectedOut(uri: string): string[] {
  return readOut(join(ROOT, uri.replace(/\.yaml$/, '.out'))).map((l) => l.split(' ').slice(0, 3).join(' '));
}

describe('lint --format sarif: SARIF 2.1.0 schema and code-scanning conventions', () => {
  it('the vendored schema rejects a broken log (the check is not vacuous)', () => {
    const log = lintSarif(['fixtures/invalid/unknown-claim.yaml'], { code: 1 });
    expect(validateSarif(log)).toBe(true);
    resultsOf(log)[0]!.locations![0]!.physicalLocation!.region!.startLine = 0;
    expect(validateSarif(log)).toBe(false);
    expect(validateSarif.errors?.[0]?.instancePath).toBe('/runs/0/results/0/locations/0/physicalLocation/region/startLine');
  });

  it.each(someInvalid)('%s alone', (file) => {
    // Exit 1 on an error; a warning alone does not fail the run.
    const log = lintSarif([file], { code: expectedOut(file).some((l) => / error /.test(l)) ? 1 : 0 });
    checkLog(log, ROOT);
    const results = resultsOf(log);
    expect(results.length).toBe(1);
    expect(located(results).get(file)).toEqual(expectedOut(file));
  });

  it(`all ${allInvalid.length} fixtures/invalid files in one run: one result each, at the .out position`, () => {
    const log = lintSarif(allInvalid, { code: 1 });
    checkLog(log, ROOT);
    const results = resultsOf(log);
    const byUri = located(results);
    expect([...byUri.keys()].sort()).toEqual(allInvalid);
    for (const file of allInvalid) expect(byUri.get(file), file).toEqual(expectedOut(file));
    const fps = results.map((r) => r.partialFingerprints![FINGERPRINT]);
    expect(new Set(fps).size).toBe(fps.length);
  });

  it('fixtures/valid: a valid log with the full rule table and no error', () => {
    const log = lintSarif(['fixtures/valid'], { code: 0 });
    checkLog(log, ROOT);
    expect(resultsOf(log).filter((r) => r.level === 'error')).toEqual([]);
    // The seeds' only warnings: the documented match-all opt-in and a write grant to a whole org.
    expect(new Set(resultsOf(log).filter((r) => r.level === 'warning').map((r) => r.ruleId))).toEqual(new Set(['security/any-owner', 'permissions/broad-write']));
    expect(log.runs[0]!.tool.driver.name).toBe('sts-policy');
  });

  it('a mix of valid repositories and invalid files', () => {
    const files = someInvalid.slice(0, 4);
    const log = lintSarif(['fixtures/valid/owner', ...files, 'fixtures/valid/named-ci', 'fixtures/valid/utf8-bom'], { code: 1 });
    checkLog(log, ROOT);
    const byUri = located(resultsOf(log).filter((r) => r.level !== 'note'));
    expect([...byUri.keys()].sort()).toEqual([...files].sort());
    for (const file of files) expect(byUri.get(file)).toEqual(expectedOut(file));
  });
});

describe('partialFingerprints', () => {
  let dir: string;
  const cases = ['unknown-claim', 'permission-level-invalid', 'regex-go125-class-name', 'duplicate-key'];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sts-sarif-'));
    for (const c of cases) copyFileSync(join(invalidDir, `${c}.yaml`), join(dir, `${c}.yaml`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = () => {
    const log = lintSarif(cases.map((c) => `${c}.yaml`), { cwd: dir, code: 1 });
    checkLog(log, dir);
    return resultsOf(log);
  };
  const key = (r: Result) => r.locations![0]!.physicalLocation!.artifactLocation!.uri!;

  it('are stable across runs, and survive blank lines inserted above the finding', () => {
    const first = run();
    const second = run();
    expect(first.length).toBe(cases.length);
    expect(second).toEqual(first);

    // Insert blank lines: one at the top of the file and two right above the finding's line.
    for (const r of first) {
      const file = join(dir, key(r));
      const lines = readFileSync(file, 'utf8').split('\n');
      const at = r.locations![0]!.physicalLocation!.region!.startLine! - 1;
      lines.splice(at, 0, '', '');
      lines.unshift('');
      writeFileSync(file, lines.join('\n'));
    }
    const moved = run();
    expect(moved.map(key)).toEqual(first.map(key));
    for (const [i, r] of moved.entries()) {
      const before = first[i]!;
      expect(r.ruleId).toBe(before.ruleId);
      expect(r.locations![0]!.physicalLocation!.region!.startLine).toBe(before.locations![0]!.physicalLocation!.region!.startLine! + 3);
      expect(r.locations![0]!.physicalLocation!.region!.startColumn).toBe(before.locations![0]!.physicalLocation!.region!.startColumn);
      expect(r.partialFingerprints).toEqual(before.partialFingerprints);
    }
  });

  it('differ for two identical findings in one file', () => {
    const name = 'twice';
    writeFileSync(
      join(dir, `${name}.yaml`),
      ['apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', `  name: ${name}`, 'spec:', '  rules:', '    - match:', '        repositoryowner: "acme"', '    - match:', '        repositoryowner: "acme"', ''].join('\n'),
    );
    const log = lintSarif([`${name}.yaml`], { cwd: dir, code: 1 });
    checkLog(log, dir);
    const results = resultsOf(log);
    expect(results.map((r) => `${r.locations![0]!.physicalLocation!.region!.startLine} ${r.ruleId}`)).toEqual(['8 schema/unknown-claim', '10 schema/unknown-claim']);
    expect(results[0]!.partialFingerprints![FINGERPRINT]).not.toBe(results[1]!.partialFingerprints![FINGERPRINT]);
  });
});

describe("Microsoft's validator: sarif-multitool validate", () => {
  // @microsoft/sarif-multitool resolves to the self-contained .NET binary of its platform package
  // (@microsoft/sarif-multitool-linux here). Its bin.js runs the binary through a shell, which
  // would split `;`-lists, so the binary is spawned directly.
  const multitool = require('@microsoft/sarif-multitool') as string;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sts-multitool-'));
    // The platform package's postinstall is `chmod u+x Sarif.Multitool`; npm 11 warns that it is
    // not yet covered by package.json `allowScripts`. Should npm ever skip it, do the same here.
    try {
      accessSync(multitool, constants.X_OK);
    } catch {
      chmodSync(multitool, statSync(multitool).mode | 0o100);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports no error or warning on our logs, and does flag a broken one', () => {
    const logs: Record<string, Log> = {
      'invalid.sarif': lintSarif(allInvalid, { code: 1 }),
      'valid.sarif': lintSarif(['fixtures/valid'], { code: 0 }),
      'mix.sarif': lintSarif(['fixtures/valid', ...someInvalid], { code: 1 }),
    };
    for (const [name, log] of Object.entries(logs)) writeFileSync(join(dir, name), JSON.stringify(log, null, 2));
    // Control: an absolute-path URI under a uriBaseId and a zero line must be reported.
    const broken = structuredClone(logs['mix.sarif']!);
    const loc = broken.runs[0]!.results![0]!.locations![0]!.physicalLocation!;
    loc.artifactLocation!.uri = '/abs/policy.yaml';
    loc.region!.startLine = 0;
    writeFileSync(join(dir, 'broken.sarif'), JSON.stringify(broken, null, 2));

    const out = join(dir, 'validation.sarif');
    const r = spawnSync(multitool, ['validate', 'invalid.sarif', 'valid.sarif', 'mix.sarif', 'broken.sarif', '--output', out, '--log', 'ForceOverwrite'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 150_000,
    });
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('4 files scanned');
    const report = JSON.parse(readFileSync(out, 'utf8')) as Log;
    const vrun = report.runs[0]!;
    expect(vrun.tool.driver.name).toBe('Sarif.Multitool');
    expect(vrun.invocations?.[0]?.executionSuccessful).toBe(true);
    const findings = (vrun.results ?? []).map((x) => ({
      file: x.locations?.[0]?.physicalLocation?.artifactLocation?.uri?.split('/').pop(),
      rule: x.ruleId,
      level: x.level ?? 'warning', // SARIF's default level
      where: x.properties?.jsonPath ?? x.message.arguments?.[0],
    }));
    const ours = findings.filter((f) => f.file !== 'broken.sarif' && f.level !== 'note' && f.level !== 'none');
    expect(ours).toEqual([]);
    const brokenRules = findings.filter((f) => f.file === 'broken.sarif' && f.level === 'error').map((f) => f.rule);
    expect(brokenRules).toEqual(expect.arrayContaining(['JSON1008', 'SARIF1004']));
  }, 180_000);
});

describe('related locations: findings about several places point at each (JSON `related`, SARIF `relatedLocations`)', () => {
  const cases = [
    { file: 'fixtures/rules/correctness-contradiction/invalid/subject-vs-repository.yaml', ruleId: 'correctness/contradiction', related: '"repo:acme/a:ref:refs/heads/main"' },
    { file: 'fixtures/rules/interplay-redundant-rule/invalid/duplicate.yaml', ruleId: 'interplay/redundant-rule', related: 'repository' },
    { file: 'fixtures/rules/interplay-order-dependent-grant/invalid/owner-then-repository.yaml', ruleId: 'interplay/order-dependent-grant', related: 'repository_owner' },
  ];
  const files = cases.map((c) => c.file);
  const json = JSON.parse(runCli(['lint', '--format', 'json', ...files]).stdout) as { findings: Finding[] };

  it.each(cases)('$ruleId: JSON `related` is another place of the file, with what it is', ({ file, ruleId, related }) => {
    const finding = json.findings.find((f) => f.path === file && f.ruleId === ruleId)!;
    expect(finding.related).toHaveLength(1);
    const r = finding.related![0]!;
    expect(r.line).not.toBe(finding.line);
    const line = readFileSync(join(ROOT, file), 'utf8').split('\n')[r.line - 1]!;
    expect(line.slice(r.column - 1).startsWith(related), line).toBe(true);
    expect(r.message.length).toBeGreaterThan(10);
  });

  it('SARIF carries them as relatedLocations, in a log the SARIF schema accepts', () => {
    const log = lintSarif(files, { code: 1 });
    checkLog(log, ROOT);
    for (const { file, ruleId } of cases) {
      const result = resultsOf(log).find((r) => r.ruleId === ruleId && r.locations![0]!.physicalLocation!.artifactLocation!.uri === file)!;
      const expected = json.findings.find((f) => f.path === file && f.ruleId === ruleId)!.related!;
      expect(result.relatedLocations!.map((l) => [l.id, l.message!.text, l.physicalLocation!.artifactLocation!.uri, l.physicalLocation!.region!.startLine, l.physicalLocation!.region!.startColumn])).toEqual(
        expected.map((r, i) => [i + 1, r.message, file, r.line, r.column]),
      );
    }
  });
});
