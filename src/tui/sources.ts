// What `explore` opens on: the source repos and policy files found under the given paths, as lint
// discovers them, each read, validated, linted and compiled once. A repo without the policy the
// integration requests is a `no_trust_policy` row, with the near misses found in it.
import { basename, dirname, join, resolve, sep } from 'node:path';
import { POLICY_DIR, type Finding } from '../model.js';
import { discover } from '../load/discover.js';
import { findCheckouts } from '../load/walk.js';
import { lintPaths, nearMissFinding } from '../lint/lint.js';
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

/** Finds the sources under `paths` without reading any policy (cheap: run before the UI starts). */
export function planSources(paths: readonly string[], policyName?: string): Plan {
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
    const found = (policies.get(root) ?? []).filter((t) => !policyName || t.name === policyName);
    const nearMisses = misses.get(root) ?? [];
    for (const t of found) sources.push({ repo, policyName: t.name, path: t.path, exists: true, nearMisses });
    if (!found.length) {
      const name = policyName ?? 'default';
      sources.push({ repo, policyName: name, path: join(root, POLICY_DIR, `${name}.yaml`), exists: false, nearMisses });
    }
  }
  for (const t of loose) if (!policyName || t.name === policyName) sources.push({ repo: t.path, policyName: t.name, path: t.path, exists: true, nearMisses: [] });
  return { sources, errors, notSearched };
}

/** Reads, validates, lints (through lintPaths, so witnesses come with the findings) and compiles one source. */
export function loadSource(planned: PlannedSource): SourceEntry {
  if (!planned.exists) return { ...planned, status: 'missing', findings: [...planned.nearMisses] };
  const result = lintPaths([planned.path]);
  const file = result.files[0];
  const policy = file?.valid ? file.validated?.policy : undefined;
  const findings = [...result.findings, ...planned.nearMisses];
  return policy ? { ...planned, status: 'valid', compiled: compilePolicy(policy), findings } : { ...planned, status: 'invalid', findings };
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
