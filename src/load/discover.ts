// Finds the files STS would read (`.atmos/pro/sts/<name>.yaml`) and the near misses it never reads.
// Directories are walked without following symlinks; a symlink at a policy path is kept as a
// target so reading it reports the link.
import { lstatSync, statSync, type Dirent } from 'node:fs';
import { basename, join, normalize, resolve, sep } from 'node:path';
import { CONFIG_FILE, POLICY_DIR, POLICY_NAME_PATTERN } from '../model.js';
import { MAX_WALK_DEPTH, SKIP_DIRS, holdsCheckout, list, notSearched, walkedSubfolders } from './walk.js';

export type Target =
  /** `root`: the repository whose policy folder holds it, when discovery walked that repository. */
  | { kind: 'policy'; path: string; name: string; root?: RepoRoot }
  | { kind: 'near-miss'; path: string; message: string; ruleId?: 'file/not-searched' };

/**
 * A repository discovery walked, and what the listing of its root showed: whether it holds `.git`
 * and the settings file (settings then need no lstat to find them absent, 2 per repository).
 */
export interface RepoRoot {
  path: string;
  git: boolean;
  settings: boolean;
}

export interface Discovery {
  targets: Target[];
  /** Usage problems (a path that does not exist): exit code 2. */
  errors: string[];
}

export { MAX_WALK_DEPTH, notSearched };
const YAMLISH = /\.(ya?ml|json)$/i;
/** Test files of `sts-policy test` live here; a policy name cannot contain `.`, so STS never reads them. */
export const TESTS_DIR = 'tests';
const where = `a policy must be at \`${POLICY_DIR}/<name>.yaml\` (e.g. \`${POLICY_DIR}/default.yaml\`)`;

export function discover(paths: readonly string[]): Discovery {
  const plan = planDiscovery(paths, { visits: 0, units: 0 });
  for (const unit of plan.units) walk(unit.dir, unit.depth, plan.targets);
  return { targets: orderTargets(plan.targets), errors: plan.errors };
}

/** A folder still to walk, at its depth below a named path. */
export interface WalkUnit {
  dir: string;
  depth: number;
}

/**
 * Discovery in pieces, for several threads: the targets found while visiting folders
 * breadth-first (at most `limit.visits`, and only until `limit.units` folders wait), and the
 * folders left to walk (each with `walkUnit`; the bigger ones first, as breadth-first order
 * leaves them). `orderTargets` puts the union in discovery's order.
 */
export function planDiscovery(paths: readonly string[], limit: { visits: number; units: number }): { targets: Target[]; units: WalkUnit[]; errors: string[] } {
  const targets: Target[] = [];
  const errors: string[] = [];
  const queue: WalkUnit[] = [];
  for (const named of paths) {
    const p = upToRepoRoot(named);
    let stat;
    try {
      stat = lstatSync(p);
    } catch {
      errors.push(`${p}: no such file or directory`);
      continue;
    }
    // A folder the user names through a symlink (`~/src` -> another disk) is walked; symlinks
    // inside it, and any symlink at or inside `.atmos/`, are never followed.
    if (stat.isSymbolicLink() && !/(^|\/)\.atmos(\/|$)/.test(p.split(sep).join('/'))) {
      try {
        const resolved = statSync(p);
        if (resolved.isDirectory()) stat = resolved;
      } catch {
        // A dangling link: reading it reports file/symlink.
      }
    }
    // A directory at a policy path is a target, never walked: reading it reports file/directory.
    if (stat.isDirectory() && !policyNameOf(p)) queue.push({ dir: normalize(p), depth: 0 });
    else targets.push(classifyFile(p));
  }
  let head = 0;
  for (; head < queue.length && head < limit.visits && queue.length - head < limit.units; head++) queue.push(...visit(queue[head]!, targets));
  return { targets, units: queue.slice(head), errors };
}

/**
 * A folder inside a repository's `.atmos/` (lint run in `.atmos/pro/sts/`) stands for that
 * repository, as ESLint looks upward: discovery starts at its root. A path that names `.atmos`
 * itself is taken as written.
 */
function upToRepoRoot(p: string): string {
  if (/(^|\/)\.atmos(\/|$)/.test(p.split(sep).join('/'))) return p;
  const parts = resolve(p).split(sep);
  const at = parts.lastIndexOf('.atmos');
  return at < 0 ? p : normalize(join(p, ...parts.slice(at).map(() => '..')));
}

/** The targets under a folder left to walk. */
export function walkUnit(unit: WalkUnit): Target[] {
  const out: Target[] = [];
  walk(unit.dir, unit.depth, out);
  return out;
}

/** Discovery's order: by path, each target once. */
export const orderTargets = (targets: readonly Target[]): Target[] => inDiscoveryOrder(targets, (t) => t);

