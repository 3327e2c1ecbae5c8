/**
 * The store contract for `importEvents` (an import's keyed batches, ../../src/store/event-keys.ts) on every
 * store: keys resolved to the same users, items and types as insertEvents gives the same events, ids reused
 * or created at their first event, and faults that name the event and write nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyedEventBatch, Store } from '../../src/store/store.js';
import { storeContract } from '../helpers/store-backends.js';
import { allEvents } from '../helpers/store-events.js';

/** A batch from rows [userKey, itemKey, typeKey, value, time] and the ids its keys introduce. */
function batch(
  rows: [number, number, number, number, number][],
  introduces: { users?: string[]; items?: string[]; types?: string[] } = {},
): KeyedEventBatch {
  const column = <A extends Int32Array | Float64Array>(make: (n: number) => A, j: number) => {
    const a = make(rows.length);
    rows.forEach((r, k) => {
      a[k] = r[j]!;
    });
    return a;
  };
  return {
    length: rows.length,
    user: column((n) => new Int32Array(n), 0),
    item: column((n) => new Int32Array(n), 1),
    type: column((n) => new Int32Array(n), 2),
    value: column((n) => new Float64Array(n), 3),
    timestamp: column((n) => new Float64Array(n), 4),
    newUsers: introduces.users ?? [],
    newItems: introduces.items ?? [],
    newTypes: introduces.types ?? [],
  };
}

async function* from(batches: KeyedEventBatch[]): AsyncGenerator<KeyedEventBatch> {
  yield* batches;
}

/** What a store holds, comparable across stores (ingestion times left out). */
async function contents(store: Store) {
  const events = (await allEvents(store)).map(({ ingestedAt: _, ...e }) => e);
  const users = await store.listUsers();
  const items = await store.listItems();
  return {
    counts: await store.counts(),
    users: users.map((u) => [u.id, u.createdAt]),
    items: items.map((i) => [i.id, i.createdAt]),
    types: store.eventTypeNames(),
    events,
  };
}

await storeContract('importEvents', ({ fresh }) => {
  test('keys resolve as insertEvents resolves the same events: ids reused, created at their first event', async () => {
    const { store } = await fresh();
    await store.insertEvents([{ user: 'old', item: 'i0', type: 'view', timestamp: 5_000 }]);
    const progress: number[] = [];
    const n = await store.importEvents(
      from([
        batch(
          [
            [0, 0, 0, 1, 1_000],
            [1, 0, 1, 2.5, 2_000],
            [0, 1, 1, 3, 2_500],
          ],
          { users: ['a', 'old'], items: ['i1', 'i0'], types: ['view', 'like'] },
        ),
        // key 2 names 'a' again (as an importer may for " a" and "a"); i2 first named by a later event
        batch(
          [
            [2, 2, 1, -1, 3_000],
            [1, 2, 0, 4, 4_000],
          ],
          { users: ['a'], items: ['i2'] },
        ),
      ]),
      { onProgress: (k) => progress.push(k) },
    );
    assert.equal(n, 5);
    assert.equal(progress.at(-1), 5);
    const reference = (await fresh()).store;
    await reference.insertEvents([{ user: 'old', item: 'i0', type: 'view', timestamp: 5_000 }]);
    await reference.insertEvents([
      { user: 'a', item: 'i1', type: 'view', value: 1, timestamp: 1_000 },
      { user: 'old', item: 'i1', type: 'like', value: 2.5, timestamp: 2_000 },
      { user: 'a', item: 'i0', type: 'like', value: 3, timestamp: 2_500 },
      { user: 'a', item: 'i2', type: 'like', value: -1, timestamp: 3_000 },
      { user: 'old', item: 'i2', type: 'view', value: 4, timestamp: 4_000 },
    ]);
    const got = await contents(store);
    assert.deepEqual(got, await contents(reference));
    assert.deepEqual(got.users, [
      ['old', 5_000],
      ['a', 1_000],
    ]);
    assert.deepEqual(got.items.at(-1), ['i2', 3_000], 'created at its first event');
    assert.equal(store.typeCode('like'), reference.typeCode('like'));
  });

  test('a fault names the event (counted over the batches) and the field, and writes nothing', async () => {
    const { store } = await fresh();
    const good = batch([[0, 0, 0, 1, 1_000]], { users: ['u'], items: ['i'], types: ['view'] });
    const cases: [KeyedEventBatch, RegExp][] = [
      [batch([[0, 0, 0, Number.NaN, 2_000]]), /event 2: value/],
      [batch([[0, 0, 0, 1, 2_000.5]]), /event 2: timestamp.*whole milliseconds/],
      [batch([[0, 0, 0, 1, -1e15]]), /event 2: timestamp/],
      [batch([[0, 3, 0, 1, 2_000]]), /event 2: item key 3 was never introduced/],
      [batch([[1, 0, 0, 1, 2_000]], { users: [' v'] }), /event 2: user.*white space/],
      [batch([[0, 0, 1, 1, 2_000]], { types: [''] }), /event 2: type.*empty/],
    ];
    for (const [bad, message] of cases) {
      await assert.rejects(store.importEvents(from([good, bad])), message);
      assert.deepEqual(await store.counts(), { users: 0, items: 0, events: 0 }, String(message));
      assert.equal(store.userIndex('u'), undefined, 'the ids of the failed import forgotten');
    }
    assert.equal(await store.importEvents(from([good])), 1);
    assert.equal(store.userIndex('u'), 0);
  });
});
