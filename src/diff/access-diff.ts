// The exact access diff of two versions of a policy (SPEC.md §4 worst case: a caller gets the union
// of every matching rule's grant). New access, lost access and escalations each carry a witness
// claim set, realistic where possible, and the rule responsible.
import { CLAIM_NAMES, TOKEN_CLAIM, type ClaimName, type Claims, type Policy, type Rule } from '../model.js';
import { matcherNfa, ruleGrant, levelRank } from '../analysis/rule-analysis.js';
import { afterPrefix, findWord, projectBefore, NotAnalysable, type NFA } from '../analysis/nfa.js';
import { CLAIM_SHAPE, OWNER, REPO_NAME, SHAPE, shapeNfa } from '../analysis/shapes.js';
import { sensitivePermission } from '../validate/permissions.js';
import { Budget, UNIVERSE, boxEmpty, dimValue, inBox, inDim, intersectBoxes, matcherDim, subtractAll, type Box } from './box.js';

export type Verdict = 'equivalent' | 'narrower' | 'wider' | 'incomparable' | 'undecided';
export type Grant = Record<string, string>;

export interface AccessChange {
  kind: 'new-access' | 'escalation' | 'lost-access' | 'reduction';
  witness: Claims;
  /** The worst-case grants for the witness before and after (null = denied). */
  before: Grant | null;
  after: Grant | null;
  /** The rule responsible (0-based) and its line: a new rule for gains, an old rule for losses. */
  rule: number;
  line: number;
}

export interface AccessDiff {
  verdict: Verdict;
  gains: AccessChange[];
  losses: AccessChange[];
  /** Why the verdict is undecided. */
  reason?: string;
}

export const MAX_PIECES = 50_000;

export function ruleBox(rule: Rule): Box {
  const box = Object.fromEntries(CLAIM_NAMES.map((c) => [c, UNIVERSE])) as Box;
  for (const m of rule.matchers) box[m.claim] = matcherDim(matcherNfa(m));
  return box;
}

