import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite-store.js';

test('eventsSince gives the events stored after a position, in insertion order, and the position reached', async () => {
  const store = new SqliteStore(':memory:');
  try {
    assert.equal(await store.eventPosition(), 0);
    assert.equal((await store.eventsSince(0)).length, 0);
    assert.equal((await store.eventsSince(0)).position, 0, 'nothing read: the position stays');
    await store.insertEvents([
      { user: 'a', item: 'x', type: 'view', timestamp: 3000 },
      { user: 'b', item: 'y', type: 'rating', value: 4, timestamp: 1000 },
    ]);
    const p = await store.eventPosition();
    await store.insertEvents([
      { user: 'c', item: 'x', type: 'click', timestamp: 500 },
      { user: 'a', item: 'y', type: 'rating', value: 2.5, timestamp: 2000 },
    ]);
    const tail = await store.eventsSince(p);
    assert.equal(tail.length, 2);
    // insertion order, not time order
    assert.deepEqual(Array.from(tail.user), [2, 0]);
    assert.deepEqual(Array.from(tail.item), [0, 1]);
    assert.deepEqual(
      Array.from(tail.type, (c) => store.eventTypeNames()[c]),
      ['click', 'rating'],
    );
    assert.deepEqual(Array.from(tail.value), [1, 2.5]);
    assert.deepEqual(Array.from(tail.timestamp), [500, 2000]);
    assert.equal(tail.position, await store.eventPosition());
    assert.equal((await store.eventsSince(tail.position)).length, 0);
    assert.equal((await store.eventsSince(0)).length, 4);
    // at most `limit` events, and the position of the last one read
    const first = await store.eventsSince(0, 3);
    assert.equal(first.length, 3);
    assert.deepEqual(Array.from(first.timestamp), [3000, 1000, 500]);
    const second = await store.eventsSince(first.position, 3);
    assert.deepEqual(Array.from(second.timestamp), [2000]);
    assert.equal(second.position, await store.eventPosition());
  } finally {
    await store.close();
  }
});

test('loadEventLog knows the users, items and types another connection created since this one opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reco-store-'));
  try {
    const path = join(dir, 'reco.db');
    const server = new SqliteStore(path);
    await server.insertEvents([{ user: 'a', item: 'x', type: 'view', timestamp: 1 }]);
    const trainer = new SqliteStore(path); // e.g. `reco train` started by the server
    await server.insertEvents([{ user: 'b', item: 'y', type: 'bookmark', timestamp: 2 }]);
    const log = await trainer.loadEventLog();
    assert.equal(log.length, 2);
    assert.deepEqual(log.userIds, ['a', 'b']);
    assert.deepEqual(log.itemIds, ['x', 'y']);
    assert.equal(log.typeNames[log.type[1]!], 'bookmark');
    await trainer.close();
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
