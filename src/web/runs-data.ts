/**
 * The operators' Runs pages over the store's tracked runs (../tracking/): the list (a kind filter), one
 * run, a comparison of several (../tracking/run-report.ts compareRuns), and the metric series the charts
 * read, as uPlot JSON (x: the steps; one series per run; null where a run has no value at a step).
 * Run ids and kinds come from the query string: checked here, refused with InvalidInputError or
 * NotFoundError (../errors.ts), never used as keys of a plain object.
 */
import { InvalidInputError, NotFoundError } from '../errors.js';
import {
  RUN_KINDS,
  type RunInfo,
  type RunKind,
  type RunMetric,
  type RunRecord,
  type Store,
} from '../store/store.js';
import { type Comparison, compareRuns, curves } from '../tracking/run-report.js';

const RUN_ID = /^[0-9a-f]{32}$/;
export const MAX_COMPARED = 8;

export interface RunPageData {
  run: RunRecord;
  /** Keys of the metrics with more than one value (training curves), in logging order. */
  curveKeys: string[];
}

export interface CompareData {
  comparison: Comparison;
  /** Curve keys any of the runs has. */
  curveKeys: string[];
}

export interface SeriesJson {
  kind: 'line';
  xLabel: string;
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

export class RunsData {
  constructor(private readonly store: Store) {}

  /** `raw` (the query's kind) as a run kind; empty or absent: every kind. */
  kindOf(raw: string | undefined): RunKind | undefined {
    if (raw === undefined || raw === '') return undefined;
    const kind = RUN_KINDS.find((k) => k === raw);
    if (!kind) throw new InvalidInputError('kind', `must be one of ${RUN_KINDS.join(', ')}`);
    return kind;
  }

  list(kind: RunKind | undefined, limit = 200): Promise<RunInfo[]> {
    return this.store.listRuns({ ...(kind ? { kind } : {}), limit });
  }

  private async record(id: string, field: string): Promise<RunRecord> {
    if (!RUN_ID.test(id)) throw new InvalidInputError(field, 'must be a run id (32 hexadecimal digits)');
    const run = await this.store.getRun(id);
    if (!run) throw new NotFoundError(`no run ${id}`);
    return run;
  }

  async run(id: string): Promise<RunPageData> {
    const run = await this.record(id, 'id');
    return { run, curveKeys: [...curves(await this.store.metricHistory(id)).keys()] };
  }

  async compare(ids: readonly string[]): Promise<CompareData> {
    const unique = [...new Set(ids)];
    if (unique.length < 2 || unique.length > MAX_COMPARED)
      throw new InvalidInputError('id', `select 2 to ${MAX_COMPARED} runs to compare`);
    const runs = await Promise.all(unique.map((id, j) => this.record(id, `id[${j}]`)));
    const keys = new Set<string>();
    for (const r of runs) for (const k of curves(await this.store.metricHistory(r.id)).keys()) keys.add(k);
    return { comparison: compareRuns(runs), curveKeys: [...keys].sort() };
  }

  /** Metric `key` of each run by step, as one chart (x: the union of their steps). */
  async series(ids: readonly string[], key: string): Promise<SeriesJson> {
    const unique = [...new Set(ids)];
    if (unique.length < 1 || unique.length > MAX_COMPARED)
      throw new InvalidInputError('id', `give 1 to ${MAX_COMPARED} runs`);
    const runs = await Promise.all(unique.map((id, j) => this.record(id, `id[${j}]`)));
    const histories: Map<number, number>[] = [];
    for (const r of runs) histories.push(byStep(await this.store.metricHistory(r.id, key)));
    const x = [...new Set(histories.flatMap((h) => [...h.keys()]))].sort((a, b) => a - b);
    return {
      kind: 'line',
      xLabel: 'step',
      x,
      series: runs.map((r, j) => ({
        label: runs.length > 1 ? `${r.name} (${r.id.slice(0, 8)})` : key,
        values: x.map((s) => histories[j]!.get(s) ?? null),
      })),
    };
  }
}

/** The last value logged at each step. */
function byStep(history: readonly RunMetric[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of history) out.set(m.step, m.value);
  return out;
}
