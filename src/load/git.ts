// Reading repositories through git: every git process sts-policy starts runs here, bounded in time
// and output, failing with one `GitError` that says what failed, where, and what to do. Blobs are
// read from git objects, never by following the work tree. A repository's `origin` owner is read
// from .git/config by hand: lint runs in pre-commit hooks, where a git process at start-up costs.
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OWNER_PATTERN, POLICY_DIR } from '../model.js';
import { decodePolicyBytes, MAX_POLICY_BYTES, type ReadResult } from './read.js';
import { policyNameOf } from './discover.js';
import { lazyRequire } from '../lazy.js';

// Required on first use: lint imports this module (originOwner) and must not load it at start-up (~10 ms).
const childProcess = lazyRequire<typeof import('node:child_process')>('node:child_process');

export class GitError extends Error {
  override name = 'GitError';
  /** Why git failed (its stderr, a timeout, an output too large), without the command. */
  readonly detail: string;
  /** git's exit status when it ran and refused; absent when it never answered (timeout, not installed). */
  readonly status?: number;
  constructor(message: string, detail = message, status?: number) {
    super(message);
    this.detail = detail;
    this.status = status;
  }
}

const GIT_TIMEOUT_MS = 60_000;
const MAX_GIT_OUTPUT = 64 * 1024 * 1024;

