// Lint rules (ESLint-style): a rule is a module with metadata and a `check` that reports data —
// a span, a message, and for "too broad" findings a witness claim set. Reporters render it.
import type { Claims, Fix, Policy, Severity, Span } from '../model.js';
import type { RuleMeta } from '../validate/codes.js';
import type { ValidatedPolicy } from '../validate/policy.js';

export interface LintConfig {
  /** Trusted owners: a rule admitting any other owner is reported. */
  owners?: string[];
  /** The org's custom subject template (`include_claim_keys`), so subjects are checked exactly. */
  subjectTemplate?: string[];
  /** Per-rule severity (`off` disables) and options. */
  rules?: Record<string, { severity?: Severity | 'off'; options?: Record<string, unknown> }>;
}

export interface RuleMetaExt extends RuleMeta {
  category: 'security' | 'correctness' | 'permissions' | 'regex' | 'interplay' | 'style';
  fixable?: 'safe' | 'unsafe';
}

export interface Report {
  span: Pick<Span, 'line' | 'column' | 'endLine' | 'endColumn'> & Partial<Pick<Span, 'start' | 'end'>>;
  message: string;
  witness?: Claims;
  fix?: Fix | null;
  /** Overrides the rule's severity for this finding (e.g. info when a custom template may apply). */
  severity?: Severity;
}

export interface RuleContext {
  readonly path: string;
  readonly policy: Policy;
  readonly validated: ValidatedPolicy;
  readonly config: LintConfig;
  /** Trusted owners: from the config, else the source repo's own owner when known. */
  readonly trustedOwners: readonly string[] | undefined;
  readonly options: Record<string, unknown>;
  report(r: Report): void;
}

export interface LintRule {
  meta: RuleMetaExt;
  check(ctx: RuleContext): void;
}

export const defineRule = (rule: LintRule): LintRule => rule;
