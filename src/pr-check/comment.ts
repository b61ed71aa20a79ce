// The one pull request comment pr-check keeps up to date: found by its marker, never one the author wrote.
import type { GithubApi } from './github-api.js';

export const COMMENT_MARKER = '<!-- sts-policy:pr-check -->';

export type CommentOutcome = { action: 'created' | 'updated' | 'not-written'; url: string };

export async function upsertComment(api: GithubApi, author: string, body: string, quiet: boolean): Promise<CommentOutcome | undefined> {
  // Ours is the first comment that starts with the marker; one by the PR author is never taken for it.
  const mine = (await api.listComments()).find((c) => c.body.startsWith(COMMENT_MARKER) && c.login?.toLowerCase() !== author.toLowerCase());
  if (mine) return { action: 'updated', url: (await api.updateComment(mine.id, body)).url };
  if (quiet) return undefined;
  return { action: 'created', url: (await api.createComment(body)).url };
}
