// `lint` over many files on several cores: the main thread looks at the top of the named folders,
// then, job by job, walks the folders left, reads their policy files and resolves their settings,
// while worker threads (dist/lint-worker.cjs) validate and lint what it sends. Results are gathered
// in discovery's order, so the report is the same as a sequential run's. Small runs, and runs where
// the worker bundle is absent (tests run from src/), stay on the main thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { lazyRequire } from './lazy.js';
import { orderTargets, planDiscovery, walkUnit, type Target, type WalkUnit } from './load/discover.js';
import { SourceText } from './load/text.js';
import { lintDiscovered, lintTarget, preparePolicy, type LintResult, type PreparedPolicy, type TargetResult } from './lint.js';
import type { SettingsResolver } from './config.js';

export interface WorkerOptions {
  /** Send each file's text back (false when the report quotes no line: JSON, GitHub). */
  texts?: boolean;
}

type PlainTarget = Omit<TargetResult, 'file'> & { file?: { path: string; policyName: string; valid: boolean; text?: string } };
/** A worker's job: targets to lint, each policy target prepared (null for a near miss). */
export interface WorkerJob {
  id: number;
  targets: Target[];
  prepared: (PreparedPolicy | null)[];
}
export interface WorkerJobResult {
  id: number;
  results: { target: Target; result: PlainTarget }[];
}

/**
 * Jobs per worker. Neighbouring folders share patterns (one organisation's repositories), and each
 * worker caches what it analyses, so jobs are contiguous; the bigger folders come first, so many
 * small jobs at the end balance the cores.
 */
const JOBS_PER_WORKER = 48;
/** Below this many files a worker's start-up (~50 ms) costs more than it saves. */
const MIN_FILES = 300;
/**
 * The main thread visits folders until this many wait (a big tree: walked job by job) or it has
 * visited enough; a tree it exhausts first is small, and its targets are all known.
 */
const PLANNING = { visits: 64, units: MIN_FILES };
const MAX_WORKERS = 8;
/**
 * A worker's young generation, in MiB. Linting allocates many short-lived objects (parse trees,
 * search states); V8's default young generation promotes part of them to the old one, and a larger
 * one measured 10-20% less CPU on the 10,000-file bench for ~60 MiB more memory per worker.
 */
const WORKER_YOUNG_GENERATION_MB = 64;
/**
 * TurboFan settings for a run big enough for workers (V8's flags are process-wide; these only steer
 * what the optimising compiler inlines). On the 10,000-file bench TurboFan's background compiling
 * was the largest cost after linting itself, about half of it recompiling after deoptimisations:
 * an inlined `Array.prototype.map` returns holey arrays where the builtin returns packed ones, so
 * every consumer optimised for one kind deoptimised on the other ("wrong map"), and each rule's
 * `check` inlined most of the analysis. Without the inlined array builtins and with a smaller
 * inlining budget, the run measured ~20% less CPU and ~15% less wall time.
 */
const V8_FLAGS = '--no-turbo-inline-array-builtins --max-inlined-bytecode-size-cumulative=100';

// Required on use, not at start-up: linting a few files never starts a thread. (A dynamic `import()`
// cannot run inside the CLI bundle, which bin.cjs runs from a code cache.)
const threads = lazyRequire<typeof import('node:worker_threads')>('node:worker_threads');
const os = lazyRequire<typeof import('node:os')>('node:os');
const v8 = lazyRequire<typeof import('node:v8')>('node:v8');

/** `auto`: workers for runs big enough (see autoWorkers); a number: that many workers; `off`: the main thread. */
export type Concurrency = number | 'auto' | 'off';

/**
 * One worker per core but one (at most 8), and at least one. V8's background threads (compiling,
 * collecting garbage) keep most of a core busy beside the linting thread, so on two cores a second
 * worker measured no faster and used a third more CPU. One worker measured as fast as the main
 * thread or a little faster: it gets a larger young generation (WORKER_YOUNG_GENERATION_MB), which
 * the running main thread cannot be given.
 */
function autoWorkers(): number {
  return Math.max(1, Math.min(os().availableParallelism() - 1, MAX_WORKERS));
}

