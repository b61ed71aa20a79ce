// `lint`'s report in the chosen format (stylish, json, sarif, github), of the findings its verdict
// counts (lint/verdict.ts); the formats other than stylish load only when chosen. The CLI takes the
// JSON one in pieces (lintReportPieces) and writes them as they are made.
import type { LintResult } from '../lint/lint.js';
import { visibleFindings } from '../lint/verdict.js';
import type { SourceText } from '../load/text.js';
import { summarize } from './summary.js';
import { formatStylish } from './stylish.js';
import { colorEnabled, palette } from './colors.js';
import { VERSION } from '../version.js';

export type LintFormat = 'stylish' | 'json' | 'sarif' | 'github';

type ReportOptions = { format: LintFormat; quiet?: boolean; output?: string };

/** The report in the chosen format; the formats other than the default load only when chosen. */
export async function lintReport(result: LintResult, opts: ReportOptions): Promise<string> {
  const report = await lintReportPieces(result, opts);
  return typeof report === 'string' ? report : [...report].join('');
}

/** The report as lintReport makes it, the JSON one in pieces (see jsonPieces), for the CLI to write as they are made. */
export async function lintReportPieces(result: LintResult, opts: ReportOptions): Promise<string | Iterable<string>> {
  const findings = visibleFindings(result, opts.quiet);
  const summary = summarize(result.files.length, findings, result.ignored.length);
  const sources = new Map<string, SourceText>();
  for (const f of result.files) if (f.source) sources.set(f.path, f.source);
  switch (opts.format) {
    case 'json': {
      const { jsonPieces } = await import('./json.js');
      return jsonPieces({ version: 1, files: result.files.map(({ path, policyName, valid }) => ({ path, policyName, valid })), findings, summary });
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
