/**
 * Running a study: every level of its grid at every seed is one cell, simulated and measured by the
 * study's runCell and recorded as a tracked run of kind `study` (params: the study, the level, the seed,
 * the world's parameters, the models; metrics `<series>.<metric>`; tags `reco.study`, `reco.study.level`;
 * the cell's values as the artifact `cell.json`). A cell that throws fails its run and the study.
 */
import { resolveParams } from '../simulation/params.js';
import type { Store } from '../store/store.js';
import type { MirrorFactory } from '../tracking/run-mirror.js';
import { withRun } from '../tracking/run-recorder.js';
import { flattenParams } from '../tracking/run-values.js';
import type { ModelFactory } from '../training/fit-models.js';
import type { ModelName } from '../types.js';
import type { StudyDefinition, StudyLevel, StudyValue } from './study.js';

export interface StudyOptions {
  seeds: number;
  /** Levels replacing the study's own (--grid). */
  levels?: StudyLevel[];
  models?: ModelName[];
  create: ModelFactory;
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

export async function runStudy(def: StudyDefinition, options: StudyOptions): Promise<StudyResult> {
  const levels = options.levels ?? def.levels;
  const models = options.models ?? def.models;
  const total = levels.length * options.seeds;
  const cells: StudyCellResult[] = [];
  const t0 = performance.now();
  let index = 0;
  for (const level of levels)
    for (let seed = 1; seed <= options.seeds; seed++) {
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
          const values = await def.runCell({
            level,
            seed,
            params,
            models,
            create: options.create,
            note: options.note ?? (() => {}),
          });
          for (const v of values)
            if (Number.isFinite(v.value)) run.metric(`${v.series}.${v.metric}`, v.value);
          run.metric('cell_seconds', (performance.now() - tc) / 1000);
          run.artifact('cell.json', `${JSON.stringify(values, null, 2)}\n`);
          return { values, runId: run.id };
        },
      );
      const cell: StudyCellResult = {
        level: level.label,
        seed,
        runId: values.runId,
        seconds: (performance.now() - tc) / 1000,
        values: values.values,
      };
      cells.push(cell);
      options.onCellDone?.(++index, total, cell);
    }
  return {
    study: def.name,
    levels,
    seeds: options.seeds,
    models,
    cells,
    seconds: (performance.now() - t0) / 1000,
  };
}
