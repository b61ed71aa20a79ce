// Reading policy bytes from untrusted repositories: no symlinks, bounded size, strict UTF-8.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { SourceText } from './text.js';

export const MAX_POLICY_BYTES = 1024 * 1024;

export type ReadResult =
  | { ok: true; text: string }
  | { ok: false; ruleId: 'file/symlink' | 'file/directory' | 'file/too-large' | 'file/not-utf8' | 'file/unreadable'; message: string; position?: { line: number; column: number } };

let scratch: Buffer | undefined;

/** Reads a policy file without following a symlink at its path, as the server never does. */
export function readPolicyFile(path: string): ReadResult {
  let fd: number;
  try {
    // O_NOFOLLOW refuses a symbolic link at the path; O_NONBLOCK keeps a FIFO from blocking the
    // open. Opening first (then fstat) saves an lstat per file, a path walk each on big trees.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return refusal(path, e);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return DIRECTORY;
    if (!stat.isFile()) return { ok: false, ruleId: 'file/unreadable', message: 'the policy path is not a regular file' };
    if (stat.size > MAX_POLICY_BYTES) return { ok: false, ruleId: 'file/too-large', message: `the file is ${stat.size} bytes; policies over ${MAX_POLICY_BYTES} bytes are refused` };
    // One scratch buffer for every read: allocating (and zeroing) 1 MiB per file dominated linting
    // large trees. Nothing keeps the bytes: decoding copies them into a string.
    const buf = (scratch ??= Buffer.allocUnsafe(MAX_POLICY_BYTES + 1));
    let n = 0;
    for (let got; n < buf.length && (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got;
    return policyFromBytes(buf.subarray(0, n));
  } catch (e) {
    return unreadable(e);
  } finally {
    closeSync(fd);
  }
}

/** A policy's bytes read whole (a file, stdin): refused over the size bound, else decoded. */
export function policyFromBytes(bytes: Uint8Array): ReadResult {
  if (bytes.length > MAX_POLICY_BYTES) return { ok: false, ruleId: 'file/too-large', message: `the file is over ${MAX_POLICY_BYTES} bytes; larger policies are refused` };
  return decodePolicyBytes(bytes);
}

const DIRECTORY: ReadResult = { ok: false, ruleId: 'file/directory', message: 'the policy path is a directory, not a file: sts-policy predicts `trust_policy_invalid` (its assumption: the server never follows it); a policy is a single YAML file' };
const unreadable = (e: unknown): ReadResult => ({ ok: false, ruleId: 'file/unreadable', message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });

/** Why the open failed, from an lstat of the path: a symbolic link, a directory (opened read-only it would not fail), or the error itself. */
function refusal(path: string, e: unknown): ReadResult {
  let stat;
  try {
    stat = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return unreadable(e);
  }
  if (stat?.isSymbolicLink())
    return { ok: false, ruleId: 'file/symlink', message: 'the policy path is a symbolic link: sts-policy never follows it and sts-policy predicts `trust_policy_invalid` (its assumption: the server never follows it); commit the policy as a regular file' };
  if (stat?.isDirectory()) return DIRECTORY;
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
