// The access map: for each rule of each valid policy, which callers may mint (owners, repos, refs,
// environments, summarised from the rule's matchers) and with which permissions. Whether a rule
// admits an owner outside the trusted ones is decided exactly on the matchers' languages; the
// summaries are for reading. Cross-owner and write grants sort first. A rule no token GitHub can
// issue satisfies (SPEC.md §5: `ref: main`; subjects follow the subject template lint uses for the
// repo) grants nobody anything and is left out (lint reports it).
import type { ClaimName, Matcher, Policy, Rule } from '../../model.js';
import { findWord, fromLiteral, NotAnalysable } from '../../analysis/nfa.js';
import { admitsAnyOwner, admitsToken, leadingOwnerKey, levelRank, ownerLanguages, ownerShape, ownerWitness, repoLanguages, repoShape, ruleGrant, type Template } from '../../analysis/rule-analysis.js';
import type { RepoAudit } from '../model.js';
import { auditTrustedOwners } from './analyze.js';

export interface CallerSummary {
  /** `*` alone: any owner (any repo, any ref, ...). */
  owners: string[];
  repos: string[];
  refs: string[];
  environments: string[];
  /** Other matchers, `claim: pattern`. */
  other: string[];
}

export interface AccessGrant {
  repo: string;
  policy: string;
  path: string;
  /** 1-based rule number and its line. */
  rule: number;
  line: number;
  callers: CallerSummary;
  permissions: Record<string, string>;
  /** The rule admits an owner other than the source repo's (or the trusted owners). */
  crossOwner: boolean;
  /** Such an owner, for example. */
  foreignOwner?: string;
  /** Some permission is granted at `write` or `admin`. */
  write: boolean;
  /** Why the owner question was not decided (then the grant is treated as cross-owner). */
  undecided?: string;
}

const ANY = '*';

export class AccessMapper {
  private readonly memo = new Map<Policy, Map<string, Omit<AccessGrant, 'repo' | 'path'>[]>>();

  /** `subjectTemplate`: the org's (--config), for repos without their own settings. */
  constructor(
    private readonly trustedOwners?: readonly string[],
    private readonly subjectTemplate?: readonly string[],
  ) {}

  grants(a: RepoAudit): AccessGrant[] {
    const trusted = auditTrustedOwners(a.snapshot, this.trustedOwners);
    // The subject template lint uses for this repo: its own settings', else the org's.
    const template = a.snapshot.settings?.config.subjectTemplate ?? this.subjectTemplate;
    const out: AccessGrant[] = [];
    for (const p of a.policies) {
      const policy = p.valid ? p.validated?.policy : undefined;
      if (!policy) continue;
      let byTrust = this.memo.get(policy);
      if (!byTrust) this.memo.set(policy, (byTrust = new Map()));
      const key = `${trusted.join(',')}\u0000${template?.join(',') ?? ''}`;
      let rules = byTrust.get(key);
      if (!rules) byTrust.set(key, (rules = policy.rules.filter((r) => admitsToken(r, template)).map((r) => ruleAccess(p.name, r, trusted, template))));
      for (const r of rules) out.push({ repo: a.repo, path: p.path, ...r });
    }
    return out;
  }
}

/** Cross-owner first, then write grants, then by repo, policy and rule. */
export function sortGrants(grants: AccessGrant[]): AccessGrant[] {
  const rank = (g: AccessGrant) => (g.crossOwner ? 0 : 2) + (g.write ? 0 : 1);
  return grants.sort((a, b) => rank(a) - rank(b) || cmp(a.repo.toLowerCase(), b.repo.toLowerCase()) || cmp(a.path, b.path) || a.rule - b.rule);
}

