// The audit's reports: text (inventory, findings, access map, request count), Markdown for job
// summaries (every piece of policy content escaped), SARIF (valid, one location per result, at the
// default-branch commit; unread repos as notifications), and progress on stderr.
import { validateSarif } from './helpers/sarif-schema.js';
import type { Log } from 'sarif';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitHub, PINNED, POLICY_PATH, audit, policy, startFake } from './helpers/fake-github-audit.js';

// Policy content an attacker controls: HTML, a link, a mention, pipes, backticks, a newline.
const HOSTILE = policy(
  'default',
  '    - match:\n        repository: "<img src=x onerror=alert(1)>|[click](https://evil.example)/@octocat`x`"\n        actor: "@admins ** __bold__ ``\\ttick"\n      permissions:\n        contents: write\n',
);

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFake([
    { name: 'app', files: { [POLICY_PATH]: PINNED } },
    { name: 'hostile', files: { [POLICY_PATH]: HOSTILE, '.atmos/pro/sts/<b>@team|x`y.yml': 'x' } },
    { name: 'broken', files: { [POLICY_PATH]: 'apiVersion: nope\n' } },
    { name: 'gone', vanishOnRead: true, files: { [POLICY_PATH]: PINNED } },
  ]);
});
// The repo deleted mid-run comes back before each test.
beforeEach(() => fake.setRepo({ name: 'gone', vanishOnRead: true, files: { [POLICY_PATH]: PINNED } }));
afterAll(async () => {
  await fake.close();
});

/** The Markdown outside code spans (CommonMark: a run of N backticks closes on the next run of N). */
function outsideCode(md: string): string {
  let out = '';
  for (let i = 0; i < md.length; ) {
    const run = /^`+/.exec(md.slice(i));
    if (!run || (i > 0 && md[i - 1] === '\\')) {
      out += md[i++];
      continue;
    }
    const close = md.indexOf(run[0], i + run[0].length);
    let end = close;
    while (end >= 0 && md[end + run[0].length] === '`') end = md.indexOf(run[0], end + run[0].length + 1);
    if (end < 0) {
      out += run[0];
      i += run[0].length;
      continue;
    }
    out += ' ';
    i = end + run[0].length;
  }
  return out;
}

describe('audit --format markdown', () => {
  it('escapes every piece of policy content', async () => {
    const r = await audit(fake, ['--org', 'acme', '--caller', 'repo:acme/app:ref:refs/heads/main', '--format', 'markdown', '--no-progress']);
    expect(r.code).toBe(3);
    const md = r.stdout;
    expect(md).toMatch(/^### Trust policy audit: `acme`/);
    expect(md).toMatch(/\*\*Partial result\*\*/);
    const prose = outsideCode(md.replace(/```json[\s\S]*?```/g, ''));
    // No HTML, link, mention or emphasis that policy content could have injected.
    expect(prose).not.toMatch(/(?<!\\)<(?!\/?(details|summary)>)/);
    expect(prose).not.toMatch(/(?<!\\)\[click\]/);
    expect(prose).not.toMatch(/@(?!\u200b)/);
    expect(prose.replace(/\*\*(Partial result|total)\*\*/g, '')).not.toMatch(/(?<!\\)(\*|_)/);
    // Every table row keeps its column count: pipes inside values are escaped.
    for (const table of md.split('\n\n').filter((b) => b.startsWith('|'))) {
      const rows = table.split('\n').filter((l) => l.startsWith('|') && !l.startsWith('| …'));
      const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
      for (const row of rows) expect(cells(row), row).toBe(cells(rows[0]!));
    }
    expect(md).toContain('`acme/hostile`');
    expect(md).toMatch(/\| `acme\/gone` \| not found/);
  });
});

describe('audit --format sarif', () => {
  it('is valid SARIF 2.1.0 with one location per result, at the default-branch commit', async () => {
    const r = await audit(fake, ['--org', 'acme', '--format', 'sarif', '--no-progress']);
    expect(r.code).toBe(3);
    const log = JSON.parse(r.stdout) as Log;
    const ok = validateSarif(log);
    expect(ok ? [] : validateSarif.errors).toEqual([]);
    const run = log.runs[0]!;
    expect(run.originalUriBaseIds!['%SRCROOT%']!.uri).toBe(`${fake.url}/`);
    const results = run.results!;
    expect(results.length).toBeGreaterThan(3);
    for (const res of results) {
      expect(res.locations).toHaveLength(1);
      expect(res.locations![0]!.physicalLocation!.artifactLocation!.uri).toMatch(/^acme\/(hostile|broken)\/blob\/[0-9a-f]{40}\/\.atmos\/pro\/sts\//);
    }
    expect(results.map((x) => x.ruleId)).toEqual(expect.arrayContaining(['schema/api-version', 'file/near-miss', 'correctness/dead-matcher']));
    expect(run.invocations).toEqual([{ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: expect.stringMatching(/^acme\/gone could not be read: not found/) } }] }]);
  });
});

describe('audit --format text', () => {
  it('leads with the inventory and ends with the counts and the request count', async () => {
    const r = await audit(fake, ['--org', 'acme']);
    expect(r.code).toBe(3);
    const sections = ['Inventory', 'Findings', 'Access map'].map((s) => r.stdout.indexOf(`\n${s}`));
    expect(sections.every((i, k) => i > 0 && (k === 0 || i > sections[k - 1]!))).toBe(true);
    expect(r.stdout).toMatch(/unknown \(could not be read\)\s+1\s+acme\/gone\n\s+acme\/gone: not found/);
    expect(r.stdout).toMatch(/4 repos: 2 with a valid policy, 1 invalid, 0 without, 1 unknown; 2 API requests \(0\.5 per repo; 2 GraphQL, 0 REST, 0 retried, 0 repos from the cache\)\nPARTIAL RESULT: 1 repo could not be read\n$/);
    // Progress: plain lines on a non-terminal stderr, then the partial-result line.
    expect(r.stderr.split('\n')).toEqual(
      expect.arrayContaining(['sts-policy audit: listing repositories', 'sts-policy audit: reading policy folders (4 repos)', 'sts-policy audit: reading policy folders: 4/4 repos, 2 API requests', 'sts-policy: partial result: 1 repo could not be read']),
    );
    const quiet = await audit(fake, ['--org', 'acme', '--repo', 'app', '--no-progress']);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
  });
});
