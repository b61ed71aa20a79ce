// `sts-policy lint`: report findings in the chosen format and compute the exit code.
import { writeFileSync } from 'node:fs';
import { lintPaths } from '../lint.js';
import { summarize } from '../report/summary.js';
import { formatStylish } from '../report/stylish.js';
import { formatJson } from '../report/json.js';
import { formatGithub } from '../report/github.js';
import { formatSarif } from '../report/sarif.js';
import { colorEnabled, palette } from '../report/colors.js';
import type { SourceText } from '../load/text.js';
import { EXIT } from './errors.js';
import { VERSION } from './version.js';

export interface LintOptions {
  format: 'stylish' | 'json' | 'sarif' | 'github';
  output?: string;
  maxWarnings?: number;
  quiet?: boolean;
  allowEmpty?: boolean;
}

export async function runLint(paths: string[], opts: LintOptions): Promise<number> {
  const targets = paths.length ? paths : ['.'];
  const result = lintPaths(targets);
  if (result.errors.length) {
    for (const e of result.errors) process.stderr.write(`sts-policy: ${e}\n`);
    return EXIT.usage;
  }
  if (!result.files.length && !result.findings.length && !opts.allowEmpty) {
    process.stderr.write(`sts-policy: no policy files found in ${targets.join(', ')} (looked for .atmos/pro/sts/<name>.yaml); pass --allow-empty to accept that\n`);
    return EXIT.usage;
  }
  const findings = opts.quiet ? result.findings.filter((f) => f.severity === 'error') : result.findings;
  const summary = summarize(result.files.length, findings);
  const sources = new Map<string, SourceText>();
  for (const f of result.files) if (f.validated) sources.set(f.path, f.validated.source);
  const toFile = Boolean(opts.output);
  let text: string;
  switch (opts.format) {
    case 'json':
      text = formatJson({ version: 1, files: result.files.map(({ path, policyName, valid }) => ({ path, policyName, valid })), findings, summary });
      break;
    case 'sarif':
      text = formatSarif(findings, sources, VERSION);
      break;
    case 'github':
      text = formatGithub(findings);
      break;
    default:
      text = formatStylish({ findings, sources, summary, colors: palette(!toFile && colorEnabled(process.stdout)) });
  }
  if (opts.output) {
    try {
      writeFileSync(opts.output, text);
    } catch (e) {
      // An unwritable --output is the caller's mistake, not an internal failure.
      process.stderr.write(`sts-policy: cannot write ${opts.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return EXIT.usage;
    }
  } else process.stdout.write(text);
  if (summary.errors) return EXIT.findings;
  if (opts.maxWarnings !== undefined && summary.warnings > opts.maxWarnings) return EXIT.findings;
  return EXIT.ok;
}
