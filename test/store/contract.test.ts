/**
 * The store contract: every store (SQLite, PostgreSQL) behaves the same through the Store interface. The
 * PostgreSQL suite runs in a schema of its own in the machine's `test` database (RECO_TEST_PG, default
 * postgres://postgres@127.0.0.1:5432/test), dropped afterwards; under CI=true it never skips.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { pgSchemas, pgSkip } from '../helpers/pg.js';
import { allEvents } from '../helpers/store-events.js';

interface Backend {
  name: string;
  /** A location for a new, empty store (the same location opened twice is the same store). */
  location(): string;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'reco-contract-'));
  let n = 0;
  return {
    name: 'sqlite',
    location: () => join(dir, `s${n++}.db`),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function pgBackend(): Backend {
  const schemas = pgSchemas();
  return { name: 'postgres', location: schemas.location, cleanup: schemas.drop };
}

const pgSkipped = await pgSkip('the contract suite');

for (const make of [sqliteBackend, pgBackend]) {
  const backend = make();
  const skip = backend.name === 'postgres' ? pgSkipped : false;
  describe(`store contract: ${backend.name}`, { skip }, () => {
    const open: Store[] = [];
    const fresh = async (location = backend.location()) => {
      const s = await openStore(location);
      open.push(s);
      return { store: s, location };
    };
    after(async () => {
      for (const s of open) await s.close().catch(() => undefined);
      await backend.cleanup();
    });

    test('users, items and events get dense indices in order of creation; the log loads in time order', async () => {
      const { store } = await fresh();
      await store.upsertItems([{ id: 'm1', title: 'One', genres: ['Drama'] }, { id: 'm2' }]);
      const n = await store.insertEvents([
        { user: 'u9', item: 'm2', type: 'rating', value: 4, timestamp: 2000 },
        { user: 'u3', item: 'm1', type: 'click', timestamp: 1000 },
        { user: 'u9', item: 'm3', type: 'my-custom', value: 2, timestamp: 3000 },
      ]);
      assert.equal(n, 3);
      assert.deepEqual(await store.counts(), { users: 2, items: 3, events: 3 });
      assert.equal(store.userIndex('u9'), 0);
      assert.equal(store.userIndex('u3'), 1);
      assert.equal(store.itemIndex('m3'), 2);
      assert.deepEqual((await store.getItem('m1'))?.genres, ['Drama']);
      const log = await store.loadEventLog();
      assert.deepEqual(Array.from(log.timestamp), [1000, 2000, 3000]);
      assert.deepEqual(Array.from(log.user), [1, 0, 0]);
      assert.deepEqual(Array.from(log.item), [0, 1, 2]);
      assert.equal(log.typeNames[log.type[2]!], 'my-custom');
      assert.equal(log.value[1], 4);
      assert.deepEqual(
        (await store.userEvents('u9')).map((e) => [e.item, e.type]),
        [
          ['m3', 'my-custom'],
          ['m2', 'rating'],
        ],
      );
      assert.deepEqual(
        (await allEvents(store)).map((e) => [e.user, e.item, e.timestamp]),
        [
          ['u3', 'm1', 1000],
          ['u9', 'm2', 2000],
          ['u9', 'm3', 3000],
        ],
      );
    });

    test('a failed transaction writes nothing and forgets the ids it created', async () => {
      const { store, location } = await fresh();
      await assert.rejects(
        store.transaction(async () => {
          await store.insertEvents([{ user: 'x', item: 'y', type: 'view', timestamp: 1 }]);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await store.counts(), { users: 0, items: 0, events: 0 });
      assert.equal(store.userIndex('x'), undefined);
      await store.insertEvents([{ user: 'z', item: 'y', type: 'view', timestamp: 1 }]);
      assert.equal(store.userIndex('z'), 0, 'index 0 is free again');
      const again = (await fresh(location)).store;
      assert.deepEqual(await again.counts(), { users: 1, items: 1, events: 1 });
      assert.equal(again.userIndex('z'), 0);
    });

    test('bad input names the event and field and writes nothing; unknown items refused when asked', async () => {
      const { store } = await fresh();
      await store.upsertItems([{ id: 'a' }]);
      await assert.rejects(
        store.insertEvents([
          { user: 'u', item: 'a', type: 'view', timestamp: 1 },
          { user: 'u', item: 'a', type: 'view', value: Number.NaN, timestamp: 2 },
        ]),
        /event 2: value/,
      );
      await assert.rejects(
        store.insertEvents([{ user: 'u', item: 'zz', type: 'view', timestamp: 1 }], { createItems: false }),
        /unknown item "zz"/,
      );
      assert.deepEqual(await store.counts(), { users: 0, items: 1, events: 0 });
    });

    // several writing processes share a PostgreSQL store; a SQLite store has one writing process (the server)
    const writers = backend.name === 'postgres' ? 2 : 1;
    test(`eventsSince: insertion order, positions gapless across ${writers} writer(s), limits`, async () => {
      const { store, location } = await fresh();
      const other = writers === 2 ? (await fresh(location)).store : store;
      await store.insertEvents([{ user: 'a', item: 'i1', type: 'view', timestamp: 50 }]);
      await other.insertEvents([
        { user: 'b', item: 'i2', type: 'view', timestamp: 10 },
        { user: 'a', item: 'i1', type: 'click', timestamp: 20 },
      ]);
      await store.insertEvents([{ user: 'c', item: 'i2', type: 'view', timestamp: 5 }]);
      assert.equal(await store.eventPosition(), 4);
      const all = await store.eventsSince(0);
      assert.equal(all.position, 4);
      assert.deepEqual(Array.from(all.timestamp), [50, 10, 20, 5]);
      // the same ids got the same dense indices in both connections
      assert.equal(store.userIndex('b'), 1);
      if (writers === 2) assert.equal(other.userIndex('c'), undefined, 'not seen yet');
      const log = await other.loadEventLog();
      assert.deepEqual(log.userIds, ['a', 'b', 'c']);
      assert.equal(other.userIndex('c'), 2);
      const page = await store.eventsSince(1, 2);
      assert.deepEqual([page.length, page.position], [2, 3]);
      assert.deepEqual(Array.from(page.user), [1, 0]);
    });

    test('columnar bulk insert, declared event types and meta blobs', async () => {
      const { store, location } = await fresh();
      await store.upsertUsers([{ id: 'u0' }, { id: 'u1' }]);
      await store.upsertItems([{ id: 'i0' }, { id: 'i1' }, { id: 'i2' }]);
      const code = await store.eventTypeCode('view');
      const n = 1000;
      await store.insertEventColumns({
        user: Int32Array.from({ length: n }, (_, k) => k % 2),
        item: Int32Array.from({ length: n }, (_, k) => k % 3),
        type: new Uint8Array(n).fill(code),
        value: new Float32Array(n).fill(1.5),
        timestamp: Float64Array.from({ length: n }, (_, k) => n - k),
        length: n,
      });
      await assert.rejects(
        store.insertEventColumns({
          user: Int32Array.of(5),
          item: Int32Array.of(0),
          type: Uint8Array.of(code),
          value: Float32Array.of(1),
          timestamp: Float64Array.of(1),
          length: 1,
        }),
        /user index 5 out of range/,
      );
      const log = await store.loadEventLog();
      assert.equal(log.length, n);
      assert.equal(log.timestamp[0], 1);
      assert.equal(log.value[7], 1.5);
      await store.declareEventType('purchase', { weight: 3, value: 'binary' });
      await store.setMeta('k', Buffer.from([1, 2, 3]));
      const again = (await fresh(location)).store;
      assert.deepEqual(await again.getMeta('k'), Buffer.from([1, 2, 3]));
      assert.equal(await again.getMeta('missing'), undefined);
      const purchase = again.eventTypes().find((t) => t.name === 'purchase');
      assert.deepEqual([purchase?.rule.weight, purchase?.rule.value, purchase?.given], [3, 'binary', true]);
    });

    test('runs: params immutable, tags overwritten, metrics appended, latest values, listed newest first', async () => {
      const { store } = await fresh();
      const id = 'a'.repeat(32);
      await store.createRun({ id, name: 'r1', kind: 'train', startTime: 1000 });
      await store.logRun(id, {
        params: [{ key: 'p', value: '1' }],
        tags: [{ key: 't', value: 'x' }],
        metrics: [
          { key: 'loss', value: 3, timestamp: 1, step: 1 },
          { key: 'loss', value: Number.NaN, timestamp: 2, step: 2 },
        ],
        artifacts: [{ path: 'a.json', content: Buffer.from('{}') }],
      });
      await store.logRun(id, {
        tags: [{ key: 't', value: 'y' }],
        metrics: [{ key: 'loss', value: 1, timestamp: 3, step: 3 }],
      });
      await assert.rejects(store.logRun(id, { params: [{ key: 'p', value: '2' }] }), /cannot change/);
      await assert.rejects(store.logRun('b'.repeat(32), {}), /no run/);
      await store.finishRun(id, 'FINISHED', 2000);
      await store.createRun({ id: 'c'.repeat(32), name: 'r2', kind: 'evaluate', startTime: 3000 });
      const run = await store.getRun(id);
      assert.equal(run?.status, 'FINISHED');
      assert.equal(run?.endTime, 2000);
      assert.deepEqual(run?.tags, [{ key: 't', value: 'y' }]);
      assert.deepEqual(
        run?.metrics.map((m) => [m.key, m.value, m.step]),
        [['loss', 1, 3]],
      );
      assert.deepEqual(
        run?.artifacts.map((a) => a.content.toString()),
        ['{}'],
      );
      const history = await store.metricHistory(id, 'loss');
      assert.equal(history.length, 3);
      assert.ok(Number.isNaN(history[1]!.value));
      assert.deepEqual(
        (await store.listRuns()).map((r) => r.name),
        ['r2', 'r1'],
      );
      assert.deepEqual(
        (await store.listRuns({ kind: 'train' })).map((r) => r.name),
        ['r1'],
      );
    });

    test('request ids carried by events are kept', async () => {
      const { store } = await fresh();
      const n = await store.insertEvents([
        { user: 'u', item: 'i', type: 'view', timestamp: 1, request: 'req-1' },
        { user: 'u', item: 'i', type: 'click', timestamp: 2 },
      ]);
      assert.equal(n, 2);
      await assert.rejects(
        store.insertEvents([{ user: 'u', item: 'i', type: 'view', timestamp: 3, request: '' }]),
        /request/,
      );
    });
  });
}
