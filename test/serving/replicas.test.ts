/**
 * Replicas over one PostgreSQL store, in process: two sets of serving services (each over a store of its
 * own, as two `reco serve` processes have) follow the same event log. A replica's own events are in its
 * next answer (read your writes), another's arrive by notice; fed the same operations interleaved, both
 * answer every user identically, and identically to a single SQLite server fed them in the same order.
 * (test/serving/replica-processes.test.ts does the same with real `reco serve` processes.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { createServices, type Services } from '../../src/serving/compose.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import type { EventRecord } from '../../src/types.js';
import { pgSkip } from '../helpers/pg.js';
import { pgBackend } from '../helpers/store-backends.js';
import { ITEMS, seedEvents, TEST_MODELS, trainBundle } from './helpers.js';

const skip = await pgSkip('the replica tests');

/** Polls `ok` every 10 ms until it holds; fails naming `what` after `ms`. */
async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Replica {
  store: Store;
  services: Services;
}

describe('replicas over PostgreSQL', { skip }, () => {
  const schemas = pgBackend();
  const dir = mkdtempSync(join(tmpdir(), 'reco-replicas-'));
  const modelsDir = join(dir, 'models');
  const open: { store: Store; services?: Services }[] = [];
  let location: string;

  async function replica(at = location): Promise<Replica> {
    const store = await openStore(at);
    const services = await createServices(store, { modelsDir, onFollowerWarning: () => undefined });
    open.push({ store, services });
    await services.models.swapAtStartup(await store.feed?.currentBundle());
    await services.follower?.start(50);
    return { store, services };
  }

  before(async () => {
    location = schemas.location();
    const store = await openStore(location);
    open.push({ store });
    await store.upsertItems(ITEMS);
    await store.insertEvents(seedEvents());
    await trainBundle(store, modelsDir, TEST_MODELS, '20260101-000000-000');
  });
  after(async () => {
    for (const o of open.reverse()) {
      await o.services?.close();
      await o.store.close();
    }
    await schemas.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const seen = (r: Replica, user: string, k = 12) =>
    r.services.recommend
      .recommend({ userId: user, k, strategy: 'popularity', excludeSeen: true })
      .items!.map((x) => x.id);

  test("a replica's own event is in its next answer; the other's within moments", async () => {
    const a = await replica();
    const b = await replica();
    assert.ok(a.services.follower && b.services.follower, 'a store with a feed is followed');
    assert.ok(seen(a, 'u1').includes('i6') && seen(b, 'u1').includes('i6'));
    await a.services.ingestor.ingestGrouped([
      { user: 'u1', item: 'i6', type: 'rating', value: 5, timestamp: Date.UTC(2026, 1, 1) },
    ]);
    assert.ok(!seen(a, 'u1').includes('i6'), 'read your writes on A');
    await waitFor('B applies the event stored by A', () => !seen(b, 'u1').includes('i6'));
    // a new user and a new item made on B, in A's answers and catalogue
    await b.services.items.upsert([{ id: 'i13', title: 'Film 13', genres: ['Drama'] }]);
    await b.services.ingestor.ingestGrouped([
      { user: 'newcomer', item: 'i13', type: 'click', timestamp: Date.UTC(2026, 1, 2) },
    ]);
    await waitFor(
      'A knows the item made on B',
      () => a.services.catalogue.title(a.store.itemIndex('i13') ?? -1) === 'Film 13',
    );
    await waitFor("A serves B's new user", () => a.store.userIndex('newcomer') !== undefined);
    // a person's onboarding genres, given on one replica, serve him on the other
    await a.services.users.create({ id: 'onboarded', preferences: { genres: ['Drama'] } });
    await waitFor('B knows the genres given on A', () => {
      const u = b.store.userIndex('onboarded');
      return u !== undefined && b.services.interactions.preferences(u)?.[0] === 'Drama';
    });
    const status = b.services.follower!.status();
    assert.equal(status.caughtUp, true);
    assert.equal(status.error, null);
    assert.equal(status.applied, await b.store.eventPosition());
  });

  test('fed the same operations interleaved, two replicas and one SQLite server answer every user identically', async () => {
    // a fresh schema with the same start, and the same bundle
    location = schemas.location();
    const seed = await openStore(location);
    open.push({ store: seed });
    await seed.upsertItems(ITEMS);
    await seed.insertEvents(seedEvents());
    const a = await replica(location);
    const b = await replica(location);
    const single = await openStore(join(dir, 'single.db'));
    await single.upsertItems(ITEMS);
    await single.insertEvents(seedEvents());
    const one = await createServices(single, { modelsDir });
    open.push({ store: single, services: one });
    await one.models.swapAtStartup();
    const rng = new Rng(7);
    const rand = () => rng.float();
    const users = Array.from({ length: 8 }, (_, k) => `u${k + 1}`);
    const items = ITEMS.map((i) => i.id);
    let t = Date.UTC(2026, 2, 1);
    for (let op = 0; op < 400; op++) {
      const to = op % 2 === 0 ? a : b;
      const r = rand();
      if (r < 0.05) {
        const id = `new-item-${op}`;
        items.push(id);
        const record = { id, title: `New ${op}`, genres: [rand() < 0.5 ? 'Action' : 'Drama'] };
        await to.services.items.upsert([record]);
        await one.items.upsert([record]);
      } else {
        if (r < 0.15) users.push(`new-user-${op}`);
        const batch: EventRecord[] = Array.from({ length: 1 + Math.floor(rand() * 5) }, () => ({
          user: users[Math.floor(rand() * users.length)]!,
          item: items[Math.floor(rand() * items.length)]!,
          type: rand() < 0.5 ? 'rating' : 'click',
          value: 1 + Math.floor(rand() * 5) + 0.3,
          timestamp: (t += 1000 + Math.floor(rand() * 100_000)),
        }));
        await to.services.ingestor.ingestGrouped(batch);
        await one.ingestor.ingestGrouped(batch);
      }
    }
    const end = await a.store.eventPosition();
    assert.equal(end, await single.eventPosition());
    for (const r of [a, b]) {
      await waitFor(
        'each replica applies the whole log',
        () => r.services.follower!.status().applied === end,
      );
      await waitFor('each replica has every item record', () =>
        items.every(
          (id) =>
            r.services.catalogue.title(r.store.itemIndex(id) ?? -1) !== undefined ||
            !id.startsWith('new-item'),
        ),
      );
    }
    const answers = (s: Services) =>
      users.flatMap((userId) =>
        ['popularity', ...TEST_MODELS].map((strategy) =>
          JSON.stringify(s.recommend.recommend({ userId, k: 10, strategy, excludeSeen: true })),
        ),
      );
    const fromA = answers(a.services);
    assert.equal(fromA.length, users.length * (TEST_MODELS.length + 1));
    assert.deepEqual(answers(b.services), fromA, 'replica B answers as replica A');
    assert.deepEqual(answers(one), fromA, 'the single SQLite server answers as the replicas');
  });
});
