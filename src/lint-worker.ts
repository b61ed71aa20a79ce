// A lint worker thread (dist/lint-worker.cjs): validates and lints the targets of each job it is
// sent (the main thread has read their files and resolved their settings), with its own analysis
// caches, and posts back each target with plain results: findings and the file's text (reporters
// quote lines), never the parsed documents.
import { parentPort, workerData } from 'node:worker_threads';
import { lintTarget } from './lint.js';
import type { WorkerJob, WorkerJobResult, WorkerOptions } from './lint-concurrent.js';

const options = workerData as WorkerOptions;

parentPort!.on('message', (job: WorkerJob) => {
  const results: WorkerJobResult['results'] = job.targets.map((target, i) => {
    const { file, ...rest } = lintTarget(target, () => job.prepared[i]!);
    return { target, result: { ...rest, file: file && { path: file.path, policyName: file.policyName, valid: file.valid, text: options.texts === false ? undefined : file.source?.text } } };
  });
  parentPort!.postMessage({ id: job.id, results } satisfies WorkerJobResult);
});
