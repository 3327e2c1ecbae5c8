import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { timeOrder, userTimeOrder } from '../../src/store/event-order.js';
import { openStore } from '../../src/store/open.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';

/** The reference: a comparator sort, stable by position. */
const byTime = (ts: Float64Array) => Array.from(ts.keys()).sort((a, b) => ts[a]! - ts[b]! || a - b);

let state = 7;
const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;

test('timeOrder: a stable sort by time, for whole seconds, milliseconds and long spans', () => {
  const cases: Float64Array[] = [
    // whole seconds with many ties (radix path)
    Float64Array.from({ length: 5000 }, () => 1.6e12 + Math.floor(rand() * 300) * 1000),
    // milliseconds (radix path on ms)
    Float64Array.from({ length: 5000 }, () => 1.6e12 + Math.floor(rand() * 5e6)),
    // a span beyond 2^33 ms: the comparator fallback
    Float64Array.from({ length: 2000 }, () => Math.floor(rand() * 1e13)),
    // fractional milliseconds
    Float64Array.from({ length: 500 }, () => rand() * 1000),
    new Float64Array([5, 4, 3, 2, 1]),
    new Float64Array([]),
  ];
  for (const ts of cases) assert.deepEqual(Array.from(timeOrder(ts)), byTime(ts));
});

test('userTimeOrder: grouped by user ascending, each user in time order, ties stable', () => {
  const n = 3000;
  const user = Int32Array.from({ length: n }, () => Math.floor(rand() * 40));
  const ts = Float64Array.from({ length: n }, () => Math.floor(rand() * 100) * 1000);
  const want = Array.from(user.keys()).sort((a, b) => user[a]! - user[b]! || ts[a]! - ts[b]! || a - b);
  assert.deepEqual(Array.from(userTimeOrder(user, ts, 40)), want);
});

test('a bulk columnar insert (rows written in user order) still loads in time order, indexes rebuilt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reco-bulk-'));
  try {
    const store = await openStore(join(dir, 'bulk.db'));
    const nUsers = 50;
    const n = 60_000; // above the bulk threshold
    await store.upsertUsers(Array.from({ length: nUsers }, (_, u) => ({ id: `u${u}` })));
    await store.upsertItems(Array.from({ length: 30 }, (_, i) => ({ id: `i${i}` })));
    const user = Int32Array.from({ length: n }, () => Math.floor(rand() * nUsers));
    const item = Int32Array.from({ length: n }, () => Math.floor(rand() * 30));
    const timestamp = Float64Array.from({ length: n }, (_, k) => 1e12 + k * 1000);
    const value = Float32Array.from({ length: n }, (_, k) => k); // identifies each event
    await store.insertEventColumns({ user, item, type: new Uint8Array(n), value, timestamp, length: n });
    const log = await store.loadEventLog();
    assert.equal(log.length, n);
    for (let k = 0; k < n; k++) {
      const e = log.value[k]!;
      assert.equal(e, k, 'time order restored');
      assert.equal(log.user[k], user[e]);
      assert.equal(log.item[k], item[e]);
    }
    const db = (store as SqliteStore).db;
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
      .pluck()
      .all();
    assert.deepEqual([...indexes].sort(), ['events_user_ts']);
    assert.equal(
      (await store.userEvents('u3', 1))[0]?.timestamp,
      Math.max(...Array.from(timestamp).filter((_, k) => user[k] === 3)),
    );
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
