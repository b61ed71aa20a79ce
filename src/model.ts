// The domain model shared by every stage: policies, rules, matchers, claims and findings.

/** The nine OIDC claims a policy may match on (SPEC.md §2), in documentation order. */
export const CLAIM_NAMES = [
  'subject',
  'repository',
  'repository_owner',
  'ref',
  'ref_type',
  'actor',
  'workflow_ref',
  'environment',
  'sha',
] as const;
export type ClaimName = (typeof CLAIM_NAMES)[number];

/** The token claim that carries a policy claim: only `subject` is spelled differently (`sub`). */
export const TOKEN_CLAIM: Record<ClaimName, string> = {
  subject: 'sub',
  repository: 'repository',
  repository_owner: 'repository_owner',
  ref: 'ref',
  ref_type: 'ref_type',
  actor: 'actor',
  workflow_ref: 'workflow_ref',
  environment: 'environment',
  sha: 'sha',
};

export const API_VERSION = 'atmos-pro.com/v1alpha1';
export const KIND = 'TrustPolicy';
export const SCHEMA_URL = 'https://atmos-pro.com/schemas/v1alpha1/trust-policy.json';
export const POLICY_DIR = '.atmos/pro/sts';
/** A repository's sts-policy settings, at its root. */
export const CONFIG_FILE = '.sts-policy.yaml';

/** GitHub's default subject template (`include_claim_keys`): `repo:OWNER/REPO:CONTEXT`. */
export const DEFAULT_TEMPLATE: readonly string[] = ['repo', 'context'];
/** A subject template's keys: GitHub's default when absent or empty (the one normalisation). */
export const templateKeys = (template?: readonly string[]): readonly string[] => (template?.length ? template : DEFAULT_TEMPLATE);
/** Is this GitHub's default template (absent, empty, or written out)? */
export const isDefaultTemplate = (template?: readonly string[]) => templateKeys(template).join(',') === DEFAULT_TEMPLATE.join(',');
/** GitHub login / organisation name (the `repository_owner` claim's shape). */
export const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;
/** SPEC.md §4: a policy name is 1 to 64 letters, digits, `-` and `_`. */
export const POLICY_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export type Level = 'read' | 'write' | 'admin';
export const LEVELS: readonly Level[] = ['read', 'write', 'admin'];
export type Permissions = Record<string, Level>;

/** A source range: offsets into the decoded text, plus 1-based positions (end column exclusive). */
export interface Span {
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Matcher {
  claim: ClaimName;
  kind: 'glob' | 'regex';
  pattern: string;
  /** The value node (the string, or the `regex` string of the mapping). */
  span: Span;
  /** The claim key inside `match`. */
  keySpan: Span;
}

export interface Rule {
  /** 0-based position in `spec.rules`. */
  index: number;
  span: Span;
  matchers: Matcher[];
  /** As written; null when the rule has no `permissions` (the read-only default applies). */
  permissions: Permissions | null;
  permissionSpans: Record<string, Span>;
}

export interface Policy {
  /** The policy name the server would select it by (the file name without `.yaml`). */
  name: string;
  path: string;
  rules: Rule[];
}

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** A token claims object as decoded from a GitHub OIDC token (`sub`, `repository`, ...). */
export type Claims = Record<string, string>;

export interface Fix {
  /** Replace the text between these offsets of the decoded file. */
  range: [number, number];
  text: string;
  /** Safe fixes are applied by `--fix`; unsafe ones only by `--fix-unsafe`. */
  safe: boolean;
  description: string;
}

export interface Finding {
  path: string;
  ruleId: string;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  docsUrl: string;
  fix: Fix | null;
  /** A claim set the policy admits that its author most likely did not mean (lint rules). */
  witness?: Claims;
  /** Other places in the same file the finding involves (the covering rule, the other matcher). */
  related?: RelatedLocation[];
}

export interface RelatedLocation {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}
