/**
 * The events stored after a position in the SQLite store's event sequence (./sqlite-store.ts
 * eventsSince), read into columns: what a swap replays and the insights count incrementally.
 */
import type Database from 'better-sqlite3';
import type { EventColumns } from './store.js';

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
  const out = {
    user: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    value: new Float32Array(n),
    timestamp: new Float64Array(n),
    length: n,
    position,
  };
  const rows = db
    .prepare('SELECT id, user_idx, item_idx, type, value, ts FROM events WHERE id > ? ORDER BY id LIMIT ?')
    .raw()
    .iterate(position, n) as IterableIterator<[number, number, number, number, number, number]>;
  let k = 0;
  for (const r of rows) {
    out.user[k] = r[1];
    out.item[k] = r[2];
    out.type[k] = r[3];
    out.value[k] = r[4];
    out.timestamp[k] = r[5];
    out.position = r[0];
    k++;
  }
  return out;
}