/** Grants grouped by source repo, each repo placed by its most serious grant. */
export function grantsByRepo(grants: readonly AccessGrant[]): { repo: string; grants: AccessGrant[] }[] {
  const groups = new Map<string, AccessGrant[]>();
  for (const g of sortGrants([...grants])) {
    let list = groups.get(g.repo);
    if (!list) groups.set(g.repo, (list = []));
    list.push(g);
  }
  return [...groups].map(([repo, list]) => ({ repo, grants: list }));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function ruleAccess(policy: string, rule: Rule, trusted: readonly string[], template: Template): Omit<AccessGrant, 'repo' | 'path'> {
  const permissions = ruleGrant(rule);
  const base = { policy, rule: rule.index + 1, line: rule.span.line, permissions, write: Object.values(permissions).some((l) => levelRank(l) >= 2) };
  const callers: CallerSummary = { owners: [ANY], repos: [ANY], refs: [ANY], environments: [ANY], other: [] };
  summariseContext(rule, callers);
  try {
    const owners = ownerLanguages(rule, template);
    callers.owners = summariseOwners(rule, owners, template);
    callers.repos = summariseRepos(rule, callers.owners, template);
    if (!owners.length) return { ...base, callers, crossOwner: true, foreignOwner: ANY };
    const foreign = ownerWitness(owners.map((o) => o.owners), trusted, trusted[0]);
    return { ...base, callers, crossOwner: foreign !== undefined, ...(foreign !== undefined ? { foreignOwner: admitsAnyOwner(rule, template) ? ANY : foreign } : {}) };
  } catch (e) {
    if (!(e instanceof NotAnalysable)) throw e;
    callers.owners = rule.matchers.filter((m) => OWNER_BINDING.has(m.claim)).map((m) => describe(m));
    return { ...base, callers, crossOwner: true, undecided: e.message };
  }
}

const OWNER_BINDING = new Set(['repository_owner', 'repository', 'subject', 'workflow_ref']);

function summariseOwners(rule: Rule, owners: ReturnType<typeof ownerLanguages>, template: Template): string[] {
  if (!owners.length || admitsAnyOwner(rule, template)) return [ANY];
  const include = [...owners.map((o) => o.owners), ownerShape()];
  const first = findWord({ include });
  if (first === undefined) return [];
  if (findWord({ include, exclude: [fromLiteral(first)] }) === undefined) return [first];
  return owners.map((o) => ownerPart(o.matcher, template));
}

function summariseRepos(rule: Rule, owners: string[], template: Template): string[] {
  const repos = repoLanguages(rule, template);
  if (!repos.length) return owners.length === 1 && owners[0] !== ANY ? [`${owners[0]}/*`] : [ANY];
  const include = [...repos.map((r) => r.repos), repoShape()];
  const first = findWord({ include });
  if (first === undefined) return [];
  if (findWord({ include, exclude: [fromLiteral(first)] }) === undefined) return [first];
  return repos.map((r) => {
    if (r.matcher.kind !== 'glob' || r.matcher.claim !== 'subject') return describe(r.matcher, 'repository');
    return subjectPart(r.matcher, template).split(':')[0]!;
  });
}

/** refs, environments and other claims, read from the matchers (and a default-format subject). */
function summariseContext(rule: Rule, callers: CallerSummary): void {
  const refs: string[] = [];
  const envs: string[] = [];
  for (const m of rule.matchers) {
    if (m.claim === 'ref') refs.push(describe(m));
    else if (m.claim === 'environment') envs.push(describe(m));
    else if (m.claim === 'subject') {
      // `repo:OWNER/REPO:<context>` with a literal repo part: the context constrains ref or environment.
      const ctx = m.kind === 'glob' ? /^repo:[^:*]*:(.*)$/s.exec(m.pattern)?.[1] : undefined;
      if (ctx?.startsWith('ref:')) refs.push(ctx.slice(4));
      else if (ctx?.startsWith('environment:')) envs.push(ctx.slice(12).replace(/%3A/gi, ':'));
      else if (ctx === 'pull_request') refs.push('pull requests (refs/pull/N/merge)');
      else if (m.kind === 'regex' || !m.pattern.startsWith('repo:')) callers.other.push(describe(m));
    } else if (m.claim !== 'repository' && m.claim !== 'repository_owner') callers.other.push(describe(m));
  }
  if (refs.length) callers.refs = refs;
  if (envs.length) callers.environments = envs;
}

function ownerPart(m: Matcher, template: Template): string {
  if (m.kind === 'regex') return describe(m);
  if (m.claim !== 'subject') return m.claim === 'repository_owner' ? m.pattern : m.pattern.split('/')[0]!;
  return subjectPart(m, template).split(leadingOwnerKey(template) === 'repository_owner' ? ':' : /[/@]/)[0]!;
}

/** A subject glob's text after the template's leading owner key (`acme/*:ref:...` of `repo:acme/*:ref:...`). */
function subjectPart(m: Matcher, template: Template): string {
  const key = leadingOwnerKey(template);
  return key && m.pattern.startsWith(`${key}:`) ? m.pattern.slice(key.length + 1) : m.pattern;
}

/** A matcher as text; in a column that names its claim (`column`), without the claim again. */
const describe = (m: Matcher, column?: ClaimName) => {
  const named = m.claim === column || m.claim === 'ref' || m.claim === 'environment';
  if (m.kind === 'regex') return named ? `/${m.pattern}/` : `${m.claim} =~ /${m.pattern}/`;
  return named ? m.pattern : `${m.claim}: ${m.pattern}`;
};
