import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.js';

function columns(n: number, users: number, items: number) {
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const type = new Uint8Array(n);
  const value = new Float32Array(n);
  const timestamp = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    user[k] = k % users;
    item[k] = (k * 7) % items;
    type[k] = k % 3;
    value[k] = 1 + (k % 5);
    timestamp[k] = 1_000_000 + k * 1000;
  }
  return { user, item, type, value, timestamp, length: n };
}

test('insertEventColumns: full multi-row batches and a remainder all arrive, in order', async () => {
  const store = await openStore(':memory:');
  await store.upsertUsers(Array.from({ length: 7 }, (_, u) => ({ id: `u${u}` })));
  await store.upsertItems(Array.from({ length: 11 }, (_, i) => ({ id: `i${i}` })));
  const ev = columns(300, 7, 11); // 2 batches of 128 and 44 single rows
  assert.equal(await store.insertEventColumns(ev), 300);
  const log = await store.loadEventLog();
  assert.equal(log.length, 300);
  assert.deepEqual(log.user, ev.user);
  assert.deepEqual(log.item, ev.item);
  assert.deepEqual(log.type, ev.type);
  assert.deepEqual(log.value, ev.value);
  assert.deepEqual(log.timestamp, ev.timestamp);
  await store.close();
});

test('insertEventColumns: an index out of range inside a batch or the remainder writes nothing', async () => {
  for (const bad of [5, 290]) {
    const store = await openStore(':memory:');
    await store.upsertUsers(Array.from({ length: 7 }, (_, u) => ({ id: `u${u}` })));
    await store.upsertItems(Array.from({ length: 11 }, (_, i) => ({ id: `i${i}` })));
    const ev = columns(300, 7, 11);
    ev.item[bad] = 11;
    await assert.rejects(
      () => store.insertEventColumns(ev),
      new RegExp(`event ${bad}: item index 11 out of range`),
    );
    assert.equal((await store.counts()).events, 0);
    await store.close();
  }
});
