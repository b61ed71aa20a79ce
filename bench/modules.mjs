// What a cold `lint` loads: the CLI bundle (CommonJS, run from the V8 code cache the build stored),
// whether this Node accepts that cache, the ES modules of the bundle it imports (through a load
// hook, bench/trace-hooks.mjs: none for lint) and the Node built-ins it requires (NODE_DEBUG=module).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { CLI, ROOT, expectStatus, timeRun } from './lib.mjs';

const BUNDLE = join(ROOT, 'dist', 'cli-main.cjs');

function esmFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? esmFiles(join(dir, e.name)) : e.name.endsWith('.mjs') ? [join(dir, e.name)] : []));
}

/** Does this Node accept the stored code cache? bin.cjs says so in debug mode. */
export function codeCacheAccepted() {
  const r = expectStatus(timeRun(process.execPath, [CLI, '--version'], { env: { ...process.env, STS_POLICY_DEBUG: '1' } }), [0], 'sts-policy --version');
  return !/no usable code cache/.test(r.stderr);
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
    const urls = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter(Boolean) : [];
    const dist = join(ROOT, 'dist');
    const esmLoaded = [...new Set(urls.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u)).filter((p) => p.startsWith(dist + '/')))];
    const size = (p) => statSync(p).size;
    const loaded = [...new Set([CLI, BUNDLE, ...esmLoaded])].sort().map((p) => ({ file: relative(ROOT, p), bytes: size(p) }));
    const notLoaded = esmFiles(dist).filter((p) => !esmLoaded.includes(p)).sort().map((p) => ({ file: relative(ROOT, p), bytes: size(p) }));
    const esmBuiltins = urls.filter((u) => u.startsWith('node:')).map((u) => u.slice(5));
    const cjsBuiltins = [...r.stderr.matchAll(/load built-in module (?:node:)?(\S+)/g)].map((m) => m[1]);
    const builtins = [...new Set([...esmBuiltins, ...cjsBuiltins])].filter((b) => b !== 'module').sort();
    // Packages required from node_modules at run time (src/lazy.ts), e.g. the RE2 engine for a regex.
    const required = [...new Set([...r.stderr.matchAll(/load "([^"]*node_modules[^"]*)"/g)].map((m) => relative(ROOT, m[1])))];
    return { command: `sts-policy ${args.join(' ')}`, loaded, loadedBytes: loaded.reduce((n, f) => n + f.bytes, 0), notLoaded, builtins, required, codeCacheBytes: existsSync(`${BUNDLE}.cache`) ? size(`${BUNDLE}.cache`) : 0, codeCacheAccepted: codeCacheAccepted() };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
