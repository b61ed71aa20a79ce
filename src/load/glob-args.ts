// Quoted glob arguments (`lint 'clones/*/.atmos/pro/sts/*.yaml'`), expanded as a shell would, for
// shells and CI steps that pass them unexpanded: picomatch syntax, walked from the pattern's
// literal leading folders, never through a symlink, `*` not matching a dot folder the pattern does
// not name. A path that exists is taken as written, whatever its characters.
import { readdirSync } from 'node:fs';
import { entryAt } from './read.js';
import { join } from 'node:path';
import { lazyRequire } from '../lazy.js';

const picomatch = lazyRequire<typeof import('picomatch')>('picomatch');
const GLOB_CHARS = /[*?[\]{}]/;
/** As deep as discovery walks: `**` never walks further. */
const MAX_DEPTH = 16;

export function expandGlobArgs(paths: readonly string[]): { paths: string[]; errors: string[] } {
  const out: string[] = [];
  const errors: string[] = [];
  for (const p of paths) {
    if (!GLOB_CHARS.test(p) || entryAt(p)) {
      out.push(p);
      continue;
    }
    const parts = p.split('/');
    const literal = parts.findIndex((s) => GLOB_CHARS.test(s));
    const base = parts.slice(0, literal).join('/') || (p.startsWith('/') ? '/' : '.');
    const depth = parts.slice(literal).includes('**') ? MAX_DEPTH : parts.length - literal;
    const isMatch = picomatch()(p.replace(/^\.\//, ''));
    const found: string[] = [];
    walk(base === '.' ? '' : base, depth, (rel) => isMatch(rel) && found.push(rel));
    if (found.length) out.push(...found.sort());
    else errors.push(`${p}: no file or folder matches this pattern`);
  }
  return { paths: out, errors };
}

function walk(dir: string, depth: number, visit: (path: string) => void): void {
  if (depth <= 0) return;
  let entries;
  try {
    entries = readdirSync(dir || '.', { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = dir ? join(dir, e.name) : e.name;
    visit(path);
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git') walk(path, depth - 1, visit);
  }
}
