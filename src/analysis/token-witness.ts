// A witness for lint findings: a whole token (SPEC.md §5) that every given rule admits, steered
// toward a goal (an owner, a repository, a pull_request job) when some such token exists. A cheap
// candidate read off per-claim words is tried first (token-candidate.ts); the token search decides
// when it fails.
import type { Claims, Matcher, Span } from '../model.js';
import { candidateToken } from './token-candidate.js';
import { tokenClasses } from './token-search.js';
import { isDefaultTemplate, templateKeys } from '../model.js';

export interface WitnessGoal {
  owner?: string;
  /** The repository name (without owner). */
  repo?: string;
  /** Prefer a pull_request job (subject `...:pull_request`). */
  pullRequest?: boolean;
}

/** Goal matchers are not in the file: they have no place. */
const NOWHERE: Span = { start: 0, end: 0, line: 0, column: 0, endLine: 0, endColumn: 0 };

/** The goal as matchers (owner and repository names hold no glob wildcard). */
function goalMatchers(goal: WitnessGoal, template: readonly string[]): Matcher[] {
  const m = (claim: Matcher['claim'], pattern: string): Matcher => ({ claim, kind: 'glob', pattern, span: NOWHERE, keySpan: NOWHERE });
  const out: Matcher[] = [];
  if (goal.owner) out.push(m('repository_owner', goal.owner));
  if (goal.repo) out.push(m('repository', `${goal.owner ?? '*'}/${goal.repo}`));
  // A pull_request job's subject has `pull_request` where the template puts the context.
  const context = template.indexOf('context');
  if (goal.pullRequest && context >= 0) out.push(m('subject', `${context ? '*:' : ''}pull_request${context < template.length - 1 ? ':*' : ''}`));
  return out;
}

/** A token every rule admits (the goal's if one fits), or undefined when no token satisfies them together. */
export function tokenWitness(rules: readonly { matchers: readonly Matcher[] }[], goal: WitnessGoal = {}, template?: readonly string[]): Claims | undefined {
  const wanted = goalMatchers(goal, templateKeys(template));
  // The cheap candidate builds subjects with GitHub's default template; a custom one goes to the search
  // (the model is built only when the search runs: most lints never need it).
  const custom = !isDefaultTemplate(template);
  const find = (set: readonly { matchers: readonly Matcher[] }[]) => (custom ? undefined : candidateToken(set)) ?? tokenClasses(set, { template, required: set.map((_, i) => i) })[0]?.witness;
  return (wanted.length ? find([...rules, { matchers: wanted }]) : undefined) ?? find(rules);
}
