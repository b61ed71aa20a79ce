// Every lint rule, one file each; this list is their registry.
import type { LintRule } from '../src/rules/framework.js';
import anyOwner from './any-owner.js';
import ownerPrefix from './owner-prefix.js';
import untrustedOwner from './untrusted-owner.js';
import unboundCaller from './unbound-caller.js';
import repoPrefix from './repo-prefix.js';
import deadMatcher from './dead-matcher.js';
import contradiction from './contradiction.js';
import globSyntax from './glob-syntax.js';
import unescapedDot from './regex-hygiene.js';
import segmentCrossing from './regex-segment-crossing.js';
import regexStyle from './regex-style.js';
import broadWrite from './broad-write.js';
import escalation from './escalation.js';
import pullRequestWrite from './pull-request-write.js';
import { redundantRule, orderDependentGrant } from './rule-interplay.js';
import immutableSubject from './immutable-subject.js';
import yamlAnchors from './yaml-anchors.js';
import schemaHeader from './schema-header.js';

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
