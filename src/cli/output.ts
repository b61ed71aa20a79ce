// Where a command's report goes: --output FILE, else stdout. A report given in pieces (a large JSON
// report, report/json.ts) is written piece by piece as they are made, never joined.
import { closeSync, openSync, writeSync } from 'node:fs';
import { EXIT } from './errors.js';

/** Writes the report to --output or stdout; an exit code only when the output cannot be written. */
export function writeReport(report: string | Iterable<string>, output: string | undefined): number | undefined {
  const pieces = typeof report === 'string' ? [report] : report;
  if (!output) {
    for (const text of pieces) process.stdout.write(text);
    return undefined;
  }
  let fd: number | undefined;
  try {
    fd = openSync(output, 'w');
    for (const text of pieces) {
      const bytes = Buffer.from(text);
      // A write may take fewer bytes than given (a pipe named as --output).
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    }
    return undefined;
  } catch (e) {
    // An unwritable --output is the caller's mistake, not an internal failure.
    process.stderr.write(`sts-policy: cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return EXIT.usage;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
