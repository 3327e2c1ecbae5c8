/**
 * `store.experiments` on PostgreSQL (./experiments.ts; tables of version 2 in ./pg-schema.ts): the SQL of
 * ./sqlite-experiments.ts in PostgreSQL's dialect, with the same rows and records (./experiment-rows.ts;
 * jsonb lists selected as text). Exposures are appended in one statement per batch (unnest); the request
 * ids events carried are in event_requests, written by PgStore.insertEvents through `tag`. A user is found
 * by his id in the users table (another process may have created him), not in this process's id maps.
 */
import {
  EXPERIMENT_COLUMNS,
  type ExperimentRow,
  type ExposureRow,
  experimentOf,
  experimentValues,
  exposureOf,
  exposureValues,
  statusTimeColumn,
  type UserEventRow,
  userEventOf,
} from './experiment-rows.js';
import type {
  ExperimentEvent,
  ExperimentRecord,
  ExperimentStatus,
  ExperimentStore,
  ExposureRecord,
} from './experiments.js';
import type { PgSql } from './pg-query.js';

const EXPERIMENT_SELECT = `SELECT id, name, seed, variants::text AS variants, coverage, attribution_hours, status,
  created_at, started_at, stopped_at FROM experiments`;

// times are bigint columns: bounds rounded to the integers they admit
const NO_END = Number.MAX_SAFE_INTEGER;

export class PgExperiments implements ExperimentStore {
  constructor(private readonly sql: PgSql) {}

  async create(e: ExperimentRecord): Promise<void> {
    await this.sql.query(
      `INSERT INTO experiments (${EXPERIMENT_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10)`,
      experimentValues(e),
    );
  }

  async get(id: string): Promise<ExperimentRecord | undefined> {
    const r = (await this.sql.query<ExperimentRow>(`${EXPERIMENT_SELECT} WHERE id = $1`, [id])).rows[0];
    return r && experimentOf(r);
  }

  async list(): Promise<ExperimentRecord[]> {
    const r = await this.sql.query<ExperimentRow>(`${EXPERIMENT_SELECT} ORDER BY created_at DESC, id`);
    return r.rows.map(experimentOf);
  }

  async setStatus(id: string, status: ExperimentStatus, at: number): Promise<void> {
    const column = statusTimeColumn(status);
    if (column)
      await this.sql.query(`UPDATE experiments SET status = $1, ${column} = $2 WHERE id = $3`, [
        status,
        at,
        id,
      ]);
    else await this.sql.query('UPDATE experiments SET status = $1 WHERE id = $2', [status, id]);
  }

  async logExposures(exposures: readonly ExposureRecord[]): Promise<void> {
    if (exposures.length === 0) return;
    const rows = exposures.map(exposureValues);
    const column = (k: number) => rows.map((r) => r[k]);
    // one statement (atomic); WITH ORDINALITY keeps the batch's order in the ids
    await this.sql.query(
      `INSERT INTO exposures (request, experiment, variant, user_id, items, teams, ts, latency_ms)
       SELECT r, e, v, u, i::jsonb, t::jsonb, ts, l
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::float8[])
         WITH ORDINALITY AS x(r, e, v, u, i, t, ts, l, n)
       ORDER BY n`,
      [column(0), column(1), column(2), column(3), column(4), column(5), column(6), column(7)],
    );
  }

  async exposures(experiment: string, until?: number): Promise<ExposureRecord[]> {
    const rows = await this.sql.rows<ExposureRow>(
      `SELECT request, experiment, variant, user_id, items::text, teams::text, ts, latency_ms FROM exposures
       WHERE experiment = $1 AND ts <= $2 ORDER BY ts, id`,
      [experiment, Math.floor(until ?? NO_END)],
    );
    return rows.map(exposureOf);
  }

  async userEvents(user: string, since: number, until?: number): Promise<ExperimentEvent[]> {
    const rows = await this.sql.rows<UserEventRow>(
      `SELECT i.id, t.name, e.value, e.ts, r.request FROM events e
       JOIN items i ON i.idx = e.item_idx JOIN event_types t ON t.code = e.type
       LEFT JOIN event_requests r ON r.event_id = e.id
       WHERE e.user_idx = (SELECT idx FROM users WHERE id = $1)
         AND ((e.ts >= $2 AND e.ts <= $3) OR r.request IS NOT NULL) ORDER BY e.ts, e.id`,
      [user, Math.ceil(since), Math.floor(until ?? NO_END)],
      'reco_user_events',
    );
    return rows.map(userEventOf);
  }

  async eventCount(user: string, from: number, to: number): Promise<number> {
    const [row] = await this.sql.rows<[number]>(
      `SELECT count(*)::int FROM events
       WHERE user_idx = (SELECT idx FROM users WHERE id = $1) AND ts >= $2 AND ts < $3`,
      [user, Math.ceil(from), Math.ceil(to)],
      'reco_event_count',
    );
    return row![0];
  }

  tagEvents(tags: readonly { eventId: number; request: string }[]): Promise<void> {
    return this.tag(tags);
  }

  /** Records request ids by event id (a later tag of the same event replaces an earlier one). */
  async tag(tags: readonly { eventId: number; request: string }[]): Promise<void> {
    if (tags.length === 0) return;
    // one row per event: ON CONFLICT cannot update a row the same statement inserted
    const byEvent = new Map(tags.map((t) => [t.eventId, t.request]));
    await this.sql.query(
      `INSERT INTO event_requests (event_id, request) SELECT * FROM unnest($1::bigint[], $2::text[])
       ON CONFLICT (event_id) DO UPDATE SET request = excluded.request`,
      [[...byEvent.keys()], [...byEvent.values()]],
    );
  }
}
