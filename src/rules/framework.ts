// Lint rules (ESLint-style): a rule is a module with metadata (its messages included) and a `check`
// that reports data — a span, a message id with its data, and for "too broad" findings a witness
// claim set. The runner renders the message; reporters render the finding.
import type { Claims, Fix, Policy, RelatedLocation, Severity, Span } from '../model.js';
import type { RuleMeta } from '../validate/codes.js';
import type { ValidatedPolicy } from '../validate/policy.js';

export interface LintConfig {
  /** Trusted owners: a rule admitting any other owner is reported. */
  owners?: string[];
  /** The org's custom subject template (`include_claim_keys`), so subjects are checked exactly. */
  subjectTemplate?: string[];
  /** Per-rule severity (`off` disables). */
  rules?: Record<string, { severity?: Severity | 'off' }>;
}

export interface RuleMetaExt<M extends string = string> extends RuleMeta {
  category: 'security' | 'correctness' | 'permissions' | 'regex' | 'interplay' | 'style';
  /** Set exactly when the rule's findings carry a fix (a test holds it to the fixtures). */
  fixable?: 'safe' | 'unsafe';
  /** Each message the rule reports, by id; `{{name}}` is replaced by the report's `data.name`. */
  messages: Record<M, string>;
}

export interface Report<M extends string = string> {
  span: Pick<Span, 'line' | 'column' | 'endLine' | 'endColumn'> & Partial<Pick<Span, 'start' | 'end'>>;
  messageId: M;
  data?: Record<string, string | number>;
  witness?: Claims;
  /** The other places the finding involves (see relatedAt). */
  related?: RelatedLocation[];
  fix?: Fix | null;
  /** Overrides the rule's severity for this finding (e.g. info when a custom template may apply). */
  severity?: Severity;
}

export interface RuleContext<M extends string = string> {
  readonly path: string;
  readonly policy: Policy;
  readonly validated: ValidatedPolicy;
  readonly config: LintConfig;
  /** Trusted owners: from the config, else the source repo's own owner when known. */
  readonly trustedOwners: readonly string[] | undefined;
  report(r: Report<M>): void;
}

export interface LintRule<M extends string = string> {
  meta: RuleMetaExt<M>;
  check(ctx: RuleContext<M>): void;
}

/** A rule whose reports may only name the message ids its meta declares. */
export const defineRule = <M extends string>(rule: LintRule<M>): LintRule => rule as unknown as LintRule;

/** Another place a finding involves, and what it is. */
export const relatedAt = (span: Pick<Span, 'line' | 'column' | 'endLine' | 'endColumn'>, message: string): RelatedLocation => ({
  line: span.line,
  column: span.column,
  endLine: span.endLine,
  endColumn: span.endColumn,
  message,
});

/** Each message template split once: text, placeholder name, text, ... (a policy may fill one 20,000 times). */
const templateParts = new Map<string, string[]>();

/** A message template with its `{{placeholders}}` filled; a placeholder without data is a bug in the rule. */
export function formatMessage(template: string, data: Readonly<Record<string, string | number>> = {}): string {
  let parts = templateParts.get(template);
  if (!parts) templateParts.set(template, (parts = template.split(/\{\{(\w+)\}\}/)));
  let message = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    if (!(name in data)) throw new Error(`message placeholder {{${name}}} has no data`);
    message += String(data[name]) + parts[i + 1]!;
  }
  return message;
}
