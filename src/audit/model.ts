// What the audit reads from each source repo (a snapshot of its policy folder on the default
// branch) and what it concludes (status, policies, findings, near misses).
import type { Finding } from '../model.js';
import type { ReadResult } from '../load/read.js';
import type { ValidatedPolicy } from '../validate/policy.js';
import type { IgnoredFinding } from '../lint/ignores.js';
import type { LintConfig } from '../rules/framework.js';

/** One entry of `.atmos/pro/sts/` as git stores it. */
export interface PolicyDirEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  size?: number;
  /** The bytes read, for files STS could select as a policy; absent for other entries. */
  read?: ReadResult;
  /** For a subfolder: the paths of files under it, relative to it. */
  children?: string[];
}

export type PolicyDir =
  | { kind: 'absent' }
  /** `.atmos/pro/sts` (or a folder above it) is a file or a symbolic link, not a folder. */
  | { kind: 'not-a-folder'; message: string }
  | { kind: 'entries'; entries: PolicyDirEntry[] };

/** A source repo as read: its flags, default branch, and its policy folder (or why it is unknown). */
export interface RepoSnapshot {
  /** `OWNER/REPO` in GitHub's spelling. */
  repo: string;
  archived: boolean;
  empty: boolean;
  disabled: boolean;
  defaultBranch: string | null;
  /** The default branch's commit: the cache key. */
  commit: string | null;
  /** Where the snapshot came from. */
  via: 'graphql' | 'rest' | 'cache' | 'workspace';
  dir?: PolicyDir;
  /** Set when the repo could not be read: it is reported as unknown, never as "no policy". */
  error?: string;
  /** How file paths of this repo are shown (`acme/app/` or a local checkout's path). */
  pathPrefix: string;
  /** The repo's own `.sts-policy.yaml` settings (local clones), as `lint` resolves them. */
  settings?: { config: LintConfig; trustedOwners?: readonly string[] };
  notes: string[];
}

export type RepoStatus = 'policy' | 'none' | 'invalid' | 'unknown' | 'disabled';

export interface PolicyFileAudit {
  name: string;
  /** The displayed path (with the repo's prefix). */
  path: string;
  /** Valid for STS: it would evaluate the policy rather than answer `trust_policy_invalid`. */
  valid: boolean;
  validated?: ValidatedPolicy;
  findings: Finding[];
  /** Findings an `# sts-policy-ignore` comment suppressed. */
  ignored: IgnoredFinding[];
}

export interface RepoAudit {
  snapshot: RepoSnapshot;
  repo: string;
  status: RepoStatus;
  policies: PolicyFileAudit[];
  nearMisses: Finding[];
}
