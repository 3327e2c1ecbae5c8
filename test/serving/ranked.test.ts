/**
 * The ranked strategy with a real learning-to-rank model in the bundle (src/ranking/), over a small
 * simulated world: it is the model that answers, explain gives TreeSHAP features, and an event shows in
 * the next answer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildInteractions, interactionWeights } from '../../src/data/interactions.js';
import { type FittedModel, writeBundle } from '../../src/models/bundle.js';
import { createModel } from '../../src/models/factory.js';
import { buildApp } from '../../src/serving/app.js';
import type { Services } from '../../src/serving/compose.js';
import { createServices } from '../../src/serving/compose.js';
import { compact } from '../../src/serving/rank-pool.js';
import { itemReasons, rankWithLiveProfile } from '../../src/serving/ranker.js';
import type { RecommendRequest } from '../../src/serving/services/answer-cache.js';
import { resolveParams } from '../../src/simulation/params.js';
import { simulateIntoStore } from '../../src/simulation/simulate.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import type { ModelName } from '../../src/types.js';
import { admin, client, KEYS } from './helpers.js';

let dir: string;
let store: Store;
let app: FastifyInstance;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reco-ranked-'));
  store = await openStore(join(dir, 'reco.db'));
  await simulateIntoStore(store, resolveParams('tiny', { seed: 3 }));
  const log = await store.loadEventLog();
  const items = await store.listItems();
  const weights = interactionWeights();
  const interactions = buildInteractions(log, weights);
  const models: FittedModel[] = [];
  for (const name of ['popularity', 'itemknn', 'ease', 'ranked'] as ModelName[]) {
    const model = createModel(name);
    await model.fit({ interactions, log, items });
    models.push({ model, fitSeconds: 0 });
  }
  writeBundle({
    modelsDir: join(dir, 'models'),
    data: {
      db: store.path,
      users: log.userIds.length,
      items: log.itemIds.length,
      events: log.length,
      firstEvent: log.timestamp[0]!,
      lastEvent: log.timestamp[log.length - 1]!,
    },
    weights,
    userIds: log.userIds,
    itemIds: log.itemIds,
    models,
  });
  const services = await createServices(store, { modelsDir: join(dir, 'models') });
  await services.models.swap();
  app = await buildApp({ services, keys: KEYS, rateLimit: 0, defaultMetrics: false });
});

after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  model: string;
  note?: string;
  items: { id: string; sources?: string[]; features?: { name: string; contribution?: number }[] }[];
}

const recs = async (query: string): Promise<Answer> => {
  const r = await app.inject({
    method: 'GET',
    url: `/v1/users/u2/recommendations?${query}`,
    headers: client,
  });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as Answer;
};

test('the bundle ranked model answers strategy=ranked, and explain gives its sources and feature contributions', async () => {
  const a = await recs('k=5&explain=true');
  assert.equal(a.model, 'ranked');
  assert.equal(a.note, undefined);
  assert.equal(a.items.length, 5);
  for (const it of a.items) {
    assert.ok(it.sources && it.sources.length > 0);
    assert.ok(it.features && it.features.length > 0 && typeof it.features[0]!.contribution === 'number');
  }
});

test('an event shows in the next ranked answer', async () => {
  const before = await recs('k=5');
  const top = before.items[0]!.id;
  const r = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: client,
    payload: { user: 'u2', item: top, type: 'click' },
  });
  assert.equal(r.statusCode, 200, r.body);
  const afterEv = await recs('k=5');
  assert.equal(afterEv.model, 'ranked');
  assert.ok(!afterEv.items.some((i) => i.id === top));
});

test('/health lists ranked among the models that answer', async () => {
  const r = await app.inject({ method: 'GET', url: '/health', headers: admin });
  assert.equal(r.statusCode, 200, r.body);
  const models = (r.json() as { model: { models: string[] } }).model.models;
  assert.ok(models.includes('ranked'), `models: ${models.join(', ')}`);
  assert.ok(models.includes('popularity'));
});

test("rank threads give the main thread's answers, before and after events (each applied to their copies)", async () => {
  const services = await createServices(store, {
    modelsDir: join(dir, 'models'),
    cacheSize: 0,
    rankThreads: 2,
  });
  const threaded = services.recommend;
  await services.models.swap();
  await services.rankThreads.ready();
  const users = store.userIds().slice(0, 25);
  // the chain: ranked on the rank threads when the request may wait, explanations on the main thread
  const slot = services.models.slot!;
  const u = store.userIndex(users[0]!)!;
  const ctx = {
    slot,
    userId: users[0]!,
    u,
    profile: services.interactions.profile(u, slot),
    strategy: 'ranked',
    k: 10,
    excludeSeen: true,
    explain: false,
    allowed: undefined,
    async: true,
  };
  assert.equal(threaded.strategyFor(ctx)?.name, 'ranked-on-threads');
  assert.equal(threaded.strategyFor({ ...ctx, explain: true })?.name, 'ranked-on-threads');
  assert.equal(threaded.strategyFor({ ...ctx, async: false })?.name, 'ranked-model');
  const compare = async (what: string) => {
    for (const userId of users)
      for (const req of [
        { userId, k: 10 },
        { userId, k: 5, excludeSeen: false },
        { userId, k: 7, genre: services.catalogue.genres()[0]! },
        { userId, k: 12, explain: true },
        { userId, k: 6, excludeSeen: false, explain: true },
        { userId, k: 8, genre: services.catalogue.genres()[1]!, explain: true },
      ]) {
        const main = threaded.recommend(req);
        const worker = await threaded.recommendAsync(req);
        assert.equal(main.model, 'ranked');
        assert.deepEqual(worker, main, `${what}: ${JSON.stringify(req)}`);
      }
  };
  try {
    await compare('as loaded');
    // many at once: beyond two a thread they wait in the pool's queue, and each still gets its own answer
    const all = users.flatMap((userId) => [
      { userId, k: 10 },
      { userId, k: 4, excludeSeen: false },
    ]);
    const answers = await Promise.all(all.map((req) => threaded.recommendAsync(req)));
    for (const [j, req] of all.entries())
      assert.deepEqual(answers[j], threaded.recommend(req), `at once: ${JSON.stringify(req)}`);
    const items = store.itemIds();
    const t0 = Date.now();
    await services.ingestor.ingest(
      users.flatMap((user, k) => [
        { user, item: items[(k * 7) % items.length]!, type: 'click', timestamp: t0 + k },
        { user, item: items[(k * 13 + 1) % items.length]!, type: 'rating', value: 5, timestamp: t0 + k + 1 },
      ]),
    );
    await compare('after events');
  } finally {
    await services.close();
  }
});

/**
 * A request's answer with every item explained one at a time by the ranker's `explain` (what explain=true
 * answered before explanations were batched and capped), for the first `cap` items.
 */
