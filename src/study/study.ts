/**
 * What a study is: a grid of simulated worlds (levels of one or more world parameters, each at several
 * seeds) x the series it compares (models, or variants of one), each cell measured by the study's own
 * `runCell` and recorded as a tracked run of kind `study` (./run-study.ts); the report (./report.ts)
 * shows each of its metrics per series and level with a 95 % t-interval over the seeds.
 */
import type { SplitOptions } from '../data/splits.js';
import { type EvaluationResult, evaluate } from '../evaluation/evaluate.js';
import { worldOracle } from '../evaluation/oracle.js';
import type { WorldParams } from '../simulation/params.js';
import type { World } from '../simulation/world.js';
import type { ModelFactory } from '../training/fit-models.js';
import type { EventLog, ItemRecord, ModelName } from '../types.js';

/** One measured value of a cell: a series (a model, or a variant), a metric and its value. */
export interface StudyValue {
  series: string;
  metric: string;
  value: number;
}

/** A level of the grid: a label and the world parameters it sets over the study's base. */
export interface StudyLevel {
  label: string;
  world: Partial<WorldParams>;
}

/** A metric the report shows as a table and a chart. */
export interface StudyMetric {
  key: string;
  title: string;
}

/** What a cell is given: its level, seed and resolved world parameters, and how to build models. */
export interface CellContext {
  level: StudyLevel;
  seed: number;
  params: WorldParams;
  models: readonly ModelName[];
  create: ModelFactory;
  /** A line of progress inside the cell (the CLI shows it only with --verbose). */
  note: (line: string) => void;
}

export interface StudyDefinition {
  name: string;
  title: string;
  /** What the study asks and how it measures it (the report's first paragraph, in Markdown). */
  question: string;
  /** The x axis of the charts (what the levels vary). */
  axis: string;
  /** World parameters of every cell (small worlds), under the levels' own. */
  base: Partial<WorldParams>;
  levels: StudyLevel[];
  /** The models compared, unless --models says otherwise. */
  models: ModelName[];
  metrics: StudyMetric[];
  /** Charts of two or more metrics side by side (x: the metrics), one per level. */
  pairs?: { title: string; metrics: string[]; labels: string[] }[];
  /** How the measurement goes (the report's method paragraph). */
  method: string;
  runCell(cell: CellContext): Promise<StudyValue[]>;
}

/** The small world every study starts from: 1,000 users, 500 items, 50,000 events over a year. */
export const SMALL_WORLD: Partial<WorldParams> = {
  users: 1000,
  items: 500,
  events: 50_000,
  ratingsOnly: true,
};

/** The split most studies score on: each user's latest 20 % held out, served as of his last train event. */
export const TEMPORAL_SPLIT: SplitOptions = { kind: 'temporal', ratio: 0.8, seed: 42 };

/**
 * Offline evaluation of `models` on `log` with the world's oracle row: per model its NDCG@10 and AUC, and
 * both as a fraction of the oracle's (`ndcg_frac`, `auc_frac`); the oracle's own under series `oracle`.
 */
export async function evaluateAgainstOracle(
  world: World,
  log: EventLog,
  items: ItemRecord[],
  cell: Pick<CellContext, 'models' | 'create' | 'note'>,
  split: SplitOptions = TEMPORAL_SPLIT,
): Promise<StudyValue[]> {
  const result = await evaluate(log, items, {
    split,
    k: 10,
    models: [...cell.models],
    create: cell.create,
    oracle: worldOracle(world),
    onModelDone: (row) =>
      cell.note(`${row.model}: NDCG@10 ${row.ndcg.toFixed(4)}, AUC ${row.auc.toFixed(4)}`),
  });
  return oracleFractions(result);
}

/** Each row's NDCG@10 and AUC, raw and as fractions of the oracle row's. */
export function oracleFractions(result: EvaluationResult): StudyValue[] {
  const oracle = result.rows.find((r) => r.model === 'oracle');
  const out: StudyValue[] = [];
  for (const row of result.rows) {
    const series = row.model;
    out.push({ series, metric: 'ndcg', value: row.ndcg }, { series, metric: 'auc', value: row.auc });
    if (oracle && row.model !== 'oracle')
      out.push(
        { series, metric: 'ndcg_frac', value: row.ndcg / oracle.ndcg },
        { series, metric: 'auc_frac', value: row.auc / oracle.auc },
      );
  }
  return out;
}
