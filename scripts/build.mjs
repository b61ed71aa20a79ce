#!/usr/bin/env node
// Build: write the schema, precompile its validator (ajv standalone, CommonJS so no `require` leaks
// into ESM), then bundle the CLI with esbuild. Heavy engines (refa, ink) stay in lazy chunks.
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, renameSync } from 'node:fs';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';
import { buildSchema } from './schema-source.mjs';

const root = new URL('..', import.meta.url);
const at = (p) => new URL(p, root);

const schemaText = JSON.stringify(buildSchema(), null, 2) + '\n';
const schemaFile = at('schemas/trust-policy.v1alpha1.json');
if (!existsSync(schemaFile) || readFileSync(schemaFile, 'utf8') !== schemaText) writeFileSync(schemaFile, schemaText);

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, code: { source: true, esm: false } });
const validate = ajv.compile(JSON.parse(schemaText));
mkdirSync(at('src/generated'), { recursive: true });
const validatorFile = at('src/generated/policy-validator.cjs');
const validatorCode = standaloneCode(ajv, validate);
if (!existsSync(validatorFile) || readFileSync(validatorFile, 'utf8') !== validatorCode) writeFileSync(validatorFile, validatorCode);

// Build beside dist/ and swap it in, so a test run reading dist/ never sees a half-written bundle.
const staging = `dist.${process.pid}`;
await build({
  entryNames: '[name]',
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: staging,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  absWorkingDir: new URL('.', root).pathname,
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies inside an ESM bundle need a real `require`.
  banner: { js: "import { createRequire as __stsCreateRequire } from 'node:module'; const require = __stsCreateRequire(import.meta.url);" },
  define: { 'process.env.NODE_ENV': '"production"', __STS_POLICY_VERSION__: JSON.stringify(JSON.parse(readFileSync(at('package.json'), 'utf8')).version) },
  alias: { 'react-devtools-core': './scripts/empty-module.mjs' },
  logLevel: 'warning',
  legalComments: 'none',
});

const old = `dist.old.${process.pid}`;
if (existsSync(at('dist'))) renameSync(at('dist'), at(old));
renameSync(at(staging), at('dist'));
rmSync(at(old), { recursive: true, force: true });