/** Items in their targets' discovery order: by path, the first item for each target (kind and path). */
export function inDiscoveryOrder<T>(items: readonly T[], target: (item: T) => Target): T[] {
  // A stable sort keeps a path's items in their first-come order, so a repeat follows its first.
  const sorted = [...items].sort((a, b) => {
    const [p, q] = [target(a).path, target(b).path];
    return p < q ? -1 : p > q ? 1 : 0;
  });
  const out: T[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const t = target(sorted[i]!);
    let repeat = false;
    for (let j = out.length - 1; j >= 0 && target(out[j]!).path === t.path && !repeat; j--) repeat = target(out[j]!).kind === t.kind;
    if (!repeat) out.push(sorted[i]!);
  }
  return out;
}

/** The policy name STS would select a file by, if the file sits exactly at `.atmos/pro/sts/<name>.yaml`. */
export function policyNameOf(path: string): string | undefined {
  const norm = path.split(sep).join('/');
  const m = /(?:^|\/)\.atmos\/pro\/sts\/([^/]+)\.yaml$/.exec(norm);
  return m && POLICY_NAME_PATTERN.test(m[1]!) ? m[1] : undefined;
}

/** A file named explicitly: a policy if at the policy path or anywhere outside `.atmos/`, else a near miss. */
function classifyFile(path: string): Target {
  const norm = path.split(sep).join('/');
  const at = norm.lastIndexOf(`${POLICY_DIR}/`);
  if (at === 0 || (at > 0 && norm[at - 1] === '/')) {
    const link = symlinkedPolicyDirPart(norm.slice(0, at) || '.');
    if (link) return linkedPolicyDir(path, link);
  }
  const name = policyNameOf(path);
  if (name) return { kind: 'policy', path, name };
  const inPolicyDir = /(?:^|\/)\.atmos\/pro\/sts\//.test(norm);
  if (inPolicyDir) {
    const miss = nearMissInPolicyDir(norm.slice(norm.lastIndexOf('.atmos/pro/sts/') + '.atmos/pro/sts/'.length));
    if (miss) return { kind: 'near-miss', path, message: miss };
  } else if (looksLikeGuess(norm)) return { kind: 'near-miss', path, message: `STS never reads \`${norm}\`: ${where}` };
  return { kind: 'policy', path, name: basename(path).replace(/\.ya?ml$/i, '') };
}

function walk(dir: string, depth: number, out: Target[]): void {
  for (const unit of visit({ dir, depth }, out)) walk(unit.dir, unit.depth, out);
}

/** One folder of the walk: a policy folder or repository yields its targets, any other folder its sub-folders. */
function visit({ dir, depth }: WalkUnit, out: Target[]): WalkUnit[] {
  const entries = list(dir);
  const norm = dir.split(sep).join('/').replace(/\/$/, '');
  if (/(^|\/)\.atmos\/pro\/sts$/.test(norm)) {
    const link = symlinkedPolicyDirPart(norm.slice(0, -POLICY_DIR.length) || '.');
    if (link) out.push(linkedPolicyDir(link, link));
    else scanPolicyDir(dir, out);
    return [];
  }
  if (holdsCheckout(entries)) {
    scanRepo(dir, entries, out);
    return [];
  }
  if (depth >= MAX_WALK_DEPTH) {
    // A cut is named, never silent: a policy may sit below it.
    if (walkedSubfolders(entries).length) out.push({ kind: 'near-miss', ruleId: 'file/not-searched', path: dir, message: notSearched('discovery', dir, 'check the policies there') });
    return [];
  }
  return walkedSubfolders(entries).map((e) => ({ dir: child(dir, e.name), depth: depth + 1 }));
}

function scanRepo(root: string, entries: Dirent[], out: Target[]): void {
  // Each folder is listed once, for the policy folder and the guesses alike; the listings' entry
  // types show a symbolic link (which would lead outside the repository) without an lstat per part.
  const listings = new Map<string, Dirent[]>([[root, entries]]);
  const repo: RepoRoot = { path: root, git: entries.some((e) => e.name === '.git'), settings: entries.some((e) => e.name === CONFIG_FILE) };
  const listed = (dir: string) => listings.get(dir) ?? listings.set(dir, list(dir)).get(dir)!;
  let dir = root;
  for (const seg of POLICY_DIR.split('/')) {
    const e = listed(dir).find((x) => x.name === seg);
    if (!e) break;
    const path = child(dir, seg);
    if (e.isSymbolicLink()) {
      out.push(linkedPolicyDir(path, path));
      break;
    }
    if (!e.isDirectory()) break;
    if (seg === 'sts') scanPolicyDir(path, out, repo);
    dir = path;
  }
  // Guesses at the location, bounded to the folders people put them in.
  for (const e of entries) {
    if (!e.isDirectory() || !/^(\.?atmos.*|\.github)$/i.test(e.name)) continue;
    findGuesses(child(root, e.name), `${e.name}`, 0, out, listed);
  }
}

