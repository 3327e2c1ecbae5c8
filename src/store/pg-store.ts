/**
 * The store on PostgreSQL (`--db postgres://...` or RECO_DB): the same interface as the SQLite store
 * (./sqlite-store.ts), for several processes over one database. Users, items and event types keep their
 * dense indices in memory (id maps), caught up from the database under the event log's lock before any
 * write, so that every process assigns the same index to the same id. Events get gapless positions in
 * commit order (./pg-schema.ts). Bulk loads go through binary COPY (./pg-event-writes.ts).
 * The web app's accounts, the operators' activity views and online experiments are parts of their own
 * (./pg-accounts.ts, ./pg-activity.ts, ./pg-experiments.ts), given the store's query functions so that their
 * calls join the caller's transaction.
 */
import type pg from 'pg';
import { checkRule, DEFAULT_EVENT_TYPES, type EventTypeRule } from '../data/interactions.js';
import { idProblem } from '../data/valid.js';
import { RecoError } from '../errors.js';
import type { EventLog, EventRecord, ItemRecord, UserRecord } from '../types.js';
import type { EventRow } from './event-columns.js';
import { checkEventIndices, type EventIds, eventCreation, resolveEvent } from './event-input.js';
import { EventKeys, nextTypeCode } from './event-keys.js';
import { sortEventLogByTime } from './event-order.js';
import { IdMapLookups } from './id-maps.js';
import { PgAccounts } from './pg-accounts.js';
import { PgActivity } from './pg-activity.js';
import { PgConnection } from './pg-connection.js';
import {
  COPY_READ_EVENTS,
  columnsOfRows,
  copyEventLog,
  copyEventsBetween,
  cursorEventRows,
} from './pg-event-reads.js';
import {
  copyEventStream,
  copyIdRows,
  deferEventIndexes,
  EventBatch,
  restoreEventIndexes,
  writeEventRows,
} from './pg-event-writes.js';
import { PgExperiments } from './pg-experiments.js';
import { PgFeed } from './pg-feed.js';
import { parsePgLocation } from './pg-location.js';
import type { PgSql } from './pg-query.js';
import { PgRuns } from './pg-runs.js';
import { lockKeys, migratePg } from './pg-schema.js';
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

const PROGRESS_EVERY = 8192;

/** A new item's row (an event's item: no title, genres or tags). */
interface NewItemRow {
  id: string;
  title: string | null;
  genres: string | null;
  tags: string | null;
  attributes: string | null;
  createdAt: number;
}

export class PgStore extends IdMapLookups implements Store {
  readonly path: string;
  /** The statements of the store's parts: on the caller's transaction, or on any pooled connection. */
  private readonly sql: PgSql = {
    query: (sql, params, name) => this.db.query(sql, params, name),
    rows: (sql, params, name) => this.db.rows(sql, params, name),
  };
  readonly accounts = new PgAccounts(this.sql.query);
  readonly activity = new PgActivity(this.sql);
  readonly experiments = new PgExperiments(this.sql);
  private readonly runs = new PgRuns(this.sql.query);
  private readonly db: PgConnection;
  /** Changes committed by the other processes on this schema (LISTEN/NOTIFY). */
  readonly feed: PgFeed;

  private constructor(url: string, schema: string, display: string) {
    super();
    this.path = display;
    this.feed = new PgFeed(url, schema, {
      query: (sql, params) => this.db.query(sql, params),
      transaction: (fn) => this.transaction(fn),
      getMeta: (key) => this.getMeta(key),
      setMeta: (key, value) => this.setMeta(key, value),
      refreshIds: () => this.catchUpIds(),
    });
    this.db = new PgConnection(url, schema, display, {
      // the schema's event log lock; the other processes are told of the write when it commits
      lock: {
        sql: 'SELECT pg_advisory_xact_lock($1, $2), pg_notify($3, $4)',
        params: [...lockKeys('event-log', schema), this.feed.channel, this.feed.payload({ topic: 'log' })],
      },
      locked: async (tx) => {
        await this.catchUpIds();
        tx.indexDeferred = await deferEventIndexes(tx.client, tx.expectedEvents);
      },
      committing: async (tx) => {
        if (tx.indexDeferred) await restoreEventIndexes(tx.client);
      },
      rolledBack: async () => {
        // forget ids created inside the rolled-back transaction, and read the committed ones again (reads
        // by id must not miss until the next write; a lost connection leaves that write to catch up)
        this.ids.clear();
        await this.catchUpIds().catch(() => undefined);
      },
    });
  }

