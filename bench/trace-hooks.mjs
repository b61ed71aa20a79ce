// Module-load tracing for bench/modules.mjs: a customization hook (run in Node's loader thread)
// that appends every URL the ESM loader loads to the file named by BENCH_TRACE_FILE.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  if (process.env.BENCH_TRACE_FILE) appendFileSync(process.env.BENCH_TRACE_FILE, `${url}\n`);
  return nextLoad(url, context);
}
