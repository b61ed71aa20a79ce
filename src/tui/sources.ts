// What `explore` opens on: the source repos and policy files found under the given paths, as lint
// discovers them, each read, validated, linted and compiled once. A repo without the policy the
// integration requests is a `no_trust_policy` row, with the near misses found in it. With
// `--git-ref`, policies are read from that git revision of each checkout instead of the working tree.
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { POLICY_DIR, type Finding } from '../model.js';
import { discover, policyNameOf } from '../load/discover.js';
import { GitError, policyPathsAt, readFromGit } from '../load/git.js';
import type { ReadResult } from '../load/read.js';
import { findCheckouts } from '../load/walk.js';
import { lintPaths, lintRead, nearMissFinding } from '../lint/lint.js';
import { compilePolicy, type CompiledPolicy } from '../engine/evaluate.js';

export interface PlannedSource {
  /** The source repo (`owner/repo`, from the checkout's last two folders), or the file for a loose policy. */
  repo: string;
  policyName: string;
  /** The policy file; for a missing policy, where STS would look. */
  path: string;
  /** False when the repo has no file at the policy path: `no_trust_policy`. */
  exists: boolean;
  /** Files in the repo that look like policies but that STS never reads. */
  nearMisses: Finding[];
  /** Read from this git revision of the checkout (`--git-ref`), not the working tree. */
  git?: { dir: string; ref: string; rel: string };
}

export interface SourceEntry extends PlannedSource {
  status: 'valid' | 'invalid' | 'missing';
  /** Compiled once, when loaded; every keystroke evaluates this. */
  compiled?: CompiledPolicy;
  /** Validity and lint findings (lint rules attach witnesses), then the near misses. */
  findings: Finding[];
}

export interface Plan {
  sources: PlannedSource[];
  /** Paths that do not exist (a usage error). */
  errors: string[];
  /** Where discovery stopped outside any repository: folders below were not searched. */
  notSearched: string[];
}

/**
 * Finds the sources under `paths` without reading any policy (cheap: run before the UI starts).
 * With `gitRef`, each checkout's policies are those at that revision, as `simulate --git-ref` reads
 * them (a GitError names an unknown revision); the working tree's near misses do not apply.
 */
export function planSources(paths: readonly string[], policyName?: string, gitRef?: string): Plan {
  const { targets, errors } = discover(paths);
  const roots = new Set<string>();
  for (const p of paths) findCheckouts(p, roots);
  const policies = new Map<string, { path: string; name: string }[]>();
  const loose: { path: string; name: string }[] = [];
  const misses = new Map<string, Finding[]>();
  const notSearched: string[] = [];
  for (const t of targets) {
    const root = rootOf(t.path, roots);
    if (root !== undefined) roots.add(root);
    if (t.kind === 'near-miss') {
      if (root === undefined) {
        if (t.ruleId === 'file/not-searched') notSearched.push(t.message);
        continue;
      }
      misses.set(root, [...(misses.get(root) ?? []), nearMissFinding(t)]);
    } else if (root === undefined || !t.path.split(sep).join('/').includes(`${POLICY_DIR}/`)) loose.push(t);
    else policies.set(root, [...(policies.get(root) ?? []), t]);
  }
  const sources: PlannedSource[] = [];
  for (const root of [...roots].sort()) {
    const repo = repoLabel(root);
    const found = (gitRef ? atRevision(root, gitRef) : (policies.get(root) ?? [])).filter((t) => !policyName || t.name === policyName);
    const nearMisses = gitRef ? [] : (misses.get(root) ?? []);
    for (const t of found) sources.push({ repo, policyName: t.name, path: t.path, exists: true, nearMisses, ...(gitRef ? { git: { dir: root, ref: gitRef, rel: relative(root, t.path).split(sep).join('/') } } : {}) });
    if (!found.length) {
      const name = policyName ?? 'default';
      sources.push({ repo, policyName: name, path: join(root, POLICY_DIR, `${name}.yaml`), exists: false, nearMisses });
    }
  }
  for (const t of loose) {
    if (gitRef) errors.push(`${t.path}: --git-ref reads policies from git checkouts, and this file is in none (name its repository instead)`);
    else if (!policyName || t.name === policyName) sources.push({ repo: t.path, policyName: t.name, path: t.path, exists: true, nearMisses: [] });
  }
  return { sources, errors, notSearched };
}

/** The policy files of a checkout at a revision, named by where they would sit in the working tree. */
function atRevision(root: string, ref: string): { path: string; name: string }[] {
  return policyPathsAt(root, ref).map((rel) => ({ path: join(root, rel), name: policyNameOf(rel)! }));
}

/** Reads, validates, lints (through lintPaths, so witnesses come with the findings) and compiles one source. */
export function loadSource(planned: PlannedSource): SourceEntry {
  if (!planned.exists) return { ...planned, status: 'missing', findings: [...planned.nearMisses] };
  const result = planned.git ? lintRead(planned.path, fromGit(planned.git)) : lintPaths([planned.path]);
  const file = result.files[0];
  const policy = file?.valid ? file.validated?.policy : undefined;
  const findings = [...result.findings, ...planned.nearMisses];
  return policy ? { ...planned, status: 'valid', compiled: compilePolicy(policy), findings } : { ...planned, status: 'invalid', findings };
}

/** The policy at a revision; git failing now (it answered when planned) makes the policy unreadable, not the UI crash. */
function fromGit({ dir, ref, rel }: { dir: string; ref: string; rel: string }): ReadResult {
  try {
    const read = readFromGit(dir, ref, rel);
    return read === 'missing' ? { ok: false, ruleId: 'file/unreadable', message: `no longer in ${ref}` } : read;
  } catch (e) {
    if (e instanceof GitError) return { ok: false, ruleId: 'file/unreadable', message: e.message };
    throw e;
  }
}

/** The repo checkout a discovered path belongs to: the longest known root, else the folder above `.atmos`. */
function rootOf(path: string, roots: ReadonlySet<string>): string | undefined {
  const norm = path.split(sep).join('/');
  let best: string | undefined;
  for (const r of roots) {
    const prefix = r === '.' ? '' : `${r.split(sep).join('/').replace(/\/$/, '')}/`;
    if (norm.startsWith(prefix) && (best === undefined || r.length > best.length)) best = r;
  }
  if (best !== undefined) return best;
  const at = norm.lastIndexOf('.atmos/');
  if (at === 0) return '.';
  if (at > 0 && norm[at - 1] === '/') return norm.slice(0, at - 1);
  return undefined;
}

/** `owner/repo` from a checkout's path (`~/src/acme/app` -> `acme/app`). */
function repoLabel(root: string): string {
  const abs = resolve(root);
  return `${basename(dirname(abs))}/${basename(abs)}`;
}
