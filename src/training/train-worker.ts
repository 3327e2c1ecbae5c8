/**
 * Worker thread entry of ./train-in-worker.ts: opens the store itself (its own connection) and trains a
 * bundle with ./train-bundle.ts (recorded as a run, kind `retrain` unless the job says otherwise), then
 * posts `{ ok: true, version }` or `{ ok: false, message }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createModel } from '../models/factory.js';
import { openStore } from '../store/open.js';
import type { ModelName } from '../types.js';
import { trainBundle } from './train-bundle.js';

export interface TrainJob {
  db: string;
  modelsDir: string;
  models: ModelName[];
  /** The kind of run recorded (default `retrain`: the server's retrainer trains this way). */
  runKind?: 'train' | 'retrain';
  /** Evaluate first at this K and store the metrics in the bundle (`reco start`'s background training). */
  evaluateK?: number;
}

export type TrainOutcome = { ok: true; version: string } | { ok: false; message: string };

const job = workerData as TrainJob;
let outcome: TrainOutcome;
try {
  const store = await openStore(job.db);
  try {
    const trained = await trainBundle({
      store,
      modelsDir: job.modelsDir,
      models: job.models,
      create: createModel,
      run: { kind: job.runKind ?? 'retrain' },
      ...(job.evaluateK !== undefined ? { evaluateK: job.evaluateK } : {}),
    });
    outcome = { ok: true, version: trained.manifest.version };
  } finally {
    await store.close();
  }
} catch (err) {
  outcome = { ok: false, message: (err as Error).message };
}
parentPort?.postMessage(outcome);
