/**
 * The store contract for experiments (harness: ../helpers/store-backends.ts), the same on SQLite and
 * PostgreSQL: experiments, exposures, and the request ids events carry.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExperimentRecord, ExposureRecord } from '../../src/store/experiments.js';
import type { EventRecord } from '../../src/types.js';
import { storeContract } from '../helpers/store-backends.js';

const t0 = Date.UTC(2026, 0, 1);

function experiment(id: string, createdAt: number): ExperimentRecord {
  return {
    id,
    name: `name of ${id}`,
    seed: 's',
    variants: [
      { name: 'a', weight: 0.5, strategy: 'popularity' },
      { name: 'b', weight: 0.5, bundle: 'v1' },
    ],
    coverage: 0.8,
    attributionHours: 24,
    status: 'draft',
    createdAt,
    startedAt: null,
    stoppedAt: null,
  };
}

function exposure(request: string, timestamp: number, over: Partial<ExposureRecord> = {}): ExposureRecord {
  return {
    request,
    experiment: 'exp-1',
    variant: 0,
    user: 'u1',
    items: ['a', 'b'],
    timestamp,
    latencyMs: 0.5,
    ...over,
  };
}

await storeContract('experiments', ({ fresh }) => {
  test('events keep their request ids, in batches of any size, and survive a reopen', async () => {
    const { store: first, location } = await fresh();
    await first.upsertItems([{ id: 'a' }, { id: 'b' }]);
    // 300 events (two multi-row batches of 128 and 44 one by one), every seventh with a request id
    const events: EventRecord[] = Array.from({ length: 300 }, (_, k) => ({
      user: `u${k % 5}`,
      item: k % 2 ? 'a' : 'b',
      type: 'click',
      timestamp: t0 + k,
      ...(k % 7 === 3 ? { request: `req-${k}` } : {}),
    }));
    await first.insertEvents(events.slice(0, 10));
    await first.insertEvents(events.slice(10));
    const store = (await fresh(location)).store;
    for (let u = 0; u < 5; u++) {
      const got = await store.experiments.userEvents(`u${u}`, t0);
      const want = events.filter((e) => e.user === `u${u}`);
      assert.deepEqual(
        got.map((e) => [e.item, e.timestamp, e.request]),
        want.map((e) => [e.item, e.timestamp, e.request ?? null]),
      );
    }
    assert.equal(await store.experiments.eventCount('u1', t0, t0 + 50), 10);
    assert.equal(await store.experiments.eventCount('nobody', t0, t0 + 50), 0);
    assert.deepEqual(await store.experiments.userEvents('nobody', t0), []);
    await assert.rejects(
      () => store.insertEvents([{ user: 'u1', item: 'a', type: 'click', timestamp: t0, request: ' x' }]),
      /event 1: request must not begin or end with white space/,
    );
    assert.equal(
      (await store.experiments.userEvents('u1', t0)).length,
      60,
      'the faulty batch stored nothing',
    );
  });

  test('userEvents: the window, and events carrying a request id whatever their time; tagEvents adds and replaces', async () => {
    const { store } = await fresh();
    await store.insertEvents([
      { user: 'u', item: 'a', type: 'view', timestamp: t0 - 1000 },
      { user: 'u', item: 'b', type: 'click', value: 2, timestamp: t0 - 500, request: 'early' },
      { user: 'u', item: 'c', type: 'view', timestamp: t0 + 10 },
      { user: 'v', item: 'c', type: 'view', timestamp: t0 + 20 },
      { user: 'u', item: 'd', type: 'view', timestamp: t0 + 5000 },
    ]);
    const seen = async () =>
      (await store.experiments.userEvents('u', t0, t0 + 1000)).map((e) => [
        e.item,
        e.type,
        e.value,
        e.request,
      ]);
    assert.deepEqual(await seen(), [
      ['b', 'click', 2, 'early'],
      ['c', 'view', 1, null],
    ]);
    // the first event (position 1) and the last (position 5) tagged; the second tagged again
    await store.experiments.tagEvents([
      { eventId: 1, request: 'r1' },
      { eventId: 5, request: 'r5' },
      { eventId: 2, request: 'first' },
      { eventId: 2, request: 'again' },
    ]);
    assert.deepEqual(await seen(), [
      ['a', 'view', 1, 'r1'],
      ['b', 'click', 2, 'again'],
      ['c', 'view', 1, null],
      ['d', 'view', 1, 'r5'],
    ]);
    assert.equal(await store.experiments.eventCount('u', t0 - 1000, t0 + 10), 2, '[from, to)');
    assert.equal((await store.experiments.userEvents('v', t0 + 21)).length, 0);
  });

  test('experiments listed newest first, statuses with their times; exposures in time then insertion order', async () => {
    const { store, location } = await fresh();
    const experiments = store.experiments;
    await experiments.create(experiment('exp-1', t0));
    await experiments.create({ ...experiment('exp-2', t0 + 10), coverage: 1, attributionHours: 0.5 });
    await assert.rejects(experiments.create(experiment('exp-1', t0 + 20)), 'the id is taken');
    assert.deepEqual(
      (await experiments.list()).map((e) => e.id),
      ['exp-2', 'exp-1'],
    );
    assert.equal(await experiments.get('exp-9'), undefined);
    await experiments.setStatus('exp-1', 'running', t0 + 1);
    await experiments.setStatus('exp-2', 'running', t0 + 11);
    await experiments.setStatus('exp-2', 'stopped', t0 + 12);
    await experiments.setStatus('exp-2', 'draft', t0 + 13);
    const [two, one] = await experiments.list();
    assert.deepEqual(one, { ...experiment('exp-1', t0), status: 'running', startedAt: t0 + 1 });
    assert.deepEqual(two, {
      ...experiment('exp-2', t0 + 10),
      coverage: 1,
      attributionHours: 0.5,
      status: 'draft',
      startedAt: t0 + 11,
      stoppedAt: t0 + 12,
    });
    await experiments.logExposures([]);
    await experiments.logExposures([
      exposure('r1', t0 + 5, { variant: 1, items: ['a', 'b'], teams: [0, 1], latencyMs: 1.5 }),
      exposure('r0', t0 + 2, { user: 'u2', items: [] }),
    ]);
    // a batch as the serving path logs them: many answers, several in the same millisecond
    const batch = Array.from({ length: 500 }, (_, k) =>
      exposure(`b${k}`, t0 + 3 + (k % 2), { user: `u${k}` }),
    );
    await experiments.logExposures(batch);
    await experiments.logExposures([exposure('other', t0, { experiment: 'exp-2' })]);
    await assert.rejects(
      store.transaction(async () => {
        await experiments.logExposures([exposure('lost', t0)]);
        throw new Error('boom');
      }),
      /boom/,
    );
    const x = await (await fresh(location)).store.experiments.exposures('exp-1');
    assert.deepEqual(
      x.map((r) => r.request),
      [
        'r0',
        ...batch.filter((_, k) => k % 2 === 0).map((b) => b.request),
        ...batch.filter((_, k) => k % 2 === 1).map((b) => b.request),
        'r1',
      ],
      'in time order, ties in the order logged',
    );
    assert.deepEqual(x.at(-1), exposure('r1', t0 + 5, { variant: 1, teams: [0, 1], latencyMs: 1.5 }));
    assert.deepEqual(x[0], exposure('r0', t0 + 2, { user: 'u2', items: [] }));
    assert.equal(x[0]!.teams, undefined);
    assert.equal((await experiments.exposures('exp-1', t0 + 3)).length, 251);
    assert.deepEqual(
      (await experiments.exposures('exp-2')).map((r) => r.request),
      ['other'],
    );
  });
});
