// Walking folders for checkouts, one way for every command: a folder is listed sorted, only real
// sub-folders are entered (a symbolic link is never followed; dot folders and dependency folders are
// skipped), and a checkout is a folder holding `.git` or `.atmos`. Lint's discovery and explore walk
// to any depth, cut at MAX_WALK_DEPTH with a named message; `--workspace DIR` (simulate, audit) reads
// the `DIR/<owner>/<repo>` layout, bounded in count.
import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { join, sep } from 'node:path';
import { POLICY_DIR } from '../model.js';

export const MAX_WALK_DEPTH = 16;
/** More clones than any organisation has; a bigger folder is not a workspace. */
const MAX_WORKSPACE_CHECKOUTS = 100_000;

/** What a walk cut at MAX_WALK_DEPTH says of the folder whose subfolders it left (`walk`: whose, `purpose`: what naming it does). */
export const notSearched = (walk: string, dir: string, purpose: string) =>
  `${walk} stops ${MAX_WALK_DEPTH} folders below the path it was given: the folders inside \`${dir}\` were not searched; name this folder (or one below it) to ${purpose}`;

export const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

const sortedEntries = (dir: string): Dirent[] => readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));

/** A folder's entries sorted by name; none when it cannot be read. */
export function list(dir: string): Dirent[] {
  try {
    return sortedEntries(dir);
  } catch {
    return [];
  }
}

const realSubfolders = (entries: readonly Dirent[]): Dirent[] => entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));

/** The sub-folders a walk enters: real directories (never a link), neither dot nor dependency folders. */
export const walkedSubfolders = (entries: readonly Dirent[]): Dirent[] => realSubfolders(entries).filter((e) => !SKIP_DIRS.has(e.name));

export const holdsCheckout = (entries: readonly { name: string }[]): boolean => entries.some((e) => e.name === '.git' || e.name === '.atmos');

/**
 * Checkouts under a path, as lint's discovery recognizes them (a policy folder stands for its
 * repository); the named path itself may be a link to a folder. Depth cuts are discovery's to name.
 */
export function findCheckouts(p: string, out: Set<string>, depth = 0): void {
  if (depth === 0) {
    try {
      if (!statSync(p).isDirectory()) return;
    } catch {
      return;
    }
  }
  const norm = p.split(sep).join('/').replace(/\/$/, '');
  if (norm === POLICY_DIR || norm.endsWith(`/${POLICY_DIR}`)) return void out.add(norm === POLICY_DIR ? '.' : norm.slice(0, -POLICY_DIR.length - 1));
  const entries = list(p);
  if (holdsCheckout(entries)) return void out.add(p);
  if (depth >= MAX_WALK_DEPTH) return;
  for (const e of walkedSubfolders(entries)) findCheckouts(join(p, e.name), out, depth + 1);
}

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

export interface Checkout {
  /** `OWNER/REPO`, from the folder names. */
  repo: string;
  dir: string;
}

/** The clones of a workspace folder laid out `DIR/<owner>/<repo>`, by owner then repo; with `owner`, only its (any case). */
export function workspaceCheckouts(dir: string, { owner, max = MAX_WORKSPACE_CHECKOUTS }: { owner?: string; max?: number } = {}): Checkout[] {
  if (!lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new WorkspaceError(`--workspace ${dir}: not a directory`);
  const out: Checkout[] = [];
  for (const o of subfolders(dir)) {
    if (owner && o.toLowerCase() !== owner.toLowerCase()) continue;
    for (const repo of subfolders(join(dir, o))) {
      if (out.length >= max) throw new WorkspaceError(`--workspace ${dir}: more than ${max} clones; name a folder with fewer`);
      out.push({ repo: `${o}/${repo}`, dir: join(dir, o, repo) });
    }
  }
  return out;
}

function subfolders(p: string): string[] {
  try {
    return realSubfolders(sortedEntries(p)).map((e) => e.name);
  } catch {
    throw new WorkspaceError(`--workspace: cannot read ${p}`);
  }
}
