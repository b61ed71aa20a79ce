// Where a command's report goes: --output FILE, else stdout.
import { writeFileSync } from 'node:fs';
import { EXIT } from './errors.js';

/** Writes the report to --output or stdout; an exit code only when the output cannot be written. */
export function writeReport(text: string, output: string | undefined): number | undefined {
  if (!output) {
    process.stdout.write(text);
    return undefined;
  }
  try {
    writeFileSync(output, text);
    return undefined;
  } catch (e) {
    // An unwritable --output is the caller's mistake, not an internal failure.
    process.stderr.write(`sts-policy: cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return EXIT.usage;
  }
}
