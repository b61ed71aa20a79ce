// `lint --fix` over a lint result: each file that was read is fixed (safe fixes, or unsafe ones too)
// and linted again; the fixed text is written in place, or with a dry run only returned. Files that
// could not be read keep their findings as they are.
import { checkOptionsFor, type LintResult } from './lint.js';
import type { SettingsResolver } from './config.js';
import { fixPolicyText, writeFixedFile } from './fix.js';
import { compareFindings } from '../findings.js';
import { isValidityError } from '../validate/policy.js';

export interface FixRun {
  /** The lint result after the fixes. */
  result: LintResult;
  /** Each changed file's text before and after its fixes (the files a dry run would write). */
  changes: { path: string; before: string; after: string }[];
  /** How many fixes were applied, over every file. */
  fixes: number;
}

/** A fixed file that could not be written: the message names it and the reason. */
export class FixWriteError extends Error {
  override name = 'FixWriteError';
}

export function fixFiles(result: LintResult, settings: SettingsResolver, opts: { ignores?: boolean; unsafe?: boolean; dryRun?: boolean }): FixRun {
  const changes: FixRun['changes'] = [];
  let fixes = 0;
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
    const out = fixPolicyText(file.path, file.policyName, file.validated.source.text, { ...check, unsafe: opts.unsafe });
    if (out.text !== file.validated.source.text) {
      if (!opts.dryRun) {
        try {
          writeFixedFile(file.path, out.text);
        } catch (e) {
          throw new FixWriteError(`cannot write the fixes to ${file.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      }
      changes.push({ path: file.path, before: file.validated.source.text, after: out.text });
      fixes += out.applied.length;
    }
    files.push({ path: file.path, policyName: file.policyName, valid: !out.validated.findings.some(isValidityError), validated: out.validated, source: out.validated.source });
    findings.push(...out.findings);
    ignored.push(...out.ignored);
  }
  return { result: { files, findings: findings.sort(compareFindings), ignored: ignored.sort(compareFindings), errors: [] }, changes, fixes };
}
