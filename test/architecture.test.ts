// The shape of src/: the library never imports the CLI, renderers live in src/report/ below it, the
// root holds only the public face and the kernel, command modules stay thin (parse options, call the
// library, render, exit code) and no source file grows past 450 lines. Files still over a bound sit
// in an explicit allow-list that may only shrink: an entry that no longer offends fails until removed.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const SRC = join(ROOT, 'src');
const MAX_ROOT_FILES = 6;
const MAX_LINES = 450;
/** Source files over the line bound, to be split once the branches editing them have merged. */
const LONG_FILE_OFFENDERS: string[] = [];
/** A command module past this holds library code (rendering, decisions) that belongs below the CLI. */
const MAX_CLI_LINES = 130;
/** main.ts is the dispatcher: every command's options and help text, nothing else. */
const MAX_MAIN_LINES = 280;
/** Command modules over the bound, to be thinned (none left). */
const LONG_CLI_OFFENDERS: string[] = [];

const SOURCE = /\.(ts|tsx|cjs|mjs)$/;
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : SOURCE.test(e.name) ? [join(dir, e.name)] : []));
/** Every relative module a file imports: static, side-effect, re-export, dynamic and `require`. */
const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1]!));
const rel = (p: string) => relative(SRC, p).split('\\').join('/');
const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').length - 1;

describe('src/ architecture', () => {
  const files = sourceFiles(SRC);

  it('the import scan sees the CLI importing the library (the scan itself works)', () => {
    const main = importsOf(join(SRC, 'cli/main.ts')).map(rel);
    expect(main).toContain('version.js');
  });

  it('no file outside src/cli/ imports from src/cli/', () => {
    const upward = files
      .filter((f) => !rel(f).startsWith('cli/'))
      .flatMap((f) => importsOf(f).filter((target) => rel(target).startsWith('cli/')).map((target) => `${rel(f)} -> ${rel(target)}`));
    expect(upward).toEqual([]);
  });

  it(`src/ root holds at most ${MAX_ROOT_FILES} files: the public face and the kernel`, () => {
    const root = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    expect(root.length, root.join(', ')).toBeLessThanOrEqual(MAX_ROOT_FILES);
  });

  it(`no source file is over ${MAX_LINES} lines besides the listed offenders`, () => {
    const long = files.filter((f) => lineCount(f) > MAX_LINES).map(rel).sort();
    expect(long).toEqual([...LONG_FILE_OFFENDERS].sort());
  });

  it('nothing under src/report/ imports from src/cli/: renderers are library code', () => {
    const reportFiles = files.filter((f) => rel(f).startsWith('report/'));
    expect(reportFiles.length).toBeGreaterThan(10);
    const upward = reportFiles.flatMap((f) => importsOf(f).filter((target) => rel(target).startsWith('cli/')).map((target) => `${rel(f)} -> ${rel(target)}`));
    expect(upward).toEqual([]);
  });

  it(`every src/cli/ module is at most ${MAX_CLI_LINES} lines besides the listed offenders, and main.ts at most ${MAX_MAIN_LINES}`, () => {
    const cli = files.filter((f) => rel(f).startsWith('cli/') && rel(f) !== 'cli/main.ts');
    expect(cli.map(rel)).toContain('cli/pr-check.ts');
    const long = cli.filter((f) => lineCount(f) > MAX_CLI_LINES).map((f) => `${rel(f)} (${lineCount(f)})`);
    expect(long.map((l) => l.split(' ')[0]).sort(), long.join(', ')).toEqual([...LONG_CLI_OFFENDERS].sort());
    expect(lineCount(join(SRC, 'cli/main.ts'))).toBeLessThanOrEqual(MAX_MAIN_LINES);
  });
});