  /** Opens (creating the schema's tables as needed) the store at a postgres:// URL (`?schema=` optional). */
  static async open(location: string): Promise<PgStore> {
    const { url, schema, display } = parsePgLocation(location);
    const store = new PgStore(url, schema, display);
    let client: pg.PoolClient;
    try {
      client = await store.db.pool.connect();
    } catch (err) {
      await store.db.close();
      throw new RecoError(`cannot open database ${display}: ${(err as Error).message}`);
    }
    try {
      await migratePg(client, schema);
    } catch (err) {
      // an unusable schema (one newer than this reco): no pool left open to hold the process
      client.release();
      await store.db.close();
      throw err;
    }
    client.release();
    await store.catchUpIds();
    await store.transaction(async () => {
      for (const [name] of DEFAULT_EVENT_TYPES) await store.eventTypeCode(name);
    });
    return store;
  }

  transaction<T>(fn: () => Promise<T>, options?: { expectedEvents?: number }): Promise<T> {
    return this.db.transaction(fn, options);
  }

  /** Reads the users, items and event types created since the maps were last read (by any process). */
  private async catchUpIds(): Promise<void> {
    const from = [this.ids.users, this.ids.items, this.ids.types];
    const users = await this.db.rows<[number, string]>(
      'SELECT idx, id FROM users WHERE idx >= $1 ORDER BY idx',
      [from[0]],
    );
    for (const [idx, id] of users) this.ids.setUser(idx, id);
    const items = await this.db.rows<[number, string]>(
      'SELECT idx, id FROM items WHERE idx >= $1 ORDER BY idx',
      [from[1]],
    );
    for (const [idx, id] of items) this.ids.setItem(idx, id);
    const types = await this.db.query<EventTypeRow>(
      'SELECT code, name, weight, value_rule, center FROM event_types WHERE code >= $1 ORDER BY code',
      [from[2]],
    );
    for (const t of types.rows) this.ids.setType(t);
  }

  /** Events counted by their last position: positions are gapless and events are never deleted. */
  async counts(): Promise<StoreCounts> {
    const [row] = await this.db.rows<[number, number, number]>(
      'SELECT (SELECT count(*) FROM users)::int, (SELECT count(*) FROM items)::int, (SELECT coalesce(max(id), 0) FROM events)::int',
    );
    return { users: row![0], items: row![1], events: row![2] };
  }

  upsertUsers(users: Iterable<UserRecord>): Promise<number> {
    return this.db.write(async () => {
      let n = 0;
      const ids: string[] = [];
      const now = Date.now();
      for (const u of users) {
        checkUser(u);
        const attributes = u.attributes === undefined ? null : JSON.stringify(u.attributes);
        const existing = this.ids.userIndex(u.id);
        if (existing === undefined) await this.addUsers([u.id], [u.createdAt ?? now], [attributes]);
        else
          await this.db.query('UPDATE users SET attributes = coalesce($1, attributes) WHERE idx = $2', [
            attributes,
            existing,
          ]);
        if (ids.length < 50) ids.push(u.id);
        n++;
      }
      // the replicas read their attributes again (onboarding genres)
      await this.feed.announce({ topic: 'users', ...(n <= 50 ? { ids } : {}) });
      return n;
    });
  }

  /** Adds new users at the next dense indices (inside write()). */
  private async addUsers(ids: string[], createdAt: number[], attributes?: (string | null)[]): Promise<void> {
    if (ids.length === 0) return;
    const first = this.ids.users;
    const idx = ids.map((_, k) => first + k);
    await this.db.query(
      'INSERT INTO users (idx, id, attributes, created_at) SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[])',
      [idx, ids, attributes ?? ids.map(() => null), createdAt],
    );
    for (let k = 0; k < ids.length; k++) this.ids.setUser(first + k, ids[k]!);
  }

