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
  const stream = client.query(
    copyFrom('COPY events (id, user_idx, item_idx, type, value, ts, ingested_at) FROM STDIN (FORMAT binary)'),
  );
  async function* chunks(): AsyncGenerator<Buffer> {
    yield copyBinaryHeader();
    for (let k = 0; k < n; k += COPY_CHUNK) {
      const end = Math.min(n, k + COPY_CHUNK);
      yield encodeEventRows(ev, k, end, first + k, ingestedAt);
      onProgress?.(end);
    }
    yield copyBinaryTrailer();
  }
  // pipeline: backpressure, and the COPY's failure (a constraint, a lost connection) rejects here
  await pipeline(Readable.from(chunks(), { objectMode: false }), stream);
}

/** From this many expected events on, a load may defer the events' user index (see deferUserIndex). */
export const DEFER_INDEX_EVENTS = 200_000;

/**
 * Before a bulk load (`expected` events, in the caller's transaction, under the event log's lock): drops
 * the index on events (user_idx, ts) when the load is large and at least ten times the events already
 * stored (a store being filled), so that it is built once at the end (restoreUserIndex, before the commit)
 * rather than updated row by row; whether it did. The DDL is transactional: a rollback brings the index
 * back, and no commit is ever without it. It takes the table's exclusive lock: other sessions' reads of
 * events wait for the load's commit, and when one is reading now the drop gives up at once (lock_timeout,
 * under a savepoint) rather than queue, and the load keeps the index.
 */
export async function deferUserIndex(client: pg.PoolClient, expected: number): Promise<boolean> {
  if (expected < DEFER_INDEX_EVENTS) return false;
  const r = await client.query<{ n: number }>('SELECT coalesce(max(id), 0)::bigint AS n FROM events');
  if (r.rows[0]!.n * 10 > expected) return false;
  await client.query('SAVEPOINT reco_defer_index');
  try {
    await client.query("SELECT set_config('lock_timeout', '100ms', true)");
    await client.query('DROP INDEX events_user_ts');
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

/** Builds the index deferUserIndex dropped (as ./pg-schema.ts defines it). */
export async function restoreUserIndex(client: pg.PoolClient): Promise<void> {
  await client.query('CREATE INDEX events_user_ts ON events(user_idx, ts)');
}
