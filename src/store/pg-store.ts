/**
 * The store on PostgreSQL (`--db postgres://...` or RECO_DB): the same interface as the SQLite store
 * (./sqlite-store.ts), for several processes over one database. Users, items and event types keep their
 * dense indices in memory (id maps), caught up from the database under the event log's lock before any
 * write, so that every process assigns the same index to the same id. Events get gapless positions in
 * commit order (./pg-schema.ts). Bulk loads go through COPY (pg-copy-streams).
 *
 * Not yet on PostgreSQL: the web app's accounts, the operators' activity views and online experiments
 * (their calls fail naming what is missing).
 */
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import {
  checkRule,
  DEFAULT_EVENT_TYPES,
  type EventTypeRule,
  interactionWeights,
  ruleOf,
} from '../data/interactions.js';
import { idProblem, timeProblem, valueProblem } from '../data/valid.js';
import { InputError, RecoError } from '../errors.js';
import type { EventLog, EventRecord, ItemRecord, UserRecord } from '../types.js';
import type { AccountStore, ActivityStore } from './accounts.js';
import { sortEventLogByTime } from './event-order.js';
import type { ExperimentStore } from './experiments.js';
import { PgRuns } from './pg-runs.js';
import { EVENT_LOG_LOCK, migratePg } from './pg-schema.js';
import {
  checkItem,
  checkUser,
  type EventTypeRow,
  type ItemRow,
  itemFromRow,
  refuse,
  ruleFromRow,
  type UserRow,
  userFromRow,
} from './sqlite-rows.js';
import type {
  EventColumns,
  EventTypeDeclaration,
  InsertEventsOptions,
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

// bigint columns (times, positions) as numbers: every value reco writes is a safe integer
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Rows per INSERT ... SELECT FROM unnest(...) statement; larger loads go through COPY. */
const INSERT_ROWS = 5_000;
const PROGRESS_EVERY = 8192;

/** Whether a --db value names a PostgreSQL database. */
export function isPgLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** The connection string without its `schema` parameter, the schema (default `public`), and a display name. */
export function parsePgLocation(location: string): { url: string; schema: string; display: string } {
  let u: URL;
  try {
    u = new URL(location);
  } catch {
    throw new InputError(`--db: not a PostgreSQL URL: "${location.slice(0, 200)}"`);
  }
  const schema = u.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema))
    throw new InputError(
      `--db: schema "${schema.slice(0, 80)}" must be a lower-case SQL name ([a-z_][a-z0-9_]*)`,
    );
  u.searchParams.delete('schema');
  const url = u.toString();
  if (u.password) u.password = '***';
  return { url, schema, display: `${u.toString()}${schema === 'public' ? '' : ` (schema ${schema})`}` };
}

/** A store feature that PostgreSQL does not hold yet: every call fails naming it. */
function unsupported<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: () => () =>
      Promise.reject(new RecoError(`${what} are not yet kept in PostgreSQL: use a SQLite store for them`)),
  });
}

interface PgTransaction {
  client: pg.PoolClient;
  /** Whether the event log's lock is held (taken by the first write). */
  locked: boolean;
}

export class PgStore implements Store {
  readonly path: string;
  readonly accounts = unsupported<AccountStore>('accounts');
  readonly activity = unsupported<ActivityStore>('activity views');
  readonly experiments = unsupported<ExperimentStore>('experiments');
  private readonly pool: pg.Pool;
  private readonly gate = new TransactionGate<PgTransaction>();
  private readonly runs: PgRuns;
  private readonly userIdx = new Map<string, number>();
  private readonly itemIdx = new Map<string, number>();
  private userIdList: string[] = [];
  private itemIdList: string[] = [];
  private readonly typeCodes = new Map<string, number>();
  private typeNameList: string[] = [];
  private readonly typeRules = new Map<string, EventTypeRule>();

  private constructor(url: string, schema: string, display: string) {
    this.path = display;
    this.pool = new pg.Pool({ connectionString: url, max: 8, options: `-c search_path=${schema}` });
    // an idle connection that fails (the server restarts) must not end the process
    this.pool.on('error', () => undefined);
    this.runs = new PgRuns((sql, params) => this.query(sql, params));
  }

