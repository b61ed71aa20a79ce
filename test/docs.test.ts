// Docs are tested like code: every registered rule has a page and every page a rule; each page's
// examples are linted for real (with the config a page declares under `## Options`) and must give
// the output the page shows (a finding only pr-check and audit report is replayed through the
// library path they share); the index lists every rule.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE, SubjectTemplateReader, allRuleMetas, docsUrl, lintPaths, parseConfigText, readPolicy, readPolicyFile, withGithubTemplate, type LintResult } from '../src/index.js';
import type { LintConfig } from '../src/rules/framework.js';
import { DOCS, blocks, pageConfig, pageIds, readPage, type Page } from './helpers/rule-docs.js';
import { tempDirs } from './helpers/temp.js';

const metas = allRuleMetas();

/** The one fenced block of a language in a section; a page with none or several is malformed. */
function block(page: Page, heading: string, lang: string): string {
  const found = blocks(page.sections.get(heading)).filter((b) => b.lang === lang);
  expect(found, `exactly one \`\`\`${lang} block under ## ${heading}`).toHaveLength(1);
  return found[0]!.body;
}

const expectedLines = (body: string) => body.trim().split('\n');

const tempRepo = tempDirs('sts-policy-docs-');

/** Lints `yaml` as a repository's `.atmos/pro/sts/default.yaml`, with the page's `## Options` config. */
function lintDefaultPolicy(yaml: string, config?: LintConfig): LintResult {
  const repo = tempRepo();
  mkdirSync(join(repo, '.atmos/pro/sts'), { recursive: true });
  writeFileSync(join(repo, '.atmos/pro/sts/default.yaml'), yaml);
  return lintPaths([repo], config ? { config } : {});
}

const outLine = (f: LintResult['findings'][number]) => `${f.line}:${f.column} ${f.severity} ${f.ruleId}`;

const ids = pageIds(DOCS).sort();
const withYaml = ids.filter((id) => readPage(id).sections.has('Incorrect'));
const withExample = ids.filter((id) => readPage(id).sections.has('Example'));
/** Findings only pr-check and audit report, with a token: their Example is replayed through the library below, not lint. */
const tokenOnly = ['analysis/subject-template'];

describe('docs/rules: one page per rule', () => {
  it('every registered rule has a page, and every page belongs to a registered rule', () => {
    expect(ids).toEqual(metas.map((m) => m.id).sort());
  });

  it.each(metas.map((m) => [m.id, m] as const))('%s: heading, severity, sections and docs URL', (id, meta) => {
    const page = readPage(id);
    expect(page.text.split('\n')[0]).toBe(`# ${id}`);
    expect(page.text).toMatch(new RegExp(`^Severity: ${meta.severity}$`, 'm'));
    for (const heading of ['What STS answers', 'Why it matters', 'How to fix']) expect([...page.sections.keys()]).toContain(heading);
    // Either a linted pair of policies, or (for triggers that are not file content) a situation.
    const pair = page.sections.has('Incorrect') && page.sections.has('Correct');
    expect(pair !== page.sections.has('Example'), 'either ## Incorrect and ## Correct, or ## Example').toBe(true);
    expect(docsUrl(id)).toBe(`https://github.com/sts-policy/sts-policy/blob/main/docs/rules/${id}.md`);
    expect(existsSync(join(DOCS, `${id}.md`))).toBe(true);
  });

  it('pages for triggers that are not file content describe a situation instead of yaml pairs', () => {
    const situational = ['file/near-miss', 'file/not-searched', 'file/symlink', 'file/directory', 'file/too-large', 'file/not-utf8', 'file/unreadable', 'yaml/too-deep', 'yaml/alias-limit', ...tokenOnly];
    expect(withExample.sort()).toEqual(situational.sort());
  });
});

