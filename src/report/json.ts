// The JSON contract (version 1) documented in the README; other commands reuse the finding shape.
// The text is made in pieces of at most SLICE findings: a large report (42 MB for a 20,000-rule
// policy) is written as it is made, never held, nor converted to bytes, as one string.
import type { Finding } from '../model.js';
import type { Summary } from './summary.js';

export interface JsonReport {
  version: 1;
  files: { path: string; policyName: string; valid: boolean }[];
  findings: Finding[];
  summary: Summary;
}

/** Elements of an array per piece (about 1 MB of findings). */
const SLICE = 1000;

export function formatJson(report: JsonReport): string {
  return [...jsonPieces(report)].join('');
}

/** The pieces of `JSON.stringify(report, null, 2) + '\n'`, in order: a long array SLICE elements at a time. */
export function* jsonPieces(report: JsonReport): Generator<string> {
  let sep = '{';
  for (const [key, value] of Object.entries(report)) {
    if (value === undefined) continue;
    const head = `${sep}\n  ${JSON.stringify(key)}: `;
    sep = ',';
    if (!Array.isArray(value) || !value.length) {
      // `[value]` puts the value at the depth of a top-level key's: `[\n  ` + value + `\n]`.
      yield head + JSON.stringify([value], null, 2).slice(4, -2);
      continue;
    }
    yield `${head}[`;
    // `[slice]` puts the slice's elements at the depth of a top-level array's: `[\n  [` + elements + `\n  ]\n]`.
    for (let i = 0; i < value.length; i += SLICE) yield (i ? ',' : '') + JSON.stringify([value.slice(i, i + SLICE)], null, 2).slice(5, -6);
    yield '\n  ]';
  }
  yield sep === '{' ? '{}\n' : '\n}\n';
}