export async function lintPathsConcurrently(paths: readonly string[], options: WorkerOptions & { settings: SettingsResolver; ignores?: boolean; concurrency: Concurrency }): Promise<LintResult> {
  const workerFile = fileURLToPath(new URL('./lint-worker.cjs', import.meta.url));
  const plan = planDiscovery(paths, options.concurrency === 'off' ? { visits: 0, units: 0 } : PLANNING);
  // Folders left after the planning visits mean a big tree; otherwise every target is known.
  const big = plan.units.length > 0 || plan.targets.filter((t) => t.kind === 'policy').length >= MIN_FILES;
  const workers = options.concurrency === 'off' ? 0 : options.concurrency === 'auto' ? (big ? autoWorkers() : 0) : options.concurrency;
  if (workers < 1 || !existsSync(workerFile)) {
    const targets = orderTargets([...plan.targets, ...plan.units.flatMap(walkUnit)]);
    // As from a worker: no parsed documents kept (10,000 of them weigh hundreds of MiB).
    return lintDiscovered({ targets, errors: plan.errors }, (t) => {
      const r = lintTarget(t, (p) => preparePolicy(p, options.settings, options));
      return r.file ? { ...r, file: { ...r.file, validated: undefined } } : r;
    });
  }

  const { Worker } = threads();
  v8().setFlagsFromString(V8_FLAGS);
  const pool: Worker[] = [];
  for (let i = 0; i < workers; i++) pool.push(new Worker(workerFile, { workerData: { texts: options.texts } satisfies WorkerOptions, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } }));
  // Planned jobs: targets found, and folders to walk. The main thread walks a job's folders, reads
  // its files and resolves their settings when it sends the job (it runs beside the workers).
  type Plan = { targets: Target[]; units: WalkUnit[] };
  const jobs: Plan[] = [];
  const chunk = <T>(xs: T[], each: (part: T[]) => Plan) => {
    const size = Math.max(1, Math.ceil(xs.length / (workers * JOBS_PER_WORKER)));
    for (let i = 0; i < xs.length; i += size) jobs.push(each(xs.slice(i, i + size)));
  };
  chunk(plan.targets, (targets) => ({ targets, units: [] }));
  chunk(plan.units, (units) => ({ targets: [], units }));
  const done: WorkerJobResult['results'][] = new Array(jobs.length);
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let pending = jobs.length;
    const stop = (e?: Error) => {
      for (const w of pool) void w.terminate();
      if (e) reject(e);
      else resolve();
    };
    const feed = (w: Worker) => {
      if (next >= jobs.length) return;
      const id = next++;
      const targets = [...jobs[id]!.targets, ...jobs[id]!.units.flatMap(walkUnit)];
      w.postMessage({ id, targets, prepared: targets.map((t) => (t.kind === 'policy' ? preparePolicy(t, options.settings, options) : null)) } satisfies WorkerJob);
    };
    if (!pending) return stop();
    for (const w of pool) {
      w.on('message', (m: WorkerJobResult) => {
        done[m.id] = m.results;
        if (--pending === 0) stop();
        else feed(w);
      });
      w.on('error', (e) => stop(e));
      w.on('exit', (code) => code !== 0 && pending > 0 && stop(new Error(`a lint worker exited with code ${code}`)));
      // Two jobs in flight: a worker starts its next job while the main thread takes in the last one's results.
      feed(w);
      feed(w);
    }
  });
  // A target named twice (overlapping paths) is linted twice alike: the first result stands.
  const results = done.flat();
  const byTarget = new Map<string, PlainTarget>();
  const key = (t: Target) => `${t.kind}:${t.path}`;
  for (const { target, result } of results) if (!byTarget.has(key(target))) byTarget.set(key(target), result);
  const targets = orderTargets(results.map((r) => r.target));
  // Line tables only for the files a reporter will quote (another target may report on a file).
  const quoted = new Set([...byTarget.values()].flatMap((r) => [...r.findings, ...r.ignored].map((f) => f.path)));
  return lintDiscovered({ targets, errors: plan.errors }, (t) => {
    const { file, ...rest } = byTarget.get(key(t))!;
    const source = file?.text !== undefined && quoted.has(file.path) ? new SourceText(file.text) : undefined;
    return { ...rest, file: file && { path: file.path, policyName: file.policyName, valid: file.valid, source } };
  });
}