  private async addItems(items: NewItemRow[]): Promise<void> {
    if (items.length === 0) return;
    const first = this.ids.items;
    await this.db.query(
      `INSERT INTO items (idx, id, title, genres, tags, attributes, created_at)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])`,
      [
        items.map((_, k) => first + k),
        items.map((i) => i.id),
        items.map((i) => i.title),
        items.map((i) => i.genres),
        items.map((i) => i.tags),
        items.map((i) => i.attributes),
        items.map((i) => i.createdAt),
      ],
    );
    for (let k = 0; k < items.length; k++) this.ids.setItem(first + k, items[k]!.id);
  }

  upsertItems(items: Iterable<ItemRecord>): Promise<number> {
    return this.db.write(async () => {
      let n = 0;
      const now = Date.now();
      const fresh: NewItemRow[] = [];
      const seen = new Set<string>();
      for (const it of items) {
        checkItem(it);
        const title = it.title ?? null;
        const genres = it.genres === undefined ? null : JSON.stringify(it.genres);
        const tags = it.tags === undefined ? null : JSON.stringify(it.tags);
        const attributes = it.attributes === undefined ? null : JSON.stringify(it.attributes);
        const existing = this.ids.itemIndex(it.id);
        if (existing === undefined && !seen.has(it.id)) {
          seen.add(it.id);
          fresh.push({ id: it.id, title, genres, tags, attributes, createdAt: it.createdAt ?? now });
        } else {
          if (existing === undefined) {
            await this.addItems(fresh.splice(0));
            seen.clear();
          }
          await this.db.query(
            `UPDATE items SET title = coalesce($1, title), genres = coalesce($2, genres), tags = coalesce($3, tags),
             attributes = coalesce($4, attributes), created_at = coalesce($5, created_at) WHERE idx = $6`,
            [title, genres, tags, attributes, it.createdAt ?? null, this.ids.itemIndex(it.id)],
          );
        }
        n++;
      }
      await this.addItems(fresh);
      await this.feed.announce({ topic: 'items' });
      return n;
    });
  }

  insertEvents(events: Iterable<EventRecord>, options: InsertEventsOptions = {}): Promise<number> {
    const creation = eventCreation(options);
    return this.db.write(async () => {
      const ingestedAt = Date.now();
      const batch = new EventBatch();
      const requests: [number, string][] = [];
      const newUsers: string[] = [];
      const newUserTimes: number[] = [];
      const newItems: NewItemRow[] = [];
      // new ids get their index when the batch is written; until then they are numbered here
      const pendingUser = new Map<string, number>();
      const pendingItem = new Map<string, number>();
      const ids: EventIds = {
        userIndex: (id) => this.ids.userIndex(id) ?? pendingUser.get(id),
        itemIndex: (id) => this.ids.itemIndex(id) ?? pendingItem.get(id),
        typeCode: (name) => this.ids.typeCode(name),
        newUser: (id, createdAt) => {
          const u = this.ids.users + newUsers.length;
          pendingUser.set(id, u);
          newUsers.push(id);
          newUserTimes.push(createdAt);
          return u;
        },
        newItem: (id, createdAt) => {
          const i = this.ids.items + newItems.length;
          pendingItem.set(id, i);
          newItems.push({ id, title: null, genres: null, tags: null, attributes: null, createdAt });
          return i;
        },
      };
      let n = 0;
      for (const e of events) {
        const [u, i] = resolveEvent(e, n, creation, ids);
        if (e.request !== undefined) requests.push([n, e.request]);
        // a declared type needs no await (an await per event costs more than the rest of the event)
        const type = this.ids.typeCode(e.type) ?? (await this.declaredCode(e.type));
        batch.push(u, i, type, e.value ?? 1, e.timestamp);
        if (++n % PROGRESS_EVERY === 0) options.onProgress?.(n);
      }
      await this.addUsers(newUsers, newUserTimes);
      await this.addItems(newItems);
      const first = (await this.lastPosition()) + 1;
      await writeEventRows(this.db.current()!.client, batch, n, first, ingestedAt);
      await this.experiments.tag(requests.map(([k, request]) => ({ eventId: first + k, request })));
      options.onProgress?.(n);
      return n;
    });
  }

