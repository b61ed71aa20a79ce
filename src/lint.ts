// `lint` as a library call: discover, read safely, validate, and collect findings per file.
import { discover, type Target } from './load/discover.js';
import { readPolicyFile } from './load/read.js';
import { isValidityError, validatePolicyText, type ValidatedPolicy } from './validate/policy.js';
import { compareFindings, makeFinding } from './findings.js';
import type { Finding } from './model.js';
import { runLintRules } from './rules/run.js';
import type { LintConfig } from './rules/framework.js';

export interface FileResult {
  path: string;
  policyName: string;
  /** Valid for STS: it would evaluate the policy rather than answer `trust_policy_invalid`. */
  valid: boolean;
  validated?: ValidatedPolicy;
}

export interface LintResult {
  files: FileResult[];
  findings: Finding[];
  /** Usage problems: paths that do not exist. */
  errors: string[];
}

const FILE_START = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export interface LintOptions {
  config?: LintConfig;
  /** Trusted owners for a target path (config `owners:`, else the source repo's owner). */
  trustedOwners?: (path: string) => readonly string[] | undefined;
}

export function lintPaths(paths: readonly string[], options: LintOptions = {}): LintResult {
  const { targets, errors } = discover(paths);
  const files: (FileResult & { readFindings: Finding[] })[] = [];
  const findings: Finding[] = [];
  for (const t of targets) {
    if (t.kind === 'near-miss') findings.push(makeFinding(t.path, 'file/near-miss', t.message, FILE_START));
    else {
      const r = loadPolicy(t);
      files.push(r);
      findings.push(...(r.validated?.findings ?? []));
      if (r.validated?.policy) findings.push(...runLintRules(r.validated, options.config ?? {}, options.config?.owners ?? options.trustedOwners?.(t.path)));
      if (!r.validated) findings.push(...r.readFindings);
    }
  }
  return { files: files.map(({ readFindings: _, ...f }) => f), findings: findings.sort(compareFindings), errors };
}

/** Reads and validates one policy target; a read failure is a located finding, never a throw. */
export function loadPolicy(t: Extract<Target, { kind: 'policy' }>): FileResult & { readFindings: Finding[] } {
  const read = readPolicyFile(t.path);
  if (!read.ok) {
    const at = read.position ? { ...read.position, endLine: read.position.line, endColumn: read.position.column + 1 } : FILE_START;
    return { path: t.path, policyName: t.name, valid: false, readFindings: [makeFinding(t.path, read.ruleId, read.message, at)] };
  }
  const validated = validatePolicyText(t.path, t.name, read.text);
  return { path: t.path, policyName: t.name, valid: !validated.findings.some(isValidityError), validated, readFindings: [] };
}