  /** Opens (creating the schema's tables as needed) the store at a postgres:// URL (`?schema=` optional). */
  static async open(location: string): Promise<PgStore> {
    const { url, schema, display } = parsePgLocation(location);
    const store = new PgStore(url, schema, display);
    let client: pg.PoolClient;
    try {
      client = await store.pool.connect();
    } catch (err) {
      await store.pool.end();
      throw new RecoError(`cannot open database ${display}: ${(err as Error).message}`);
    }
    try {
      await migratePg(client, schema);
    } finally {
      client.release();
    }
    await store.catchUpIds();
    await store.transaction(async () => {
      for (const [name] of DEFAULT_EVENT_TYPES) await store.eventTypeCode(name);
    });
    return store;
  }

  /** A query on the caller's transaction, or on any pooled connection. */
  private query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    const tx = this.gate.current();
    return tx ? tx.client.query<R>(sql, params) : this.pool.query<R>(sql, params);
  }

  private async queryRows<R extends unknown[]>(sql: string, params: unknown[] = []): Promise<R[]> {
    const tx = this.gate.current();
    const config = { text: sql, values: params, rowMode: 'array' as const };
    const r = tx ? await tx.client.query<R>(config) : await this.pool.query<R>(config);
    return r.rows;
  }

  transaction<T>(fn: () => Promise<T>, _options?: { expectedEvents?: number }): Promise<T> {
    return this.gate.transaction(
      async () => {
        const client = await this.pool.connect();
        await client.query('BEGIN');
        return { client, locked: false };
      },
      async (tx) => {
        try {
          const result = await fn();
          await tx.client.query('COMMIT');
          return result;
        } catch (err) {
          await tx.client.query('ROLLBACK').catch(() => undefined);
          // forget ids created inside the rolled-back transaction
          this.forgetIds();
          throw err;
        } finally {
          tx.client.release();
        }
      },
      fn,
    );
  }

  /** Runs fn in a transaction holding the event log's lock, with the id maps caught up. */
  private write<T>(fn: () => Promise<T>): Promise<T> {
    const tx = this.gate.current();
    if (!tx) return this.transaction(() => this.write(fn));
    return (async () => {
      if (!tx.locked) {
        await tx.client.query('SELECT pg_advisory_xact_lock($1)', [EVENT_LOG_LOCK]);
        tx.locked = true;
        await this.catchUpIds();
      }
      return fn();
    })();
  }

  private forgetIds(): void {
    this.userIdx.clear();
    this.itemIdx.clear();
    this.userIdList = [];
    this.itemIdList = [];
    this.typeCodes.clear();
    this.typeNameList = [];
    this.typeRules.clear();
  }

  /** Reads the users, items and event types created since the maps were last read (by any process). */
  private async catchUpIds(): Promise<void> {
    const users = await this.queryRows<[number, string]>(
      'SELECT idx, id FROM users WHERE idx >= $1 ORDER BY idx',
      [this.userIdList.length],
    );
    for (const [idx, id] of users) {
      this.userIdList[idx] = id;
      this.userIdx.set(id, idx);
    }
    const items = await this.queryRows<[number, string]>(
      'SELECT idx, id FROM items WHERE idx >= $1 ORDER BY idx',
      [this.itemIdList.length],
    );
    for (const [idx, id] of items) {
      this.itemIdList[idx] = id;
      this.itemIdx.set(id, idx);
    }
    const types = (
      await this.query<EventTypeRow>(
        'SELECT code, name, weight, value_rule, center FROM event_types WHERE code >= $1 ORDER BY code',
        [this.typeNameList.length],
      )
    ).rows;
    for (const t of types) {
      this.typeCodes.set(t.name, t.code);
      this.typeNameList[t.code] = t.name;
      const rule = ruleFromRow(t);
      if (rule) this.typeRules.set(t.name, rule);
    }
  }

  async counts(): Promise<StoreCounts> {
    const [row] = await this.queryRows<[number, number, number]>(
      'SELECT (SELECT count(*) FROM users)::int, (SELECT count(*) FROM items)::int, (SELECT count(*) FROM events)::int',
    );
    return { users: row![0], items: row![1], events: row![2] };
  }

  upsertUsers(users: Iterable<UserRecord>): Promise<number> {
    return this.write(async () => {
      let n = 0;
      const now = Date.now();
      for (const u of users) {
        checkUser(u);
        const attributes = u.attributes === undefined ? null : JSON.stringify(u.attributes);
        const existing = this.userIdx.get(u.id);
        if (existing === undefined) await this.addUsers([u.id], [u.createdAt ?? now], [attributes]);
        else
          await this.query('UPDATE users SET attributes = coalesce($1, attributes) WHERE idx = $2', [
            attributes,
            existing,
          ]);
        n++;
      }
      return n;
    });
  }

  /** Adds new users at the next dense indices (inside write()). */
  private async addUsers(ids: string[], createdAt: number[], attributes?: (string | null)[]): Promise<void> {
    if (ids.length === 0) return;
    const first = this.userIdList.length;
    const idx = ids.map((_, k) => first + k);
    await this.query(
      'INSERT INTO users (idx, id, attributes, created_at) SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[])',
      [idx, ids, attributes ?? ids.map(() => null), createdAt],
    );
    ids.forEach((id, k) => {
      this.userIdList.push(id);
      this.userIdx.set(id, first + k);
    });
  }

  private async addItems(
    items: {
      id: string;
      title: string | null;
      genres: string | null;
      tags: string | null;
      attributes: string | null;
      createdAt: number;
    }[],
  ): Promise<void> {
    if (items.length === 0) return;
    const first = this.itemIdList.length;
    await this.query(
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
    items.forEach((it, k) => {
      this.itemIdList.push(it.id);
      this.itemIdx.set(it.id, first + k);
    });
  }

  upsertItems(items: Iterable<ItemRecord>): Promise<number> {
    return this.write(async () => {
      let n = 0;
      const now = Date.now();
      const fresh: Parameters<PgStore['addItems']>[0] = [];
      const seen = new Set<string>();
      for (const it of items) {
        checkItem(it);
        const title = it.title ?? null;
        const genres = it.genres === undefined ? null : JSON.stringify(it.genres);
        const tags = it.tags === undefined ? null : JSON.stringify(it.tags);
        const attributes = it.attributes === undefined ? null : JSON.stringify(it.attributes);
        const existing = this.itemIdx.get(it.id);
        if (existing === undefined && !seen.has(it.id)) {
          seen.add(it.id);
          fresh.push({ id: it.id, title, genres, tags, attributes, createdAt: it.createdAt ?? now });
        } else {
          if (existing === undefined) {
            await this.addItems(fresh.splice(0));
            seen.clear();
          }
          await this.query(
            `UPDATE items SET title = coalesce($1, title), genres = coalesce($2, genres), tags = coalesce($3, tags),
             attributes = coalesce($4, attributes), created_at = coalesce($5, created_at) WHERE idx = $6`,
            [title, genres, tags, attributes, it.createdAt ?? null, this.itemIdx.get(it.id)],
          );
        }
        n++;
      }
      await this.addItems(fresh);
      return n;
    });
  }

  insertEvents(events: Iterable<EventRecord>, options: InsertEventsOptions = {}): Promise<number> {
    const createUsers = options.createUsers ?? true;
    const createItems = options.createItems ?? true;
    const createTypes = options.createTypes ?? true;
    return this.write(async () => {
      const ingestedAt = Date.now();
      const cols = {
        user: [] as number[],
        item: [] as number[],
        type: [] as number[],
        value: [] as number[],
        ts: [] as number[],
      };
      const requests: [number, string][] = [];
      const newUsers: string[] = [];
      const newUserTimes: number[] = [];
      const newItems: Parameters<PgStore['addItems']>[0] = [];
      // new ids get their index when the batch is written; until then they are numbered here
      const pendingUser = new Map<string, number>();
      const pendingItem = new Map<string, number>();
      let n = 0;
      for (const e of events) {
        const where = `event ${n + 1}`;
        if (e.request !== undefined) {
          refuse(`${where}: request`, idProblem(e.request));
          requests.push([n, e.request]);
        }
        let u = this.userIdx.get(e.user) ?? pendingUser.get(e.user);
        if (u === undefined) {
          if (!createUsers) throw new InputError(`unknown user "${e.user}"`);
          refuse(`${where}: user`, idProblem(e.user));
          refuse(`${where}: timestamp`, timeProblem(e.timestamp));
          u = this.userIdList.length + newUsers.length;
          pendingUser.set(e.user, u);
          newUsers.push(e.user);
          newUserTimes.push(e.timestamp);
        }
        let i = this.itemIdx.get(e.item) ?? pendingItem.get(e.item);
        if (i === undefined) {
          if (!createItems) throw new InputError(`unknown item "${e.item}"`);
          refuse(`${where}: item`, idProblem(e.item));
          refuse(`${where}: timestamp`, timeProblem(e.timestamp));
          i = this.itemIdList.length + newItems.length;
          pendingItem.set(e.item, i);
          newItems.push({
            id: e.item,
            title: null,
            genres: null,
            tags: null,
            attributes: null,
            createdAt: e.timestamp,
          });
        }
        if (e.value !== undefined) refuse(`${where}: value`, valueProblem(e.value));
        refuse(`${where}: timestamp`, timeProblem(e.timestamp));
        if (!createTypes && !this.typeCodes.has(e.type))
          throw new InputError(`${where}: unknown event type "${e.type}" (declare it first: reco types set)`);
        cols.user.push(u);
        cols.item.push(i);
        cols.type.push(await this.declaredCode(e.type));
        cols.value.push(e.value ?? 1);
        cols.ts.push(e.timestamp);
        if (++n % PROGRESS_EVERY === 0) options.onProgress?.(n);
      }
      await this.addUsers(newUsers, newUserTimes);
      await this.addItems(newItems);
      const first = (await this.lastPosition()) + 1;
      for (let k = 0; k < n; k += INSERT_ROWS) {
        const end = Math.min(n, k + INSERT_ROWS);
        const ids = Array.from({ length: end - k }, (_, j) => first + k + j);
        await this.query(
          `INSERT INTO events (id, user_idx, item_idx, type, value, ts, ingested_at)
           SELECT id, u, i, t, v, ts, $7 FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::float8[], $6::bigint[])
             AS x(id, u, i, t, v, ts)`,
          [
            ids,
            cols.user.slice(k, end),
            cols.item.slice(k, end),
            cols.type.slice(k, end),
            cols.value.slice(k, end),
            cols.ts.slice(k, end),
            ingestedAt,
          ],
        );
      }
      if (requests.length > 0)
        await this.query(
          `INSERT INTO event_requests (event_id, request) SELECT * FROM unnest($1::bigint[], $2::text[])
           ON CONFLICT (event_id) DO UPDATE SET request = excluded.request`,
          [requests.map(([k]) => first + k), requests.map(([, r]) => r)],
        );
      options.onProgress?.(n);
      return n;
    });
  }

  private async lastPosition(): Promise<number> {
    const [row] = await this.queryRows<[number | null]>('SELECT max(id) FROM events');
    return row?.[0] ?? 0;
  }

  insertEventColumns(
    ev: EventColumns,
    options: Pick<InsertEventsOptions, 'onProgress'> = {},
  ): Promise<number> {
    return this.write(async () => {
      const nUsers = this.userIdList.length;
      const nItems = this.itemIdList.length;
      for (let e = 0; e < ev.length; e++) {
        const u = ev.user[e]!;
        const i = ev.item[e]!;
        if (u < 0 || u >= nUsers)
          throw new RecoError(`event ${e}: user index ${u} out of range 0..${nUsers - 1}`);
        if (i < 0 || i >= nItems)
          throw new RecoError(`event ${e}: item index ${i} out of range 0..${nItems - 1}`);
      }
      const first = (await this.lastPosition()) + 1;
      const ingestedAt = Date.now();
      const tx = this.gate.current()!;
      const stream = tx.client.query(
        copyFrom('COPY events (id, user_idx, item_idx, type, value, ts, ingested_at) FROM STDIN'),
      );
      const done = once(stream, 'finish');
      let chunk: string[] = [];
      for (let e = 0; e < ev.length; e++) {
        chunk.push(
          `${first + e}\t${ev.user[e]}\t${ev.item[e]}\t${ev.type[e]}\t${ev.value[e]}\t${Math.round(ev.timestamp[e]!)}\t${ingestedAt}\n`,
        );
        if (chunk.length === PROGRESS_EVERY) {
          if (!stream.write(chunk.join(''))) await once(stream, 'drain');
          chunk = [];
          options.onProgress?.(e + 1);
        }
      }
      stream.end(chunk.join(''));
      await done;
      options.onProgress?.(ev.length);
      return ev.length;
    });
  }

  eventTypeCode(name: string): Promise<number> {
    const known = this.typeCodes.get(name);
    if (known !== undefined) return Promise.resolve(known);
    return this.write(() => this.declaredCode(name));
  }

  typeCode(name: string): number | undefined {
    return this.typeCodes.get(name);
  }

  /** The code of an event type, declared now when it is new (inside write()). */
  private async declaredCode(name: string): Promise<number> {
    let code = this.typeCodes.get(name);
    if (code === undefined) {
      refuse('event type', idProblem(name));
      code = this.typeNameList.length;
      if (code > 255)
        throw new InputError(
          `too many event types (256 at most): cannot declare "${name}" (reco types lists them)`,
        );
      await this.query('INSERT INTO event_types (code, name) VALUES ($1, $2)', [code, name]);
      this.typeCodes.set(name, code);
      this.typeNameList[code] = name;
    }
    return code;
  }

  eventTypes(): EventTypeDeclaration[] {
    const builtIn = interactionWeights();
    return this.typeNameList.map((name, code) => {
      const given = this.typeRules.get(name);
      return { name, code, rule: given ?? ruleOf(builtIn, name), given: given !== undefined };
    });
  }

  declareEventType(name: string, rule: EventTypeRule): Promise<void> {
    const checked = checkRule(name, rule);
    return this.write(async () => {
      const code = await this.declaredCode(name);
      await this.query('UPDATE event_types SET weight = $1, value_rule = $2, center = $3 WHERE code = $4', [
        checked.weight,
        checked.value,
        checked.center ?? null,
        code,
      ]);
      this.typeRules.set(name, checked);
    });
  }

  eventTypeNames(): string[] {
    return this.typeNameList.slice();
  }
  userIndex(id: string): number | undefined {
    return this.userIdx.get(id);
  }
  itemIndex(id: string): number | undefined {
    return this.itemIdx.get(id);
  }
  userIds(): string[] {
    return this.userIdList.slice();
  }
  itemIds(): string[] {
    return this.itemIdList.slice();
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const r = (await this.query<UserRow>('SELECT * FROM users WHERE id = $1', [id])).rows[0];
    return r && userFromRow(r);
  }
  async getItem(id: string): Promise<ItemRecord | undefined> {
    const r = (await this.query<ItemRow>('SELECT * FROM items WHERE id = $1', [id])).rows[0];
    return r && itemFromRow(r);
  }
  async listItems(): Promise<ItemRecord[]> {
    return (await this.query<ItemRow>('SELECT * FROM items ORDER BY idx')).rows.map(itemFromRow);
  }
  async listUsers(): Promise<UserRecord[]> {
    return (await this.query<UserRow>('SELECT * FROM users ORDER BY idx')).rows.map(userFromRow);
  }

  /** Runs fn on one connection in a read-only snapshot (the count and the rows see the same events). */
  private async snapshot<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const tx = this.gate.current();
    if (tx) return fn(tx.client);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async loadEventLog(options: { until?: number } = {}): Promise<EventLog> {
    const where = options.until === undefined ? '' : `WHERE ts < ${Math.floor(options.until)}`;
    const { user, item, type, value, timestamp, n, sorted } = await this.snapshot(async (c) => {
      const count = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM events ${where}`)).rows[0]!
        .n;
      const cols = {
        user: new Int32Array(count),
        item: new Int32Array(count),
        type: new Uint8Array(count),
        value: new Float32Array(count),
        timestamp: new Float64Array(count),
      };
      let k = 0;
      let isSorted = true;
      let rest = '';
      const stream = c.query(
        copyTo(
          `COPY (SELECT user_idx, item_idx, type, value, ts FROM events ${where} ORDER BY id) TO STDOUT`,
        ),
      );
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const text = rest + chunk.toString('utf8');
        let start = 0;
        for (let nl = text.indexOf('\n', start); nl >= 0 && k < count; nl = text.indexOf('\n', start)) {
          const f = text.slice(start, nl).split('\t');
          cols.user[k] = Number(f[0]);
          cols.item[k] = Number(f[1]);
          cols.type[k] = Number(f[2]);
          cols.value[k] = Number(f[3]);
          const ts = Number(f[4]);
          cols.timestamp[k] = ts;
          if (k > 0 && ts < cols.timestamp[k - 1]!) isSorted = false;
          k++;
          start = nl + 1;
        }
        rest = text.slice(start);
      }
      return { ...cols, n: k, sorted: isSorted };
    });
    await this.catchUpIds();
    const log: EventLog = {
      userIds: this.userIds(),
      itemIds: this.itemIds(),
      typeNames: this.eventTypeNames(),
      user,
      item,
      type,
      value,
      timestamp,
      length: n,
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
    const rows = await this.queryRows<[number, number, number, number, number, number]>(
      'SELECT id, user_idx, item_idx, type, value, ts FROM events WHERE id > $1 ORDER BY id LIMIT $2',
      [position, Math.min(limit, 2 ** 31 - 1)],
    );
    const n = rows.length;
    const out = {
      user: new Int32Array(n),
      item: new Int32Array(n),
      type: new Uint8Array(n),
      value: new Float32Array(n),
      timestamp: new Float64Array(n),
      length: n,
      position,
    };
    rows.forEach((r, k) => {
      out.user[k] = r[1];
      out.item[k] = r[2];
      out.type[k] = r[3];
      out.value[k] = r[4];
      out.timestamp[k] = r[5];
      out.position = r[0];
    });
    if (
      out.user.some((u) => u >= this.userIdList.length) ||
      out.item.some((i) => i >= this.itemIdList.length)
    )
      await this.catchUpIds();
    return out;
  }

  async userEvents(userId: string, limit = 100): Promise<StoredEvent[]> {
    const u = this.userIdx.get(userId);
    if (u === undefined) return [];
    const rows = await this.queryRows<[number, number, number, number, number]>(
      'SELECT item_idx, type, value, ts, ingested_at FROM events WHERE user_idx = $1 ORDER BY ts DESC, id DESC LIMIT $2',
      [u, limit],
    );
    return rows.map((r) => ({
      user: userId,
      item: this.itemIdList[r[0]]!,
      type: this.typeNameList[r[1]]!,
      value: r[2],
      timestamp: r[3],
      ingestedAt: r[4],
    }));
  }

  async *iterateEvents(): AsyncIterableIterator<StoredEvent> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(
        'DECLARE reco_events NO SCROLL CURSOR FOR SELECT user_idx, item_idx, type, value, ts, ingested_at FROM events ORDER BY ts, id',
      );
      for (;;) {
        const r = await client.query<[number, number, number, number, number, number]>({
          text: 'FETCH 5000 FROM reco_events',
          rowMode: 'array',
        });
        if (r.rows.length === 0) break;
        if (r.rows.some((x) => x[0] >= this.userIdList.length || x[1] >= this.itemIdList.length))
          await this.catchUpIds();
        for (const x of r.rows)
          yield {
            user: this.userIdList[x[0]]!,
            item: this.itemIdList[x[1]]!,
            type: this.typeNameList[x[2]]!,
            value: x[3],
            timestamp: x[4],
            ingestedAt: x[5],
          };
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  async getMeta(key: string): Promise<Buffer | undefined> {
    const r = await this.query<{ value: Buffer }>('SELECT value FROM meta WHERE key = $1', [key]);
    return r.rows[0]?.value;
  }

  async setMeta(key: string, value: Buffer | string): Promise<void> {
    await this.query(
      `INSERT INTO meta (key, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, typeof value === 'string' ? Buffer.from(value) : value, Date.now()],
    );
  }

  createRun(run: Pick<RunInfo, 'id' | 'name' | 'kind' | 'startTime'>): Promise<void> {
    return this.runs.create(run);
  }
  logRun(id: string, batch: RunBatch): Promise<void> {
    return this.gate.current() ? this.runs.log(id, batch) : this.transaction(() => this.runs.log(id, batch));
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

  async close(): Promise<void> {
    await this.gate.idle();
    await this.pool.end();
  }
}
