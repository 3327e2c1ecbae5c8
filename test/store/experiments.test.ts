/** The store's experiments part (migration 6): experiments, exposures, and the request ids events carry. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import type { EventRecord } from '../../src/types.js';

test('events keep their request ids, in batches of any size, and survive a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reco-store-exp-'));
  try {
    const path = join(dir, 'reco.db');
    let store = await openStore(path);
    await store.upsertItems([{ id: 'a' }, { id: 'b' }]);
    const t0 = Date.UTC(2026, 0, 1);
    // 300 events (two multi-row batches of 128 and 44 one by one), every seventh with a request id
    const events: EventRecord[] = Array.from({ length: 300 }, (_, k) => ({
      user: `u${k % 5}`,
      item: k % 2 ? 'a' : 'b',
      type: 'click',
      timestamp: t0 + k,
      ...(k % 7 === 3 ? { request: `req-${k}` } : {}),
    }));
    await store.insertEvents(events.slice(0, 10));
    await store.insertEvents(events.slice(10));
    await store.close();
    store = await openStore(path);
    for (let u = 0; u < 5; u++) {
      const got = await store.experiments.userEvents(`u${u}`, t0);
      const want = events.filter((e) => e.user === `u${u}`);
      assert.deepEqual(
        got.map((e) => [e.item, e.timestamp, e.request]),
        want.map((e) => [e.item, e.timestamp, e.request ?? null]),
      );
    }
    assert.equal(await store.experiments.eventCount('u1', t0, t0 + 50), 10);
    await assert.rejects(
      () => store.insertEvents([{ user: 'u1', item: 'a', type: 'click', timestamp: t0, request: ' x' }]),
      /event 1: request must not begin or end with white space/,
    );
    assert.equal(
      (await store.experiments.userEvents('u1', t0)).length,
      60,
      'the faulty batch stored nothing',
    );
    await store.experiments.create({
      id: 'exp-1',
      name: 'one',
      seed: 's',
      variants: [
        { name: 'a', weight: 0.5, strategy: 'popularity' },
        { name: 'b', weight: 0.5, bundle: 'v1' },
      ],
      coverage: 1,
      attributionHours: 24,
      status: 'draft',
      createdAt: t0,
      startedAt: null,
      stoppedAt: null,
    });
    await store.experiments.setStatus('exp-1', 'running', t0 + 1);
    await store.experiments.logExposures([
      {
        request: 'r1',
        experiment: 'exp-1',
        variant: 1,
        user: 'u1',
        items: ['a', 'b'],
        teams: [0, 1],
        timestamp: t0 + 5,
        latencyMs: 1.5,
      },
      {
        request: 'r0',
        experiment: 'exp-1',
        variant: 0,
        user: 'u2',
        items: [],
        timestamp: t0 + 2,
        latencyMs: 0.5,
      },
    ]);
    const e = (await store.experiments.get('exp-1'))!;
    assert.equal(e.status, 'running');
    assert.equal(e.startedAt, t0 + 1);
    assert.equal(e.variants[1]!.bundle, 'v1');
    const x = await store.experiments.exposures('exp-1');
    assert.deepEqual(
      x.map((r) => r.request),
      ['r0', 'r1'],
      'in time order',
    );
    assert.deepEqual(x[1]!.teams, [0, 1]);
    assert.equal(x[0]!.teams, undefined);
    assert.equal((await store.experiments.exposures('exp-1', t0 + 3)).length, 1);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
