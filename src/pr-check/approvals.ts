// Code owners' approvals (pr-check): which reviews count for a change that needs one. GitHub's latest
// review per reviewer decides; the pull request's author, a reviewer who does not own the path (a
// user or a member of an owning team) and, unless stale approvals are allowed, an approval of an
// older commit do not count, and each is listed with the reason.
import type { Review } from './github-api.js';
import type { PolicyCheck } from './check.js';
import { parseOwner } from './codeowners.js';

/** The pull request's reviews and the org's teams, as the GitHub API reports them. */
export interface ApprovalSource {
  author: string;
  reviews(): Promise<Review[]>;
  isTeamMember(org: string, slug: string, login: string): Promise<boolean>;
}

/** GitHub's rule: a reviewer's latest approving, change-requesting or dismissed review is their state. */
export function latestReviews(reviews: readonly Review[]): Map<string, Review> {
  const latest = new Map<string, Review>();
  for (const r of reviews) if (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED' || r.state === 'DISMISSED') latest.set(r.login.toLowerCase(), r);
  return latest;
}

export async function judgeApprovals(policies: Pick<PolicyCheck, 'owners' | 'needsApproval' | 'approval' | 'approvedBy' | 'ignoredApprovals'>[], source: ApprovalSource, head: string, allowStale: boolean): Promise<void> {
  const pending = policies.filter((p) => p.needsApproval);
  if (!pending.length) return;
  const approvals = [...latestReviews(await source.reviews()).values()].filter((r) => r.state === 'APPROVED');
  const membership = new Map<string, Promise<boolean>>();
  const member = (org: string, slug: string, login: string) => {
    const key = `${org}/${slug}\u0000${login}`.toLowerCase();
    if (!membership.has(key)) membership.set(key, source.isTeamMember(org, slug, login));
    return membership.get(key)!;
  };
  for (const p of pending) {
    for (const r of approvals) {
      if (r.login.toLowerCase() === source.author.toLowerCase()) {
        p.ignoredApprovals.push({ login: r.login, reason: 'the pull request author' });
        continue;
      }
      if (!(await isOwner(r.login, p.owners?.owners ?? [], member))) {
        p.ignoredApprovals.push({ login: r.login, reason: 'not a code owner of this path' });
        continue;
      }
      if (!allowStale && r.commitId !== head) {
        p.ignoredApprovals.push({ login: r.login, reason: `approved an older commit (${(r.commitId ?? 'unknown').slice(0, 12)}), not the head commit` });
        continue;
      }
      p.approvedBy.push(r.login);
    }
    p.approval = p.approvedBy.length ? 'approved' : 'missing';
  }
}

async function isOwner(login: string, owners: readonly string[], member: (org: string, slug: string, login: string) => Promise<boolean>): Promise<boolean> {
  for (const o of owners) {
    const owner = parseOwner(o);
    if (owner?.kind === 'user' && owner.login.toLowerCase() === login.toLowerCase()) return true;
    if (owner?.kind === 'team' && (await member(owner.org, owner.slug, login))) return true;
  }
  return false;
}
