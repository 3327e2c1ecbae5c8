/**
 * The tracked runs of the PostgreSQL store (./pg-schema.ts): the SQL of ./sqlite-runs.ts in PostgreSQL's
 * dialect, with the same checks and MLflow's rules (params immutable, tags and artifacts overwritten,
 * metrics appended, NaN kept as NULL). `log` runs inside the caller's transaction (PgStore.logRun).
 */
import { InputError } from '../errors.js';
import type { PgQuery } from './pg-query.js';
import {
  checkBatch,
  checkFinish,
  checkNewRun,
  infoFromRow,
  type MetricRow,
  metricFromRow,
  type RunRow,
} from './sqlite-runs.js';
import type { RunBatch, RunEntry, RunInfo, RunKind, RunMetric, RunRecord, RunStatus } from './store.js';

export class PgRuns {
  constructor(private readonly query: PgQuery) {}

  async create(run: Pick<RunInfo, 'id' | 'name' | 'kind' | 'startTime'>): Promise<void> {
    checkNewRun(run);
    await this.query(
      "INSERT INTO runs (id, name, kind, status, start_time) VALUES ($1, $2, $3, 'RUNNING', $4)",
      [run.id, run.name, run.kind, run.startTime],
    );
  }

  private async mustExist(id: string): Promise<void> {
    const r = await this.query('SELECT 1 FROM runs WHERE id = $1', [id]);
    if (r.rowCount === 0) throw new InputError(`no run "${id}" in the store`);
  }

  /** Inside a transaction. */
  async log(id: string, batch: RunBatch): Promise<void> {
    const { params, tags, metrics, artifacts } = checkBatch(batch);
    await this.mustExist(id);
    for (const { key, value } of params) {
      const old = (
        await this.query<{ value: string }>('SELECT value FROM run_params WHERE run_id = $1 AND key = $2', [
          id,
          key,
        ])
      ).rows[0]?.value;
      if (old === undefined)
        await this.query('INSERT INTO run_params (run_id, key, value) VALUES ($1, $2, $3)', [id, key, value]);
      else if (old !== value)
        throw new InputError(
          `param "${key}" of run ${id} is already "${old}": params cannot change (got "${value}")`,
        );
    }
    for (const { key, value } of tags)
      await this.query(
        'INSERT INTO run_tags (run_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
        [id, key, value],
      );
    if (metrics.length > 0)
      await this.query(
        `INSERT INTO run_metrics (run_id, key, value, timestamp, step)
         SELECT $1, * FROM unnest($2::text[], $3::float8[], $4::bigint[], $5::bigint[])`,
        [
          id,
          metrics.map((m) => m.key),
          metrics.map((m) => (Number.isNaN(m.value) ? null : m.value)),
          metrics.map((m) => m.timestamp),
          metrics.map((m) => m.step),
        ],
      );
    for (const a of artifacts)
      await this.query(
        'INSERT INTO run_artifacts (run_id, path, content) VALUES ($1, $2, $3) ON CONFLICT (run_id, path) DO UPDATE SET content = excluded.content',
        [id, a.path, a.content],
      );
  }

  async finish(
    id: string,
    status: Exclude<RunStatus, 'RUNNING'>,
    endTime: number,
    error?: string,
  ): Promise<void> {
    checkFinish(status, endTime);
    const r = await this.query('UPDATE runs SET status = $1, end_time = $2, error = $3 WHERE id = $4', [
      status,
      endTime,
      error ?? null,
      id,
    ]);
    if (r.rowCount === 0) throw new InputError(`no run "${id}" in the store`);
  }

  async list(filter: { kind?: RunKind; limit?: number } = {}): Promise<RunInfo[]> {
    const args: (string | number)[] = [];
    let where = '';
    let limit = '';
    if (filter.kind !== undefined) {
      args.push(filter.kind);
      where = `WHERE kind = $${args.length}`;
    }
    if (filter.limit !== undefined) {
      args.push(filter.limit);
      limit = `LIMIT $${args.length}`;
    }
    const rows = (
      await this.query<RunRow>(`SELECT * FROM runs ${where} ORDER BY start_time DESC, id ${limit}`, args)
    ).rows;
    return rows.map(infoFromRow);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const row = (await this.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id])).rows[0];
    if (!row) return undefined;
    const entries = async (table: string) =>
      (await this.query<RunEntry>(`SELECT key, value FROM ${table} WHERE run_id = $1 ORDER BY key`, [id]))
        .rows;
    const latest = await this.query<{ key: string; value: number | null; timestamp: number; step: number }>(
      `SELECT key, value, timestamp, step FROM (
         SELECT key, value, timestamp, step, row_number() OVER (
           PARTITION BY key ORDER BY step DESC, timestamp DESC, coalesce(value, -1e308) DESC, id DESC) AS r
         FROM run_metrics WHERE run_id = $1) latest
       WHERE r = 1 ORDER BY key`,
      [id],
    );
    const artifacts = await this.query<{ path: string; content: Buffer }>(
      'SELECT path, content FROM run_artifacts WHERE run_id = $1 ORDER BY path',
      [id],
    );
    return {
      ...infoFromRow(row),
      params: await entries('run_params'),
      tags: await entries('run_tags'),
      metrics: latest.rows.map((m) => metricFromRow([m.key, m.value, m.timestamp, m.step] as MetricRow)),
      artifacts: artifacts.rows,
    };
  }

  async history(id: string, key?: string): Promise<RunMetric[]> {
    const r =
      key === undefined
        ? await this.query<{ key: string; value: number | null; timestamp: number; step: number }>(
            'SELECT key, value, timestamp, step FROM run_metrics WHERE run_id = $1 ORDER BY id',
            [id],
          )
        : await this.query<{ key: string; value: number | null; timestamp: number; step: number }>(
            'SELECT key, value, timestamp, step FROM run_metrics WHERE run_id = $1 AND key = $2 ORDER BY id',
            [id, key],
          );
    return r.rows.map((m) => metricFromRow([m.key, m.value, m.timestamp, m.step]));
  }
}
