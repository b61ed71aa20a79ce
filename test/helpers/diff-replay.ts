// Replays access-diff witnesses through the simulator (SPEC.md §3 outcomes) and computes the
// worst-case grant (SPEC.md §4: the union of every matching rule's grant) independently of the diff
// code: each rule is evaluated on its own, as a one-rule policy.
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { predict, readSourcePolicy, type Outcome } from '../../src/simulate/simulate.js';
import { compilePolicy, evaluate, type CompiledPolicy } from '../../src/engine/evaluate.js';
import { POLICY_DIR, type Claims, type Policy } from '../../src/model.js';
import type { AccessChange, Grant } from '../../src/diff/access-diff.js';

export type { Grant };

/** A throw-away checkout whose `.atmos/pro/sts/default.yaml` is `file` (none when null). */
export function checkout(file: string | null, base = mkdtempSync(join(tmpdir(), 'sts-diff-replay-'))): string {
  if (file) {
    mkdirSync(join(base, POLICY_DIR), { recursive: true });
    copyFileSync(file, join(base, POLICY_DIR, 'default.yaml'));
  }
  return base;
}

export function outcomeIn(dir: string, claims: Claims): Outcome {
  return predict({ claims, sources: [{ repo: 'acme/modules', dir }], policyName: 'default' })[0]!.outcome;
}

/** The checkout's valid policy, or null (missing or invalid: grants nothing). */
export function policyIn(dir: string): Policy | null {
  const r = readSourcePolicy(dir, 'default');
  return r.kind === 'valid' ? r.compiled.policy : null;
}

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };
export const rank = (l: string | undefined) => (l ? (RANK[l] ?? 0) : 0);

/** Does rule `index` of `policy`, alone, admit the claims? Its grant when it does. */
export function ruleAlone(policy: Policy, index: number, claims: Claims): Grant | null {
  let alone = oneRulePolicies.get(policy);
  if (!alone) oneRulePolicies.set(policy, (alone = policy.rules.map((rule) => compilePolicy({ ...policy, rules: [{ ...rule, index: 0 }] }))));
  return evaluate(alone[index]!, claims).permissions;
}
const oneRulePolicies = new WeakMap<Policy, CompiledPolicy[]>();

/** SPEC.md §4 worst case: the highest level per permission over every matching rule; null = denied. */
export function worstCase(policy: Policy | null, claims: Claims): Grant | null {
  if (!policy) return null;
  let out: Grant | null = null;
  for (let i = 0; i < policy.rules.length; i++) {
    const g = ruleAlone(policy, i, claims);
    if (!g) continue;
    out ??= {};
    for (const [p, l] of Object.entries(g)) if (rank(l) > rank(out[p])) out[p] = l;
  }
  return out && Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Some permission is granted at a strictly higher level by `a` than by `b`. */
export const higher = (a: Grant, b: Grant) => Object.entries(a).some(([p, l]) => rank(l) > rank(b[p]));

/** A change as the library returns it, or as the JSON report carries it (same fields). */
export type ChangeLike = AccessChange;

/**
 * Checks one gain or loss against the two checkouts: a gain's witness is denied before (or there is
 * no valid policy) and minted after; a loss the reverse; an escalation or reduction is minted by both
 * with a strictly higher worst-case grant on the wider side. The reported grants and the responsible
 * rule are checked too.
 */
export function replayChange(c: ChangeLike, oldDir: string, newDir: string): void {
  const ctx = `${c.kind} witness ${JSON.stringify(c.witness)}`;
  const before = outcomeIn(oldDir, c.witness);
  const after = outcomeIn(newDir, c.witness);
  const oldPolicy = policyIn(oldDir);
  const newPolicy = policyIn(newDir);
  const worstBefore = worstCase(oldPolicy, c.witness);
  const worstAfter = worstCase(newPolicy, c.witness);
  // The simulator's first-match grant never exceeds the worst case.
  for (const [dir, worst] of [[oldDir, worstBefore], [newDir, worstAfter]] as const) {
    const p = predict({ claims: c.witness, sources: [{ repo: 'acme/modules', dir }], policyName: 'default' })[0]!;
    if (p.outcome === 'minted') expect(higher(p.evaluation!.permissions!, worst!), ctx).toBe(false);
  }
  switch (c.kind) {
    case 'new-access':
      expect(before, ctx).not.toBe('minted');
      expect(after, ctx).toBe('minted');
      expect(c.before, ctx).toBeNull();
      expect(c.after, ctx).toEqual(worstAfter);
      break;
    case 'lost-access':
      expect(before, ctx).toBe('minted');
      expect(after, ctx).not.toBe('minted');
      expect(c.before, ctx).toEqual(worstBefore);
      expect(c.after, ctx).toBeNull();
      break;
    case 'escalation':
    case 'reduction':
      expect(before, ctx).toBe('minted');
      expect(after, ctx).toBe('minted');
      expect(c.before, ctx).toEqual(worstBefore);
      expect(c.after, ctx).toEqual(worstAfter);
      if (c.kind === 'escalation') expect(higher(worstAfter!, worstBefore!), ctx).toBe(true);
      else expect(higher(worstBefore!, worstAfter!), ctx).toBe(true);
      break;
  }
  // The responsible rule: a rule of the new version for gains, of the old one for losses, that admits
  // the witness on its own, at the line reported.
  const gain = c.kind === 'new-access' || c.kind === 'escalation';
  const policy = gain ? newPolicy : oldPolicy;
  expect(policy, ctx).not.toBeNull();
  const own = ruleAlone(policy!, c.rule, c.witness);
  expect(own, ctx).not.toBeNull();
  // For an escalation (reduction) the rule itself grants more than the other side's worst case.
  if (c.kind === 'escalation') expect(higher(own!, worstBefore!), ctx).toBe(true);
  if (c.kind === 'reduction') expect(higher(own!, worstAfter!), ctx).toBe(true);
  expect(c.line, ctx).toBe(policy!.rules[c.rule]!.span.line);
}

export const POLICY_HEADER = 'apiVersion: atmos-pro.com/v1alpha1\nkind: TrustPolicy\nmetadata:\n  name: default\nspec:\n  rules:\n';

/**
 * A 50-rule policy with globs and regexes. The new variant widens rule 7 (`acme/svc7*`), pins rule
 * 21's ref (narrower) and raises rule 30 to `contents: write` (escalation): incomparable overall.
 */
export function largePolicy(variant: 'old' | 'new'): string {
  const rules: string[] = [];
  for (let i = 0; i < 50; i++) {
    let repo = i % 2 ? `"acme/svc${i}-*"` : `{ regex: "acme/svc${i}-(api|web|worker)[0-9]*" }`;
    let ref = i % 3 ? `"refs/heads/*"` : `{ regex: "refs/(heads/main|tags/v${i}\\\\..*)" }`;
    let perms = i % 5 === 0 ? '      permissions:\n        contents: read\n        pull_requests: write\n' : '';
    if (variant === 'new') {
      if (i === 7) repo = '"acme/svc7*"'; // wider: acme/svc70..., acme/svc7x
      if (i === 21) ref = '"refs/heads/main"'; // narrower
      if (i === 30) perms = '      permissions:\n        contents: write\n        pull_requests: write\n'; // escalation
    }
    rules.push(`    - match:\n        repository: ${repo}\n        ref: ${ref}\n        environment: "*"\n${perms}`);
  }
  return POLICY_HEADER + rules.join('');
}
