// `explore --git-ref REF` reads each checkout's policies from a git revision, as `simulate --git-ref`
// does: a real repository whose working tree differs from `main`; the planner and session answer
// from `main`; an unknown revision is a usage error (exit 2) before the UI starts, in a real TTY.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';
import { loadSource, planSources } from '../src/tui/sources.js';
import { ExploreSession } from '../src/tui/session.js';
import { GitError } from '../src/load/git.js';

const freshDir = tempDirs('sts-explore-git-');
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
const policy = (name: string, repository: string) => `apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: ${name}\nspec:\n  rules:\n    - match:\n        repository: "${repository}"\n`;

let ws: string;
let repo: string;
beforeAll(() => {
  ws = freshDir();
  repo = join(ws, 'acme', 'modules');
  mkdirSync(join(repo, '.atmos/pro/sts'), { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, '.atmos/pro/sts/default.yaml'), policy('default', 'acme/app'));
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'policy');
  // The working tree moves on: default now trusts another repo, and a second policy is not committed.
  writeFileSync(join(repo, '.atmos/pro/sts/default.yaml'), policy('default', 'acme/other'));
  writeFileSync(join(repo, '.atmos/pro/sts/ci.yaml'), policy('ci', 'acme/app'));
});

describe('explore --git-ref', () => {
  it('plans and answers from the revision, not the working tree', () => {
    const claims = { repository: 'acme/app' };
    const working = planSources([ws]).sources;
    expect(working.map((s) => s.policyName)).toEqual(['ci', 'default']);
    expect(new ExploreSession(working.map(loadSource)).results(claims).map((r) => r.outcome)).toEqual(['minted', 'trust_policy_denied']);

    const atMain = planSources([ws], undefined, 'main');
    expect(atMain.errors).toEqual([]);
    expect(atMain.sources.map((s) => [s.repo, s.policyName, s.path, s.git])).toEqual([
      ['acme/modules', 'default', join(repo, '.atmos/pro/sts/default.yaml'), { dir: repo, ref: 'main', rel: '.atmos/pro/sts/default.yaml' }],
    ]);
    const entries = atMain.sources.map(loadSource);
    expect(entries.map((e) => e.status)).toEqual(['valid']);
    expect(new ExploreSession(entries).results(claims).map((r) => r.outcome)).toEqual(['minted']);
    expect(new ExploreSession(entries).results({ repository: 'acme/other' }).map((r) => r.outcome)).toEqual(['trust_policy_denied']);
  });

  it('a policy name absent at the revision is no_trust_policy', () => {
    const plan = planSources([ws], 'ci', 'main');
    expect(plan.sources.map((s) => [s.policyName, s.exists])).toEqual([['ci', false]]);
    expect(new ExploreSession(plan.sources.map(loadSource)).results({ repository: 'acme/app' })[0]!.outcome).toBe('no_trust_policy');
  });

  it('an unknown revision: the GitError simulate gives', () => {
    expect(() => planSources([ws], undefined, 'no-such-branch')).toThrow(GitError);
    expect(() => planSources([ws], undefined, 'no-such-branch')).toThrow(`cannot read revision "no-such-branch" in ${repo}`);
  });

  it('in a terminal, an unknown revision exits 2 with that message before the UI starts; --help names the option', () => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} explore --git-ref no-such-branch ${JSON.stringify(ws)}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('cannot read revision "no-such-branch"');
    expect(r.stdout).not.toMatch(/\n\s+at /);
    expect(runCli(['explore', '--help']).stdout).toMatch(/--git-ref <ref> +read policies from this git revision/);
  });
});
