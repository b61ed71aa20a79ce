// `lint` over many files on several cores: the main thread discovers the targets, worker threads
// (dist/lint-worker.cjs) lint batches of them, and the results are gathered in target order, so
// the report is the same as a sequential run's. Small runs, and runs where the worker bundle is
// absent (tests run from src/), stay on the main thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { lazyRequire } from './lazy.js';
import { discover, type Target } from './load/discover.js';
import { SourceText } from './load/text.js';
import { lintDiscovered, lintTarget, type LintResult, type TargetResult } from './lint.js';
import type { SettingsResolver } from './config.js';

export interface WorkerOptions {
  configPath?: string;
  ignores?: boolean;
}

type PlainTarget = Omit<TargetResult, 'file'> & { file?: { path: string; policyName: string; valid: boolean; text?: string } };
export interface WorkerBatchResult {
  id: number;
  results: PlainTarget[];
}

/**
 * Batches per worker. Neighbouring files share patterns (one organisation's repositories), and each
 * worker caches what it analyses, so batches are contiguous and large: four per worker balances
 * the cores without computing the same automata on every core.
 */
const BATCHES_PER_WORKER = 4;
/** Below this many files a worker's start-up (~50 ms) costs more than it saves. */
const MIN_FILES = 300;
const MAX_WORKERS = 8;
/**
 * A worker's young generation, in MiB. Linting allocates many short-lived objects (parse trees,
 * search states); V8's default young generation promotes part of them to the old one, and a larger
 * one measured 10-20% less CPU on the 10,000-file bench for ~60 MiB more memory per worker.
 */
const WORKER_YOUNG_GENERATION_MB = 64;

// Required on use, not at start-up: linting a few files never starts a thread. (A dynamic `import()`
// cannot run inside the CLI bundle, which bin.cjs runs from a code cache.)
const threads = lazyRequire<typeof import('node:worker_threads')>('node:worker_threads');
const os = lazyRequire<typeof import('node:os')>('node:os');

/** `auto`: one worker per core (at most 8), for runs big enough; a number: that many workers. */
export type Concurrency = number | 'auto' | 'off';

export async function lintPathsConcurrently(paths: readonly string[], options: WorkerOptions & { settings: SettingsResolver; concurrency: Concurrency }): Promise<LintResult> {
  const workerFile = fileURLToPath(new URL('./lint-worker.cjs', import.meta.url));
  const discovery = discover(paths);
  const { targets } = discovery;
  const policies = targets.filter((t) => t.kind === 'policy').length;
  const workers = options.concurrency === 'off' ? 1 : options.concurrency === 'auto' ? (policies >= MIN_FILES ? Math.min(os().availableParallelism(), MAX_WORKERS) : 1) : options.concurrency;
  // As from a worker: no parsed documents kept (10,000 of them weigh hundreds of MiB).
  if (workers <= 1 || !existsSync(workerFile))
    return lintDiscovered(discovery, (t) => {
      const r = lintTarget(t, options.settings, options);
      return r.file ? { ...r, file: { ...r.file, validated: undefined } } : r;
    });

  const { Worker } = threads();
  const size = Math.ceil(targets.length / (workers * BATCHES_PER_WORKER));
  const batches: Target[][] = [];
  for (let i = 0; i < targets.length; i += size) batches.push(targets.slice(i, i + size));
  const done: PlainTarget[][] = new Array(batches.length);
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let pending = batches.length;
    const pool: Worker[] = [];
    const stop = (e?: Error) => {
      for (const w of pool) void w.terminate();
      if (e) reject(e);
      else resolve();
    };
    const feed = (w: Worker) => {
      if (next < batches.length) w.postMessage({ id: next, targets: batches[next++] });
    };
    if (!pending) return stop();
    for (let i = 0; i < Math.min(workers, batches.length); i++) {
      const w = new Worker(workerFile, { workerData: { configPath: options.configPath, ignores: options.ignores } satisfies WorkerOptions, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
      pool.push(w);
      w.on('message', (m: WorkerBatchResult) => {
        done[m.id] = m.results;
        if (--pending === 0) stop();
        else feed(w);
      });
      w.on('error', (e) => stop(e));
      w.on('exit', (code) => code !== 0 && pending > 0 && stop(new Error(`a lint worker exited with code ${code}`)));
      feed(w);
    }
  });
  const results = done.flat();
  // Line tables only for the files a reporter will quote (another target may report on a file).
  const quoted = new Set(results.flatMap((r) => [...r.findings, ...r.ignored].map((f) => f.path)));
  let i = 0;
  return lintDiscovered(discovery, () => {
    const { file, ...rest } = results[i++]!;
    const source = file?.text !== undefined && quoted.has(file.path) ? new SourceText(file.text) : undefined;
    return { ...rest, file: file && { path: file.path, policyName: file.policyName, valid: file.valid, source } };
  });
}