/** The first of `.atmos`, `.atmos/pro`, `.atmos/pro/sts` under `root` that is a symbolic link. */
export function symlinkedPolicyDirPart(root: string): string | undefined {
  let path = root;
  for (const seg of POLICY_DIR.split('/')) {
    path = join(path, seg);
    try {
      if (lstatSync(path).isSymbolicLink()) return path;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function linkedPolicyDir(path: string, link: string): Target {
  return { kind: 'near-miss', path, message: linkedPolicyDirMessage(link) };
}

export function linkedPolicyDirMessage(link: string): string {
  const rel = link.split(sep).join('/').slice(link.split(sep).join('/').lastIndexOf('.atmos'));
  return `\`${rel}\` is a symbolic link: sts-policy does not follow it, and STS reads policies only from a real \`${POLICY_DIR}\` directory`;
}

function scanPolicyDir(dir: string, out: Target[], root?: RepoRoot): void {
  const entries = list(dir);
  const names = new Set(entries.map((e) => e.name));
  for (const e of entries) {
    const path = child(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === TESTS_DIR) continue;
      if (!nearMissInPolicyDir(e.name)) {
        out.push({ kind: 'policy', path, name: e.name.slice(0, -'.yaml'.length), root });
        continue;
      }
      for (const f of filesUnder(path, 0)) out.push({ kind: 'near-miss', path: f, message: `policies in a subfolder of \`${POLICY_DIR}/\` are never read: ${where}` });
      continue;
    }
    const miss = nearMissInPolicyDir(e.name);
    if (miss) {
      if (YAMLISH.test(e.name) || e.isSymbolicLink()) out.push({ kind: 'near-miss', path, message: miss });
      continue;
    }
    const name = e.name.slice(0, -'.yaml'.length);
    out.push({ kind: 'policy', path, name, root });
    if (name !== 'default' && name.toLowerCase() === 'default' && !names.has('default.yaml'))
      out.push({ kind: 'near-miss', path, message: `STS's default policy is \`default.yaml\` (lowercase); \`${e.name}\` is read only by an integration that sets \`policy_name: ${name}\`. Names are case-sensitive: rename it to \`default.yaml\`` });
  }
}

/** Why a file directly inside the policy folder is not a policy, or undefined when it is one. */
export function nearMissInPolicyDir(file: string): string | undefined {
  if (file.includes('/')) return `policies in a subfolder of \`${POLICY_DIR}/\` are never read: ${where}`;
  const m = /^(.*)\.yaml$/.exec(file);
  if (m && POLICY_NAME_PATTERN.test(m[1]!)) return undefined;
  if (m) return `\`${file}\`: \`${m[1]}\` is not a policy name (1 to 64 letters, digits, \`-\`, \`_\`), so STS never reads this file`;
  const stem = file.replace(/\.[^.]*$/, '');
  return `STS reads only \`${POLICY_DIR}/<name>.yaml\`: \`${file}\` is never read (extension and case must be exactly \`.yaml\`); rename it to \`${stem}.yaml\``;
}

function looksLikeGuess(relPath: string): boolean {
  const segs = relPath.toLowerCase().split('/');
  const atmos = segs.some((s) => s.includes('atmos'));
  const sts = segs.some((s) => s === 'sts' || /^(sts|trust[-_]?polic(y|ies))\.(ya?ml|json)$/.test(s) || /^trust[-_]?polic(y|ies)$/.test(s));
  return YAMLISH.test(relPath) && atmos && sts;
}

function findGuesses(dir: string, rel: string, depth: number, out: Target[], listed: (dir: string) => Dirent[]): void {
  if (depth > 5) return;
  for (const e of listed(dir)) {
    const relPath = `${rel}/${e.name}`;
    if (e.isDirectory()) {
      if (relPath === POLICY_DIR || SKIP_DIRS.has(e.name)) continue;
      findGuesses(child(dir, e.name), relPath, depth + 1, out, listed);
    } else if (e.isFile() && !relPath.startsWith(`${POLICY_DIR}/`) && looksLikeGuess(relPath)) {
      out.push({ kind: 'near-miss', path: child(dir, e.name), message: `STS never reads \`${relPath}\`: ${where}` });
    }
  }
}

function filesUnder(dir: string, depth: number): string[] {
  if (depth > 5) return [];
  return list(dir).flatMap((e) => (e.isDirectory() ? filesUnder(child(dir, e.name), depth + 1) : YAMLISH.test(e.name) ? [child(dir, e.name)] : []));
}

/**
 * `join(dir, name)` for a folder the walk reached (normalised: a named folder is normalised first,
 * and a child of a normalised folder is one) and an entry name: without join's normalising, which
 * on 40,000 folders was a tenth of the walk.
 */
const child = (dir: string, name: string) => (dir === '.' ? name : dir.endsWith(sep) ? dir + name : `${dir}${sep}${name}`);
