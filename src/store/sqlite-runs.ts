/**
 * The tracked runs of the SQLite store (tables from migration 4 in ./migrations.ts): the SQL behind the run
 * methods of the Store interface (./store.ts), which SqliteStore hands over to this class.
 *
 * Params are immutable (logging one again with another value is refused, the same value accepted), tags
 * and artifacts are overwritten, metrics appended: MLflow's rules, so that a run exports as it would have
 * been logged there. NaN metric values are stored as NULL (SQLite has no NaN) and read back as NaN.
 */
import type Database from 'better-sqlite3';
import { InputError } from '../errors.js';
import {
  RUN_KINDS,
  type RunArtifact,
  type RunBatch,
  type RunEntry,
  type RunInfo,
  type RunKind,
  type RunMetric,
  type RunRecord,
  type RunStatus,
} from './store.js';

export const RUN_ID = /^[0-9a-f]{32}$/;
export const END_STATUSES: readonly RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];

export interface RunRow {
  id: string;
  name: string;
  kind: RunKind;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  error: string | null;
}

export function infoFromRow(r: RunRow): RunInfo {
  const info: RunInfo = {
    id: r.id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    startTime: r.start_time,
    endTime: r.end_time,
  };
  if (r.error !== null) info.error = r.error;
  return info;
}

export type MetricRow = [string, number | null, number, number];

export const metricFromRow = (r: MetricRow): RunMetric => ({
  key: r[0],
  value: r[1] ?? Number.NaN,
  timestamp: r[2],
  step: r[3],
});

export function checkTime(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InputError(`${field} must be a non-negative integer (ms since the epoch), got ${value}`);
}

export function checkEntries(entries: readonly RunEntry[], what: string): void {
  for (const e of entries) {
    if (typeof e.key !== 'string' || e.key.length === 0)
      throw new InputError(`${what} key must be a non-empty string`);
    if (typeof e.value !== 'string') throw new InputError(`${what} "${e.key}": value must be a string`);
  }
}

/** A new run's id, name, kind and start time, as the store accepts them (an InputError otherwise). */
export function checkNewRun(run: Pick<RunInfo, 'id' | 'name' | 'kind' | 'startTime'>): void {
  if (typeof run.id !== 'string' || !RUN_ID.test(run.id))
    throw new InputError(`run id must be 32 lowercase hex digits, got "${run.id}"`);
  if (typeof run.name !== 'string' || run.name.length === 0)
    throw new InputError('run name must be a non-empty string');
  if (!RUN_KINDS.includes(run.kind))
    throw new InputError(`run kind must be one of ${RUN_KINDS.join(', ')}, got "${run.kind}"`);
  checkTime(run.startTime, 'run startTime');
}

/** A batch's entries checked (an InputError otherwise), each list present. */
export function checkBatch(batch: RunBatch): Required<RunBatch> {
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  const metrics = batch.metrics ?? [];
  const artifacts = batch.artifacts ?? [];
  checkEntries(params, 'param');
  checkEntries(tags, 'tag');
  for (const m of metrics) {
    if (typeof m.key !== 'string' || m.key.length === 0)
      throw new InputError('metric key must be a non-empty string');
    if (typeof m.value !== 'number') throw new InputError(`metric "${m.key}": value must be a number`);
    checkTime(m.timestamp, `metric "${m.key}": timestamp`);
    if (!Number.isSafeInteger(m.step)) throw new InputError(`metric "${m.key}": step must be an integer`);
  }
  for (const a of artifacts)
    if (typeof a.path !== 'string' || a.path.length === 0 || !Buffer.isBuffer(a.content))
      throw new InputError('artifact needs a non-empty path and a Buffer content');
  return { params, tags, metrics, artifacts };
}

/** A run's end: a final status and a time (an InputError otherwise). */
export function checkFinish(status: RunStatus, endTime: number): void {
  if (!END_STATUSES.includes(status))
    throw new InputError(`run status must be one of ${END_STATUSES.join(', ')}, got "${status}"`);
  checkTime(endTime, 'run endTime');
}