/** Worst-case grant for a claim set: the union (highest level) of every matching rule's grant. */
export function worstGrant(rules: readonly { box: Box; grant: Grant }[], claims: Claims): Grant | null {
  let grant: Grant | null = null;
  for (const r of rules)
    if (inBox(r.box, claims)) {
      grant ??= {};
      for (const [p, l] of Object.entries(r.grant)) if (levelRank(l) > levelRank(grant[p])) grant[p] = l;
    }
  return grant && Object.fromEntries(Object.entries(grant).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function diffAccess(before: Policy | null, after: Policy | null): AccessDiff {
  const old = (before?.rules ?? []).map((r) => ({ rule: r, box: ruleBox(r), grant: ruleGrant(r) }));
  const now = (after?.rules ?? []).map((r) => ({ rule: r, box: ruleBox(r), grant: ruleGrant(r) }));
  const budget = new Budget(MAX_PIECES);
  try {
    const gains = [...changes(now, old, 'new-access', budget, false), ...escalations(now, old, 'escalation', budget, false)];
    const losses = [...changes(old, now, 'lost-access', budget, true), ...escalations(old, now, 'reduction', budget, true)];
    const verdict: Verdict = gains.length && losses.length ? 'incomparable' : gains.length ? 'wider' : losses.length ? 'narrower' : 'equivalent';
    return { verdict, gains, losses };
  } catch (e) {
    if (e instanceof NotAnalysable) return { verdict: 'undecided', gains: [], losses: [], reason: e.message };
    throw e;
  }
}

type Entry = { rule: Rule; box: Box; grant: Grant };

/** Claim sets some rule of `from` admits and no rule of `against` does: one entry per responsible rule. */
function changes(from: Entry[], against: Entry[], kind: AccessChange['kind'], budget: Budget, reversed: boolean): AccessChange[] {
  const out: AccessChange[] = [];
  for (const e of from) {
    const pieces = subtractAll(e.box, against.map((a) => a.box), budget);
    if (!pieces.length) continue;
    const witness = witnessIn(pieces[0]!);
    const grantFrom = worstGrant(from, witness);
    out.push({ kind, witness, before: reversed ? grantFrom : null, after: reversed ? null : grantFrom, rule: e.rule.index, line: e.rule.span.line });
  }
  return out;
}

/** Claim sets both admit where `from` grants some permission at a higher level than `against`. */
function escalations(from: Entry[], against: Entry[], kind: AccessChange['kind'], budget: Budget, reversed: boolean): AccessChange[] {
  const out: AccessChange[] = [];
  for (const e of from)
    for (const [perm, level] of Object.entries(e.grant)) {
      const rank = levelRank(level);
      const high = against.filter((a) => levelRank(a.grant[perm]) >= rank).map((a) => a.box);
      const low = against.filter((a) => levelRank(a.grant[perm]) < rank);
      // An escalation needs a claim set some lower-granting rule admits: none, nothing to subtract.
      if (!low.length) continue;
      let found: Box | undefined;
      for (const piece of subtractAll(e.box, high, budget)) {
        for (const l of low) {
          const both = intersectBoxes(piece, l.box);
          if (!boxEmpty(both)) {
            found = both;
            break;
          }
        }
        if (found) break;
      }
      if (!found) continue;
      const witness = witnessIn(found);
      const a = worstGrant(from, witness);
      const b = worstGrant(against, witness);
      out.push({ kind, witness, before: reversed ? a : b, after: reversed ? b : a, rule: e.rule.index, line: e.rule.span.line });
      break;
    }
  return out;
}

const SHA = 'e5c1f2a9d3b47c06a1d2e3f4a5b6c7d8e9f0a1b2';

/** A claim set in the box: a consistent default-format token if one fits, else value by value. */
export function witnessIn(box: Box): Claims {
  const owners = new Set<string>(['acme']);
  const addOwner = (nfas: readonly NFA[]) => {
    const w = nfas.length ? findWord({ include: [...nfas, shapeNfa(OWNER)] }) : undefined;
    if (w) owners.add(w);
  };
  addOwner(box.repository_owner.include);
  addOwner(box.repository.include.map((n) => projectBefore(n, [0x2f])));
  addOwner(box.subject.include.map((n) => projectBefore(afterPrefix(n, 'repo:'), [0x2f, 0x40])).filter((n) => n.starts.length));
  for (const extra of ['acme-evil', 'evil-org', 'octo-org']) owners.add(extra);
  // Claims that no other claim derives from: take them from the box when the defaults do not fit.
  const own = (c: 'actor' | 'sha', fallback: string) => (inDim(box[c], fallback) ? fallback : (dimValue(box[c], shapeNfa(CLAIM_SHAPE[c])) ?? fallback));
  const fixed = { actor: own('actor', 'octocat'), sha: own('sha', SHA) };
  for (const owner of owners) {
    const repos = new Set(['app', 'infra', 'modules']);
    const names = box.repository.include.map((n) => afterPrefix(n, `${owner}/`));
    const w = names.length && names.every((n) => n.starts.length) ? findWord({ include: [...names, shapeNfa(REPO_NAME)] }) : undefined;
    if (w) repos.add(w);
    for (const repo of repos)
      for (const env of [null, 'production', dimValue(box.environment, shapeNfa(CLAIM_SHAPE.environment)) ?? null])
        for (const ref of ['refs/heads/main', 'refs/heads/feature', 'refs/tags/v1.0.0', 'refs/pull/1/merge', dimValue(box.ref, shapeNfa(SHAPE.anyRef)) ?? 'refs/heads/main']) {
          const claims = realistic(owner, repo, ref, env, fixed);
          if (inBox(box, claims)) return claims;
          // The other subject forms GitHub issues for the same job.
          for (const sub of [`repo:${owner}/${repo}:pull_request`, `repo:${owner}@1234567/${repo}@7654321:${env === null ? `ref:${ref}` : `environment:${env}`}`]) {
            const alt = { ...claims, sub };
            if (inBox(box, alt)) return alt;
          }
        }
  }
  // No consistent token fits (e.g. a custom subject template): pick each claim on its own.
  const claims: Claims = {};
  for (const c of CLAIM_NAMES) {
    const v = dimValue(box[c], shapeNfa(CLAIM_SHAPE[c]));
    if (v === undefined) throw new NotAnalysable('a non-empty box yielded no witness');
    if (v !== null) claims[TOKEN_CLAIM[c as ClaimName]] = v;
  }
  return claims;
}

function realistic(owner: string, repo: string, ref: string, env: string | null, fixed: { actor: string; sha: string }): Claims {
  const claims: Claims = {
    sub: env === null ? `repo:${owner}/${repo}:${ref.startsWith('refs/pull/') ? 'pull_request' : `ref:${ref}`}` : `repo:${owner}/${repo}:environment:${env.replace(/:/g, '%3A')}`,
    repository: `${owner}/${repo}`,
    repository_owner: owner,
    ref,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
  };
  if (env !== null) claims.environment = env;
  Object.assign(claims, { actor: fixed.actor, workflow_ref: `${owner}/${repo}/.github/workflows/ci.yml@${ref}`, sha: fixed.sha });
  return claims;
}

/**
 * What `--fail-on escalation` counts: any higher grant for a caller that had access, and new access
 * that reaches `write`/`admin` or a sensitive permission (secrets, workflows, org-level, ...).
 */
export function isEscalation(change: AccessChange): boolean {
  if (change.kind === 'escalation') return true;
  if (change.kind !== 'new-access' || !change.after) return false;
  return Object.entries(change.after).some(([perm, level]) => {
    const sensitive = sensitivePermission(perm);
    return levelRank(level) >= 2 || (sensitive !== undefined && levelRank(level) >= levelRank(sensitive.level));
  });
}
