// `lint` over many files on several cores, as a pipeline: the main thread walks the named folders
// and, batch by batch, reads the policy files, resolves their settings and (while the workers are
// busy) validates them; worker threads (dist/lint-worker.cjs) run the lint rules, and validate what
// came as read. Split by stage, no thread compiles the other's code, and the two halves of the work
// measured about equal on the 10,000-file bench. Results are gathered in discovery's order, so the
// report is the same as a sequential run's. Small runs, and runs where the worker bundle is absent
// (tests run from src/), stay on the main thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { lazyRequire } from '../lazy.js';
import { inDiscoveryOrder, orderTargets, planDiscovery, walkUnit, type Target } from '../load/discover.js';
import { SourceText } from '../load/text.js';
import { lintedPolicy, validatePolicyText, type ValidatedPolicy } from '../validate/policy.js';
import { trustValidated } from '../validate/regex.js';
import { lintDiscovered, lintTarget, preparePolicy, type LintResult, type PreparedPolicy, type TargetResult } from './lint.js';
import type { SettingsResolver } from './config.js';

export interface WorkerOptions {
  /** Send each file's text back (false when the report quotes no line: JSON, GitHub). */
  texts?: boolean;
}

type PlainTarget = Omit<TargetResult, 'file'> & { file?: { path: string; policyName: string; valid: boolean; text?: string } };
/** A policy as sent to a worker: prepared, and when the main thread has validated it, its validation without the source (rebuilt from the text). */
export type WirePolicy = PreparedPolicy | { check: PreparedPolicy['check']; validated: Omit<ValidatedPolicy, 'source'>; text: string };
/** A worker's job: targets to lint, each policy target prepared (null for a near miss). */
export interface WorkerJob {
  id: number;
  targets: Target[];
  prepared: (WirePolicy | null)[];
}
/** A job's results, one per target in the job's order (the main thread keeps the targets it sent). */
export interface WorkerJobResult {
  id: number;
  results: PlainTarget[];
}

/** Targets per batch sent to a worker: enough to amortise a message, few enough to start and end in step. */
const BATCH = 64;
/** A worker with this many batches waiting is busy: the main thread validates the next batch itself. */
const BUSY = 2;
/** ...and with this many, the main thread waits (bounds the memory of a run the workers cannot keep up with). */
const MAX_QUEUED = 8;
/** Below this many files a worker's start-up (~50 ms) costs more than it saves. */
const MIN_FILES = 300;
/**
 * The main thread visits folders until this many wait (a big tree: worth the workers) or it has
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

function toWire(t: Extract<Target, { kind: 'policy' }>, p: PreparedPolicy, validate: boolean): WirePolicy {
  if (!validate || !p.read.ok) return p;
  const { source, ...validated } = validatePolicyText(t.path, t.name, p.read.text);
  // A yaml library document cannot cross threads: the worker reads a valid file that has one
  // again, for the rules that look at it (an invalid file's valid rules are linted too).
  if (validated.doc && lintedPolicy(validated)) return p;
  return { check: p.check, validated: { ...validated, doc: undefined }, text: source.text };
}

/** A policy as the worker lints it. */
export function fromWire(p: WirePolicy): PreparedPolicy {
  if ('read' in p) return p;
  // Its regexes compiled on the main thread: the worker need not check them again.
  const policy = lintedPolicy(p.validated);
  if (policy) trustValidated(policy.rules.flatMap((r) => r.matchers.filter((m) => m.kind === 'regex').map((m) => m.pattern)));
  const source = new SourceText(p.text);
  return { check: p.check, read: { ok: true, text: source.text }, validated: { ...p.validated, source } };
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
  const sent: Target[][] = [];
  const done: { target: Target; result: PlainTarget }[][] = [];
  const queued = pool.map(() => 0);
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const nextEvent = () => new Promise<void>((resolve) => (wake = resolve));
  pool.forEach((w, i) => {
    w.on('message', (m: WorkerJobResult) => {
      done[m.id] = m.results.map((result, k) => ({ target: sent[m.id]![k]!, result }));
      queued[i]!--;
      wake?.();
    });
    w.on('error', (e) => ((failure ??= e), wake?.()));
    w.on('exit', (code) => code !== 0 && ((failure ??= new Error(`a lint worker exited with code ${code}`)), wake?.()));
  });
  try {
    // The main thread walks, reads and resolves settings batch by batch, and validates a batch too
    // while the worker it goes to is busy (a queue of BUSY batches): the two threads then share the
    // work by stage, and neither compiles the other's code. A worker that is waiting gets the
    // batch as read, and validates it itself.
    let id = 0;
    const send = async (targets: Target[]) => {
      while (!failure && Math.min(...queued) >= MAX_QUEUED) await nextEvent();
      if (failure) throw failure;
      // Results that arrived meanwhile are taken in first (they only wait in the event loop).
      await new Promise<void>((resolve) => setImmediate(resolve));
      const w = queued.indexOf(Math.min(...queued));
      const validate = queued[w]! >= BUSY;
      const prepared = targets.map((t) => (t.kind === 'policy' ? toWire(t, preparePolicy(t, options.settings, options), validate) : null));
      queued[w]!++;
      if (process.env.STS_POLICY_DEBUG) process.stderr.write(`sts-policy: debug: batch ${id} (${targets.length} targets) to worker ${w}, ${validate ? 'validated by the main thread' : 'as read'}\n`);
      sent[id] = targets;
      // As JSON text (the job is plain data): a string crosses as one copy, where the structured
      // clone of 64 validated policies cost the worker ~2 ms a batch to rebuild, object by object.
      pool[w]!.postMessage(JSON.stringify({ id: id++, targets, prepared } satisfies WorkerJob));
    };
    let batch: Target[] = [];
    const add = async (targets: Target[]) => {
      batch.push(...targets);
      while (batch.length >= BATCH) await send(batch.splice(0, BATCH));
    };
    await add(plan.targets);
    for (const unit of plan.units) await add(walkUnit(unit));
    if (batch.length) await send(batch);
    while (!failure && queued.some((n) => n > 0)) await nextEvent();
    if (failure) throw failure;
  } finally {
    for (const w of pool) void w.terminate();
  }
  // A target named twice (overlapping paths) is linted twice alike: the first result stands.
  const results = inDiscoveryOrder(done.flat(), (r) => r.target);
  const byTarget = new Map(results.map((r) => [r.target, r.result]));
  // Line tables only for the files a reporter will quote (another target may report on a file).
  const quoted = new Set(options.texts !== false ? results.flatMap(({ result: r }) => [...r.findings, ...r.ignored].map((f) => f.path)) : []);
  return lintDiscovered({ targets: results.map((r) => r.target), errors: plan.errors }, (t) => {
    const { file, ...rest } = byTarget.get(t)!;
    const source = file?.text !== undefined && quoted.has(file.path) ? new SourceText(file.text) : undefined;
    return { ...rest, file: file && { path: file.path, policyName: file.policyName, valid: file.valid, source } };
  });
}
