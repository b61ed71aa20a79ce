// Reading bytes from untrusted repositories (policies, policy tests, claims files): a regular file
// (never a followed symlink, a device or a FIFO), inside the repository when one is named,
// bounded in size, strict UTF-8 with one BOM dropped.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, relative, isAbsolute } from 'node:path';
import { SourceText } from './text.js';

export const MAX_POLICY_BYTES = 1024 * 1024;
/** Policy tests and the claims files they name: far smaller than this in practice. */
export const MAX_INPUT_BYTES = 1024 * 1024;

export type ReadResult =
  | { ok: true; text: string }
  | { ok: false; ruleId: 'file/symlink' | 'file/directory' | 'file/too-large' | 'file/not-utf8' | 'file/unreadable'; message: string; position?: { line: number; column: number } };

let scratch: Buffer | undefined;

/** Reads a policy file without following a symlink at its path, as the server never does. */
/** lstat, not stat: whether anything is at `path` (a dangling symlink too); an unreadable place counts as nothing. */
export function entryAt(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export function readPolicyFile(path: string): ReadResult {
  return readBounded(path, MAX_POLICY_BYTES, POLICY_WORDS);
}

/**
 * Reads another input file (a policy test, a claims file) as a policy is read; with `repo`, only
 * a file inside that repository (its folder resolved, so `..` and linked folders cannot leave it).
 */
export function readInputFile(path: string, repo?: string): ReadResult {
  if (repo !== undefined && !isInside(repo, path))
    return { ok: false, ruleId: 'file/unreadable', message: `${path} is outside the repository ${repo}: sts-policy reads only files inside it` };
  return readBounded(path, MAX_INPUT_BYTES, INPUT_WORDS);
}

function isInside(repo: string, path: string): boolean {
  try {
    const rel = relative(realpathSync(repo), realpathSync(dirname(path)));
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  } catch {
    return false;
  }
}

/** How refusals name the file: a policy's say what STS predicts. */
interface Words {
  subject: string;
  link: string;
  directory: string;
}
const POLICY_WORDS: Words = {
  subject: 'the policy path',
  link: 'the policy path is a symbolic link: sts-policy never follows it and sts-policy predicts `trust_policy_invalid` (its assumption: the server never follows it); commit the policy as a regular file',
  directory: 'the policy path is a directory, not a file: sts-policy predicts `trust_policy_invalid` (its assumption: the server never follows it); a policy is a single YAML file',
};
const INPUT_WORDS: Words = { subject: 'the path', link: 'the path is a symbolic link: sts-policy never follows it; commit the file itself', directory: 'the path is a directory, not a file' };

function readBounded(path: string, max: number, words: Words): ReadResult {
  let fd: number;
  try {
    // O_NOFOLLOW refuses a symbolic link at the path; O_NONBLOCK keeps a FIFO from blocking the
    // open. Opening first (then fstat) saves an lstat per file, a path walk each on big trees.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return refusal(path, e, words);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { ok: false, ruleId: 'file/directory', message: words.directory };
    if (!stat.isFile()) return { ok: false, ruleId: 'file/unreadable', message: `${words.subject} is not a regular file` };
    if (stat.size > max) return { ok: false, ruleId: 'file/too-large', message: `the file is ${stat.size} bytes; ${words === POLICY_WORDS ? 'policies' : 'files'} over ${max} bytes are refused` };
    // One scratch buffer for every read: allocating (and zeroing) 1 MiB per file dominated linting
    // large trees. Nothing keeps the bytes: decoding copies them into a string.
    const buf = (scratch ??= Buffer.allocUnsafe(Math.max(MAX_POLICY_BYTES, MAX_INPUT_BYTES) + 1)).subarray(0, max + 1);
    const n = fill(fd, buf);
    if (n > max) return { ok: false, ruleId: 'file/too-large', message: `the file is over ${max} bytes; larger files are refused` };
    return decodePolicyBytes(buf.subarray(0, n));
  } catch (e) {
    return unreadable(e);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads what the user names on the command line (stdin as fd 0, `--claims FILE`) whole, but never
 * more than `max` + 1 bytes: a longer result means "too large", and /dev/zero or an endless pipe
 * ends instead of filling memory. The path is the user's own, so a link or a pipe is read as given.
 */
export function readCapped(source: string | number, max: number): Buffer {
  const fd = typeof source === 'number' ? source : openSync(source, 'r');
  try {
    const buf = Buffer.allocUnsafe(max + 1);
    return buf.subarray(0, fill(fd, buf));
  } finally {
    if (typeof source !== 'number') closeSync(fd);
  }
}

/** Reads into `buf` until it is full or the input ends; the byte count. */
function fill(fd: number, buf: Buffer): number {
  let n = 0;
  while (n < buf.length) {
    let got: number;
    try {
      got = readSync(fd, buf, n, buf.length - n, null);
    } catch (e) {
      // A non-blocking stdin with nothing yet: wait a little rather than spin.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      continue;
    }
    if (got === 0) break;
    n += got;
  }
  return n;
}

/** A policy's bytes read whole (a file, stdin): refused over the size bound, else decoded. */
export function policyFromBytes(bytes: Uint8Array): ReadResult {
  if (bytes.length > MAX_POLICY_BYTES) return { ok: false, ruleId: 'file/too-large', message: `the file is over ${MAX_POLICY_BYTES} bytes; larger policies are refused` };
  return decodePolicyBytes(bytes);
}

const unreadable = (e: unknown): ReadResult => ({ ok: false, ruleId: 'file/unreadable', message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });

/** Why the open failed, from an lstat of the path: a symbolic link, a directory (opened read-only it would not fail), or the error itself. */
function refusal(path: string, e: unknown, words: Words): ReadResult {
  let stat;
  try {
    stat = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return unreadable(e);
  }
  if (stat?.isSymbolicLink()) return { ok: false, ruleId: 'file/symlink', message: words.link };
  if (stat?.isDirectory()) return { ok: false, ruleId: 'file/directory', message: words.directory };
  return unreadable(e);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Strict UTF-8 (a BOM is allowed and dropped); the offset of the first bad byte is reported. */
export function decodePolicyBytes(bytes: Uint8Array): ReadResult {
  try {
    const text = strictUtf8.decode(bytes);
    return { ok: true, text };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad)).replace(/^\uFEFF/, '');
    return {
      ok: false,
      ruleId: 'file/not-utf8',
      message: `byte 0x${bytes[bad]?.toString(16).padStart(2, '0')} at byte offset ${bad} is not valid UTF-8: save the file as UTF-8`,
      position: new SourceText(before).position(before.length),
    };
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    // Overlongs, surrogates and > U+10FFFF are rejected by the decoder too.
    const d1 = b[i + 1] ?? 0;
    if ((c === 0xe0 && d1 < 0xa0) || (c === 0xed && d1 > 0x9f) || (c === 0xf0 && d1 < 0x90) || (c === 0xf4 && d1 > 0x8f)) return i;
    i += need + 1;
  }
  return b.length;
}
