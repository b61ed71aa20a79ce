// The library below the CLI (src/index.ts): a command's output and verdict are reproduced by
// library calls alone, byte for byte: diff, lint and an offline pr-check, each against the built CLI.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPullRequest, diffJson, diffMarkdown, diffPairs, diffText, failed, filePair, lintFailure, lintPaths, lintReport, prCheckJson, prCheckMarkdown, prCheckText, SettingsResolver } from '../src/index.js';
import { ROOT, runCli } from './helpers/cli.js';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe('diff through the library', () => {
  const cases = readdirSync(join(ROOT, 'fixtures/diff')).filter((c) => c !== 'added' && c !== 'removed');
  it.each(cases)('%s: text, markdown, JSON and the --fail-on escalation verdict match the CLI', (c) => {
    const [oldFile, newFile] = ['old', 'new'].map((side) => `fixtures/diff/${c}/${side}.yaml`) as [string, string];
    const diffs = diffPairs([filePair(oldFile, newFile)]);
    const cli = (format: string) => runCli(['diff', '-f', format, '--fail-on', 'escalation', oldFile, newFile]);
    expect(cli('text').stdout).toBe(diffText(diffs));
    expect(cli('markdown').stdout).toBe(diffMarkdown(diffs));
    const json = cli('json');
    expect(json.stdout).toBe(JSON.stringify(diffJson(diffs), null, 2) + '\n');
    expect(json.code).toBe(failed(diffs, 'escalation') ? 1 : 0);
  });
});

describe('lint through the library', () => {
  const invalid = readdirSync(join(ROOT, 'fixtures/rules')).filter((r) => existsSync(join(ROOT, 'fixtures/rules', r, 'invalid'))).flatMap((r) =>
    readdirSync(join(ROOT, 'fixtures/rules', r, 'invalid')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.fixed.yaml')).map((f) => `fixtures/rules/${r}/invalid/${f}`),
  );
  it.each(['json', 'github'] as const)('the rule fixtures in %s format, and the --quiet verdict, match the CLI', async (format) => {
    const result = lintPaths(invalid, { settings: new SettingsResolver({}) });
    expect(result.files.length).toBe(invalid.length);
    const cli = runCli(['lint', '--concurrency', 'off', '-f', format, '--quiet', ...invalid]);
    expect(cli.stdout).toBe(await lintReport(result, { format, quiet: true }));
    expect(lintFailure(result, { quiet: true })).toBe('errors');
    expect(cli.code).toBe(1);
  });

  it('more warnings than --max-warnings fail, and the CLI says so', () => {
    const file = 'fixtures/rules/style-yaml-anchors/invalid/anchor-alias.yaml';
    const result = lintPaths([file], { settings: new SettingsResolver({}) });
    expect(lintFailure(result, {})).toBeUndefined();
    const failure = lintFailure(result, { maxWarnings: 0 });
    expect(failure).toEqual({ warnings: expect.any(Number), max: 0 });
    const cli = runCli(['lint', '--max-warnings', '0', file]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`too many warnings (${(failure as { warnings: number }).warnings}, maximum 0)`);
  });
});

describe('pr-check through the library', { timeout: 120_000 }, () => {
  it('an offline check renders the text, JSON and summary the CLI writes, and the same verdict', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'sts-policy-library-'));
    temps.push(repo);
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();
    const policy = join(repo, '.atmos/pro/sts/default.yaml');
    git('init', '-q', '-b', 'main');
    mkdirSync(join(repo, '.atmos/pro/sts'), { recursive: true });
    mkdirSync(join(repo, '.github'));
    writeFileSync(join(repo, '.github/CODEOWNERS'), '.atmos/ @acme/security\n');
    copyFileSync(join(ROOT, 'fixtures/diff/escalation/old.yaml'), policy);
    git('add', '-A');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'feature');
    copyFileSync(join(ROOT, 'fixtures/diff/escalation/new.yaml'), policy);
    git('commit', '-qam', 'head');

    const summaryDir = mkdtempSync(join(tmpdir(), 'sts-policy-library-summary-'));
    temps.push(summaryDir);
    const summary = join(summaryDir, 'summary.md');
    const cli = (format: string) => runCli(['pr-check', '--repo', repo, '--base', 'main', '--head', 'feature', '-f', format], { env: { GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: undefined, GITHUB_OUTPUT: undefined } });
    const result = await checkPullRequest({ repo, base: 'main', head: 'feature', failOn: 'wider' });
    const text = cli('text');
    expect(text.stdout).toBe(prCheckText(result, undefined, undefined));
    expect(text.code).toBe(result.failures.length ? 1 : 0);
    expect(readFileSync(summary, 'utf8')).toBe(prCheckMarkdown(result, { failOn: 'wider' }, undefined));
    expect(cli('json').stdout).toBe(JSON.stringify(prCheckJson(result, { failOn: 'wider' }, undefined, undefined), null, 2) + '\n');
  });
});
