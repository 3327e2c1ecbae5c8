/**
 * A study cell in a worker thread (./run-study.ts with `parallel` > 1): the study found by name, the cell
 * run with the registry's models, its notes and values posted back. The run is recorded by the caller.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createModel } from '../models/factory.js';
import type { WorldParams } from '../simulation/params.js';
import type { ModelName } from '../types.js';
import { findStudy } from './studies.js';
import type { StudyLevel } from './study.js';

export interface CellJob {
  study: string;
  level: StudyLevel;
  seed: number;
  params: WorldParams;
  models: ModelName[];
}

export type CellMessage =
  | { kind: 'note'; line: string }
  | { kind: 'done'; values: { series: string; metric: string; value: number }[] }
  | { kind: 'error'; message: string };

async function main(job: CellJob): Promise<void> {
  const port = parentPort!;
  try {
    const def = findStudy(job.study);
    if (!def) throw new Error(`unknown study "${job.study}"`);
    const values = await def.runCell({
      level: job.level,
      seed: job.seed,
      params: job.params,
      models: job.models,
      create: createModel,
      note: (line) => port.postMessage({ kind: 'note', line } satisfies CellMessage),
    });
    port.postMessage({ kind: 'done', values } satisfies CellMessage);
  } catch (err) {
    port.postMessage({
      kind: 'error',
      message: err instanceof Error ? err.message : String(err),
    } satisfies CellMessage);
  }
}

if (parentPort) void main(workerData as CellJob);
