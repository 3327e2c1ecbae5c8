/**
 * `store.activity` on PostgreSQL (./accounts.ts): the operators' read-only views of the events, as
 * ./sqlite-activity.ts reads them. Event ids are gapless positions in commit order (./pg-schema.ts), so
 * reading the last position first and counting only the ids up to it gives a consistent answer without a
 * snapshot. The first event of a window is found by a binary search over the ids (ids and ingestion times
 * grow together) in one recursive statement, with no index on ingestion time.
 */
import { LATEST_EVENTS_SQL, type LatestEventRow, latestEventOf } from './account-rows.js';
import type { ActivityStore, MinuteCount } from './accounts.js';
import type { PgSql } from './pg-query.js';
import type { StoredEvent } from './stored-event.js';

/** The smallest event id ingested at or after $1: [lo, hi) halves until empty (no row when there are no events). */
const FIRST_ID_SINCE = `
  WITH RECURSIVE search(lo, hi) AS (
    SELECT min(id), max(id) + 1 FROM events
    UNION ALL
    SELECT CASE WHEN probe.later THEN s.lo ELSE half.mid + 1 END, CASE WHEN probe.later THEN half.mid ELSE s.hi END
    FROM search s
    CROSS JOIN LATERAL (SELECT (s.lo + s.hi) / 2 AS mid) half
    CROSS JOIN LATERAL (
      SELECT coalesce((SELECT ingested_at >= $1 FROM events WHERE id >= half.mid ORDER BY id LIMIT 1), true) AS later
    ) probe
    WHERE s.lo < s.hi
  )
  SELECT lo FROM search WHERE lo >= hi`;

export class PgActivity implements ActivityStore {
  constructor(private readonly sql: PgSql) {}

  async latest(limit: number): Promise<(StoredEvent & { position: number })[]> {
    const r = await this.sql.query<LatestEventRow>(`${LATEST_EVENTS_SQL} LIMIT $1`, [limit]);
    return r.rows.map(latestEventOf);
  }

  private async position(): Promise<number> {
    const [row] = await this.sql.rows<[number | null]>('SELECT max(id) FROM events');
    return row?.[0] ?? 0;
  }

  async perMinute(since: number, after?: number): Promise<{ minutes: MinuteCount[]; position: number }> {
    const position = await this.position();
    const from =
      after !== undefined
        ? after + 1
        : ((await this.sql.rows<[number]>(FIRST_ID_SINCE, [Math.ceil(since)]))[0]?.[0] ?? 1);
    const r = await this.sql.query<MinuteCount>(
      `SELECT (e.ingested_at / 60000) * 60000 AS minute, t.name AS type, count(*)::int AS count
       FROM events e JOIN event_types t ON t.code = e.type
       WHERE e.id >= $1 AND e.id <= $2 AND e.ingested_at >= $3 GROUP BY 1, t.name ORDER BY 1, t.name`,
      [from, position, Math.ceil(since)],
    );
    return { minutes: r.rows, position };
  }

  async countsByType(): Promise<{ counts: Map<string, number>; position: number }> {
    const position = await this.position();
    const rows = await this.sql.rows<[string, number]>(
      `SELECT t.name, count(*)::int FROM events e JOIN event_types t ON t.code = e.type
       WHERE e.id <= $1 GROUP BY t.name`,
      [position],
    );
    return { counts: new Map(rows), position };
  }
}
