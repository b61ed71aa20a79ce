// The REST side of reading a repo: a policy folder GraphQL could not return (contents of
// `.atmos/pro`, then the folder's tree), and policy files whose exact bytes are needed (blobs).
import { POLICY_DIR } from '../../model.js';
import { MAX_POLICY_BYTES, decodePolicyBytes } from '../../load/read.js';
import { ApiError, type GitHubClient } from '../../github/client.js';
import { isPolicyCandidate } from '../analyze/analyze.js';
import type { PolicyDir, PolicyDirEntry } from '../model.js';
import type { RepoHeadNode } from './queries.js';
import { notAFolder, tooLarge } from './snapshot.js';

/** A policy file whose bytes must be read through REST. */
export interface PendingBlob {
  entry: PolicyDirEntry;
  oid: string;
}

/** Most byte-exact reads for one repo (a folder of many candidate files). */
const MAX_REST_BLOBS = 50;

type TreeItem = { path: string; mode: string; type: string; sha: string; size?: number };

const split = (repo: string) => repo.split('/') as [string, string];

/** Reads each pending file's bytes (GitHub's git blob API), decoded strictly as the server would. */
export async function readBlobs(client: GitHubClient, repo: string, pending: readonly PendingBlob[]): Promise<void> {
  const [owner, name] = split(repo);
  for (const [i, p] of pending.entries()) {
    if (i >= MAX_REST_BLOBS) {
      p.entry.read = { ok: false, ruleId: 'file/unreadable', message: `not read: more than ${MAX_REST_BLOBS} policy files in one folder needed a byte-exact read` };
      continue;
    }
    const blob = await client.rest<{ content: string; encoding: string }>('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner, repo: name, file_sha: p.oid });
    const bytes = Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8');
    p.entry.read = bytes.length > MAX_POLICY_BYTES ? tooLarge(bytes.length) : decodePolicyBytes(bytes);
  }
}

/** A repo's head through REST (no commit: the default branch's name is the ref). */
export async function restRepoHead(client: GitHubClient, repo: string): Promise<RepoHeadNode> {
  const [owner, name] = split(repo);
  const r = await client.rest<{ full_name: string; archived: boolean; disabled?: boolean; default_branch: string | null }>('GET /repos/{owner}/{repo}', { owner, repo: name });
  return { nameWithOwner: r.full_name, isArchived: r.archived, isDisabled: Boolean(r.disabled), isEmpty: false, defaultBranchRef: r.default_branch ? { name: r.default_branch, target: null } : null };
}

/** The policy folder at `ref`, or why GitHub cannot list it (then the repo is unknown). */
export async function restPolicyDir(client: GitHubClient, repo: string, ref: string): Promise<PolicyDir | { error: string }> {
  const [owner, name] = split(repo);
  const parent = await orNull(() => client.rest<unknown>('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo: name, path: POLICY_DIR.slice(0, POLICY_DIR.lastIndexOf('/')), ref }));
  const sts = Array.isArray(parent) ? (parent as { name: string; type: string; sha: string }[]).find((x) => x.name === 'sts') : undefined;
  if (!sts) return { kind: 'absent' };
  if (sts.type !== 'dir') return notAFolder(sts.type === 'submodule' ? 'a git submodule' : sts.type === 'symlink' ? 'a symbolic link' : 'a file');
  const treeAt = (recursive: boolean) => client.rest<{ tree: TreeItem[]; truncated: boolean }>('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner, repo: name, tree_sha: sts.sha, ...(recursive ? { recursive: '1' } : {}) });
  let tree = await treeAt(true);
  if (tree.truncated) tree = await treeAt(false);
  if (tree.truncated) return { error: `${POLICY_DIR} has too many entries for GitHub to list (the tree is truncated, through GraphQL and REST)` };
  const entries: PolicyDirEntry[] = [];
  const pending: PendingBlob[] = [];
  for (const item of tree.tree.filter((t) => !t.path.includes('/'))) {
    const type = item.type === 'tree' ? 'dir' : item.type === 'commit' ? 'submodule' : item.mode === '120000' ? 'symlink' : 'file';
    const entry: PolicyDirEntry = { name: item.path, type, ...(item.size !== undefined ? { size: item.size } : {}) };
    if (type === 'dir') entry.children = tree.tree.filter((t) => t.type === 'blob' && t.path.startsWith(`${item.path}/`)).map((t) => t.path.slice(item.path.length + 1));
    if (type === 'file' && isPolicyCandidate(item.path)) {
      if ((item.size ?? 0) > MAX_POLICY_BYTES) entry.read = tooLarge(item.size!);
      else pending.push({ entry, oid: item.sha });
    }
    entries.push(entry);
  }
  await readBlobs(client, repo, pending);
  return { kind: 'entries', entries };
}

async function orNull<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (e) {
    // 404: no `.atmos/pro`; 409: "Git Repository is empty".
    if (e instanceof ApiError && (e.kind === 'not-found' || e.status === 409)) return null;
    throw e;
  }
}
