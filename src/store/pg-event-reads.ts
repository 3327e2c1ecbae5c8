/**
 * The PostgreSQL store's reads of many events (./pg-store.ts): the whole log (or the part before a time)
 * into columns through COPY, the events after a position, and every event in time order through a cursor.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { eventColumns, eventLogWhere } from './event-columns.js';
import { EventRowsDecoder } from './pg-binary-copy.js';
import type { EventColumns, EventLogOptions } from './store.js';

/**
 * Every event (those `options` names) in insertion order, read on `client` (in one snapshot: the count
 * and the rows see the same events), whether they are in time order, and the largest type code read.
 */
export async function copyEventLog(
  client: pg.PoolClient,
  options: EventLogOptions,
): Promise<{ columns: EventColumns; sorted: boolean; maxType: number }> {
  const where = eventLogWhere(options);
  const count = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM events ${where}`)).rows[0]!
    .n;
  const columns = eventColumns(count);
  const decoder = new EventRowsDecoder(columns);
  const stream = client.query(
    copyTo(
      `COPY (SELECT user_idx, item_idx, type, value, ts FROM events ${where} ORDER BY id) TO STDOUT (FORMAT binary)`,
    ),
  );
  for await (const chunk of stream as AsyncIterable<Buffer>) decoder.push(chunk);
  decoder.finish();
  columns.length = decoder.length;
  return { columns, sorted: decoder.sorted, maxType: decoder.maxType };
}

/** Rows (id, user, item, type, value, time) after `position`, as columns with the position they reach. */
export function columnsOfRows(
  rows: readonly [number, number, number, number, number, number][],
  position: number,
): EventColumns & { position: number } {
  const out = { ...eventColumns(rows.length), position };
  rows.forEach((r, k) => {
    out.user[k] = r[1];
    out.item[k] = r[2];
    out.type[k] = r[3];
    out.value[k] = r[4];
    out.timestamp[k] = r[5];
    out.position = r[0];
  });
  return out;
}

/** Every event's (user, item, type, value, time, ingestion time) in time order, a page of a cursor at a time. */
export async function* cursorEventRows(
  pool: pg.Pool,
): AsyncIterableIterator<[number, number, number, number, number, number][]> {
  const client = await pool.connect();
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
      yield r.rows;
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}