describe('docs/rules: Incorrect and Correct examples lint as the page says', () => {
  it.each(withYaml)('%s: the Incorrect policy yields the finding the page shows', (id) => {
    const page = readPage(id);
    const result = lintDefaultPolicy(block(page, 'Incorrect', 'yaml'), pageConfig(page));
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.ruleId)).toContain(id);
    expect(result.findings.map(outLine)).toEqual(expectedLines(block(page, 'Incorrect', 'text')));
  });

  it.each(withYaml)('%s: the Correct policy yields no finding of the rule and no error', (id) => {
    const page = readPage(id);
    const result = lintDefaultPolicy(block(page, 'Correct', 'yaml'), pageConfig(page));
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === id)).toEqual([]);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.files.map((f) => f.valid)).toEqual([true]);
  });
});

/** Runs a page's Example snippet, but its final `sts-policy` command, in a fresh folder. */
function exampleRepo(page: Page, command: RegExp): string {
  const repo = tempRepo();
  const snippet = block(page, 'Example', 'sh');
  expect(snippet).toMatch(command);
  const setup = snippet
    .split('\n')
    .filter((l) => !l.startsWith('sts-policy '))
    .join('\n');
  const run = spawnSync('bash', ['-euc', setup], { cwd: repo, encoding: 'utf8', timeout: 20_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return repo;
}

describe('docs/rules: Example situations reproduce the finding the page shows', () => {
  it.each(withExample.filter((id) => !tokenOnly.includes(id)))('%s', (id) => {
    const page = readPage(id);
    // The snippet ends with `sts-policy lint`; the library call below stands in for it.
    const repo = exampleRepo(page, /^sts-policy lint$/m);
    const result = lintPaths([repo]);
    expect(result.errors).toEqual([]);
    const actual = result.findings.map((f) => `${relative(repo, f.path).split(sep).join('/')}:${outLine(f)}`);
    expect(actual).toEqual(expectedLines(block(page, 'Example', 'text')));
    expect(result.findings.map((f) => f.ruleId)).toContain(id);
  });
});

describe('docs/rules: findings of pr-check and audit with a token', () => {
  it('analysis/subject-template: GitHub answering the template read with HTTP 403 yields the finding the page shows', async () => {
    const page = readPage('analysis/subject-template');
    // The snippet ends with `sts-policy pr-check` in a job; the library path pr-check and audit share stands in for it.
    const repo = exampleRepo(page, /^sts-policy pr-check\b/m);
    const settings = parseConfigText(CONFIG_FILE, readFileSync(join(repo, CONFIG_FILE), 'utf8'));
    if (!settings.ok) throw new Error('the page\'s .sts-policy.yaml does not parse');
    const path = join(repo, '.atmos/pro/sts/default.yaml');
    const { validated } = readPolicy(path, 'default', readPolicyFile(path));
    const reader = new SubjectTemplateReader({ request: () => Promise.reject(Object.assign(new Error('Resource not accessible by integration'), { status: 403 })) });
    const { findings } = await withGithubTemplate(settings.config, [validated?.policy], { repo: 'acme/app', read: () => reader.forRepo('acme', 'app') }, CONFIG_FILE);
    expect(findings.map((f) => `${relative(repo, f.path).split(sep).join('/')}:${outLine(f)}`)).toEqual(expectedLines(block(page, 'Example', 'text')));
  });
});

describe('docs/rules/README.md: the index', () => {
  const readme = readFileSync(join(DOCS, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| \[([^\]]+)\]\(([^)]+)\) \| (\w+) \| (.+) \|$/gm)].map((m) => ({ id: m[1]!, link: m[2]!, severity: m[3]!, description: m[4]! }));

  it('lists exactly the registered rule ids, each once', () => {
    expect(rows.map((r) => r.id).sort()).toEqual(metas.map((m) => m.id).sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('gives each rule its registered severity and links its page', () => {
    const severity = new Map(metas.map((m) => [m.id, m.severity]));
    for (const r of rows) {
      expect(r.severity, r.id).toBe(severity.get(r.id));
      expect(r.link).toBe(`${r.id}.md`);
      expect(existsSync(join(DOCS, r.link))).toBe(true);
      expect(r.description.length).toBeGreaterThan(10);
    }
  });
});
