/**
 * The PostgreSQL store's bulk paths against the real PostgreSQL (../helpers/pg.ts; each store in a schema of
 * its own, dropped afterwards): binary COPY of events in (insertEvents, insertEventColumns) and out
 * (loadEventLog) with edge values, the decoder fed in pieces, and the user index deferred by a bulk load.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { importEventsFile } from '../../src/data/import/events-file.js';
import { MAX_TIME, MIN_TIME } from '../../src/data/valid.js';
import { eventColumns } from '../../src/store/event-columns.js';
import { openStore } from '../../src/store/open.js';
import { EventRowsDecoder } from '../../src/store/pg-binary-copy.js';
import { COPY_FROM_EVENTS, DEFER_INDEX_EVENTS } from '../../src/store/pg-event-writes.js';
import type { Store } from '../../src/store/store.js';
import type { EventRecord } from '../../src/types.js';
import { PG_URL, pgSchemas, pgSkip } from '../helpers/pg.js';

const skip = await pgSkip('the PostgreSQL bulk tests');

/** Times and values at the edges of what reco accepts, and ordinary ones between. */
const TIMES = [MIN_TIME, -1, 0, 1, 2 ** 32 + 1, 1_700_000_000_123, MAX_TIME];
const VALUES = [0.1, -2.5, 1e9, -1e9, 0, 1 / 3, 4];

/** `n` events over 5 users and 3 items, cycling through the edge times and values. */
function events(n: number): EventRecord[] {
  return Array.from({ length: n }, (_, k) => ({
    user: `u${k % 5}`,
    item: `i${k % 3}`,
    type: k % 2 ? 'click' : 'view',
    value: VALUES[k % VALUES.length]!,
    timestamp: TIMES[k % TIMES.length]!,
  }));
}

