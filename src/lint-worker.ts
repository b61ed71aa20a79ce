// A lint worker thread (dist/lint-worker.cjs): lints the batches of targets it is sent with its own
// settings resolver and analysis caches, and posts back plain results: findings and each file's
// text (reporters quote lines), never the parsed documents.
import { parentPort, workerData } from 'node:worker_threads';
import { lintTarget } from './lint.js';
import { SettingsResolver } from './config.js';
import type { Target } from './load/discover.js';
import type { WorkerBatchResult, WorkerOptions } from './lint-concurrent.js';

const options = workerData as WorkerOptions;
const settings = new SettingsResolver({ configPath: options.configPath });

parentPort!.on('message', (batch: { id: number; targets: Target[] }) => {
  const results: WorkerBatchResult['results'] = batch.targets.map((t) => {
    const { file, ...rest } = lintTarget(t, settings, { ignores: options.ignores });
    return { ...rest, file: file && { path: file.path, policyName: file.policyName, valid: file.valid, text: file.source?.text } };
  });
  parentPort!.postMessage({ id: batch.id, results } satisfies WorkerBatchResult);
});