  private async lastPosition(): Promise<number> {
    const [row] = await this.db.rows<[number | null]>('SELECT max(id) FROM events');
    return row?.[0] ?? 0;
  }

  importEvents(
    batches: AsyncIterable<KeyedEventBatch>,
    options: Pick<InsertEventsOptions, 'onProgress'> = {},
  ): Promise<number> {
    return this.db.write(async () => {
      // What the events introduce is known to the maps at once and written after the events (no foreign
      // keys; one COPY holds the connection meanwhile); a rollback reads the maps again.
      const first = { user: this.ids.users, item: this.ids.items, type: this.ids.types };
      const users: string[] = [];
      const userTimes: number[] = [];
      const items: string[] = [];
      const itemTimes: number[] = [];
      const types: string[] = [];
      const keys = new EventKeys({
        userIndex: (id) => this.ids.userIndex(id),
        itemIndex: (id) => this.ids.itemIndex(id),
        typeCode: (name) => this.ids.typeCode(name),
        newUser: (id, createdAt) => {
          const u = first.user + users.length;
          this.ids.setUser(u, id);
          users.push(id);
          userTimes.push(createdAt);
          return u;
        },
        newItem: (id, createdAt) => {
          const i = first.item + items.length;
          this.ids.setItem(i, id);
          items.push(id);
          itemTimes.push(createdAt);
          return i;
        },
        newType: (name) => {
          const code = nextTypeCode(this.ids.types, name);
          this.ids.setType({ code, name, weight: null, value_rule: null, center: null });
          types.push(name);
          return code;
        },
      });
      const position = (await this.lastPosition()) + 1;
      const resolved = async function* () {
        for await (const batch of batches) yield keys.resolve(batch);
      };
      const n = await copyEventStream(
        this.db.current()!.client,
        resolved(),
        position,
        Date.now(),
        options.onProgress,
      );
      const client = this.db.current()!.client;
      await copyIdRows(client, 'users', first.user, users, userTimes);
      await copyIdRows(client, 'items', first.item, items, itemTimes);
      if (types.length > 0)
        await this.db.query(
          'INSERT INTO event_types (code, name) SELECT * FROM unnest($1::int[], $2::text[])',
          [types.map((_, k) => first.type + k), types],
        );
      options.onProgress?.(n);
      return n;
    });
  }

  insertEventColumns(
    ev: EventColumns,
    options: Pick<InsertEventsOptions, 'onProgress'> = {},
  ): Promise<number> {
    return this.db.write(async () => {
      checkEventIndices(ev, this.ids.users, this.ids.items);
      const first = (await this.lastPosition()) + 1;
      const ingestedAt = Date.now();
      await writeEventRows(this.db.current()!.client, ev, ev.length, first, ingestedAt, options.onProgress);
      options.onProgress?.(ev.length);
      return ev.length;
    });
  }

  eventTypeCode(name: string): Promise<number> {
    const known = this.ids.typeCode(name);
    if (known !== undefined) return Promise.resolve(known);
    return this.db.write(() => this.declaredCode(name));
  }

  /** The code of an event type, declared now when it is new (inside write()). */
  private async declaredCode(name: string): Promise<number> {
    let code = this.ids.typeCode(name);
    if (code === undefined) {
      refuse('event type', idProblem(name));
      code = nextTypeCode(this.ids.types, name);
      await this.db.query('INSERT INTO event_types (code, name) VALUES ($1, $2)', [code, name]);
      this.ids.setType({ code, name, weight: null, value_rule: null, center: null });
    }
    return code;
  }

