/**
 * The PostgreSQL store's writes of events (./pg-store.ts), by dense index, at given positions: a few rows
 * through one INSERT ... SELECT FROM unnest(...), many through binary COPY (./pg-binary-copy.ts), a Buffer
 * per chunk of rows. Both run on the caller's transaction, which holds the event log's lock.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  copyBinaryHeader,
  copyBinaryTrailer,
  type EventRowsSource,
  encodeEventRows,
  encodeIdRows,
} from './pg-binary-copy.js';

/** From this many events on, a write goes through COPY (below it, one INSERT statement costs less). */
export const COPY_FROM_EVENTS = 1000;
/** Rows per binary COPY chunk (and per progress report). */
const COPY_CHUNK = 8192;

/** Events gathered one at a time (by an importer's records) into typed columns that grow as needed. */
export class EventBatch implements EventRowsSource {
  length = 0;
  user = new Int32Array(1024);
  item = new Int32Array(1024);
  type = new Int32Array(1024);
  value = new Float64Array(1024);
  timestamp = new Float64Array(1024);

  push(user: number, item: number, type: number, value: number, timestamp: number): void {
    const k = this.length;
    if (k === this.user.length) this.grow(k * 2);
    this.user[k] = user;
    this.item[k] = item;
    this.type[k] = type;
    this.value[k] = value;
    this.timestamp[k] = timestamp;
    this.length = k + 1;
  }

  private grow(capacity: number): void {
    const bigger = <A extends Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.user = bigger(this.user, (n) => new Int32Array(n));
    this.item = bigger(this.item, (n) => new Int32Array(n));
    this.type = bigger(this.type, (n) => new Int32Array(n));
    this.value = bigger(this.value, (n) => new Float64Array(n));
    this.timestamp = bigger(this.timestamp, (n) => new Float64Array(n));
  }
}

/**
 * Writes events 0..n-1 of `ev` at positions first, first+1, ... with one ingestion time, on `client`
 * (in the caller's transaction); `onProgress` hears the count written after each chunk of a COPY.
 */
export async function writeEventRows(
  client: pg.PoolClient,
  ev: EventRowsSource,
  n: number,
  first: number,
  ingestedAt: number,
  onProgress?: (n: number) => void,
): Promise<void> {
  if (n === 0) return;
  if (n < COPY_FROM_EVENTS) {
    const column = (a: ArrayLike<number>) => Array.from({ length: n }, (_, k) => a[k]!);
    await client.query(
      `INSERT INTO events (id, user_idx, item_idx, type, value, ts, ingested_at)
       SELECT id, u, i, t, v, ts, $7 FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::float8[], $6::bigint[])
         AS x(id, u, i, t, v, ts)`,
      [
        Array.from({ length: n }, (_, k) => first + k),
        column(ev.user),
        column(ev.item),
        column(ev.type),
        column(ev.value),
        Array.from({ length: n }, (_, k) => Math.round(ev.timestamp[k]!)),
        ingestedAt,
      ],
    );
    return;
  }
  const rows = { user: ev.user, item: ev.item, type: ev.type, value: ev.value, timestamp: ev.timestamp };
  await copyEventStream(client, [{ ...rows, length: n }], first, ingestedAt, onProgress);
}

/**
 * Writes the events of `batches` as they come, through one binary COPY, at positions first, first+1, ...
 * with one ingestion time, on `client` (in the caller's transaction): the server stores a chunk while the
 * next batch is read and resolved. `onProgress` hears the count written after each chunk; returns the count.
 */
