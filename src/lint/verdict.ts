// The pass/fail decision over a lint result (`--quiet`, `--max-warnings`), shared by `lint`'s exit
// code and its reports, which show the same findings the decision counts.
import type { LintResult } from './lint.js';
import { summarize } from '../report/summary.js';

/** The findings a report shows and the verdict counts: errors only with --quiet. */
export const visibleFindings = (result: LintResult, quiet: boolean | undefined) => (quiet ? result.findings.filter((f) => f.severity === 'error') : result.findings);

/** Why the result fails (an error finding, or more warnings than --max-warnings allows); undefined when it passes. */
export function lintFailure(result: LintResult, opts: { quiet?: boolean; maxWarnings?: number }): 'errors' | { warnings: number; max: number } | undefined {
  const summary = summarize(result.files.length, visibleFindings(result, opts.quiet));
  if (summary.errors) return 'errors';
  if (opts.maxWarnings !== undefined && summary.warnings > opts.maxWarnings) return { warnings: summary.warnings, max: opts.maxWarnings };
  return undefined;
}
