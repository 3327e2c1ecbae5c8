/**
 * The SQL behind `store.activity` (./accounts.ts): the operators' read-only views of the events. Counting by
 * minute of ingestion finds the first event of the window by a binary search over the events' ids (ids and
 * ingestion times grow together), so it reads only the window's rows and needs no index on ingestion time
 * (an index every insert would pay for).
 */
import type Database from 'better-sqlite3';
import { LATEST_EVENTS_SQL, type LatestEventRow, latestEventOf } from './account-rows.js';
import type { ActivityStore, MinuteCount } from './accounts.js';
import { prepared, type SqliteOwner } from './statements.js';
import type { StoredEvent } from './store.js';

export class SqliteActivity implements ActivityStore {
  /** `owner`: the store whose database (opened in its constructor, after this is made) holds the tables. */
  constructor(private readonly owner: SqliteOwner) {}

  private get db(): Database.Database {
    return this.owner.db;
  }

  latest(limit: number): Promise<(StoredEvent & { position: number })[]> {
    return this.owner.gated(() => {
      const rows = prepared(this.db, `${LATEST_EVENTS_SQL} LIMIT ?`).all(limit) as LatestEventRow[];
      return rows.map(latestEventOf);
    });
  }

  /** The smallest event id ingested at or after `since` (ids beyond the last: none). */
  private firstIdSince(since: number): number {
    const bounds = this.db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM events').get() as {
      lo: number | null;
      hi: number | null;
    };
    if (bounds.lo === null || bounds.hi === null) return 1;
    const at = this.db.prepare('SELECT ingested_at FROM events WHERE id >= ? ORDER BY id LIMIT 1').pluck();
    let lo = bounds.lo;
    let hi = bounds.hi + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = at.get(mid) as number | undefined;
      if (t === undefined || t >= since) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  perMinute(since: number, after?: number): Promise<{ minutes: MinuteCount[]; position: number }> {
    return this.owner.gated(() => {
      return this.db.transaction(() => {
        const position = (this.db.prepare('SELECT max(id) FROM events').pluck().get() as number | null) ?? 0;
        const from = after !== undefined ? after + 1 : this.firstIdSince(since);
        const minutes = this.db
          .prepare(
            `SELECT (e.ingested_at / 60000) * 60000 AS minute, t.name AS type, count(*) AS count
             FROM events e JOIN event_types t ON t.code = e.type
             WHERE e.id >= ? AND e.id <= ? AND e.ingested_at >= ? GROUP BY minute, e.type ORDER BY minute`,
          )
          .all(from, position, since) as MinuteCount[];
        return { minutes, position };
      })();
    });
  }

  countsByType(): Promise<{ counts: Map<string, number>; position: number }> {
    return this.owner.gated(() => {
      return this.db.transaction(() => {
        const rows = this.db
          .prepare(
            'SELECT t.name AS type, count(*) AS n FROM events e JOIN event_types t ON t.code = e.type GROUP BY e.type',
          )
          .all() as { type: string; n: number }[];
        const position = (this.db.prepare('SELECT max(id) FROM events').pluck().get() as number | null) ?? 0;
        return { counts: new Map(rows.map((r) => [r.type, r.n])), position };
      })();
    });
  }
}