function explainedOneByOne(services: Services, req: RecommendRequest, cap: number) {
  const slot = services.models.slot!;
  const u = services.store.userIndex(req.userId)!;
  const allowed = services.catalogue.genreMask(req.genre);
  const { top, profile } = rankWithLiveProfile(
    slot.ranked!,
    services.interactions.profile(u, slot),
    u,
    req.k,
    {
      excludeSeen: req.excludeSeen ?? true,
      ...(allowed ? { allowed } : {}),
    },
  );
  return Array.from(top.items.subarray(0, cap), (i) => itemReasons(slot.ranked!.explain!(profile, i)));
}

test('explain=true: reasons of the first explainCap items, the same on a rank thread, in main-thread slices and one item at a time', async () => {
  const cap = 6;
  const threaded = await createServices(store, {
    modelsDir: join(dir, 'models'),
    cacheSize: 0,
    rankThreads: 1,
    explainCap: cap,
  });
  const sliced = await createServices(store, {
    modelsDir: join(dir, 'models'),
    cacheSize: 0,
    explainCap: cap,
  });
  await threaded.models.swap();
  await sliced.models.swap();
  await threaded.rankThreads.ready();
  try {
    const genre = threaded.catalogue.genres()[0]!;
    for (const userId of store.userIds().slice(0, 15))
      for (const req of [
        { userId, k: 20, explain: true },
        { userId, k: 15, excludeSeen: false, explain: true },
        { userId, k: 9, genre, explain: true },
        { userId, k: 4, explain: true },
      ]) {
        const what = JSON.stringify(req);
        const onThread = await threaded.recommend.recommendAsync(req);
        assert.equal(onThread.model, 'ranked', what);
        // the same answer from the main thread: explained in slices between turns, and all at once
        assert.deepEqual(await sliced.recommend.recommendAsync(req), onThread, what);
        assert.deepEqual(sliced.recommend.recommend(req), onThread, what);
        const items = onThread.items ?? [];
        const explained = Math.min(cap, items.length);
        // identical to the explanations one item at a time, for the items explained
        const want = explainedOneByOne(sliced, req, cap);
        assert.equal(want.length, explained, what);
        for (let r = 0; r < explained; r++) {
          assert.deepEqual(items[r]!.sources, want[r]!.sources, `${what} item ${r}`);
          assert.deepEqual(items[r]!.features, want[r]!.features, `${what} item ${r}`);
          // (a seen item asked with exclude_seen=false is no source's candidate: its sources are empty)
          assert.ok((items[r]!.features ?? []).length > 0, `${what} item ${r}: features`);
        }
        // the rest come without reasons, and the note says so
        for (let r = explained; r < items.length; r++)
          assert.ok(items[r]!.sources === undefined && items[r]!.features === undefined, `${what} item ${r}`);
        if (req.k > cap) assert.match(onThread.note ?? '', new RegExp(`first ${cap} items only`), what);
        else assert.equal(onThread.note, undefined, what);
      }
  } finally {
    await threaded.close();
    await sliced.close();
  }
});

