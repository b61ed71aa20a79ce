// `sts-policy lint`: report findings in the chosen format and compute the exit code; with --fix,
// fix the files first and report what remains.
import { MAX_POLICY_BYTES, readCapped } from '../load/read.js';
import { checkOptionsFor, lintBytes, lintPaths, type LintResult } from '../lint/lint.js';
import { SettingsResolver } from '../lint/config.js';
import { expandGlobArgs } from '../load/glob-args.js';
import { lintPathsConcurrently, type Concurrency } from '../lint/concurrent.js';
import { plural } from '../report/summary.js';
import { lintReport, type LintFormat } from '../report/lint.js';
import { compareFindings } from '../findings.js';
import { lintFailure } from '../lint/verdict.js';
import { isValidityError } from '../validate/policy.js';
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
    const { fixPolicyText, writeFixedFile } = await import('../lint/fix.js');
    const { unifiedDiff } = await import('../report/unified-diff.js');
    const diffs: string[] = [];
    let fixes = 0;
    let changed = 0;
    const files: LintResult['files'] = [];
    // Findings of files that were read are recomputed on the fixed text; the others stay as they are.
    const refixed = new Set(result.files.filter((r) => r.validated).map((r) => r.path));
    const findings = result.findings.filter((f) => !refixed.has(f.path));
    const ignored = result.ignored.filter((f) => !refixed.has(f.path));
    for (const file of result.files) {
      if (!file.validated) {
        files.push(file);
        continue;
      }
      const { problems: _, ...check } = checkOptionsFor(settings, file.path, { ignores: opts.ignores });
      const out = fixPolicyText(file.path, file.policyName, file.validated.source.text, { ...check, unsafe: opts.fixUnsafe });
      if (out.text !== file.validated.source.text) {
        if (opts.fixDryRun) diffs.push(unifiedDiff(file.path, file.validated.source.text, out.text));
        else {
          try {
            writeFixedFile(file.path, out.text);
          } catch (e) {
            process.stderr.write(`sts-policy: cannot write the fixes to ${file.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
            return EXIT.usage;
          }
        }
        fixes += out.applied.length;
        changed++;
      }
      files.push({ path: file.path, policyName: file.policyName, valid: !out.validated.findings.some(isValidityError), validated: out.validated, source: out.validated.source });
      findings.push(...out.findings);
      ignored.push(...out.ignored);
    }
    result = { files, findings: findings.sort(compareFindings), ignored: ignored.sort(compareFindings), errors: [] };
    const verb = opts.fixDryRun ? 'would fix' : 'fixed';
    process.stderr.write(`sts-policy: ${verb} ${plural(fixes, 'problem')} in ${plural(changed, 'file')}${opts.fixUnsafe ? '' : '; unsafe fixes need --fix-unsafe'}\n`);
    if (opts.fixDryRun) {
      const exit = exitCode(result, opts);
      return writeReport(diffs.join(''), opts.output) ?? exit;
    }
  }
  return writeReport(await lintReport(result, opts), opts.output) ?? exitCode(result, opts);
}

function exitCode(result: LintResult, opts: LintOptions): number {
  const failure = lintFailure(result, opts);
  if (typeof failure === 'object') process.stderr.write(`sts-policy: too many warnings (${failure.warnings}, maximum ${failure.max})\n`);
  return failure ? EXIT.findings : EXIT.ok;
}
