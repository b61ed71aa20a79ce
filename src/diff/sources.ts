// The two sides of a diff: two files, two directories, or two git revisions of a repository
// (blobs read from git objects, never by following the work tree; head may be the work tree).
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { basename, relative, sep, join } from 'node:path';
import { POLICY_NAME_PATTERN, type Finding, type Policy } from '../model.js';
import { readPolicyFile, type ReadResult } from '../load/read.js';
import { discover, policyNameOf } from '../load/discover.js';
import { readPolicy, isValidityError, mergeKeyNote } from '../validate/policy.js';
import { policyPathsAt, readFromGit } from '../load/git.js';

/** One version of one policy file; `policy` is null when the file is absent or invalid. */
export interface PolicyVersion {
  text?: string;
  policy: Policy | null;
  invalid: Finding[];
  /** What the reading assumed (a `<<` merge key taken as a merge: SPEC.md §4). */
  notes?: string[];
}

export interface PolicyPair {
  /** The path shown to people: relative to the compared roots. */
  path: string;
  before: PolicyVersion | null;
  after: PolicyVersion | null;
}

function version(path: string, name: string, read: ReadResult, strictName: boolean): PolicyVersion {
  const v = readPolicy(path, name, read);
  // Outside `.atmos/pro/sts/` a file's name says nothing about the policy name.
  const invalid = v.findings.filter(isValidityError).filter((f) => strictName || f.ruleId !== 'schema/metadata-name');
  if (!read.ok || invalid.length) return { text: read.ok ? read.text : undefined, policy: null, invalid };
  const policy = v.policy ?? readPolicy(path, nameIn(read.text) ?? name, read).policy ?? null;
  const notes = mergeKeyNote(v.findings);
  return { text: read.text, policy, invalid: [], ...(notes.length ? { notes } : {}) };
}

const nameIn = (text: string) => /^\s*name:\s*["']?([A-Za-z0-9_-]{1,64})/m.exec(text)?.[1];

export function filePair(before: string, after: string): PolicyPair {
  const load = (p: string) => {
    if (!existsSync(p) && !isLink(p)) return null;
    const name = policyNameOf(p);
    return version(p, name ?? 'policy', readPolicyFile(p), name !== undefined);
  };
  return { path: policyNameOf(after) ? after : after, before: load(before), after: load(after) };
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export function dirPairs(beforeDir: string, afterDir: string): PolicyPair[] {
  const collect = (dir: string) => {
    const map = new Map<string, string>();
    for (const t of discover([dir]).targets) if (t.kind === 'policy') map.set(relative(dir, t.path).split(sep).join('/'), t.path);
    // A folder of policy files (a copy of `sts/`: `before/default.yaml`) rather than of repositories.
    if (!map.size && existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.yaml') && POLICY_NAME_PATTERN.test(f.slice(0, -5))) map.set(f, join(dir, f));
    return map;
  };
  const a = collect(beforeDir);
  const b = collect(afterDir);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.map((k) => {
    const load = (p: string | undefined) => (p ? version(p, policyNameOf(p) ?? basename(p, '.yaml'), readPolicyFile(p), true) : null);
    return { path: k, before: load(a.get(k)), after: load(b.get(k)) };
  });
}

/** Policy files at two revisions of the repository at `repo`; head undefined = the work tree. */
export function gitPairs(repo: string, base: string, head?: string): PolicyPair[] {
  const beforeFiles = policyPathsAt(repo, base);
  const afterFiles = head ? policyPathsAt(repo, head) : discover([repo]).targets.filter((t) => t.kind === 'policy' && policyNameOf(t.path)).map((t) => relative(repo, t.path).split(sep).join('/'));
  const keys = [...new Set([...beforeFiles, ...afterFiles])].sort();
  return keys.map((rel) => {
    const name = policyNameOf(rel)!;
    const fromGit = (rev: string) => {
      const r = readFromGit(repo, rev, rel);
      return r === 'missing' ? null : version(rel, name, r, true);
    };
    const afterVersion = head ? fromGit(head) : afterFiles.includes(rel) ? version(rel, name, readPolicyFile(join(repo, rel)), true) : null;
    return { path: rel, before: beforeFiles.includes(rel) ? fromGit(base) : null, after: afterVersion };
  });
}