  declareEventType(name: string, rule: EventTypeRule): Promise<void> {
    const checked = checkRule(name, rule);
    return this.db.write(async () => {
      const code = await this.declaredCode(name);
      await this.db.query(
        'UPDATE event_types SET weight = $1, value_rule = $2, center = $3 WHERE code = $4',
        [checked.weight, checked.value, checked.center ?? null, code],
      );
      this.ids.setRule(name, checked);
    });
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const r = (await this.db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id])).rows[0];
    return r && userFromRow(r);
  }
  async getItem(id: string): Promise<ItemRecord | undefined> {
    const r = (await this.db.query<ItemRow>('SELECT * FROM items WHERE id = $1', [id])).rows[0];
    return r && itemFromRow(r);
  }
  async listItems(): Promise<ItemRecord[]> {
    return (await this.db.query<ItemRow>('SELECT * FROM items ORDER BY idx')).rows.map(itemFromRow);
  }
  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.query<UserRow>('SELECT * FROM users ORDER BY idx')).rows.map(userFromRow);
  }

  async loadEventLog(options: EventLogOptions = {}): Promise<EventLog> {
    const { columns, sorted, maxType } = await this.db.snapshot((c) => copyEventLog(c, options));
    // users, items or types created by another process since the maps were read
    if (this.ids.behind(columns) || maxType >= this.ids.types) await this.catchUpIds();
    const log: EventLog = {
      userIds: this.userIds(),
      itemIds: this.itemIds(),
      typeNames: this.eventTypeNames(),
      ...columns,
    };
    return sorted ? log : sortEventLogByTime(log);
  }

  eventPosition(): Promise<number> {
    return this.lastPosition();
  }

  async eventsSince(
    position: number,
    limit = Number.MAX_SAFE_INTEGER,
  ): Promise<EventColumns & { position: number }> {
    // positions are gapless: the events wanted are those up to the log's end, or `limit` of them
    const end = Math.min(await this.lastPosition(), position + Math.min(limit, 2 ** 31 - 1));
    let out: EventColumns & { position: number };
    if (end - position >= COPY_READ_EVENTS)
      out = await this.db.snapshot((c) => copyEventsBetween(c, position, end));
    else {
      const rows = await this.db.rows<[...EventRow]>(
        'SELECT id, user_idx, item_idx, type, value, ts FROM events WHERE id > $1 AND id <= $2 ORDER BY id',
        [position, end],
      );
      out = columnsOfRows(rows, position);
    }
    if (this.ids.behind(out)) await this.catchUpIds();
    return out;
  }

  async userEvents(userId: string, limit = 100): Promise<StoredEvent[]> {
    const u = this.ids.userIndex(userId);
    if (u === undefined) return [];
    const rows = await this.db.rows<[number, number, number, number, number]>(
      'SELECT item_idx, type, value, ts, ingested_at FROM events WHERE user_idx = $1 ORDER BY ts DESC, id DESC LIMIT $2',
      [u, limit],
    );
    return rows.map((r) => this.ids.storedEvent(u, r[0], r[1], r[2], r[3], r[4]));
  }

  async *iterateEvents(): AsyncIterableIterator<StoredEvent> {
    for await (const page of cursorEventRows(this.db.pool)) {
      if (page.some((x) => x[0] >= this.ids.users || x[1] >= this.ids.items)) await this.catchUpIds();
      for (const x of page) yield this.ids.storedEvent(x[0], x[1], x[2], x[3], x[4], x[5]);
    }
  }

  async getMeta(key: string): Promise<Buffer | undefined> {
    const r = await this.db.query<{ value: Buffer }>('SELECT value FROM meta WHERE key = $1', [key]);
    return r.rows[0]?.value;
  }

  async setMeta(key: string, value: Buffer | string): Promise<void> {
    await this.db.query(
      `INSERT INTO meta (key, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, typeof value === 'string' ? Buffer.from(value) : value, Date.now()],
    );
  }

  createRun(run: Pick<RunInfo, 'id' | 'name' | 'kind' | 'startTime'>): Promise<void> {
    return this.runs.create(run);
  }
  logRun(id: string, batch: RunBatch): Promise<void> {
    return this.db.current() ? this.runs.log(id, batch) : this.transaction(() => this.runs.log(id, batch));
  }
  finishRun(
    id: string,
    status: Exclude<RunStatus, 'RUNNING'>,
    endTime: number,
    error?: string,
  ): Promise<void> {
    return this.runs.finish(id, status, endTime, error);
  }
  listRuns(filter?: { kind?: RunKind; limit?: number }): Promise<RunInfo[]> {
    return this.runs.list(filter);
  }
  getRun(id: string): Promise<RunRecord | undefined> {
    return this.runs.get(id);
  }
  metricHistory(id: string, key?: string): Promise<RunMetric[]> {
    return this.runs.history(id, key);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
