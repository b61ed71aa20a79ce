// `lint --fix`: applies the text edits findings carry, by offset from the end of the file so
// comments and layout survive, skipping overlapping edits, re-validating after every pass (at most
// 10) and keeping no pass that breaks the YAML. Writes only regular files, never through a symlink.
import { closeSync, constants, lstatSync, openSync, readSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { Finding, Fix } from '../model.js';
import { isValidityError, validatePolicyText, type ValidatedPolicy } from '../validate/policy.js';
import { checkPolicy, type CheckOptions } from './lint.js';
import type { IgnoredFinding } from './ignores.js';

export const MAX_FIX_PASSES = 10;

export interface AppliedFix {
  ruleId: string;
  line: number;
  description: string;
  safe: boolean;
}

export interface FixOutcome {
  /** The text after every applicable fix (without a BOM; offsets match the findings). */
  text: string;
  applied: AppliedFix[];
  passes: number;
  /** The fixed text, validated and linted: what `lint` reports for it. */
  validated: ValidatedPolicy;
  findings: Finding[];
  ignored: IgnoredFinding[];
}

interface Candidate {
  finding: Finding;
  fix: Fix;
}

/** Fixes one policy text until no applicable fix is left or the pass limit is reached. */
export function fixPolicyText(path: string, name: string, text: string, opts: CheckOptions & { unsafe?: boolean }): FixOutcome {
  let current = text;
  const crlf = current.includes('\r\n');
  const applied: AppliedFix[] = [];
  let passes = 0;
  let validated = validatePolicyText(path, name, current);
  let checked = checkPolicy(validated, opts);
  while (passes < MAX_FIX_PASSES) {
    const candidates = nonOverlapping(
      checked.findings.filter((f) => f.fix && (f.fix.safe || opts.unsafe)).map((f) => ({ finding: f, fix: adapt(current, f.fix!, crlf) })),
    );
    if (!candidates.length) break;
    passes++;
    let next = applyAll(current, candidates);
    let kept = candidates;
    if (breaks(validated, next, path, name)) {
      // Together the edits break the YAML (two keys renamed alike): keep each edit that does not.
      kept = [];
      next = current;
      for (const c of candidates) {
        const attempt = applyAll(next, [c]);
        if (!breaks(validatePolicyText(path, name, next), attempt, path, name)) (next = attempt), kept.push(c);
      }
    }
    if (next === current) break;
    applied.push(...kept.map(({ finding: f, fix }) => ({ ruleId: f.ruleId, line: f.line, description: fix.description, safe: fix.safe })));
    current = next;
    validated = validatePolicyText(path, name, current);
    checked = checkPolicy(validated, opts);
  }
  return { text: current, applied, passes, validated, findings: checked.findings, ignored: checked.ignored };
}

/**
 * Makes a fix fit the file: line breaks as the file writes them, and a replaced YAML scalar that
 * stays a string (`name: 123` would be a number: it becomes `name: "123"`).
 */
function adapt(text: string, fix: Fix, crlf: boolean): Fix {
  let replacement = crlf ? fix.text.replace(/\r?\n/g, '\r\n') : fix.text;
  const [start, end] = fix.range;
  const replaced = text.slice(start, end);
  if (end > start && !replaced.includes('\n') && !/^["'#]/.test(replacement) && !replacement.includes('\n') && !isPlainString(replacement)) replacement = JSON.stringify(replacement);
  return { ...fix, text: replacement };
}

function isPlainString(s: string): boolean {
  try {
    return parse(s) === s;
  } catch {
    return false;
  }
}

/** Edits sorted by position; an edit overlapping one already chosen (or inserting at the same point) waits for the next pass. */
function nonOverlapping(candidates: Candidate[]): Candidate[] {
  const sorted = [...candidates].sort((a, b) => a.fix.range[0] - b.fix.range[0] || a.fix.range[1] - b.fix.range[1]);
  const chosen: Candidate[] = [];
  let lastEnd = -1;
  let lastStart = -1;
  for (const c of sorted) {
    const [start, end] = c.fix.range;
    const prev = chosen[chosen.length - 1];
    if (prev && prev.fix.range[0] === start && prev.fix.range[1] === end && prev.fix.text === c.fix.text) continue;
    if (start < lastEnd || start === lastStart) continue;
    chosen.push(c);
    lastEnd = end;
    lastStart = start;
  }
  return chosen;
}

/** Applies edits from the end of the text, so earlier offsets stay valid. */
function applyAll(text: string, candidates: readonly Candidate[]): string {
  let out = text;
  for (const { fix } of [...candidates].sort((a, b) => b.fix.range[0] - a.fix.range[0])) out = out.slice(0, fix.range[0]) + fix.text + out.slice(fix.range[1]);
  return out;
}

/**
 * An edit breaks the file when the result has a YAML error it did not have or, when the YAML
 * already parsed, more validity errors. (Repairing the YAML may reveal schema errors: that is progress.)
 */
function breaks(before: ValidatedPolicy, after: string, path: string, name: string): boolean {
  const next = validatePolicyText(path, name, after);
  const yaml = (v: ValidatedPolicy) => v.findings.filter((f) => f.ruleId.startsWith('yaml/'));
  const yamlBefore = new Set(yaml(before).map((f) => f.ruleId));
  if (yaml(next).some((f) => !yamlBefore.has(f.ruleId)) || yaml(next).length > yaml(before).length) return true;
  if (yamlBefore.size) return false;
  return next.findings.filter(isValidityError).length > before.findings.filter(isValidityError).length;
}

/** True when the file starts with a UTF-8 byte order mark (kept when the file is rewritten). */
function hasBom(path: string): boolean {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const b = Buffer.alloc(3);
    return readSync(fd, b, 0, 3, 0) === 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces a linted policy file with its fixed text: only a regular file (never a symlink, checked
 * again here), through a temporary file in the same folder renamed over it, so a failed write
 * leaves the original intact. Throws with the reason when the file cannot be written.
 */
export function writeFixedFile(path: string, text: string): void {
  const st = lstatSync(path);
  if (!st.isFile()) throw new Error(`${path} is not a regular file (a symbolic link?): not written`);
  const content = (hasBom(path) ? '\uFEFF' : '') + text;
  const temp = join(dirname(path), `.${basename(path)}.sts-policy-fix-${process.pid}`);
  try {
    writeFileSync(temp, content, { flag: 'wx', mode: st.mode & 0o777 });
    chmodSync(temp, st.mode & 0o777);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
