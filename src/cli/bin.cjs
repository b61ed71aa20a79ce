#!/usr/bin/env node
// The `sts-policy` executable. It runs the CLI bundle (cli-main.cjs) from the V8 code cache the
// build stored beside it: most of a cold start is compiling JavaScript, and Node 20 has no module
// compile cache of its own. A cache made by another Node or V8 is rejected by V8 and the bundle is
// compiled as usual, only slower.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const Module = require('node:module');
const { Script } = require('node:vm');

const file = join(__dirname, 'cli-main.cjs');
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // No cache (a build that skipped it): compile from source.
}
// A CommonJS module wrapper, plus how the bundle loads the Ink UI (an ES module): V8 loses a
// script's dynamic-import callback when the script comes from a code cache, so `import()` runs here.
const script = new Script(`(function (exports, require, module, __filename, __dirname, __stsImportUi) {${readFileSync(file, 'utf8')}\n})`, { filename: file, cachedData });
if (process.env.STS_POLICY_DEBUG && (!cachedData || script.cachedDataRejected)) process.stderr.write(`sts-policy: debug: no usable code cache at ${cacheFile} (${cachedData ? 'rejected by this Node' : 'missing'}); compiled from source\n`);
// The build runs one lint with this set, so the cache holds every function that lint compiles.
if (process.env.STS_POLICY_WRITE_CODE_CACHE === '1') process.once('beforeExit', () => writeFileSync(cacheFile, script.createCachedData()));
const module_ = { exports: {} };
script.runInThisContext().call(module_.exports, module_.exports, Module.createRequire(file), module_, file, __dirname, () => import('./tui.mjs'));
