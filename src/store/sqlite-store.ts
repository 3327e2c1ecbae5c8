/**
 * The embedded default store: SQLite through better-sqlite3 (v12), WAL mode, schema from ./migrations.ts.
 * Dense indices are the tables' integer primary keys (0-based), kept in memory as id -> index maps.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkRule, DEFAULT_EVENT_TYPES, type EventTypeRule } from '../data/interactions.js';
import { idProblem } from '../data/valid.js';
import { RecoError } from '../errors.js';
import type { EventLog, EventRecord, ItemRecord, UserRecord } from '../types.js';
import { checkEventIndices, type EventIds, eventCreation, resolveEvent } from './event-input.js';
import { EventKeys, nextTypeCode, type ResolvedEvents } from './event-keys.js';
import { sortEventLogByTime, userTimeOrder } from './event-order.js';
import { IdMapLookups } from './id-maps.js';
import { migrate } from './migrations.js';
import { SqliteAccounts } from './sqlite-accounts.js';
import { SqliteActivity } from './sqlite-activity.js';
import { iterateEventRows, readEventLog, readEventsSince } from './sqlite-event-reads.js';
import { SqliteExperiments } from './sqlite-experiments.js';
import {
  checkItem,
  checkUser,
  type EventTypeRow,
  type ItemRow,
  itemFromRow,
  refuse,
  type UserRow,
  userFromRow,
} from './sqlite-rows.js';
import { SqliteRuns } from './sqlite-runs.js';
import { prepared, type SqliteOwner } from './statements.js';
import type {
  EventColumns,
  EventLogOptions,
  InsertEventsOptions,
  KeyedEventBatch,
  RunBatch,
  RunInfo,
  RunKind,
  RunMetric,
  RunRecord,
  RunStatus,
  Store,
  StoreCounts,
  StoredEvent,
} from './store.js';
import { TransactionGate } from './transaction-gate.js';

const PROGRESS_EVERY = 8192;
/** Rows per multi-row INSERT in insertEventColumns (a divisor of PROGRESS_EVERY; 6 * 128 = 768 parameters). */
const EVENT_BATCH = 128;

// The events table's secondary index (see migrations.ts). A large bulk insert drops it and builds it
// again at the end, inside the same transaction: building an index once is about twice as fast as
// keeping it sorted row by row (1M events: 3.1 s against 6.5 s).
const DROP_EVENT_INDEXES = 'DROP INDEX IF EXISTS events_user_ts;';
const CREATE_EVENT_INDEXES = 'CREATE INDEX IF NOT EXISTS events_user_ts ON events(user_idx, ts);';

/** Whether inserting `adding` events into a table of `existing` is worth rebuilding the indexes for. */
function isBulk(adding: number, existing: number): boolean {
  return adding >= BULK_MIN && adding * 2 >= existing;
}

/** The fewest events a bulk load adds. */
const BULK_MIN = 50_000;

/** The running transaction's state (one at a time: ./transaction-gate.ts). */
interface SqliteTransaction {
  /** Whether the events' secondary index was dropped for a bulk load (and is built again at the end). */
  bulk: boolean;
}

/**
 * Every method runs synchronously on the one connection; the asynchronous interface waits only while a
 * transaction that the caller is outside of is running (./transaction-gate.ts).
 */
export class SqliteStore extends IdMapLookups implements Store, SqliteOwner {
  readonly db: Database.Database;
  private readonly gate = new TransactionGate<SqliteTransaction>();
  private readonly runs: SqliteRuns;
  readonly accounts = new SqliteAccounts(this);
  readonly activity = new SqliteActivity(this);
  readonly experiments = new SqliteExperiments(this);

  private readonly stmt: {
    insertUser: Database.Statement;
    updateUser: Database.Statement;
    insertItem: Database.Statement;
    updateItem: Database.Statement;
    insertEvent: Database.Statement;
    insertType: Database.Statement;
    setTypeRule: Database.Statement;
    getMeta: Database.Statement;
    setMeta: Database.Statement;
  };