/** Tests shorten the timeout through STS_POLICY_GIT_TIMEOUT_MS (as STS_POLICY_RETRY_BASE_MS for the API). */
function timeoutMs(): number {
  const ms = Number(process.env.STS_POLICY_GIT_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : GIT_TIMEOUT_MS;
}

/** Runs `git -C dir ...args`: its stdout, or a GitError past the timeout, the output bound or a failure. */
export function runGit(dir: string, args: readonly string[], maxBuffer = MAX_GIT_OUTPUT): Buffer {
  const timeout = timeoutMs();
  try {
    return childProcess().execFileSync('git', ['-C', dir, ...args], { maxBuffer, timeout, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; code?: string; status?: number | null; message?: string };
    const detail =
      err.code === 'ENOENT'
        ? 'git is not installed or not on PATH: install git, or run sts-policy where it is'
        : err.code === 'ETIMEDOUT'
          ? `git did not answer within ${timeout / 1000} s (is the repository on a slow or hung file system, or locked by another git process?)`
          : err.code === 'ENOBUFS'
            ? `the output is over ${maxBuffer} bytes`
            : err.stderr?.toString().trim() || err.message || String(e);
    throw new GitError(`git ${args[0]} failed in ${dir}: ${detail}`, detail, err.status ?? undefined);
  }
}

/** The top folder of the repository holding `dir`, or undefined outside one (a git that never answered throws). */
export function gitTopLevel(dir: string): string | undefined {
  try {
    return runGit(dir, ['rev-parse', '--show-toplevel']).toString('utf8').trim();
  } catch (e) {
    if (e instanceof GitError && e.status !== undefined) return undefined;
    throw e;
  }
}

/** The commit a revision names; a GitError that says how to fetch it when it is absent. */
export function resolveCommit(repo: string, rev: string): string {
  if (!rev || rev.startsWith('-')) throw new GitError(`not a revision: ${JSON.stringify(rev)}`);
  try {
    return runGit(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]).toString().trim();
  } catch {
    throw new GitError(`cannot find commit ${JSON.stringify(rev)} in ${repo} (in GitHub Actions, check out with \`fetch-depth: 0\` so base and head are both present)`);
  }
}

export function mergeBase(repo: string, a: string, b: string): string | undefined {
  try {
    return runGit(repo, ['merge-base', a, b]).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The branch the server reads: origin's HEAD, else a local `main` or `master`. */
export function defaultBranch(dir: string): string | undefined {
  try {
    return runGit(dir, ['symbolic-ref', '--short', 'refs/remotes/origin/HEAD']).toString().trim();
  } catch {
    for (const b of ['main', 'master']) {
      try {
        runGit(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${b}`]);
        return b;
      } catch {
        /* try the next */
      }
    }
    return undefined;
  }
}

export interface Change {
  /** A, M, D, R, C or T (git diff --name-status). */
  status: string;
  path: string;
  oldPath?: string;
}

export function nameStatus(repo: string, from: string, to: string): Change[] {
  const parts = runGit(repo, ['diff', '--name-status', '-M', '-z', '--no-ext-diff', from, to, '--']).toString('utf8').split('\0');
  const out: Change[] = [];
  for (let i = 0; i < parts.length && parts[i]; ) {
    const status = parts[i++]![0]!;
    if (status === 'R' || status === 'C') {
      const oldPath = parts[i++]!;
      out.push({ status, oldPath, path: parts[i++]! });
    } else out.push({ status, path: parts[i++]! });
  }
  return out;
}

/** The policy files (`.atmos/pro/sts/<name>.yaml`) at a revision, relative to `dir`. */
export function policyPathsAt(dir: string, rev: string): string[] {
  let out: string;
  try {
    out = runGit(dir, ['ls-tree', '--name-only', '-z', rev, '--', `${POLICY_DIR}/`]).toString('utf8');
  } catch (e) {
    throw unreadableRevision(dir, rev, e);
  }
  return out.split('\0').filter((p) => p && policyNameOf(p));
}

export interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
}

/** Tree entries at `rev` for paths from the repository's top (`--full-tree`), or from `dir` (`fromDir`). */
export function treeEntries(repo: string, rev: string, paths: readonly string[], fromDir = false): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (let i = 0; i < paths.length; i += 200) {
    const out = runGit(repo, ['ls-tree', '-z', ...(fromDir ? [] : ['--full-tree']), rev, '--', ...paths.slice(i, i + 200).map((p) => `:(literal)${p}`)]).toString('utf8');
    for (const line of out.split('\0')) {
      if (!line) continue;
      const tab = line.indexOf('\t');
      const [mode, type, oid] = line.slice(0, tab).split(' ');
      entries.set(line.slice(tab + 1), { mode: mode!, type: type!, oid: oid! });
    }
  }
  return entries;
}

export function blobSize(repo: string, oid: string): number {
  return Number(runGit(repo, ['cat-file', '-s', oid]).toString().trim());
}

/** A blob's bytes, or 'too-large' past `max` bytes (checked before reading it). */
export function blob(repo: string, oid: string, max: number): Buffer | 'too-large' {
  if (blobSize(repo, oid) > max) return 'too-large';
  return runGit(repo, ['cat-file', 'blob', oid], max + 4096);
}

/** A regular file's text at `rev` (undefined when absent, a link or not a file). */
export function textAt(repo: string, rev: string, path: string, max: number): string | 'too-large' | undefined {
  const e = treeEntries(repo, rev, [path]).get(path);
  if (!e || e.type !== 'blob' || e.mode === '120000') return undefined;
  const bytes = blob(repo, e.oid, max);
  return bytes === 'too-large' ? bytes : new TextDecoder().decode(bytes);
}

/** Reads a policy file `rel` (from `dir`) at a revision; a link or tree there is invalid, as for the server. */
export function readFromGit(dir: string, rev: string, rel: string): ReadResult | 'missing' {
  let entry: TreeEntry | undefined;
  try {
    entry = treeEntries(dir, rev, [rel], true).get(rel);
  } catch (e) {
    throw unreadableRevision(dir, rev, e);
  }
  if (!entry) return 'missing';
  if (entry.mode === '120000') return { ok: false, ruleId: 'file/symlink', message: 'the policy path is a symbolic link in git: sts-policy predicts `trust_policy_invalid` (its assumption: the server never follows it); commit the policy as a regular file' };
  if (entry.type === 'tree') return { ok: false, ruleId: 'file/directory', message: 'the policy path is a directory, not a file: sts-policy predicts `trust_policy_invalid` (its assumption: the server never follows it)' };
  const size = blobSize(dir, entry.oid);
  if (size > MAX_POLICY_BYTES) return { ok: false, ruleId: 'file/too-large', message: `the file is ${size} bytes; policies over ${MAX_POLICY_BYTES} bytes are refused` };
  return decodePolicyBytes(runGit(dir, ['cat-file', 'blob', entry.oid], MAX_POLICY_BYTES + 4096));
}

function unreadableRevision(dir: string, rev: string, e: unknown): GitError {
  const detail = e instanceof GitError ? e.detail : String(e);
  return new GitError(`cannot read revision ${JSON.stringify(rev)} in ${dir}: ${detail}`, detail);
}

// --- origin, read by hand ----------------------------------------------------------------------

const MAX_GIT_CONFIG_BYTES = 256 * 1024;

/** The owner in `[remote "origin"] url = ...github.com[:/]OWNER/REPO(.git)` of a repository's git config. */
export function originOwner(root: string): string | undefined {
  const gitConfig = gitConfigPath(root);
  if (!gitConfig) return undefined;
  let text: string;
  try {
    const st = statSync(gitConfig);
    if (!st.isFile() || st.size > MAX_GIT_CONFIG_BYTES) return undefined;
    text = readFileSync(gitConfig, 'utf8');
  } catch {
    return undefined;
  }
  return ownerFromGitConfig(text);
}

export function ownerFromGitConfig(text: string): string | undefined {
  let inOrigin = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*([^\]\s"]+)(?:\s+"([^"]*)")?\s*\]/.exec(line);
    if (section) {
      inOrigin = section[1]!.toLowerCase() === 'remote' && section[2] === 'origin';
      continue;
    }
    const url = inOrigin && /^url\s*=\s*"?([^"\s;#]+)"?/i.exec(line);
    if (!url) continue;
    const m = /(?:^|[@/])github\.com[:/]+([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url[1]!);
    return m && OWNER_PATTERN.test(m[1]!) ? m[1] : undefined;
  }
  return undefined;
}

/** `.git` is a folder, or (worktrees, submodules) a file `gitdir: <path>` whose common dir holds the config. */
function gitConfigPath(root: string): string | undefined {
  const dotGit = join(root, '.git');
  try {
    const st = lstatSync(dotGit, { throwIfNoEntry: false });
    if (!st) return undefined;
    if (st.isDirectory()) return join(dotGit, 'config');
    if (!st.isFile() || st.size > 4096) return undefined;
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m) return undefined;
    const gitdir = resolve(root, m[1]!);
    const common = join(gitdir, 'commondir');
    return existsSync(common) ? join(resolve(gitdir, readFileSync(common, 'utf8').trim()), 'config') : join(gitdir, 'config');
  } catch {
    return undefined;
  }
}
