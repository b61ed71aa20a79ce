// Every finding the loader and validator can emit, with its default severity and one-line summary.
// Each has a page at docs/rules/<id>.md; a test keeps the two in step.
import type { Severity } from '../model.js';

export interface RuleMeta {
  id: string;
  severity: Severity;
  description: string;
}

const meta = (id: string, severity: Severity, description: string): RuleMeta => ({ id, severity, description });

export const VALIDATION_RULES: readonly RuleMeta[] = [
  meta('file/near-miss', 'error', 'A file that looks like a trust policy but sits where STS never reads it.'),
  meta('file/not-searched', 'warning', 'Discovery stopped at its depth bound: the folders below were not searched.'),
  meta('file/symlink', 'error', 'The policy path is a symbolic link; sts-policy predicts `trust_policy_invalid`.'),
  meta('file/directory', 'error', 'The policy path is a directory; sts-policy predicts `trust_policy_invalid`.'),
  meta('file/too-large', 'error', 'The policy file is over 1 MiB.'),
  meta('file/not-utf8', 'error', 'The policy file is not valid UTF-8.'),
  meta('file/unreadable', 'error', 'The policy file cannot be read.'),
  meta('yaml/syntax', 'error', 'The file is not valid YAML.'),
  meta('yaml/unquoted-asterisk', 'error', 'An unquoted `*` is YAML alias syntax, not a glob.'),
  meta('yaml/duplicate-key', 'error', 'A key appears twice in one mapping.'),
  meta('yaml/multiple-documents', 'error', 'The file holds more than one YAML document.'),
  meta('yaml/empty-file', 'error', 'The file is empty or holds only comments.'),
  meta('yaml/too-deep', 'error', 'The YAML nesting is deeper than any policy needs.'),
  meta('yaml/forbidden-character', 'error', 'A character YAML does not allow in a stream (a control character, raw or escaped; a second byte-order mark).'),
  meta('yaml/merge-key', 'error', 'A `<<` merge key, which YAML parsers read differently.'),
  meta('yaml/alias-limit', 'error', 'YAML aliases expand beyond the allowed number of nodes.'),
  meta('schema/not-a-mapping', 'error', 'The document is not a mapping.'),
  meta('schema/api-version', 'error', '`apiVersion` is missing or not exactly `atmos-pro.com/v1alpha1`.'),
  meta('schema/kind', 'error', '`kind` is missing or not exactly `TrustPolicy`.'),
  meta('schema/metadata-name', 'error', '`metadata.name` is missing or differs from the file name.'),
  meta('schema/missing-key', 'error', 'A required key is missing.'),
  meta('schema/unknown-key', 'error', 'A key the schema does not define.'),
  meta('schema/unknown-claim', 'error', 'A `match` key that is not one of the nine claims.'),
  meta('schema/unknown-permission', 'error', 'A `permissions` key that is not a GitHub App permission.'),
  meta('schema/invalid-level', 'error', 'A permission level other than `read`, `write` or `admin`.'),
  meta('schema/empty-rules', 'error', '`spec.rules` is missing, null or empty.'),
  meta('schema/empty-match', 'error', 'A rule whose `match` is missing, null or empty.'),
  meta('schema/empty-permissions', 'error', '`permissions` is present but null or empty.'),
  meta('schema/invalid-matcher', 'error', 'A matcher that is neither a string nor `{regex: string}`.'),
  meta('schema/wrong-type', 'error', 'A value of the wrong type.'),
  meta('schema/invalid-regex', 'error', 'A regex matcher that RE2 (Go `regexp`) rejects.'),
  meta('regex/go-version-dependent', 'warning', 'A `\\p{...}` name only Go 1.25 and later accept.'),
  meta('permissions/unsupported-level', 'error', 'A permission level GitHub does not offer for that permission.'),
];

/**
 * Rule ids whose errors predict `trust_policy_invalid`. A merge key is the exception: parsers
 * disagree on it, so lint reports it as an error while access takes the merged reading (SPEC.md §4).
 */
export const isValidityRuleId = (id: string) => /^(file|yaml|schema)\//.test(id) && id !== 'yaml/merge-key';
