// Which files of the bundle (dist/) and which Node built-ins a command loads: ESM loads through a
// load hook (bench/trace-hooks.mjs), CommonJS `require`s of built-ins through NODE_DEBUG=module.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { CLI, ROOT, expectStatus, timeRun } from './lib.mjs';

function bundleFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? bundleFiles(join(dir, e.name)) : e.name.endsWith('.mjs') ? [join(dir, e.name)] : []));
}

/** Runs `lint <file>` (or other CLI args) once, traced; returns what it loaded. */
export function chunkReport(file, args = ['lint', file]) {
  const tmp = mkdtempSync(join(tmpdir(), 'sts-bench-trace-'));
  const trace = join(tmp, 'loads.txt');
  try {
    const register = pathToFileURL(join(ROOT, 'bench', 'trace-register.mjs')).href;
    const r = expectStatus(
      timeRun(process.execPath, ['--import', register, CLI, ...args], { env: { ...process.env, BENCH_TRACE_FILE: trace, NODE_DEBUG: 'module' } }),
      [0],
      `traced ${args.join(' ')}`,
    );
    const urls = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    const dist = join(ROOT, 'dist');
    const all = bundleFiles(dist);
    const loadedSet = new Set(urls.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u)).filter((p) => p.startsWith(dist + '/')));
    const size = (p) => statSync(p).size;
    const loaded = [...loadedSet].sort().map((p) => ({ file: relative(ROOT, p), bytes: size(p) }));
    const notLoaded = all.filter((p) => !loadedSet.has(p)).sort().map((p) => ({ file: relative(ROOT, p), bytes: size(p) }));
    const esmBuiltins = urls.filter((u) => u.startsWith('node:')).map((u) => u.slice(5));
    const cjsBuiltins = [...r.stderr.matchAll(/load built-in module (?:node:)?(\S+)/g)].map((m) => m[1]);
    const builtins = [...new Set([...esmBuiltins, ...cjsBuiltins])].filter((b) => b !== 'module').sort();
    return { command: `sts-policy ${args.join(' ')}`, loaded, loadedBytes: loaded.reduce((n, f) => n + f.bytes, 0), notLoaded, builtins };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
