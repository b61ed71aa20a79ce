// `sts-policy lint`: report findings in the chosen format and compute the exit code; with --fix,
// fix the files first and report what remains.
import { MAX_POLICY_BYTES, readCapped } from '../load/read.js';
import { lintBytes, lintPaths, type LintResult } from '../lint/lint.js';
import { SettingsResolver } from '../lint/config.js';
import { expandGlobArgs } from '../load/glob-args.js';
import { lintPathsConcurrently, type Concurrency } from '../lint/concurrent.js';
import { plural } from '../report/summary.js';
import { lintReportPieces, type LintFormat } from '../report/lint.js';
import { lintFailure } from '../lint/verdict.js';
import { EXIT, UsageError } from './errors.js';
import { writeReport } from './output.js';
import { inert } from '../report/inert.js';

export interface LintOptions {
  format: LintFormat;
  output?: string;
  maxWarnings?: number;
  quiet?: boolean;
  allowEmpty?: boolean;
  config?: string;
  /** false with --no-ignores. */
  ignores?: boolean;
  fix?: boolean;
  fixUnsafe?: boolean;
  fixDryRun?: boolean;
  concurrency?: Concurrency;
  /** The path of the policy `-` reads from stdin. */
  stdinFilename?: string;
}

/** Without --stdin-filename, stdin is checked as the default policy. */
const STDIN_NAME = '.atmos/pro/sts/default.yaml';

export async function runLint(paths: string[], opts: LintOptions): Promise<number> {
  const globbed = expandGlobArgs(paths.length ? paths : ['.']);
  if (globbed.errors.length) {
    for (const e of globbed.errors) process.stderr.write(`sts-policy: ${e}\n`);
    return EXIT.usage;
  }
  const targets = globbed.paths;
  const settings = new SettingsResolver({ configPath: opts.config });
  const fixing = opts.fix || opts.fixUnsafe || opts.fixDryRun;
  // Fixing needs every parsed document, so it stays on the main thread.
  if (targets.includes('-')) {
    if (targets.length > 1) throw new UsageError('`-` (stdin) is the only path when given');
    if (fixing) throw new UsageError('--fix writes files: it cannot fix stdin (try --fix-dry-run on a file)');
  } else if (opts.stdinFilename !== undefined) throw new UsageError('--stdin-filename names the policy read from stdin: give `-` as the path');
  let result = targets[0] === '-' ? lintBytes(opts.stdinFilename ?? STDIN_NAME, readCapped(0, MAX_POLICY_BYTES), { settings, ignores: opts.ignores }) : fixing ? lintPaths(targets, { settings, ignores: opts.ignores }) : await lintPathsConcurrently(targets, { settings, ignores: opts.ignores, concurrency: opts.concurrency ?? 'auto', texts: opts.format === 'stylish' || opts.format === 'sarif' });
  if (result.errors.length) {
    for (const e of result.errors) process.stderr.write(`sts-policy: ${inert(e)}\n`);
    return EXIT.usage;
  }
  if (!result.files.length && !result.findings.length && !opts.allowEmpty) {
    process.stderr.write(`sts-policy: no policy files found in ${inert(targets.join(', '))} (looked for .atmos/pro/sts/<name>.yaml); pass --allow-empty to accept that\n`);
    return EXIT.usage;
  }
  if (fixing) {
    const { fixFiles, FixWriteError } = await import('../lint/fix-files.js');
    let run;
    try {
      run = fixFiles(result, settings, { ignores: opts.ignores, unsafe: opts.fixUnsafe, dryRun: opts.fixDryRun });
    } catch (e) {
      if (!(e instanceof FixWriteError)) throw e;
      process.stderr.write(`sts-policy: ${e.message}\n`);
      return EXIT.usage;
    }
    result = run.result;
    const verb = opts.fixDryRun ? 'would fix' : 'fixed';
    process.stderr.write(`sts-policy: ${verb} ${plural(run.fixes, 'problem')} in ${plural(run.changes.length, 'file')}${opts.fixUnsafe ? '' : '; unsafe fixes need --fix-unsafe'}\n`);
    if (opts.fixDryRun) {
      const { unifiedDiff } = await import('../report/unified-diff.js');
      const exit = exitCode(result, opts);
      return writeReport(run.changes.map((c) => unifiedDiff(c.path, c.before, c.after)).join(''), opts.output) ?? exit;
    }
  }
  return writeReport(await lintReportPieces(result, opts), opts.output) ?? exitCode(result, opts);
}

function exitCode(result: LintResult, opts: LintOptions): number {
  const failure = lintFailure(result, opts);
  if (typeof failure === 'object') process.stderr.write(`sts-policy: too many warnings (${failure.warnings}, maximum ${failure.max})\n`);
  return failure ? EXIT.findings : EXIT.ok;
}
