// The one checkout walker (src/load/walk.ts): `--workspace DIR/<owner>/<repo>` for simulate and
// audit, and the any-depth walk of explore and lint. Links are never followed; bounds are named.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDirs } from './helpers/temp.js';
import { MAX_WALK_DEPTH, WorkspaceError, findCheckouts, workspaceCheckouts } from '../src/load/walk.js';
import { planSources } from '../src/tui/sources.js';

const freshDir = tempDirs('sts-walk-');
const POLICY = 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n    - match:\n        repository: "acme/app"\n';

function clone(dir: string): void {
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  writeFileSync(join(dir, '.atmos/pro/sts/default.yaml'), POLICY);
}

let ws: string;
beforeAll(() => {
  ws = freshDir();
  const outside = freshDir();
  clone(join(outside, 'secret'));
  for (const r of ['acme/modules', 'acme/app', 'Labs/tools', 'acme/.hidden']) clone(join(ws, r));
  mkdirSync(join(ws, '.cache/x'), { recursive: true });
  // A linked clone and a linked owner folder lead outside the workspace: never followed.
  symlinkSync(join(outside, 'secret'), join(ws, 'acme', 'linked'));
  symlinkSync(outside, join(ws, 'evil'));
});

describe('workspaceCheckouts', () => {
  it('lists DIR/<owner>/<repo> by owner then repo, skipping links and dot folders', () => {
    expect(workspaceCheckouts(ws).map((c) => c.repo)).toEqual(['Labs/tools', 'acme/app', 'acme/modules']);
    expect(workspaceCheckouts(ws, { owner: 'labs' })).toEqual([{ repo: 'Labs/tools', dir: join(ws, 'Labs', 'tools') }]);
  });

  it('refuses a folder that is not a workspace: not a directory, or more clones than the bound', () => {
    expect(() => workspaceCheckouts(join(ws, 'nope'))).toThrow(`--workspace ${join(ws, 'nope')}: not a directory`);
    expect(() => workspaceCheckouts(ws, { max: 2 })).toThrow(WorkspaceError);
    expect(() => workspaceCheckouts(ws, { max: 2 })).toThrow(`--workspace ${ws}: more than 2 clones; name a folder with fewer`);
  });

  it('simulate and audit see the same clones', () => {
    const sim = runCli(['simulate', '--format', 'json', '--subject', 'repo:acme/app:ref:refs/heads/main', '--workspace', ws]);
    const simRepos = Object.keys((JSON.parse(sim.stdout) as { repos: Record<string, unknown> }).repos).sort();
    const audit = runCli(['audit', '--format', 'json', '--workspace', ws]);
    const auditRepos = (JSON.parse(audit.stdout) as { repos: { repo: string }[] }).repos.map((r) => r.repo).sort();
    expect(simRepos).toEqual(['Labs/tools', 'acme/app', 'acme/modules']);
    expect(auditRepos).toEqual(simRepos);
  });
});

describe('findCheckouts (explore)', () => {
  it('finds checkouts at any depth, never through a link', () => {
    const roots = new Set<string>();
    findCheckouts(ws, roots);
    expect([...roots].sort()).toEqual([join(ws, 'Labs/tools'), join(ws, 'acme/app'), join(ws, 'acme/modules')]);
  });

  it('a checkout below the depth bound is not found, and explore names the cut', () => {
    const deep = freshDir();
    const parts = Array.from({ length: MAX_WALK_DEPTH + 1 }, (_, i) => `d${i}`);
    clone(join(deep, ...parts));
    const roots = new Set<string>();
    findCheckouts(deep, roots);
    expect(roots.size).toBe(0);
    const plan = planSources([deep]);
    expect(plan.sources).toEqual([]);
    expect(plan.notSearched).toEqual([expect.stringContaining(`the folders inside \`${join(deep, ...parts.slice(0, MAX_WALK_DEPTH))}\` were not searched`)]);
  });
});
