// Every lint rule, one file each; this list is their registry.
import type { LintRule } from './framework.js';
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
