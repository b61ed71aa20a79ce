#!/usr/bin/env node
// Build: write the schema, precompile its validator (ajv standalone, CommonJS so no `require` leaks
// into ESM), store the automata of the claim shapes, then bundle the CLI with esbuild, minified
// (less to parse on every start). Heavy dependencies (ink, Octokit) stay in lazy chunks; the RE2
// engine and picomatch are required from node_modules on first use (src/lazy.ts).
import { chmodSync, copyFileSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, renameSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { buildSchema } from './schema-source.mjs';

const root = new URL('..', import.meta.url);
const at = (p) => new URL(p, root);

/** Writes a generated file only when its content changes (keeps mtimes, and vitest's watch, quiet). */
const writeGenerated = (file, text) => (!existsSync(file) || readFileSync(file, 'utf8') !== text) && writeFileSync(file, text);

const schemaText = JSON.stringify(buildSchema(), null, 2) + '\n';
const schemaFile = at('schemas/trust-policy.v1alpha1.json');
writeGenerated(schemaFile, schemaText);

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, code: { source: true, esm: false } });
const validate = ajv.compile(JSON.parse(schemaText));
mkdirSync(at('src/generated'), { recursive: true });
const validatorFile = at('src/generated/policy-validator.cjs');
writeGenerated(validatorFile, standaloneCode(ajv, validate));

/** Points commander's `require('node:child_process')` at a shim that loads it on first use. */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (/[\\/]commander[\\/]/.test(args.importer) ? { path: at('scripts/lazy-child-process.cjs').pathname } : undefined));
  },
};

/**
 * The CLI bundle loads the Ink UI from the ES module build (tui.mjs) instead of bundling it, through
 * the launcher: V8 drops a script's dynamic-import callback when it comes from a code cache, so
 * `import()` must run in bin.cjs, which passes `__stsImportUi` to the bundle.
 */
const uiFromEsmEntry = {
  name: 'ui-from-esm-entry',
  setup(b) {
    b.onResolve({ filter: /\/tui\/run\.js$/ }, () => ({ path: 'tui', namespace: 'sts-ui' }));
    b.onLoad({ filter: /.*/, namespace: 'sts-ui' }, () => ({ contents: 'export const runExploreUi = async (...args) => (await __stsImportUi()).runExploreUi(...args);', loader: 'js' }));
  },
};

// Build beside dist/ and swap it in, so a test run reading dist/ never sees a half-written bundle.
const staging = `dist.${process.pid}`;

// The claim shapes' automata (src/analysis/shapes.ts), computed by the analysis code itself. The
// module imports its own output, so a first build starts from an empty table.
// RE2's case orbits as re2js encodes them (its CASE_ORBIT table, not exported): the automata fold
// `(?i)` letters exactly as the engine does (ß/ẞ, ΐ/ΐ, ﬅ/ﬆ), not as JavaScript's casing does.
const re2jsSource = readFileSync(createRequire(import.meta.url).resolve('re2js'), 'utf8');
const orbit = /decodeOrbit\("([A-Za-z0-9+-]+)"\)/.exec(re2jsSource)?.[1];
if (!orbit) throw new Error('build: re2js no longer holds its case orbit table as `decodeOrbit("...")`: see src/analysis/automata/regex-program.ts foldOrbit');
writeGenerated(at('src/generated/re2-case-orbit.json'), JSON.stringify({ orbit }) + '\n');

const shapesFile = at('src/generated/shape-nfas.json');
if (!existsSync(shapesFile)) writeFileSync(shapesFile, '{}\n');
const shapesScript = at(`${staging}/precompute-shapes.mjs`);
await build({
  stdin: { contents: "import { precomputeShapes } from './src/analysis/shapes.ts'; export default precomputeShapes();", resolveDir: new URL('.', root).pathname, loader: 'ts' },
  outfile: shapesScript.pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
writeGenerated(shapesFile, JSON.stringify((await import(shapesScript.href)).default) + '\n');
rmSync(shapesScript);
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  absWorkingDir: new URL('.', root).pathname,
  define: { 'process.env.NODE_ENV': '"production"', __STS_POLICY_VERSION__: JSON.stringify(JSON.parse(readFileSync(at('package.json'), 'utf8')).version) },
  alias: { 'react-devtools-core': './scripts/empty-module.mjs' },
  logLevel: 'warning',
  legalComments: 'none',
  // STS_POLICY_MINIFY=0 keeps names and `// src/...` markers, for reading CPU profiles.
  minify: process.env.STS_POLICY_MINIFY !== '0',
};

// The library (index.mjs) and the Ink UI (tui.mjs: Ink and yoga use top-level await, so they stay
// ES modules), with shared chunks.
await build({
  ...common,
  entryNames: '[name]',
  entryPoints: { index: 'src/index.ts', tui: 'src/tui/run.tsx' },
  outdir: staging,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies inside an ESM bundle need a real `require`.
  banner: { js: "import { createRequire as __stsCreateRequire } from 'node:module'; const require = __stsCreateRequire(import.meta.url);" },
});

// The CLI: one CommonJS bundle, so the launcher (bin.cjs) can run it from a V8 code cache. The
// explore command imports the UI from tui.mjs.
const commonJs = {
  ...common,
  format: 'cjs',
  define: { ...common.define, 'import.meta.url': '__stsModuleUrl' },
  banner: { js: "const __stsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
};
await build({ ...commonJs, entryPoints: ['src/cli/main.ts'], outfile: `${staging}/cli-main.cjs`, plugins: [lazyChildProcessForCommander, uiFromEsmEntry] });
// Lint's worker threads, a CommonJS bundle beside the CLI (src/lint/concurrent.ts finds it there).
await build({ ...commonJs, entryPoints: ['src/lint/worker.ts'], outfile: `${staging}/lint-worker.cjs` });
copyFileSync(at('src/cli/bin.cjs'), at(`${staging}/cli.cjs`));
chmodSync(at(`${staging}/cli.cjs`), 0o755);

const old = `dist.old.${process.pid}`;
if (existsSync(at('dist'))) renameSync(at('dist'), at(old));
renameSync(at(staging), at('dist'));
rmSync(at(old), { recursive: true, force: true });

// Warm the code cache where it will be used (the cache keeps the bundle's path, which stack
// traces show): lint the bundled examples once (exit 1 would mean findings; they have none).
const warm = spawnSync(process.execPath, ['dist/cli.cjs', 'lint', '--no-ignores', 'fixtures/examples'], { cwd: new URL('.', root).pathname, env: { ...process.env, STS_POLICY_WRITE_CODE_CACHE: '1' }, encoding: 'utf8' });
if (![0, 1].includes(warm.status) || !existsSync(at('dist/cli-main.cjs.cache'))) {
  process.stderr.write(`build: the code-cache run failed (exit ${warm.status}); dist/ works without it, only slower:\n${warm.stderr}`);
  process.exit(1);
}
