// The public library API: everything a command does is reachable from here.
export * from './model.js';
export { lintPaths, loadPolicy, type FileResult, type LintResult } from './lint.js';
export { discover, policyNameOf, type Target, type Discovery } from './load/discover.js';
export { readPolicyFile, decodePolicyBytes, MAX_POLICY_BYTES } from './load/read.js';
export { SourceText } from './load/text.js';
export { validatePolicyText, type ValidatedPolicy } from './validate/policy.js';
export { checkRegex, compileRegex } from './validate/regex.js';
export { PERMISSION_NAMES, offeredLevels } from './validate/permissions.js';
export { makeFinding, registerRule, ruleMeta, allRuleMetas, docsUrl } from './findings.js';
export { VALIDATION_RULES, type RuleMeta } from './validate/codes.js';
export { summarize, type Summary } from './report/summary.js';
export { formatStylish } from './report/stylish.js';
export { formatJson, type JsonReport } from './report/json.js';
export { formatSarif } from './report/sarif.js';
export { formatGithub } from './report/github.js';