export async function copyEventStream(
  client: pg.PoolClient,
  batches:
    | AsyncIterable<EventRowsSource & { length: number }>
    | Iterable<EventRowsSource & { length: number }>,
  first: number,
  ingestedAt: number,
  onProgress?: (n: number) => void,
): Promise<number> {
  let n = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    yield copyBinaryHeader();
    for await (const ev of batches) {
      for (let k = 0; k < ev.length; k += COPY_CHUNK) {
        const end = Math.min(ev.length, k + COPY_CHUNK);
        yield encodeEventRows(ev, k, end, first + n + k, ingestedAt);
        onProgress?.(n + end);
      }
      n += ev.length;
    }
    yield copyBinaryTrailer();
  }
  const stream = client.query(
    copyFrom('COPY events (id, user_idx, item_idx, type, value, ts, ingested_at) FROM STDIN (FORMAT binary)'),
  );
  // the rows read ahead while the server stores earlier ones (up to a few MB waiting)
  await pipeline(Readable.from(chunks(), { objectMode: false, highWaterMark: 8 << 20 }), stream);
  return n;
}

/**
 * Writes the rows of new users or items (`table`: their index from `first`, id, creation time; the other
 * columns NULL) through one binary COPY, on `client` (in the caller's transaction).
 */
export async function copyIdRows(
  client: pg.PoolClient,
  table: 'users' | 'items',
  first: number,
  ids: readonly string[],
  createdAt: ArrayLike<number>,
): Promise<void> {
  if (ids.length === 0) return;
  const stream = client.query(copyFrom(`COPY ${table} (idx, id, created_at) FROM STDIN (FORMAT binary)`));
  await pipeline(Readable.from([encodeIdRows(first, ids, createdAt)], { objectMode: false }), stream);
}

/** From this many expected events on, a load may defer the events' indexes (see deferEventIndexes). */
export const DEFER_INDEX_EVENTS = 200_000;

/**
 * Before a bulk load (`expected` events, in the caller's transaction, under the event log's lock): drops
 * the indexes on events (the primary key on id and events_user_ts on (user_idx, ts)) when the load is large
 * and at least ten times the events already stored (a store being filled), so that they are built once at
 * the end (restoreEventIndexes, before the commit) rather than updated row by row; whether it did. With
 * them, the server's COPY of 1M rows takes about twice as long as without them and both builds together.
 * The DDL is transactional: a rollback brings the indexes back, and no commit is ever without them (a
 * duplicate position would fail the key's build and roll the load back). It takes the table's exclusive
 * lock: other sessions' reads of events wait for the load's commit, and when one is reading now the drop
 * gives up at once (lock_timeout, under a savepoint) rather than queue, and the load keeps the indexes.
 */
export async function deferEventIndexes(client: pg.PoolClient, expected: number): Promise<boolean> {
  if (expected < DEFER_INDEX_EVENTS) return false;
  const r = await client.query<{ n: number }>('SELECT coalesce(max(id), 0)::bigint AS n FROM events');
  if (r.rows[0]!.n * 10 > expected) return false;
  await client.query('SAVEPOINT reco_defer_index');
  try {
    await client.query("SELECT set_config('lock_timeout', '100ms', true)");
    await client.query('DROP INDEX events_user_ts');
    await client.query('ALTER TABLE events DROP CONSTRAINT events_pkey');
  } catch (err) {
    // 55P03: lock_not_available (another session is reading events); the rollback to the savepoint also
    // undoes the timeout
    if ((err as { code?: string }).code !== '55P03') throw err;
    await client.query('ROLLBACK TO SAVEPOINT reco_defer_index');
    return false;
  }
  await client.query('RELEASE SAVEPOINT reco_defer_index');
  await client.query('SET LOCAL lock_timeout TO DEFAULT');
  return true;
}

/** Builds the indexes deferEventIndexes dropped (as ./pg-schema.ts defines them). */
export async function restoreEventIndexes(client: pg.PoolClient): Promise<void> {
  // the builds' sorts in memory (1M events: the key's build 0.6 -> 0.4 s), for this transaction only
  await client.query("SELECT set_config('maintenance_work_mem', '256MB', true)");
  await client.query('ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id)');
  await client.query('CREATE INDEX events_user_ts ON events(user_idx, ts)');
}