  constructor(readonly path: string) {
    super();
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
    } catch (err) {
      throw new RecoError(`cannot open database ${path}: ${(err as Error).message}`);
    }
    // WAL with synchronous=NORMAL loses nothing on a process crash (SIGKILL); FULL also survives power loss.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = OFF');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
    // Worker threads for SQLite's sorter: CREATE INDEX after a bulk load sorts on two cores
    // (2M events, both events indexes: 20.8 s against 12.0 s wall on the shared dev machine).
    this.db.pragma(`threads = ${Math.min(4, availableParallelism())}`);
    migrate(this.db);
    this.stmt = {
      insertUser: this.db.prepare('INSERT INTO users (idx, id, attributes, created_at) VALUES (?, ?, ?, ?)'),
      updateUser: this.db.prepare('UPDATE users SET attributes = coalesce(?, attributes) WHERE idx = ?'),
      insertItem: this.db.prepare(
        'INSERT INTO items (idx, id, title, genres, tags, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      updateItem: this.db.prepare(
        `UPDATE items SET title = coalesce(?, title), genres = coalesce(?, genres), tags = coalesce(?, tags),
         attributes = coalesce(?, attributes), created_at = coalesce(?, created_at) WHERE idx = ?`,
      ),
      insertEvent: this.db.prepare(
        'INSERT INTO events (user_idx, item_idx, type, value, ts, ingested_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertType: this.db.prepare('INSERT INTO event_types (code, name) VALUES (?, ?)'),
      setTypeRule: this.db.prepare(
        'UPDATE event_types SET weight = ?, value_rule = ?, center = ? WHERE code = ?',
      ),
      getMeta: this.db.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare(
        'INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
    };
    this.runs = new SqliteRuns(this.db);
    this.loadMaps();
    this.atomic(() => {
      for (const [name] of DEFAULT_EVENT_TYPES) this.declaredCode(name);
    });
  }

  /** Runs fn once no transaction the caller is outside of is running. */
  gated<T>(fn: () => T): Promise<T> {
    return this.gate.run(fn);
  }

  private loadMaps(): void {
    this.ids.clear();
    const users = this.db.prepare('SELECT id FROM users ORDER BY idx').pluck().all() as string[];
    const items = this.db.prepare('SELECT id FROM items ORDER BY idx').pluck().all() as string[];
    for (let idx = 0; idx < users.length; idx++) this.ids.setUser(idx, users[idx]!);
    for (let idx = 0; idx < items.length; idx++) this.ids.setItem(idx, items[idx]!);
    const types = this.db
      .prepare('SELECT code, name, weight, value_rule, center FROM event_types ORDER BY code')
      .all() as EventTypeRow[];
    for (const t of types) this.ids.setType(t);
  }

  /** Runs fn in one transaction, synchronously (joining the one that is open, if any). */
  private atomic<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.loadMaps(); // forget ids created inside the rolled-back transaction
      throw err;
    }
  }

  transaction<T>(fn: () => Promise<T>, options: { expectedEvents?: number } = {}): Promise<T> {
    return this.gate.transaction(
      () => {
        // the count only for a load large enough to be bulk (a count on every group commit of the server
        // held its main thread about 1-2 ms a turn on 100k events)
        const expected = options.expectedEvents ?? 0;
        const bulk = expected >= BULK_MIN && isBulk(expected, this.eventCount());
        this.db.exec('BEGIN');
        if (bulk) this.db.exec(DROP_EVENT_INDEXES);
        return { bulk };
      },
      async (tx) => {
        try {
          const result = await fn();
          if (tx.bulk) this.db.exec(CREATE_EVENT_INDEXES);
          this.db.exec('COMMIT');
          return result;
        } catch (err) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          this.loadMaps(); // forget ids created inside the rolled-back transaction
          throw err;
        }
      },
      fn,
    );
  }

  private eventCount(): number {
    return this.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  }

  counts(): Promise<StoreCounts> {
    return this.gated(() => ({
      users: this.ids.users,
      items: this.ids.items,
      events: this.eventCount(),
    }));
  }

  private ensureUser(id: string, createdAt: number, attributes: string | null): number {
    let idx = this.ids.userIndex(id);
    if (idx === undefined) {
      idx = this.ids.users;
      this.stmt.insertUser.run(idx, id, attributes, createdAt);
      this.ids.setUser(idx, id);
    }
    return idx;
  }

  upsertUsers(users: Iterable<UserRecord>): Promise<number> {
    return this.gated(() => this.upsertUsersNow(users));
  }

  private upsertUsersNow(users: Iterable<UserRecord>): number {
    return this.atomic(() => {
      let n = 0;
      const now = Date.now();
      for (const u of users) {
        checkUser(u);
        const attributes = u.attributes === undefined ? null : JSON.stringify(u.attributes);
        const existing = this.ids.userIndex(u.id);
        if (existing === undefined) this.ensureUser(u.id, u.createdAt ?? now, attributes);
        else this.stmt.updateUser.run(attributes, existing);
        n++;
      }
      return n;
    });
  }

  private ensureItem(id: string, createdAt: number): number {
    return this.ids.itemIndex(id) ?? this.addItem(id, null, null, null, null, createdAt);
  }

  /** Inserts a new item at the next dense index. */
  private addItem(
    id: string,
    title: string | null,
    genres: string | null,
    tags: string | null,
    attributes: string | null,
    createdAt: number,
  ): number {
    const idx = this.ids.items;
    this.stmt.insertItem.run(idx, id, title, genres, tags, attributes, createdAt);
    this.ids.setItem(idx, id);
    return idx;
  }

  upsertItems(items: Iterable<ItemRecord>): Promise<number> {
    return this.gated(() => this.upsertItemsNow(items));
  }

  private upsertItemsNow(items: Iterable<ItemRecord>): number {
    return this.atomic(() => {
      let n = 0;
      const now = Date.now();
      for (const it of items) {
        checkItem(it);
        const title = it.title ?? null;
        const genres = it.genres === undefined ? null : JSON.stringify(it.genres);
        const tags = it.tags === undefined ? null : JSON.stringify(it.tags);
        const attributes = it.attributes === undefined ? null : JSON.stringify(it.attributes);
        const existing = this.ids.itemIndex(it.id);
        if (existing === undefined) this.addItem(it.id, title, genres, tags, attributes, it.createdAt ?? now);
        else this.stmt.updateItem.run(title, genres, tags, attributes, it.createdAt ?? null, existing);
        n++;
      }
      return n;
    });
  }

  insertEvents(events: Iterable<EventRecord>, options: InsertEventsOptions = {}): Promise<number> {
    return this.gated(() => this.insertEventsNow(events, options));
  }

  private insertEventsNow(events: Iterable<EventRecord>, options: InsertEventsOptions): number {
    const creation = eventCreation(options);
    const ids: EventIds = {
      userIndex: (id) => this.ids.userIndex(id),
      itemIndex: (id) => this.ids.itemIndex(id),
      typeCode: (name) => this.ids.typeCode(name),
      newUser: (id, createdAt) => this.ensureUser(id, createdAt, null),
      newItem: (id, createdAt) => this.ensureItem(id, createdAt),
    };
    return this.atomic(() => {
      const ingestedAt = Date.now();
      // rows go EVENT_BATCH at a time through one multi-row INSERT (as insertEventColumns), the rest one by one
      const batch = this.insertEventBatch();
      const args: number[] = new Array(EVENT_BATCH * 6);
      const requests: [number, string][] = []; // (event, request id) of the events that carry one
      let pending = 0;
      let n = 0;
      for (const e of events) {
        if (e.request !== undefined) requests.push([n, e.request]);
        const [u, i] = resolveEvent(e, n, creation, ids);
        const o = pending * 6;
        args[o] = u;
        args[o + 1] = i;
        args[o + 2] = this.declaredCode(e.type);
        args[o + 3] = e.value ?? 1;
        args[o + 4] = e.timestamp;
        args[o + 5] = ingestedAt;
        if (++pending === EVENT_BATCH) {
          batch.run(args);
          pending = 0;
        }
        if (++n % PROGRESS_EVERY === 0) options.onProgress?.(n);
      }
      for (let k = 0; k < pending; k++) this.stmt.insertEvent.run(...args.slice(k * 6, k * 6 + 6));
      if (requests.length > 0) this.experiments.tagInserted(requests, n);
      options.onProgress?.(n);
      return n;
    });
  }

  importEvents(
    batches: AsyncIterable<KeyedEventBatch>,
    options: Pick<InsertEventsOptions, 'onProgress'> = {},
  ): Promise<number> {
    const keys = new EventKeys({
      userIndex: (id) => this.ids.userIndex(id),
      itemIndex: (id) => this.ids.itemIndex(id),
      typeCode: (name) => this.ids.typeCode(name),
      newUser: (id, createdAt) => this.ensureUser(id, createdAt, null),
      newItem: (id, createdAt) => this.ensureItem(id, createdAt),
      newType: (name) => this.declaredCode(name),
    });
    return this.transaction(async () => {
      let n = 0;
      for await (const batch of batches) {
        const done = n;
        n += this.insertColumnsNow(keys.resolve(batch), {
          ...(options.onProgress ? { onProgress: (k: number) => options.onProgress?.(done + k) } : {}),
        });
      }
      return n;
    });
  }

  insertEventColumns(
    ev: EventColumns,
    options: Pick<InsertEventsOptions, 'onProgress'> = {},
  ): Promise<number> {
    return this.gated(() => this.insertColumnsNow(ev, options));
  }

  private insertColumnsNow(
    ev: EventColumns | ResolvedEvents,
    options: Pick<InsertEventsOptions, 'onProgress'>,
  ): number {
    const nUsers = this.ids.users;
    checkEventIndices(ev, nUsers, this.ids.items);
    // inside a transaction that dropped the index already (bulk), the drop and rebuild here do nothing
    const bulk = ev.length >= BULK_MIN && isBulk(ev.length, this.eventCount());
    return this.atomic(() => {
      if (bulk) this.db.exec(DROP_EVENT_INDEXES);
      const ingestedAt = Date.now();
      const insert = this.stmt.insertEvent;
      // Rows go in EVENT_BATCH at a time through one multi-row INSERT (about 4x faster than one
      // statement call per row: 1M rows 1.5 s against 6.5 s), the remainder one by one.
      const batch = this.insertEventBatch();
      const args: number[] = new Array(EVENT_BATCH * 6);
      // A bulk load writes rows in (user, time) order, so that SQLite's CREATE INDEX on (user_idx, ts)
      // reads presorted keys: 10M events, 4.5 s of CPU against about 25 s for time-ordered rows.
      // Row ids then follow users, not time; loadEventLog restores time order with a radix sort.
      const order = bulk ? userTimeOrder(ev.user, ev.timestamp, nUsers, ev.length) : undefined;
      let k = 0;
      for (; k + EVENT_BATCH <= ev.length; k += EVENT_BATCH) {
        for (let j = 0; j < EVENT_BATCH; j++) {
          const e = order ? order[k + j]! : k + j;
          const o = j * 6;
          args[o] = ev.user[e]!;
          args[o + 1] = ev.item[e]!;
          args[o + 2] = ev.type[e]!;
          args[o + 3] = ev.value[e]!;
          args[o + 4] = Math.round(ev.timestamp[e]!);
          args[o + 5] = ingestedAt;
        }
        batch.run(args);
        if ((k + EVENT_BATCH) % PROGRESS_EVERY === 0) options.onProgress?.(k + EVENT_BATCH);
      }
      for (; k < ev.length; k++) {
        const e = order ? order[k]! : k;
        insert.run(
          ev.user[e]!,
          ev.item[e]!,
          ev.type[e]!,
          ev.value[e]!,
          Math.round(ev.timestamp[e]!),
          ingestedAt,
        );
      }
      if (bulk) this.db.exec(CREATE_EVENT_INDEXES);
      options.onProgress?.(ev.length);
      return ev.length;
    });
  }

  private eventBatchStmt: Database.Statement | undefined;
  private insertEventBatch(): Database.Statement {
    this.eventBatchStmt ??= this.db.prepare(
      `INSERT INTO events (user_idx, item_idx, type, value, ts, ingested_at) VALUES ${new Array(EVENT_BATCH).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
    );
    return this.eventBatchStmt;
  }

  eventTypeCode(name: string): Promise<number> {
    return this.gated(() => this.declaredCode(name));
  }

  /** The code of an event type, declared now when it is new. */
  private declaredCode(name: string): number {
    let code = this.ids.typeCode(name);
    if (code === undefined) {
      refuse('event type', idProblem(name));
      code = nextTypeCode(this.ids.types, name);
      this.atomic(() => this.stmt.insertType.run(code, name));
      this.ids.setType({ code, name, weight: null, value_rule: null, center: null });
    }
    return code;
  }

  declareEventType(name: string, rule: EventTypeRule): Promise<void> {
    return this.gated(() => {
      const checked = checkRule(name, rule);
      this.atomic(() => {
        const code = this.declaredCode(name);
        this.stmt.setTypeRule.run(checked.weight, checked.value, checked.center ?? null, code);
      });
      this.ids.setRule(name, checked);
    });
  }

  getUser(id: string): Promise<UserRecord | undefined> {
    return this.gated(() => {
      const r = prepared(this.db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
      return r && userFromRow(r);
    });
  }
  getItem(id: string): Promise<ItemRecord | undefined> {
    return this.gated(() => {
      const r = prepared(this.db, 'SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined;
      return r && itemFromRow(r);
    });
  }
  listItems(): Promise<ItemRecord[]> {
    return this.gated(() =>
      (prepared(this.db, 'SELECT * FROM items ORDER BY idx').all() as ItemRow[]).map(itemFromRow),
    );
  }
  listUsers(): Promise<UserRecord[]> {
    return this.gated(() =>
      (prepared(this.db, 'SELECT * FROM users ORDER BY idx').all() as UserRow[]).map(userFromRow),
    );
  }

  loadEventLog(options: EventLogOptions = {}): Promise<EventLog> {
    return this.gated(() => this.loadEventLogNow(options));
  }

  private loadEventLogNow(options: EventLogOptions): EventLog {
    const { columns, sorted, maxType } = readEventLog(this.db, options);
    // users, items or types created by another connection since this one read them (e.g. a server
    // ingesting while `reco train` loads): read them again (in the caller's transaction, if any)
    if (this.ids.behind(columns) || maxType >= this.ids.types) this.loadMaps();
    const log: EventLog = {
      userIds: this.userIds(),
      itemIds: this.itemIds(),
      typeNames: this.eventTypeNames(),
      ...columns,
    };
    return sorted ? log : sortEventLogByTime(log);
  }

  position(): number {
    return (this.db.prepare('SELECT max(id) FROM events').pluck().get() as number | null) ?? 0;
  }

  eventPosition(): Promise<number> {
    return this.gated(() => this.position());
  }

  eventsSince(
    position: number,
    limit = Number.MAX_SAFE_INTEGER,
  ): Promise<EventColumns & { position: number }> {
    // one read transaction: the count and the rows see the same events
    return this.gated(() => this.atomic(() => readEventsSince(this.db, position, limit)));
  }

  userEvents(userId: string, limit = 100): Promise<StoredEvent[]> {
    return this.gated(() => this.userEventsNow(userId, limit));
  }

  private userEventsNow(userId: string, limit: number): StoredEvent[] {
    const u = this.ids.userIndex(userId);
    if (u === undefined) return [];
    const rows = this.db
      .prepare(
        'SELECT item_idx, type, value, ts, ingested_at FROM events WHERE user_idx = ? ORDER BY ts DESC, id DESC LIMIT ?',
      )
      .raw()
      .all(u, limit) as [number, number, number, number, number][];
    return rows.map((r) => this.ids.storedEvent(u, r[0], r[1], r[2], r[3], r[4]));
  }

  async *iterateEvents(): AsyncIterableIterator<StoredEvent> {
    await this.gate.idle();
    for (const r of iterateEventRows(this.db, this.path))
      yield this.ids.storedEvent(r[0], r[1], r[2], r[3], r[4], r[5]);
  }

  getMeta(key: string): Promise<Buffer | undefined> {
    return this.gated(() => {
      const v = this.stmt.getMeta.pluck().get(key) as Buffer | string | undefined;
      return v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v);
    });
  }

  setMeta(key: string, value: Buffer | string): Promise<void> {
    return this.gated(() => {
      this.stmt.setMeta.run(key, typeof value === 'string' ? Buffer.from(value) : value, Date.now());
    });
  }

  createRun(run: Pick<RunInfo, 'id' | 'name' | 'kind' | 'startTime'>): Promise<void> {
    return this.gated(() => this.runs.create(run));
  }
  logRun(id: string, batch: RunBatch): Promise<void> {
    return this.gated(() => this.runs.log(id, batch));
  }
  finishRun(
    id: string,
    status: Exclude<RunStatus, 'RUNNING'>,
    endTime: number,
    error?: string,
  ): Promise<void> {
    return this.gated(() => this.runs.finish(id, status, endTime, error));
  }
  listRuns(filter?: { kind?: RunKind; limit?: number }): Promise<RunInfo[]> {
    return this.gated(() => this.runs.list(filter));
  }
  getRun(id: string): Promise<RunRecord | undefined> {
    return this.gated(() => this.runs.get(id));
  }
  metricHistory(id: string, key?: string): Promise<RunMetric[]> {
    return this.gated(() => this.runs.history(id, key));
  }

  async close(): Promise<void> {
    await this.gate.idle();
    if (this.db.open) this.db.close();
  }
}