export class SqliteRuns {
  private readonly stmt: Record<
    | 'create'
    | 'exists'
    | 'finish'
    | 'get'
    | 'param'
    | 'insertParam'
    | 'tag'
    | 'metric'
    | 'artifact'
    | 'params'
    | 'tags'
    | 'latest'
    | 'artifacts'
    | 'history'
    | 'historyOf',
    Database.Statement
  >;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.stmt = {
      create: p("INSERT INTO runs (id, name, kind, status, start_time) VALUES (?, ?, ?, 'RUNNING', ?)"),
      exists: p('SELECT 1 FROM runs WHERE id = ?').pluck(),
      finish: p('UPDATE runs SET status = ?, end_time = ?, error = ? WHERE id = ?'),
      get: p('SELECT * FROM runs WHERE id = ?'),
      param: p('SELECT value FROM run_params WHERE run_id = ? AND key = ?').pluck(),
      insertParam: p('INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)'),
      tag: p(
        'INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
      ),
      metric: p('INSERT INTO run_metrics (run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, ?)'),
      artifact: p(
        'INSERT INTO run_artifacts (run_id, path, content) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET content = excluded.content',
      ),
      params: p('SELECT key, value FROM run_params WHERE run_id = ? ORDER BY key'),
      tags: p('SELECT key, value FROM run_tags WHERE run_id = ? ORDER BY key'),
      // MLflow's latest value of a key: the largest (step, timestamp, value)
      latest: p(
        `SELECT key, value, timestamp, step FROM (
           SELECT key, value, timestamp, step, row_number() OVER (
             PARTITION BY key ORDER BY step DESC, timestamp DESC, coalesce(value, -1e308) DESC, id DESC) AS r
           FROM run_metrics WHERE run_id = ?)
         WHERE r = 1 ORDER BY key`,
      ).raw(),
      artifacts: p('SELECT path, content FROM run_artifacts WHERE run_id = ? ORDER BY path'),
      history: p('SELECT key, value, timestamp, step FROM run_metrics WHERE run_id = ? ORDER BY id').raw(),
      historyOf: p(
        'SELECT key, value, timestamp, step FROM run_metrics WHERE run_id = ? AND key = ? ORDER BY id',
      ).raw(),
    };
  }

  create(run: Pick<RunInfo, 'id' | 'name' | 'kind' | 'startTime'>): void {
    checkNewRun(run);
    this.stmt.create.run(run.id, run.name, run.kind, run.startTime);
  }

  private mustExist(id: string): void {
    if (this.stmt.exists.get(id) === undefined) throw new InputError(`no run "${id}" in the store`);
  }

  log(id: string, batch: RunBatch): void {
    const { params, tags, metrics, artifacts } = checkBatch(batch);
    this.db.transaction(() => {
      this.mustExist(id);
      for (const { key, value } of params) {
        const old = this.stmt.param.get(id, key) as string | undefined;
        if (old === undefined) this.stmt.insertParam.run(id, key, value);
        else if (old !== value)
          throw new InputError(
            `param "${key}" of run ${id} is already "${old}": params cannot change (got "${value}")`,
          );
      }
      for (const { key, value } of tags) this.stmt.tag.run(id, key, value);
      for (const m of metrics)
        this.stmt.metric.run(id, m.key, Number.isNaN(m.value) ? null : m.value, m.timestamp, m.step);
      for (const a of artifacts) this.stmt.artifact.run(id, a.path, a.content);
    })();
  }

  finish(id: string, status: Exclude<RunStatus, 'RUNNING'>, endTime: number, error?: string): void {
    checkFinish(status, endTime);
    this.db.transaction(() => {
      this.mustExist(id);
      this.stmt.finish.run(status, endTime, error ?? null, id);
    })();
  }

  list(filter: { kind?: RunKind; limit?: number } = {}): RunInfo[] {
    const where = filter.kind === undefined ? '' : 'WHERE kind = ?';
    const limit = filter.limit === undefined ? '' : 'LIMIT ?';
    const args: (string | number)[] = [];
    if (filter.kind !== undefined) args.push(filter.kind);
    if (filter.limit !== undefined) args.push(filter.limit);
    const rows = this.db
      .prepare(`SELECT * FROM runs ${where} ORDER BY start_time DESC, id ${limit}`)
      .all(...args) as RunRow[];
    return rows.map(infoFromRow);
  }

  get(id: string): RunRecord | undefined {
    return this.db.transaction(() => {
      const row = this.stmt.get.get(id) as RunRow | undefined;
      if (!row) return undefined;
      return {
        ...infoFromRow(row),
        params: this.stmt.params.all(id) as RunEntry[],
        tags: this.stmt.tags.all(id) as RunEntry[],
        metrics: (this.stmt.latest.all(id) as MetricRow[]).map(metricFromRow),
        artifacts: this.stmt.artifacts.all(id) as RunArtifact[],
      };
    })();
  }

  history(id: string, key?: string): RunMetric[] {
    const rows = (
      key === undefined ? this.stmt.history.all(id) : this.stmt.historyOf.all(id, key)
    ) as MetricRow[];
    return rows.map(metricFromRow);
  }
}
