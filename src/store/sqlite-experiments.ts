/**
 * The SQL behind `store.experiments` (./experiments.ts; tables of migration 6): experiments, the exposure
 * log, and the request ids events carried.
 */
import type Database from 'better-sqlite3';
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
import { prepared, type SqliteOwner } from './statements.js';

export class SqliteExperiments implements ExperimentStore {
  /** `owner`: the store whose database (opened in its constructor, after this is made) holds the tables. */
  constructor(
    private readonly owner: SqliteOwner & {
      userIndex(id: string): number | undefined;
      /** The last event's position, read synchronously (inside the inserting transaction). */
      position(): number;
    },
  ) {}

  private get db(): Database.Database {
    return this.owner.db;
  }

  create(e: ExperimentRecord): Promise<void> {
    return this.owner.gated(() => {
      this.db
        .prepare(`INSERT INTO experiments (${EXPERIMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(...experimentValues(e));
    });
  }

  get(id: string): Promise<ExperimentRecord | undefined> {
    return this.owner.gated(() => {
      const r = this.db.prepare('SELECT * FROM experiments WHERE id = ?').get(id) as
        | ExperimentRow
        | undefined;
      return r && experimentOf(r);
    });
  }

  list(): Promise<ExperimentRecord[]> {
    return this.owner.gated(() => {
      const rows = this.db.prepare('SELECT * FROM experiments ORDER BY created_at DESC, id').all();
      return (rows as ExperimentRow[]).map(experimentOf);
    });
  }

  setStatus(id: string, status: ExperimentStatus, at: number): Promise<void> {
    return this.owner.gated(() => {
      const column = statusTimeColumn(status);
      if (column)
        this.db.prepare(`UPDATE experiments SET status = ?, ${column} = ? WHERE id = ?`).run(status, at, id);
      else this.db.prepare('UPDATE experiments SET status = ? WHERE id = ?').run(status, id);
    });
  }

  logExposures(exposures: readonly ExposureRecord[]): Promise<void> {
    return this.owner.gated(() => {
      const insert = prepared(
        this.db,
        `INSERT INTO exposures (request, experiment, variant, user_id, items, teams, ts, latency_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const write = () => {
        for (const x of exposures) insert.run(...exposureValues(x));
      };
      if (this.db.inTransaction) write();
      else this.db.transaction(write)();
    });
  }

  exposures(experiment: string, until?: number): Promise<ExposureRecord[]> {
    return this.owner.gated(() => {
      const rows = this.db
        .prepare(
          `SELECT request, experiment, variant, user_id, items, teams, ts, latency_ms FROM exposures
           WHERE experiment = ? AND ts <= ? ORDER BY ts, id`,
        )
        .raw()
        .all(experiment, until ?? Number.MAX_SAFE_INTEGER) as ExposureRow[];
      return rows.map(exposureOf);
    });
  }

  userEvents(user: string, since: number, until?: number): Promise<ExperimentEvent[]> {
    return this.owner.gated(() => {
      const u = this.owner.userIndex(user);
      if (u === undefined) return [];
      this.selectUserEvents ??= this.db
        .prepare(
          `SELECT i.id, t.name, e.value, e.ts, r.request FROM events e
           JOIN items i ON i.idx = e.item_idx JOIN event_types t ON t.code = e.type
           LEFT JOIN event_requests r ON r.event_id = e.id
           WHERE e.user_idx = ? AND ((e.ts >= ? AND e.ts <= ?) OR r.request IS NOT NULL) ORDER BY e.ts, e.id`,
        )
        .raw();
      const rows = this.selectUserEvents.all(u, since, until ?? Number.MAX_SAFE_INTEGER) as UserEventRow[];
      return rows.map(userEventOf);
    });
  }

  eventCount(user: string, from: number, to: number): Promise<number> {
    return this.owner.gated(() => {
      const u = this.owner.userIndex(user);
      if (u === undefined) return 0;
      this.countEvents ??= this.db
        .prepare('SELECT count(*) FROM events WHERE user_idx = ? AND ts >= ? AND ts < ?')
        .pluck();
      return this.countEvents.get(u, from, to) as number;
    });
  }

  // statements prepared once, at first use (outcomes() runs them once per exposed user; pluck(), so kept
  // apart from ./statements.ts)
  private selectUserEvents?: Database.Statement;
  private countEvents?: Database.Statement;

  /**
   * Tags the events just inserted (in this transaction, in order: their ids are the `count` ids up to the
   * largest) whose position among them is given with the request id they carried (checked by
   * ./event-input.ts).
   */
  tagInserted(requests: readonly [number, string][], count: number): void {
    const last = this.owner.position();
    const first = last - count + 1;
    this.tag(requests.map(([k, request]) => ({ eventId: first + k, request })));
  }

  tagEvents(tags: readonly { eventId: number; request: string }[]): Promise<void> {
    return this.owner.gated(() => this.tag(tags));
  }

  private tag(tags: readonly { eventId: number; request: string }[]): void {
    const insert = prepared(
      this.db,
      'INSERT OR REPLACE INTO event_requests (event_id, request) VALUES (?, ?)',
    );
    for (const t of tags) insert.run(t.eventId, t.request);
  }
}
