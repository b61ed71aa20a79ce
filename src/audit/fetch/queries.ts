// The GraphQL documents the audit sends, and the shapes of their answers. One content query reads
// many repos through aliases (`r0: repository(...)`), each with its policy folder's entries and
// their text, so a whole org costs a few requests.
import { POLICY_DIR } from '../../model.js';

export const PAGE_SIZE = 100;

const REPO_HEAD = `fragment RepoHead on Repository {
  nameWithOwner
  isArchived
  isEmpty
  isDisabled
  defaultBranchRef { name target { oid } }
}`;

// One level of subfolders is listed, to name policies misplaced in them.
const POLICY_DIR_FIELDS = `object(expression: "HEAD:${POLICY_DIR}") {
    __typename
    ... on Tree {
      entries {
        name
        type
        mode
        oid
        object {
          ... on Blob { byteSize isBinary isTruncated text }
          ... on Tree { entries { name type } }
        }
      }
    }
  }`;

export const LIST_QUERY = `query ListRepos($org: String!, $first: Int!, $cursor: String) {
  organization(login: $org) {
    login
    repositories(first: $first, after: $cursor, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ...RepoHead }
    }
  }
}
${REPO_HEAD}`;

function aliased(count: number, fields: string): string {
  const vars = Array.from({ length: count }, (_, i) => `$o${i}: String!, $n${i}: String!`).join(', ');
  const body = Array.from({ length: count }, (_, i) => `  r${i}: repository(owner: $o${i}, name: $n${i}) {\n    ...RepoHead\n${fields}\n  }`).join('\n');
  return `query(${vars}) {\n${body}\n}\n${REPO_HEAD}`;
}

/** Heads only (flags and default-branch commit), to decide what the cache already holds. */
export const headsQuery = (count: number) => aliased(count, '');
/** Heads and the policy folder of `count` repos. */
export const contentQuery = (count: number) => aliased(count, `    ${POLICY_DIR_FIELDS}`);

export function aliasVariables(repos: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  repos.forEach((r, i) => {
    const [owner, name] = r.split('/') as [string, string];
    vars[`o${i}`] = owner;
    vars[`n${i}`] = name;
  });
  return vars;
}

export interface RepoHeadNode {
  nameWithOwner: string;
  isArchived: boolean;
  isEmpty: boolean;
  isDisabled: boolean;
  defaultBranchRef: { name: string; target: { oid: string } | null } | null;
}

export interface EntryNode {
  name: string;
  type: string;
  mode: number;
  oid: string;
  object: null | {
    byteSize?: number;
    isBinary?: boolean | null;
    isTruncated?: boolean;
    text?: string | null;
    entries?: { name: string; type: string }[] | null;
  };
}

export interface RepoContentNode extends RepoHeadNode {
  object: null | { __typename: string; entries?: EntryNode[] | null };
}

export interface ListAnswer {
  organization: null | {
    login: string;
    repositories: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: (RepoHeadNode | null)[] | null };
  };
}

/** Git's mode for a symbolic link (0o120000) as GraphQL's TreeEntry.mode reports it. */
export const SYMLINK_MODE = 0o120000;
