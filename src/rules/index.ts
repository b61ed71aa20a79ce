// The static rule registry: every rule sts-policy reports, in listing order. A lint rule is one
// module, src/rules/<category>/<name>.ts for the id `<category>/<name>`, with its docs page at
// docs/rules/<category>/<name>.md and its fixtures in fixtures/rules/<category>-<name>/.
import type { LintRule } from './framework.js';
import { VALIDATION_RULES, type RuleMeta } from '../validate/codes.js';
import anyOwner from './security/any-owner.js';
import ownerPrefix from './security/owner-prefix.js';
import untrustedOwner from './security/untrusted-owner.js';
import unboundCaller from './security/unbound-caller.js';
import repoPrefix from './security/repo-prefix.js';
import deadMatcher from './correctness/dead-matcher.js';
import contradiction from './correctness/contradiction.js';
import globSyntax from './correctness/glob-syntax.js';
import unescapedDot from './regex/unescaped-dot.js';
import segmentCrossing from './regex/segment-crossing.js';
import regexStyle from './regex/style.js';
import broadWrite from './permissions/broad-write.js';
import escalation from './permissions/escalation.js';
import pullRequestWrite from './permissions/pull-request-write.js';
import redundantRule from './interplay/redundant-rule.js';
import orderDependentGrant from './interplay/order-dependent-grant.js';
import immutableSubject from './subject/immutable-format.js';
import yamlAnchors from './style/yaml-anchors.js';
import schemaHeader from './style/schema-header.js';

export const LINT_RULES: readonly LintRule[] = [
  anyOwner,
  ownerPrefix,
  untrustedOwner,
  unboundCaller,
  repoPrefix,
  deadMatcher,
  contradiction,
  globSyntax,
  unescapedDot,
  segmentCrossing,
  regexStyle,
  broadWrite,
  escalation,
  pullRequestWrite,
  redundantRule,
  orderDependentGrant,
  immutableSubject,
  yamlAnchors,
  schemaHeader,
];

/** The runner's own finding, when a rule hits a bound of the analysis. */
export const NOT_ANALYSED: RuleMeta = { id: 'analysis/not-analysed', severity: 'info', description: 'A lint rule could not decide a question within its bounds, or a construct is outside what it analyses.' };
/** pr-check's and audit's finding about the subject template GitHub uses (src/github/subject-template.ts): info when it only disagreed with the settings'. */
export const SUBJECT_TEMPLATE: RuleMeta = { id: 'analysis/subject-template', severity: 'warning', description: 'The OIDC subject template GitHub uses could not be read, so `subject` matchers were analysed with an assumed one; or it differs from `subjectTemplate`.' };
/** Findings about `# sts-policy-ignore` comments themselves (src/lint/ignores.ts). */
export const IGNORE_MISSING_REASON: RuleMeta = { id: 'ignore/missing-reason', severity: 'warning', description: 'An `# sts-policy-ignore` comment without a `-- reason`; it suppresses nothing until it gives one.' };
export const IGNORE_UNUSED: RuleMeta = { id: 'ignore/unused', severity: 'warning', description: 'An `# sts-policy-ignore` comment that suppresses no finding (or names a rule that cannot be ignored).' };

/** Every rule: validity codes, lint rules, the analysis bound and subject template, ignore comments. */
export const RULES: readonly RuleMeta[] = [...VALIDATION_RULES, ...LINT_RULES.map((r) => r.meta), NOT_ANALYSED, SUBJECT_TEMPLATE, IGNORE_MISSING_REASON, IGNORE_UNUSED];
