/**
 * The PostgreSQL store's reads of many events (./pg-store.ts): the whole log (or the part before a time)
 * into columns through COPY, the events after a position, and every event in time order through a cursor.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { eventColumns, eventLogWhere } from './event-columns.js';
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
  let k = 0;
  let sorted = true;
  let maxType = -1;
  let rest = '';
  const stream = client.query(
    copyTo(`COPY (SELECT user_idx, item_idx, type, value, ts FROM events ${where} ORDER BY id) TO STDOUT`),
  );
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = rest + chunk.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0 && k < count; nl = text.indexOf('\n', start)) {
      const f = text.slice(start, nl).split('\t');
      columns.user[k] = Number(f[0]);
      columns.item[k] = Number(f[1]);
      const type = Number(f[2]);
      columns.type[k] = type;
      if (type > maxType) maxType = type;
      columns.value[k] = Number(f[3]);
      const ts = Number(f[4]);
      columns.timestamp[k] = ts;
      if (k > 0 && ts < columns.timestamp[k - 1]!) sorted = false;
      k++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  columns.length = k;
  return { columns, sorted, maxType };
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
