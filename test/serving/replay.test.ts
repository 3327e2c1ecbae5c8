/**
 * Events acknowledged while a retraining runs (after it read its events, before the swap) are replayed into
 * the new bundle's online state: fold-in, popularity, and the ranked model's feature state; and a server
 * starting on a bundle older than its store replays the events since that bundle's training.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { FeatureState } from '../../src/features/state.js';
import { listVersions } from '../../src/models/bundle.js';
import { buildApp } from '../../src/serving/app.js';
import { createServices, type Services } from '../../src/serving/compose.js';
import { resolveParams } from '../../src/simulation/params.js';
import { simulateIntoStore } from '../../src/simulation/simulate.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import type { ModelName } from '../../src/types.js';
import { admin, client, KEYS, makeWorld, snapshot, TEST_MODELS, trainBundle, type World } from './helpers.js';

async function postEvents(app: FastifyInstance, events: object[]): Promise<void> {
  const r = await app.inject({ method: 'POST', url: '/v1/events', headers: client, payload: { events } });
  assert.equal(r.statusCode, 200, r.body);
}

async function recs(app: FastifyInstance, user: string, query = 'k=3') {
  const r = await app.inject({
    method: 'GET',
    url: `/v1/users/${user}/recommendations?${query}`,
    headers: client,
  });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as { model: string; version: string; items: { id: string; score: number }[] };
}

describe('events acknowledged during a retraining survive the swap', () => {
  let w: World;
  /** What the test does while the trainer "trains" (after it has read its events). */
  let meanwhile: () => Promise<void> = async () => {};
  before(async () => {
    w = await makeWorld({
      trainer: async ({ modelsDir }) => {
        const snap = await snapshot(w.store);
        await meanwhile();
        await trainBundle(w.store, modelsDir, TEST_MODELS, '20260105-000000-000', snap);
      },
    });
  });
  after(async () => {
    await w.close();
  });

  test('fold-in, exclusions and popularity hold every event after the swap', async () => {
    meanwhile = async () => {
      // u5 watches i1; six new users make i12 (1 user before) the most popular item (i1, i7: 5 users)
      await postEvents(w.app, [
        { user: 'u5', item: 'i1', type: 'purchase' },
        ...Array.from({ length: 6 }, (_, k) => ({ user: `n${k}`, item: 'i12', type: 'click' })),
      ]);
    };
    const r = await w.app.inject({ method: 'POST', url: '/v1/models/retrain', headers: admin });
    assert.equal(r.statusCode, 202);
    await w.app.retrainer.done();
    assert.equal(w.app.retrainer.status.state, 'done', JSON.stringify(w.app.retrainer.status));
    const slot = w.services.models.slot!;
    assert.equal(slot.version, '20260105-000000-000');
    assert.equal(slot.fitted.users, 8, 'the bundle was trained without the new users');
    // u5's purchase came after the training read its events: he is folded in from his live profile
    const u5 = w.store.userIndex('u5')!;
    assert.equal(w.services.interactions.profile(u5, slot).user, undefined);
    assert.ok(w.services.interactions.profileHas(u5, w.store.itemIndex('i1')!));
    // u1 had no event since: the new bundle's trained factors serve him
    const u1 = w.store.userIndex('u1')!;
    assert.equal(w.services.interactions.profile(u1, slot).user, u1);
    for (const strategy of ['ranked', 'als', 'ease', 'itemknn'])
      assert.ok(
        !(await recs(w.app, 'u5', `k=12&strategy=${strategy}`)).items.some((i) => i.id === 'i1'),
        `${strategy}: i1 seen`,
      );
    // popularity: i12 has 7 users now (1 + 6), which the bundle's own counts (1) do not know
    const pop = await recs(w.app, 'stranger', 'k=1');
    assert.equal(pop.model, 'popularity');
    assert.deepEqual(
      pop.items.map((i) => [i.id, i.score]),
      [['i12', 7]],
    );
  });

  test('popularity moves live between trainings, and a cached unknown-user answer follows it', async () => {
    const before = await recs(w.app, 'stranger', 'k=1');
    assert.deepEqual(
      before.items.map((i) => [i.id, i.score]),
      [['i12', 7]],
    );
    // i9 has 2 users (u5, u7): 6 more make it 8
    await postEvents(
      w.app,
      Array.from({ length: 6 }, (_, k) => ({ user: `m${k}`, item: 'i9', type: 'like' })),
    );
    const now = await recs(w.app, 'stranger', 'k=1');
    assert.deepEqual(
      now.items.map((i) => [i.id, i.score]),
      [['i9', 8]],
    );
    // a repeated event of the same pair adds no user; a dislike that makes the pair negative removes him
    await postEvents(w.app, [{ user: 'm0', item: 'i9', type: 'like' }]);
    assert.equal((await recs(w.app, 'stranger', 'k=1&strategy=popularity')).items[0]!.score, 8);
    await postEvents(w.app, [
      { user: 'm1', item: 'i9', type: 'dislike' },
      { user: 'm1', item: 'i9', type: 'dislike' },
      { user: 'm1', item: 'i9', type: 'dislike' },
    ]);
    assert.equal((await recs(w.app, 'stranger', 'k=1&strategy=popularity')).items[0]!.score, 7);
  });
});