test('explain=true on the main thread yields to the event loop between slices of items', async () => {
  const sliced = await createServices(store, { modelsDir: join(dir, 'models'), cacheSize: 0 });
  await sliced.models.swap();
  let turns = 0;
  let counting = true;
  const tick = () => {
    if (!counting) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const answer = await sliced.recommend.recommendAsync({ userId: store.userIds()[0]!, k: 40, explain: true });
  counting = false;
  const explained = (answer.items ?? []).filter((it) => it.sources !== undefined).length;
  assert.ok(explained >= 20, `${explained} items explained`);
  // EXPLAIN_SLICE (4) items a turn: other callbacks ran between the slices
  assert.ok(
    turns >= Math.floor(explained / 4) - 1,
    `${turns} turns of the event loop for ${explained} items`,
  );
  await sliced.close();
});

test('an admin reload under load: requests keep being answered while it runs, events meanwhile reach the new bundle', async () => {
  const services = await createServices(store, { modelsDir: join(dir, 'models'), rankThreads: 1 });
  await services.models.swap();
  await services.rankThreads.ready();
  const server = await buildApp({ services, keys: KEYS, rateLimit: 0, defaultMetrics: false });
  const users = store.userIds().slice(0, 30);
  const items = store.itemIds();
  try {
    const before = services.models.slot!;
    let reloaded = false;
    let answeredDuring = 0;
    let failed = 0;
    const traffic = (async () => {
      for (let n = 0; !reloaded; n++) {
        const user = users[n % users.length]!;
        const r = await server.inject({
          method: 'GET',
          url: `/v1/users/${user}/recommendations?k=${5 + (n % 7)}${n % 5 === 0 ? '&explain=true' : ''}`,
          headers: client,
        });
        if (r.statusCode !== 200) failed++;
        else if (!reloaded) answeredDuring++;
        // events while the reload runs: stored, and replayed into the new bundle before it serves
        if (n % 3 === 0)
          await services.ingestor.ingestGrouped([
            { user, item: items[(n * 7) % items.length]!, type: 'click', timestamp: Date.now() },
          ]);
      }
    })();
    const r = await server.inject({ method: 'POST', url: '/v1/models/reload', headers: admin });
    reloaded = true;
    await traffic;
    assert.equal(r.statusCode, 200, r.body);
    assert.notEqual(services.models.slot, before, 'a new slot serves');
    assert.equal(failed, 0);
    assert.ok(answeredDuring >= 3, `${answeredDuring} requests answered while the reload ran`);
    // the new slot's rank thread and its main-thread ranker (loaded only now, catching up from the store)
    // give the same answers: every event reached both
    const slot = services.models.slot!;
    assert.equal(slot.loadedRanked, undefined, 'with rank threads the main thread has not loaded the ranker');
    for (const userId of users) {
      const req = { userId, k: 10 };
      const threaded = await services.recommend.recommendAsync(req);
      assert.equal(threaded.model, 'ranked');
      services.cache.clear();
      assert.deepEqual(services.recommend.recommend(req), threaded, userId);
    }
  } finally {
    await server.close();
    await services.close();
  }
});

test('rank threads of a server starting on a bundle older than its store get the replayed events too', async () => {
  // events stored after the bundle's training (the previous test ingested some): the swap replays them into
  // the main thread's ranker, and must send them to the threads' copies, which load the bundle as saved
  const items = store.itemIds();
  const users = store.userIds().slice(0, 12);
  const live = await createServices(store, { modelsDir: join(dir, 'models'), cacheSize: 0 });
  await live.models.swap();
  const t0 = Date.now();
  await live.ingestor.ingest(
    users.map((user, k) => ({
      user,
      item: items[(k * 11 + 3) % items.length]!,
      type: 'like',
      timestamp: t0 + k,
    })),
  );
  const restarted = await createServices(store, {
    modelsDir: join(dir, 'models'),
    cacheSize: 0,
    rankThreads: 1,
  });
  await restarted.models.swap();
  await restarted.rankThreads.ready();
  try {
    for (const userId of users) {
      const req = { userId, k: 10 };
      assert.deepEqual(
        await restarted.recommend.recommendAsync(req),
        restarted.recommend.recommend(req),
        userId,
      );
    }
  } finally {
    await restarted.close();
  }
});

test('a rank request posts a profile row as its own small buffer, not the interaction matrix behind it', () => {
  const matrix = Int32Array.from({ length: 1000 }, (_, k) => k);
  const row = matrix.subarray(10, 14);
  const sent = compact(row);
  assert.deepEqual([...sent], [10, 11, 12, 13]);
  assert.equal(sent.buffer.byteLength, 16, 'only the row is cloned to the rank thread');
  // an array that is its whole buffer goes as it is
  const whole = Float32Array.of(1, 2, 3);
  assert.equal(compact(whole), whole);
});

test('explain over many users and k: every feature value finite or absent (a missing feature has none), never a 500', async () => {
  let missing = 0;
  for (const user of ['u1', 'u2', 'u3', 'u9', 'u30', 'u77']) {
    const r = await app.inject({
      method: 'GET',
      url: `/v1/users/${user}/recommendations?k=40&explain=true`,
      headers: client,
    });
    assert.equal(r.statusCode, 200, r.body);
    const a = r.json() as { items: { features?: { name: string; value?: number }[] }[] };
    for (const it of a.items)
      for (const f of it.features ?? []) {
        if (f.value === undefined) missing++;
        else assert.ok(Number.isFinite(f.value), `${user} ${f.name}`);
      }
  }
  void missing;
});
