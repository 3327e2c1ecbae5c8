/**
 * The SQLite store's reads of many events (./sqlite-store.ts): the whole log (or the part before a time)
 * into columns for training, the events stored after a position (what a swap replays and the insights
 * count incrementally), and every event in time order (export).
 */
import Database from 'better-sqlite3';
import { type EventRow, eventColumns, eventLogWhere, putEventRow } from './event-columns.js';
import type { EventColumns, EventLogOptions } from './store.js';

/**
 * Every event (those `options` names) in insertion order, whether they are in time order, and the
 * largest type code read.
 */
export function readEventLog(
  db: Database.Database,
  options: EventLogOptions,
): { columns: EventColumns; sorted: boolean; maxType: number } {
  const where = eventLogWhere(options);
  const n = db.prepare(`SELECT count(*) FROM events ${where}`).pluck().get() as number;
  const columns = eventColumns(n);
  let k = 0;
  let sorted = true;
  let maxType = -1;
  const rows = db
    .prepare(`SELECT user_idx, item_idx, type, value, ts FROM events ${where} ORDER BY id`)
    .raw()
    .iterate() as IterableIterator<[number, number, number, number, number]>;
  for (const r of rows) {
    if (k >= n) break;
    columns.user[k] = r[0];
    columns.item[k] = r[1];
    columns.type[k] = r[2];
    columns.value[k] = r[3];
    columns.timestamp[k] = r[4];
    if (k > 0 && r[4] < columns.timestamp[k - 1]!) sorted = false;
    if (r[2] > maxType) maxType = r[2];
    k++;
  }
  columns.length = k;
  return { columns, sorted, maxType };
}

/**
 * Every event's (user, item, type, value, time, ingestion time) in time order. A file is read through a
 * connection of its own (WAL: one consistent snapshot, and the store's connection stays free for other
 * calls between the consumer's awaits); an in-memory database all at once.
 */
export function* iterateEventRows(
  db: Database.Database,
  path: string,
): IterableIterator<[number, number, number, number, number, number]> {
  const own = path === ':memory:' ? undefined : new Database(path, { readonly: true });
  try {
    const sql = 'SELECT user_idx, item_idx, type, value, ts, ingested_at FROM events ORDER BY ts, id';
    const statement = (own ?? db).prepare(sql).raw();
    yield* (own ? statement.iterate() : statement.all()) as Iterable<
      [number, number, number, number, number, number]
    >;
  } finally {
    own?.close();
  }
}

/**
 * At most `limit` of the events stored after `position`, in insertion order, and the position they reach
 * (`position` itself when there are none). Run it inside a read transaction: the count and the rows must
 * see the same events.
 */
export function readEventsSince(
  db: Database.Database,
  position: number,
  limit: number,
): EventColumns & { position: number } {
  // counting at most `limit` rows: a slice of a long tail does not count the whole tail
  const n = db
    .prepare('SELECT count(*) FROM (SELECT 1 FROM events WHERE id > ? LIMIT ?)')
    .pluck()
    .get(position, limit) as number;
  const out = { ...eventColumns(n), position };
  const rows = db
    .prepare('SELECT id, user_idx, item_idx, type, value, ts FROM events WHERE id > ? ORDER BY id LIMIT ?')
    .raw()
    .iterate(position, n) as IterableIterator<EventRow>;
  let k = 0;
  for (const r of rows) putEventRow(out, k++, r);
  return out;
}
