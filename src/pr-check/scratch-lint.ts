// The scratch lint of pr-check: what `lint` would find among a pull request's changed files at its
// head revision, read from git objects (never the work tree) into a scratch repository.
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { Finding } from '../model.js';
import { policyNameOf } from '../load/discover.js';
import { MAX_POLICY_BYTES } from '../load/read.js';
import { lintPaths } from '../lint/lint.js';
import type { LintConfig } from '../rules/framework.js';
import type { IgnoredFinding } from '../lint/ignores.js';
import type { RevisionReader } from './check.js';

/** Folders `lint` scans in a repository: the policy folder and the places people guess. */
const LINTED_TOP = /^(\.?atmos.*|\.github)$/i;
const MAX_LINTED_FILES = 2000;

/**
 * Lints what `lint` would find among the changed files, at the head revision: the changed files are
 * written from git objects into a scratch repository (policy blobs byte for byte, every other file
 * empty, since only its name matters; symlinks as dangling links) and linted there.
 */
export function lintHead(head: RevisionReader, changed: readonly string[], config: LintConfig, trusted: readonly string[]): { findings: Finding[]; ignored: IgnoredFinding[]; notes: string[] } {
  const notes: string[] = [];
  let paths = changed.filter((p) => LINTED_TOP.test(p.split('/')[0]!) && safePath(p));
  if (changed.some((p) => !safePath(p))) notes.push('paths with `..`, `.git` or empty segments were not linted');
  if (paths.length > MAX_LINTED_FILES) {
    notes.push(`${paths.length} changed files under .atmos/ and .github/: only the first ${MAX_LINTED_FILES} were linted`);
    paths = paths.slice(0, MAX_LINTED_FILES);
  }
  if (!paths.length) return { findings: [], ignored: [], notes };
  const root = mkdtempSync(join(tmpdir(), 'sts-policy-pr-check-'));
  try {
    mkdirSync(join(root, '.git'));
    const entries = head.entries(paths);
    const links: string[] = [];
    for (const [path, e] of entries) {
      if (e.mode === '120000') links.push(path);
      else if (e.type === 'blob') writeScratch(root, path, policyNameOf(path) ? head.blob(e.oid, MAX_POLICY_BYTES) : Buffer.alloc(0));
    }
    // Links last, so no file above is ever written through one; their targets are never followed.
    for (const path of links) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      try {
        symlinkSync('sts-policy-symlink-not-followed', join(root, path));
      } catch {
        /* a path already taken by a directory: that is what lint will report */
      }
    }
    // Settings are passed explicitly: nothing the pull request adds can stand in for the base config.
    const result = lintPaths([root], { config, trustedOwners: () => (trusted.length ? trusted : undefined) });
    const rel = <F extends Finding>(f: F): F => ({ ...f, path: relative(root, f.path).split(sep).join('/') });
    return { findings: result.findings.map(rel), ignored: result.ignored.map(rel), notes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function safePath(p: string): boolean {
  return !p.startsWith('/') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s.toLowerCase() !== '.git' && !s.includes('\0'));
}

/** Writes a scratch file without following links; a too-large blob becomes a sparse file of its size. */
function writeScratch(root: string, path: string, content: Buffer | 'too-large'): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW);
  try {
    if (content === 'too-large') ftruncateSync(fd, MAX_POLICY_BYTES + 1);
    else writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