describe('the ranked model: its feature state holds the events of the retraining', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let meanwhile: () => Promise<void> = async () => {};
  const MODELS: ModelName[] = ['popularity', 'itemknn', 'ease', 'ranked'];

  async function train(modelsDir: string, snap?: Awaited<ReturnType<typeof snapshot>>) {
    snap ??= await snapshot(store);
    await trainBundle(store, modelsDir, MODELS, undefined, snap, {});
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reco-replay-'));
    store = await openStore(join(dir, 'reco.db'));
    await simulateIntoStore(store, resolveParams('tiny', { seed: 5 }));
    await train(join(dir, 'models'));
    services = await createServices(store, { modelsDir: join(dir, 'models') });
    await services.models.swap();
    app = await buildApp({
      services,
      keys: KEYS,
      rateLimit: 0,
      defaultMetrics: false,
      trainer: async ({ modelsDir }) => {
        const snap = await snapshot(store);
        await meanwhile();
        await train(modelsDir, snap);
      },
    });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The user's and the item's events in a feature state, as of the end of time. */
  function counts(fs: FeatureState, user: string, item: string) {
    const inf = Number.POSITIVE_INFINITY;
    return {
      user: fs.userCountBefore(store.userIndex(user)!, inf),
      item: fs.itemCountBefore(store.itemIndex(item)!, inf),
    };
  }
  const stored = async (user: string) => (await store.userEvents(user, 100_000)).length;
  const featureState = () => services.models.slot!.ranked!.featureState!() as unknown as FeatureState;

  test('after the swap', async () => {
    const user = store.userIds()[1]!;
    const item = store.itemIds()[2]!;
    const itemEvents = async () => (await services.items.get(item)).stats.events;
    const t = Date.now();
    meanwhile = async () => {
      await postEvents(
        app,
        Array.from({ length: 4 }, (_, k) => ({ user, item, type: 'click', timestamp: t + k })),
      );
      await postEvents(app, [{ user: 'late-comer', item, type: 'click', timestamp: t + 10 }]);
    };
    const old = services.models.slot!.version;
    assert.equal(
      (await app.inject({ method: 'POST', url: '/v1/models/retrain', headers: admin })).statusCode,
      202,
    );
    await app.retrainer.done();
    assert.equal(app.retrainer.status.state, 'done', JSON.stringify(app.retrainer.status));
    assert.notEqual(services.models.slot!.version, old);
    const fs = featureState();
    assert.equal(fs.events, (await store.counts()).events, 'every stored event is in the feature state');
    assert.deepEqual(counts(fs, user, item), { user: await stored(user), item: await itemEvents() });
    assert.equal(fs.userCountBefore(store.userIndex('late-comer')!, Number.POSITIVE_INFINITY), 1);
    const a = await recs(app, user, 'k=10');
    assert.equal(a.model, 'ranked');
    assert.ok(!a.items.some((i) => i.id === item), 'the item he clicked during the training is excluded');
  });

  test('a server starting on a bundle older than its store replays the events since', async () => {
    const user = store.userIds()[3]!;
    const item = store.itemIds()[4]!;
    await postEvents(app, [{ user, item, type: 'like' }]);
    const fresh = (await createServices(store, { modelsDir: join(dir, 'models') })).models;
    await fresh.swapAtStartup();
    const fs = fresh.slot!.ranked!.featureState!() as unknown as FeatureState;
    assert.equal(fs.events, (await store.counts()).events);
    assert.equal(fs.userCountBefore(store.userIndex(user)!, Number.POSITIVE_INFINITY), await stored(user));
  });

  test('a swap reads and replays a tail of events longer than one slice, every one in order', async () => {
    // more than REPLAY_SLICE (20,000) events stored since the bundle's training: read a slice a turn
    const users = store.userIds();
    const items = store.itemIds();
    const t = Date.now();
    await store.insertEvents(
      Array.from({ length: 45_000 }, (_, k) => ({
        user: users[k % users.length]!,
        item: items[(k * 7) % items.length]!,
        type: 'view',
        timestamp: t + k,
      })),
    );
    const slot = await services.models.swapAsync();
    const fs = slot.ranked!.featureState() as unknown as FeatureState;
    assert.equal(fs.events, (await store.counts()).events, 'every stored event is in the new slot');
    const u = users[5]!;
    assert.equal(fs.userCountBefore(store.userIndex(u)!, Number.POSITIVE_INFINITY), await stored(u));
  });

  test("an experiment's bundle variant: its ranked model is caught up when it loads and follows the events", async () => {
    // two bundles by now (the retraining above made the second): the older one serves a variant
    const current = services.models.slot!.version;
    const older = listVersions(join(dir, 'models')).find((v) => v !== current)!;
    assert.ok(older, 'an older bundle');
    const created = await app.inject({
      method: 'POST',
      url: '/v1/experiments',
      headers: admin,
      payload: {
        name: 'older-bundle',
        variants: [
          { name: 'now', bundle: current, weight: 0.001 },
          { name: 'older', bundle: older, weight: 0.999 },
        ],
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const user = store.userIds()[5]!;
    const item = store.itemIds()[6]!;
    await postEvents(app, [{ user, item, type: 'click' }]); // before the variant's bundle loads
    const first = await recs(app, user, 'k=3');
    assert.equal(first.version, older);
    const slot = [...services.models.followers()].find((s) => s.version === older);
    assert.ok(slot, 'the variant slot follows the events');
    const fs = slot.loadedRanked!.featureState!() as unknown as FeatureState;
    assert.equal(fs.events, (await store.counts()).events, 'caught up with every stored event at its load');
    await postEvents(app, [{ user, item: store.itemIds()[7]!, type: 'click' }]);
    assert.equal(fs.events, (await store.counts()).events, 'and fed the events after');
    assert.equal(fs.userCountBefore(store.userIndex(user)!, Number.POSITIVE_INFINITY), await stored(user));
    const id = (created.json() as { id: string }).id;
    await app.inject({ method: 'POST', url: `/v1/experiments/${id}/stop`, headers: admin });
  });
});