describe('PostgreSQL bulk paths', { skip }, () => {
  const schemas = pgSchemas('reco_test_bulk');
  const open: Store[] = [];
  const sql = new pg.Client({ connectionString: PG_URL });
  const fresh = async () => {
    const schema = schemas.schema();
    const store = await openStore(`${PG_URL}?schema=${schema}`);
    open.push(store);
    return { store, schema };
  };
  before(() => sql.connect());
  after(async () => {
    for (const s of open) await s.close().catch(() => undefined);
    await sql.end().catch(() => undefined);
    await schemas.drop();
  });

  test('events written by COPY and by INSERT read back the same, edge values exact', async () => {
    for (const n of [COPY_FROM_EVENTS + 3, COPY_FROM_EVENTS - 1]) {
      const { store, schema } = await fresh();
      const given = events(n);
      assert.equal(await store.insertEvents(given), n);
      const rows = await sql.query<{ value: number; ts: string; id: string }>(
        `SELECT value, ts, id FROM ${schema}.events ORDER BY id`,
      );
      assert.deepEqual(
        rows.rows.map((r) => [r.value, Number(r.ts), Number(r.id)]),
        given.map((e, k) => [e.value, e.timestamp, k + 1]),
        `${n} events: values as float8 and times as bigint, exact`,
      );
      const log = await store.loadEventLog();
      assert.equal(log.length, n);
      const order = given.map((e, k) => [e.timestamp, k] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(
        Array.from(log.timestamp),
        order.map(([t]) => t),
      );
      assert.deepEqual(
        Array.from(log.value),
        order.map(([, k]) => Math.fround(given[k]!.value!)),
      );
      assert.deepEqual(
        Array.from(log.user, (u) => log.userIds[u]),
        order.map(([, k]) => given[k]!.user),
      );
      assert.deepEqual(
        Array.from(log.type, (t) => log.typeNames[t]),
        order.map(([, k]) => given[k]!.type),
      );
    }
  });

  test('positions past 2^32 and columns written by COPY come back with their positions', async () => {
    const { store, schema } = await fresh();
    await store.upsertUsers([{ id: 'a' }, { id: 'b' }]);
    await store.upsertItems([{ id: 'x' }]);
    const big = 2 ** 40;
    await sql.query(`INSERT INTO ${schema}.events VALUES ($1, 1, 0, 0, 1, 5, 0)`, [big]);
    const n = COPY_FROM_EVENTS * 2 + 1;
    const cols = eventColumns(n);
    for (let k = 0; k < n; k++) {
      cols.user[k] = k % 2;
      cols.value[k] = k / 4;
      cols.timestamp[k] = TIMES[k % TIMES.length]!;
    }
    assert.equal(await store.insertEventColumns(cols), n);
    assert.equal(await store.eventPosition(), big + n);
    const since = await store.eventsSince(big + n - 2);
    assert.equal(since.position, big + n);
    assert.deepEqual(Array.from(since.value), [(n - 2) / 4, (n - 1) / 4]);
    assert.deepEqual(Array.from(since.timestamp), [
      TIMES[(n - 2) % TIMES.length],
      TIMES[(n - 1) % TIMES.length],
    ]);
    const log = await store.loadEventLog();
    assert.equal(log.length, n + 1);
    assert.deepEqual(
      Array.from(log.timestamp),
      [5, ...Array.from(cols.timestamp)].sort((a, b) => a - b),
    );
  });

  test('reco import events into PostgreSQL: the log SQLite gets; a bad line imports nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reco-pg-bulk-'));
    try {
      const rows = Array.from(
        { length: 12_345 },
        (_, k) =>
          `u${k % 97},i${k % 31},${k % 3 ? 'view' : 'buy'},${(k % 7) / 8},${k % 2 ? MIN_TIME + k * 100_000_007 : 1_700_000_000_000 - k}`,
      );
      const good = join(dir, 'good.csv');
      writeFileSync(good, `user,item,type,value,timestamp\n${rows.join('\n')}\n`);
      rows[11_000] = 'u1,i1,view,1,soon';
      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, `user,item,type,value,timestamp\n${rows.join('\n')}\n`);
      const { store } = await fresh();
      await assert.rejects(
        importEventsFile(store, bad),
        /bad\.csv, line 11002, column timestamp: not a timestamp/,
      );
      assert.deepEqual(await store.counts(), { users: 0, items: 0, events: 0 });
      await importEventsFile(store, good);
      const lite = await openStore(join(dir, 'lite.db'));
      try {
        await importEventsFile(lite, good);
        assert.deepEqual(await store.loadEventLog(), await lite.loadEventLog());
      } finally {
        await lite.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('zero events: nothing written, an empty log read', async () => {
    const { store } = await fresh();
    assert.equal(await store.insertEvents([]), 0);
    assert.equal(await store.insertEventColumns(eventColumns(0)), 0);
    const log = await store.loadEventLog();
    assert.equal(log.length, 0);
    assert.equal(await store.eventPosition(), 0);
  });

  test('the decoder reads rows split anywhere across chunks, and refuses data cut short', async () => {
    const { store, schema } = await fresh();
    await store.insertEvents(events(50));
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    const parts: Buffer[] = [];
    try {
      const stream = c.query(
        copyTo(
          `COPY (SELECT user_idx, item_idx, type, value, ts FROM ${schema}.events ORDER BY id) TO STDOUT (FORMAT binary)`,
        ),
      );
      for await (const chunk of stream as AsyncIterable<Buffer>) parts.push(chunk);
    } finally {
      await c.end();
    }
    const data = Buffer.concat(parts);
    const decode = (size: number, bytes = data) => {
      const cols = eventColumns(50);
      const d = new EventRowsDecoder(cols);
      for (let at = 0; at < bytes.length; at += size) d.push(bytes.subarray(at, at + size));
      return { cols, d };
    };
    const whole = decode(data.length);
    whole.d.finish();
    assert.equal(whole.d.length, 50);
    assert.equal(whole.d.maxType, 1);
    assert.equal(whole.d.sorted, false);
    for (const size of [1, 7, 49, 50, 51]) {
      const { cols, d } = decode(size);
      d.finish();
      assert.equal(d.length, 50, `chunks of ${size} bytes`);
      assert.deepEqual(cols, whole.cols, `chunks of ${size} bytes`);
    }
    const cut = decode(64, data.subarray(0, data.length - 3));
    assert.throws(() => cut.d.finish(), /ended early/);
    assert.throws(() => decode(64, Buffer.from('not a copy at all, not a copy at all')), /bad signature/);
  });

  test('a bulk load defers the indexes on events: they exist after the commit and after a rollback', async () => {
    const { store, schema } = await fresh();
    // both: the user index and the primary key (a unique index on the positions)
    const hasIndex = async () =>
      (
        await sql.query(
          `SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname IN ('events_user_ts', 'events_pkey')`,
          [schema],
        )
      ).rowCount === 2 &&
      (
        await sql.query(
          `SELECT 1 FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
           WHERE s.nspname = $1 AND c.conname = 'events_pkey' AND c.contype = 'p'`,
          [schema],
        )
      ).rowCount === 1;
    // the index dropped inside the load's transaction: locked by it, unseen by other sessions until the end
    const dropping = async () =>
      (
        await sql.query(
          `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace s ON s.oid = c.relnamespace
           WHERE s.nspname = $1 AND c.relname = 'events_user_ts' AND l.mode = 'AccessExclusiveLock'`,
          [schema],
        )
      ).rowCount === 1;
    const expectedEvents = DEFER_INDEX_EVENTS;
    const seen: boolean[] = [];
    for (const expected of [expectedEvents, undefined])
      await store.transaction(
        async () => {
          await store.insertEvents(events(COPY_FROM_EVENTS + 1));
          seen.push(await dropping(), await hasIndex());
        },
        expected === undefined ? {} : { expectedEvents: expected },
      );
    assert.deepEqual(seen, [true, true, false, true], 'dropped for the bulk load only, and visible outside');
    assert.equal(await hasIndex(), true);
    await assert.rejects(
      store.transaction(
        async () => {
          await store.insertEvents(events(10));
          seen.push(await dropping());
          throw new Error('boom');
        },
        { expectedEvents },
      ),
      /boom/,
    );
    assert.equal(seen[4], true, 'dropped in the rolled-back load');
    assert.equal(await hasIndex(), true);
    assert.equal((await store.counts()).events, 2 * (COPY_FROM_EVENTS + 1));
    assert.equal((await store.userEvents('u1', 3)).length, 3, 'the ids known again after the rollback');

    // another session reading events: the load does not wait for it, and keeps the index
    const reader = new pg.Client({ connectionString: PG_URL });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query(`SELECT 1 FROM ${schema}.events LIMIT 1`);
      await store.transaction(
        async () => {
          await store.insertEvents(events(COPY_FROM_EVENTS));
          seen.push(await dropping());
        },
        { expectedEvents },
      );
      await reader.query('COMMIT');
    } finally {
      await reader.end();
    }
    assert.equal(seen[5], false, 'not dropped while another session reads');
    // a load less than ten times the stored events keeps the index
    await store.insertEvents(events(20_000));
    await store.transaction(
      async () => {
        await store.insertEvents(events(COPY_FROM_EVENTS));
        seen.push(await dropping());
      },
      { expectedEvents },
    );
    assert.equal(seen[6], false, 'not dropped for a load under ten times the log');
    assert.equal(await hasIndex(), true);
  });
});
