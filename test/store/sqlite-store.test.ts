import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStore } from '../../src/store/open.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('users, items and events get dense indices in order of creation', () => {
  const store = openStore(join(dir, 'a.db'));
  store.upsertItems([{ id: 'm1', title: 'One', genres: ['Drama'] }, { id: 'm2' }]);
  const n = store.insertEvents([
    { user: 'u9', item: 'm2', type: 'rating', value: 4, timestamp: 2000 },
    { user: 'u3', item: 'm1', type: 'click', timestamp: 1000 },
    { user: 'u9', item: 'm3', type: 'my-custom', value: 2, timestamp: 3000 },
  ]);
  assert.equal(n, 3);
  assert.deepEqual(store.counts(), { users: 2, items: 3, events: 3 });
  assert.equal(store.userIndex('u9'), 0);
  assert.equal(store.userIndex('u3'), 1);
  assert.equal(store.itemIndex('m3'), 2);
  assert.deepEqual(store.getItem('m1')?.genres, ['Drama']);
  const log = store.loadEventLog();
  // sorted by time, not by insertion
  assert.deepEqual(Array.from(log.timestamp), [1000, 2000, 3000]);
  assert.deepEqual(Array.from(log.user), [1, 0, 0]);
  assert.deepEqual(Array.from(log.item), [0, 1, 2]);
  assert.equal(log.typeNames[log.type[2]!], 'my-custom');
  assert.equal(log.value[1], 4);
  assert.equal(log.value[0], 1, 'value defaults to 1');
  const hist = store.userEvents('u9');
  assert.deepEqual(
    hist.map((e) => [e.item, e.type]),
    [
      ['m3', 'my-custom'],
      ['m2', 'rating'],
    ],
  );
  store.close();
});

test('a failed transaction writes nothing and forgets the ids it created', () => {
  const path = join(dir, 'b.db');
  const store = openStore(path);
  assert.throws(() =>
    store.transaction(() => {
      store.insertEvents([{ user: 'x', item: 'y', type: 'view', timestamp: 1 }]);
      throw new Error('boom');
    }),
  );
  assert.deepEqual(store.counts(), { users: 0, items: 0, events: 0 });
  assert.equal(store.userIndex('x'), undefined);
  store.insertEvents([{ user: 'z', item: 'y', type: 'view', timestamp: 1 }]);
  assert.equal(store.userIndex('z'), 0, 'index 0 is free again');
  store.close();
  const again = openStore(path);
  assert.deepEqual(again.counts(), { users: 1, items: 1, events: 1 });
  again.close();
});

test('unknown items are refused when creation is off', () => {
  const store = openStore(join(dir, 'c.db'));
  assert.throws(
    () =>
      store.insertEvents([{ user: 'u', item: 'nope', type: 'view', timestamp: 1 }], { createItems: false }),
    /unknown item "nope"/,
  );
  assert.equal(store.counts().events, 0);
  store.close();
});

test('meta blobs round-trip and schema version is recorded', () => {
  const path = join(dir, 'd.db');
  const store = openStore(path);
  store.setMeta('world', Buffer.from([1, 2, 3]));
  store.setMeta('world', 'replaced');
  assert.equal(store.getMeta('world')?.toString(), 'replaced');
  assert.equal(store.getMeta('missing'), undefined);
  store.close();
});
