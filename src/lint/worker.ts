// A lint worker thread (dist/lint-worker.cjs): lints the targets of each batch it is sent (the
// main thread has read their files, resolved their settings, and validated most of them), with its
// own analysis caches, and posts back each target's plain results in order: findings and the
// file's text (reporters quote lines), never the parsed documents.
import { parentPort, workerData } from 'node:worker_threads';
import { lintTarget } from './lint.js';
import { fromWire, type WorkerJob, type WorkerJobResult, type WorkerOptions } from './concurrent.js';

const options = workerData as WorkerOptions;

parentPort!.on('message', (message: string) => {
  const job = JSON.parse(message) as WorkerJob;
  const results: WorkerJobResult['results'] = job.targets.map((target, i) => {
    const { file, ...rest } = lintTarget(target, () => fromWire(job.prepared[i]!));
    return { ...rest, file: file && { path: file.path, policyName: file.policyName, valid: file.valid, text: options.texts === false ? undefined : file.source?.text } };
  });
  parentPort!.postMessage({ id: job.id, results } satisfies WorkerJobResult);
});
