// The same audit over local clones, `DIR/<owner>/<repo>`, with no network: each clone's working
// tree stands for its default branch. Symbolic links are never followed.
import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { POLICY_DIR } from '../../model.js';
import { readPolicyFile } from '../../load/read.js';
import { workspaceCheckouts } from '../../load/walk.js';
import { isPolicyCandidate } from '../analyze/analyze.js';
import type { PolicyDir, PolicyDirEntry, RepoSnapshot } from '../model.js';
import type { Progress } from '../../report/audit/progress.js';
import { formatConfigProblem, type SettingsResolver } from '../../lint/config.js';

export interface WorkspaceOptions {
  dir: string;
  /** Only repos of this owner. */
  org?: string;
  /** Only these `OWNER/REPO` (case-insensitive). */
  repos?: readonly string[];
  progress: Progress;
  /** Each clone's settings (its `.sts-policy.yaml`, else its origin's owner), resolved as `lint` does. */
  settings?: SettingsResolver;
}


export function workspaceSnapshots(opts: WorkspaceOptions): RepoSnapshot[] {
  const wanted = opts.repos?.length ? new Set(opts.repos.map((r) => r.toLowerCase())) : undefined;
  const clones = workspaceCheckouts(opts.dir, { owner: opts.org })
    .filter(({ repo }) => !wanted || wanted.has(repo.toLowerCase()))
    .map(({ repo, dir }): [string, string] => [repo, dir]);
  opts.progress.phase('reading local clones', clones.length);
  const out = clones.map(([repo, dir]) => {
    const s: RepoSnapshot = { repo, archived: false, empty: false, disabled: false, defaultBranch: null, commit: null, via: 'workspace', pathPrefix: `${dir}/`, notes: [] };
    if (opts.settings) {
      const rs = opts.settings.forPath(dir, { path: dir, git: true, settings: true });
      s.settings = { config: rs.config, trustedOwners: rs.trustedOwners };
      s.notes.push(...rs.problems.map((p) => `its settings were not used: ${formatConfigProblem(p)}`));
    }
    try {
      s.dir = readPolicyDir(dir);
    } catch (e) {
      s.error = `cannot read ${join(dir, POLICY_DIR)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
    opts.progress.advance(1);
    return s;
  });
  if (wanted) for (const r of wanted) if (!clones.some(([repo]) => repo.toLowerCase() === r)) out.push({ repo: r, archived: false, empty: false, disabled: false, defaultBranch: null, commit: null, via: 'workspace', pathPrefix: `${join(opts.dir, r)}/`, notes: [], error: `no clone at ${join(opts.dir, r)}` });
  return out;
}

function readPolicyDir(root: string): PolicyDir {
  let path = root;
  for (const seg of POLICY_DIR.split('/')) {
    path = join(path, seg);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) return { kind: 'absent' };
    const rel = path.slice(root.length + 1);
    if (st.isSymbolicLink()) return { kind: 'not-a-folder', message: `\`${rel}\` is a symbolic link: sts-policy does not follow it, and STS reads policies only from a real \`${POLICY_DIR}\` directory` };
    if (!st.isDirectory()) return rel === POLICY_DIR ? { kind: 'not-a-folder', message: `\`${POLICY_DIR}\` is a file, not a folder: STS reads policies only from a real \`${POLICY_DIR}\` directory` } : { kind: 'absent' };
  }
  const entries: PolicyDirEntry[] = readdirSync(path, { withFileTypes: true }).map((e) => entry(path, e));
  return { kind: 'entries', entries };
}

function entry(dir: string, e: Dirent): PolicyDirEntry {
  const path = join(dir, e.name);
  if (e.isSymbolicLink()) return { name: e.name, type: 'symlink' };
  if (e.isDirectory()) return { name: e.name, type: 'dir', children: filesUnder(path, '', 0) };
  const out: PolicyDirEntry = { name: e.name, type: 'file' };
  if (isPolicyCandidate(e.name)) out.read = readPolicyFile(path);
  return out;
}

function filesUnder(dir: string, rel: string, depth: number): string[] {
  if (depth > 5) return [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), `${rel}${e.name}/`, depth + 1) : e.isFile() ? [`${rel}${e.name}`] : []));
}
