// The SARIF 2.1.0 JSON schema (test/schemas/, vendored from @microsoft/sarif-multitool) compiled
// once, strict, with formats: the validator every SARIF test checks its logs with.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT } from './cli.js';

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS (`module.exports = formatsPlugin`); its typings only describe `.default`.
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
export const validateSarif = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'test/schemas/sarif-schema-2.1.0.json'), 'utf8')));
