/**
 * Running a study: every level of its grid at every seed is one cell, simulated and measured by the
 * study's runCell and recorded as a tracked run of kind `study` (params: the study, the level, the seed,
 * the world's parameters, the models; metrics `<series>.<metric>`; tags `reco.study`, `reco.study.level`;
 * the cell's values as the artifact `cell.json`). A cell that throws fails its run and the study. With
 * `parallel` > 1 that many cells run at once, each in a worker thread (./cell-worker.ts).
 */
import { Worker } from 'node:worker_threads';
import { RecoError } from '../errors.js';
import { resolveParams } from '../simulation/params.js';
import type { Store } from '../store/store.js';
import type { MirrorFactory } from '../tracking/run-mirror.js';
import { withRun } from '../tracking/run-recorder.js';
import { flattenParams } from '../tracking/run-values.js';
import type { ModelFactory } from '../training/fit-models.js';
import type { ModelName } from '../types.js';
import type { CellJob, CellMessage } from './cell-worker.js';
import type { StudyDefinition, StudyLevel, StudyValue } from './study.js';

export interface StudyOptions {
  seeds: number;
  /** Levels replacing the study's own (--grid). */
  levels?: StudyLevel[];
  models?: ModelName[];
  /** Used when the cells run in this thread (parallel 1). */
  create: ModelFactory;
  /** Cells at once, each in a worker thread with the registry's models (default 1: in this thread). */
  parallel?: number;
  store: Store;
  mirror?: MirrorFactory | null;
  onCellStart?: (index: number, total: number, label: string) => void;
  onCellDone?: (index: number, total: number, cell: StudyCellResult) => void;
  note?: (line: string) => void;
}

export interface StudyCellResult {
  level: string;
  seed: number;
  runId: string;
  seconds: number;
  values: StudyValue[];
}

export interface StudyResult {
  study: string;
  levels: StudyLevel[];
  seeds: number;
  models: ModelName[];
  cells: StudyCellResult[];
  seconds: number;
}

/** A cell run in a worker thread (./cell-worker.ts) with the registry's models. */
function cellInWorker(job: CellJob, note: (line: string) => void): Promise<StudyValue[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./cell-worker.js', import.meta.url), { workerData: job });
    let settled = false;
    worker.on('message', (m: CellMessage) => {
      if (m.kind === 'note') note(m.line);
      else {
        settled = true;
        if (m.kind === 'done') resolve(m.values);
        else reject(new RecoError(`study ${job.study}, ${job.level.label}, seed ${job.seed}: ${m.message}`));
        void worker.terminate();
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new RecoError(`study cell worker exited with code ${code}`));
    });
  });
}

export async function runStudy(def: StudyDefinition, options: StudyOptions): Promise<StudyResult> {
  const levels = options.levels ?? def.levels;
  const models = options.models ?? def.models;
  const total = levels.length * options.seeds;
  const t0 = performance.now();
  const jobs: { level: StudyLevel; seed: number; order: number }[] = [];
  for (const level of levels)
    for (let seed = 1; seed <= options.seeds; seed++) jobs.push({ level, seed, order: jobs.length });
  const results: StudyCellResult[] = new Array(jobs.length);
  let started = 0;
  let finished = 0;
  const parallel = Math.max(1, Math.min(options.parallel ?? 1, jobs.length));
  const lane = async (): Promise<void> => {
    for (let job = jobs[started++]; job; job = jobs[started++]) {
      const cell = await runCell(job.level, job.seed, job.order);
      results[job.order] = cell;
      options.onCellDone?.(++finished, total, cell);
    }
  };
  const runCell = async (level: StudyLevel, seed: number, index: number): Promise<StudyCellResult> => {
    const params = resolveParams(undefined, { ...def.base, ...level.world, seed });
    const label = `${level.label}, seed ${seed}`;
    options.onCellStart?.(index, total, label);
    const tc = performance.now();
    const values = await withRun(
      options.store,
      {
        kind: 'study',
        name: `study-${def.name}-${level.label}-seed${seed}`.replace(/\s+/g, '_'),
        ...(options.mirror !== undefined ? { mirror: options.mirror } : {}),
      },
      async (run) => {
        run.param('study', def.name);
        run.param('study.level', level.label);
        run.param('study.seed', String(seed));
        run.param('models', models.join(','));
        run.paramList(flattenParams('world', params));
        run.tag('reco.study', def.name);
        run.tag('reco.study.level', level.label);
        await run.flush();
        const note = options.note ?? (() => {});
        const values =
          parallel > 1
            ? await cellInWorker({ study: def.name, level, seed, params, models: [...models] }, note)
            : await def.runCell({ level, seed, params, models, create: options.create, note });
        for (const v of values) if (Number.isFinite(v.value)) run.metric(`${v.series}.${v.metric}`, v.value);
        run.metric('cell_seconds', (performance.now() - tc) / 1000);
        run.artifact('cell.json', `${JSON.stringify(values, null, 2)}\n`);
        return { values, runId: run.id };
      },
    );
    return {
      level: level.label,
      seed,
      runId: values.runId,
      seconds: (performance.now() - tc) / 1000,
      values: values.values,
    };
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return {
    study: def.name,
    levels,
    seeds: options.seeds,
    models,
    cells: results,
    seconds: (performance.now() - t0) / 1000,
  };
}
