// Golden files (actionlint-style): a test's whole expected output, kept beside its input. With
// UPDATE_GOLDEN=1 the tests write what they produce instead (review the diff before committing).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

const updating = Boolean(process.env.UPDATE_GOLDEN);

/** One finding as a golden `.out` line: `line:column severity rule-id message`. */
export const outLine = (f: { line: number; column: number; severity: string; ruleId: string; message: string }) => `${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.message}`;

/** The `.out` lines of a golden file. */
export const readOut = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

/** Expects `file` to hold `text` exactly; `undefined` expects no file (updating writes or removes it). */
export function expectGolden(file: string, text: string | undefined): void {
  if (updating) {
    if (text === undefined) rmSync(file, { force: true });
    else writeFileSync(file, text);
  }
  if (text === undefined) expect(existsSync(file), `${file} should not exist`).toBe(false);
  else expect(existsSync(file) ? readFileSync(file, 'utf8') : undefined, file).toBe(text);
}
