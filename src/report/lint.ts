// `lint`'s report in the chosen format (stylish, json, sarif, github), of the findings its verdict
// counts (lint/verdict.ts); the formats other than stylish load only when chosen.
import type { LintResult } from '../lint/lint.js';
import { visibleFindings } from '../lint/verdict.js';
import type { SourceText } from '../load/text.js';
import { summarize } from './summary.js';
import { formatStylish } from './stylish.js';
import { colorEnabled, palette } from './colors.js';
import { VERSION } from '../version.js';

export type LintFormat = 'stylish' | 'json' | 'sarif' | 'github';

/** The report in the chosen format; the formats other than the default load only when chosen. */
export async function lintReport(result: LintResult, opts: { format: LintFormat; quiet?: boolean; output?: string }): Promise<string> {
  const findings = visibleFindings(result, opts.quiet);
  const summary = summarize(result.files.length, findings, result.ignored.length);
  const sources = new Map<string, SourceText>();
  for (const f of result.files) if (f.source) sources.set(f.path, f.source);
  switch (opts.format) {
    case 'json': {
      const { formatJson } = await import('./json.js');
      return formatJson({ version: 1, files: result.files.map(({ path, policyName, valid }) => ({ path, policyName, valid })), findings, summary });
    }
    case 'sarif': {
      const { formatSarif } = await import('./sarif.js');
      return formatSarif(findings, sources, VERSION, process.cwd(), result.ignored);
    }
    case 'github': {
      const { formatGithub } = await import('./github.js');
      return formatGithub(findings);
    }
    default:
      return formatStylish({ findings, sources, summary, colors: palette(!opts.output && colorEnabled(process.stdout)) });
  }
}
