/**
 * The PostgreSQL store's reads of many events (./pg-store.ts): the whole log (or the part before a time)
 * into columns through COPY, the events after a position, and every event in time order through a cursor.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { type EventRow, eventColumns, eventLogWhere, putEventRow } from './event-columns.js';
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
  return copyEventRows(client, where, count);
}

/**
 * The events at positions (after, upTo], which are `upTo - after` of them (positions are gapless and every
 * one up to the log's last is committed: ./pg-schema.ts), as columns with the position they reach.
 */
export async function copyEventsBetween(
  client: pg.PoolClient,
  after: number,
  upTo: number,
): Promise<EventColumns & { position: number }> {
  const { columns } = await copyEventRows(client, `WHERE id > ${after} AND id <= ${upTo}`, upTo - after);
  return { ...columns, position: upTo };
}

/** The `count` events `where` chooses, in insertion order, decoded from binary COPY into columns. */
async function copyEventRows(
  client: pg.PoolClient,
  where: string,
  count: number,
): Promise<{ columns: EventColumns; sorted: boolean; maxType: number }> {
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

/** Reads of at least this many events go through binary COPY (fewer: one SELECT, a row each). */
export const COPY_READ_EVENTS = 1000;

/** Rows (id, user, item, type, value, time) after `position`, as columns with the position they reach. */
export function columnsOfRows(
  rows: readonly EventRow[],
  position: number,
): EventColumns & { position: number } {
  const out = { ...eventColumns(rows.length), position };
  for (let k = 0; k < rows.length; k++) putEventRow(out, k, rows[k]!);
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
