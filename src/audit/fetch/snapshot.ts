// Building blocks of repo snapshots shared by the GraphQL and REST readers.
import { POLICY_DIR } from '../../model.js';
import { MAX_POLICY_BYTES, type ReadResult } from '../../load/read.js';
import type { PolicyDir, RepoSnapshot } from '../model.js';
import type { RepoHeadNode } from './queries.js';

/** A snapshot of a repo's head (flags, default branch), without its policy folder yet. */
export function headSnapshot(h: RepoHeadNode, via: RepoSnapshot['via']): RepoSnapshot {
  return {
    repo: h.nameWithOwner,
    archived: h.isArchived,
    empty: h.isEmpty,
    disabled: h.isDisabled,
    defaultBranch: h.defaultBranchRef?.name ?? null,
    commit: h.defaultBranchRef?.target?.oid ?? null,
    via,
    pathPrefix: `${h.nameWithOwner}/`,
    notes: h.isArchived ? ['archived'] : [],
  };
}

export const tooLarge = (size: number): ReadResult => ({ ok: false, ruleId: 'file/too-large', message: `the file is ${size} bytes; policies over ${MAX_POLICY_BYTES} bytes are refused (not parsed)` });

export const notAFolder = (what: string): PolicyDir => ({ kind: 'not-a-folder', message: `\`${POLICY_DIR}\` is ${what}, not a folder: STS reads policies only from a real \`${POLICY_DIR}\` directory` });

export const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));
