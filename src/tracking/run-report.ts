/**
 * Runs as text and as JSON for `reco runs`: the list, one run in full, and several side by side (the
 * parameters that differ, every metric's latest value).
 */
import { formatTable as paddedTable } from '../evaluation/report.js';
import type { RunEntry, RunInfo, RunMetric, RunRecord } from '../store/store.js';

/** A metric value for a table: integers as they are, others to 6 significant digits. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** ../evaluation/report.ts's table (numbers right-aligned) without trailing spaces. */
const formatTable = (rows: string[][]) =>
  paddedTable(rows)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');

/** Rows of cells as columns, every cell left-aligned (text: names, ids, parameter values). */
function leftTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function duration(run: RunInfo): string {
  return run.endTime === null ? '-' : `${((run.endTime - run.startTime) / 1000).toFixed(1)} s`;
}

export function formatRunList(runs: readonly RunInfo[]): string {
  if (runs.length === 0) return 'no runs';
  return leftTable([
    ['id', 'name', 'kind', 'status', 'start', 'duration'],
    ...runs.map((r) => [r.id, r.name, r.kind, r.status, time(r.startTime), duration(r)]),
  ]);
}

/** A run's metric histories with more than one value (its training curves), by key, in logging order. */
export function curves(history: readonly RunMetric[]): Map<string, RunMetric[]> {
  const byKey = new Map<string, RunMetric[]>();
  for (const m of history) {
    const list = byKey.get(m.key);
    if (list) list.push(m);
    else byKey.set(m.key, [m]);
  }
  for (const [key, list] of byKey) if (list.length < 2) byKey.delete(key);
  return byKey;
}

const entriesTable = (head: string, entries: readonly RunEntry[]) =>
  entries.length === 0
    ? `${head}: none`
    : `${head}:\n${leftTable([['key', 'value'], ...entries.map((e) => [e.key, e.value])])}`;

/** One run in full: its info, params, tags, latest metrics (with the span of each curve), artifacts. */
export function formatRun(run: RunRecord, history: readonly RunMetric[]): string {
  const series = curves(history);
  const lines = [
    `run ${run.id}: ${run.name}`,
    `kind ${run.kind}, ${run.status}, started ${time(run.startTime)}, ended ${time(run.endTime)} (${duration(run)})`,
  ];
  if (run.error !== undefined) lines.push(`error: ${run.error}`);
  lines.push(entriesTable('params', run.params), entriesTable('tags', run.tags));
  const metricRows = run.metrics.map((m) => {
    const s = series.get(m.key);
    const span = s ? `${s.length} values, steps ${s[0]!.step}..${s[s.length - 1]!.step}` : '';
    return [m.key, formatValue(m.value), m.step === 0 ? '' : String(m.step), span];
  });
  lines.push(
    run.metrics.length === 0
      ? 'metrics: none'
      : `metrics (latest value):\n${formatTable([['key', 'value', 'step', 'history'], ...metricRows])}`,
  );
  lines.push(
    run.artifacts.length === 0
      ? 'artifacts: none'
      : `artifacts: ${run.artifacts.map((a) => `${a.path} (${a.content.length} bytes)`).join(', ')}`,
  );
  return lines.join('\n');
}

/** A run as JSON: artifacts by path and size, every metric's history where it has several values. */
export function runJson(run: RunRecord, history: readonly RunMetric[]): unknown {
  return {
    ...run,
    artifacts: run.artifacts.map((a) => ({ path: a.path, bytes: a.content.length })),
    curves: [...curves(history)].map(([key, list]) => ({
      key,
      values: list.map((m) => ({ step: m.step, value: m.value, timestamp: m.timestamp })),
    })),
  };
}

export interface Comparison {
  runs: RunInfo[];
  /** Parameters whose value is not the same in every run (absent: null). */
  params: { key: string; values: (string | null)[] }[];
  /** Every metric's latest value in each run (absent: null). */
  metrics: { key: string; values: (number | null)[] }[];
}

function byKey<T extends { key: string }, V>(
  runs: readonly RunRecord[],
  pick: (r: RunRecord) => T[],
  get: (x: T) => V,
) {
  const keys = [...new Set(runs.flatMap((r) => pick(r).map((x) => x.key)))].sort();
  const maps = runs.map((r) => new Map(pick(r).map((x) => [x.key, get(x)])));
  return keys.map((key) => ({ key, values: maps.map((m) => m.get(key) ?? null) }));
}

export function compareRuns(runs: readonly RunRecord[]): Comparison {
  const params = byKey(
    runs,
    (r) => r.params,
    (p) => p.value,
  ).filter((p) => p.values.some((v) => v !== p.values[0]));
  const metrics = byKey(
    runs,
    (r) => r.metrics,
    (m) => m.value,
  );
  return {
    runs: runs.map(({ params: _p, tags: _t, metrics: _m, artifacts: _a, ...info }) => info),
    params,
    metrics,
  };
}

export function formatComparison(c: Comparison): string {
  const head = ['', ...c.runs.map((r) => r.id.slice(0, 8))];
  const lines = [
    leftTable([
      ['run', ...c.runs.map((r) => r.id.slice(0, 8))],
      ['name', ...c.runs.map((r) => r.name)],
      ['kind', ...c.runs.map((r) => r.kind)],
      ['status', ...c.runs.map((r) => r.status)],
    ]),
    c.params.length === 0
      ? 'parameters: all the same'
      : `parameters that differ:\n${leftTable([['param', ...head.slice(1)], ...c.params.map((p) => [p.key, ...p.values.map((v) => v ?? '-')])])}`,
    c.metrics.length === 0
      ? 'metrics: none'
      : `metrics:\n${formatTable([['metric', ...head.slice(1)], ...c.metrics.map((m) => [m.key, ...m.values.map((v) => (v === null ? '-' : formatValue(v)))])])}`,
  ];
  return lines.join('\n\n');
}
