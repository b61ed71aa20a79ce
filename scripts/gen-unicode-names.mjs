#!/usr/bin/env node
// Regenerates src/data/re2-unicode-names.json: the `\p{...}` names the RE2 engine (re2js, Go's
// tables before 1.25) accepts, used to name the portable form of a Go 1.25-only class name.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { RE2JS } from 're2js';

const src = readFileSync(createRequire(import.meta.url).resolve('re2js').replace(/index\.cjs$/, 'index.js'), 'utf8');
const keysOf = (table) => {
  const body = src.slice(src.indexOf(`static ${table} = new LazyMap({`)).split('\n\t});')[0];
  return [...body.matchAll(/^\t\t(\w+): /gm)].map((m) => m[1]);
};
const names = [...new Set([...keysOf('CATEGORIES'), ...keysOf('SCRIPTS'), 'Any'])].filter((n) => {
  try {
    RE2JS.compile(`\\p{${n}}`);
    return true;
  } catch {
    return false;
  }
});
writeFileSync(new URL('../src/data/re2-unicode-names.json', import.meta.url), JSON.stringify(names.sort()) + '\n');
console.log(`wrote ${names.length} names`);
