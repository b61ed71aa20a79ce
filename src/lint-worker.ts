// A lint worker thread (dist/lint-worker.cjs): validates and lints the targets of each job it is
// sent (the main thread has read their files), with its own settings resolver and analysis caches,
// and posts back each target with plain results: findings and the file's text (reporters quote
// lines), never the parsed documents.
import { parentPort, workerData } from 'node:worker_threads';
import { lintTarget } from './lint.js';
import { SettingsResolver } from './config.js';
import type { WorkerJob, WorkerJobResult, WorkerOptions } from './lint-concurrent.js';

const options = workerData as WorkerOptions;
const settings = new SettingsResolver({ configPath: options.configPath });

parentPort!.on('message', (job: WorkerJob) => {
  const results: WorkerJobResult['results'] = job.targets.map((target, i) => {
    const { file, ...rest } = lintTarget(target, settings, { ignores: options.ignores }, job.reads[i] ?? undefined);
    return { target, result: { ...rest, file: file && { path: file.path, policyName: file.policyName, valid: file.valid, text: options.texts === false ? undefined : file.source?.text } } };
  });
  parentPort!.postMessage({ id: job.id, results } satisfies WorkerJobResult);
});
