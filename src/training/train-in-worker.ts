/**
 * Training off the caller's event loop: ./train-bundle.ts in a worker thread (./train-worker.ts), which
 * opens the store by its path. The server's retrainer trains this way, so that it keeps answering.
 */
import { Worker } from 'node:worker_threads';
import { modelNames } from '../models/factory.js';
import type { TrainJob, TrainOutcome } from './train-worker.js';

/**
 * Trains a bundle into `job.modelsDir` from the store at `job.db` (every model when `job.models` is
 * empty), made current; resolves with its version, rejects with the training's own message.
 */
export function trainInWorker(job: TrainJob): Promise<string> {
  const data: TrainJob = { ...job, models: job.models.length > 0 ? job.models : modelNames() };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: data });
    let outcome: TrainOutcome | undefined;
    worker.once('message', (m: TrainOutcome) => {
      outcome = m;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (outcome?.ok) resolve(outcome.version);
      else reject(new Error(outcome ? outcome.message : `the training thread stopped (exit code ${code})`));
    });
  });
}
