/**
 * The loop's people model: position bias, fatigue and its fading, and a whole loop deterministic for a
 * seed (in process, against the serving services over a small trained world).
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InProcessClient } from '../../src/loop/client.js';
import { DEFAULT_PEOPLE, peopleFromOverrides } from '../../src/loop/params.js';
import { People } from '../../src/loop/people.js';
import { runLoop } from '../../src/loop/run.js';
import { createModel } from '../../src/models/factory.js';
import { loadWorld } from '../../src/simulation/oracle.js';
import { resolveParams } from '../../src/simulation/params.js';
import { simulateWorld } from '../../src/simulation/simulate.js';
import { openStore } from '../../src/store/open.js';
import { trainBundle } from '../../src/training/train-bundle.js';
import { tempDir } from '../helpers/cli.js';
import { simulatedStore } from '../helpers/world.js';

const DAY = 86_400_000;
const world = simulateWorld(resolveParams('tiny', { seed: 5 })).world;
const none = () => new Int32Array(0);
const t0 = world.params.endMs + DAY;

test('examination falls with rank: takes at the top outnumber takes at the bottom', () => {
  const people = new People(
    world,
    { ...DEFAULT_PEOPLE, genreFatigue: 1, exposureFatigue: 1 },
    20,
    3,
    none,
    10,
  );
  assert.deepEqual(
    Array.from(people.examination().subarray(0, 3), (x) => x.toFixed(3)),
    ['1.000', '0.500', '0.333'],
  );
  const byRank = new Float64Array(10);
  for (let rep = 0; rep < 400; rep++) {
    const p = rep % 20;
    // the same ten items, rotated so that each sits at every rank equally often
    const slate = Int32Array.from({ length: 10 }, (_, r) => (r + rep) % 10);
    people.taken.fill(0);
    for (const r of people.respond(p, slate, t0)) byRank[r]!++;
  }
  assert.ok(byRank[0]! > 3 * byRank[9]!, `rank 1 ${byRank[0]} vs rank 10 ${byRank[9]}`);
  assert.ok(byRank[0]! > byRank[4]! && byRank[4]! > byRank[9]!, `by rank: ${Array.from(byRank)}`);
});

test('fatigue: looks without a take and genres taken in the session lower the take probability', () => {
  const people = new People(world, { ...DEFAULT_PEOPLE, positionDecay: 0 }, 5, 1, none, 10);
  const i = 3;
  assert.equal(people.fatigue(0, i, t0), 1);
  // an item examined (positionDecay 0: every rank is examined) but not taken counts a look
  let t = t0;
  for (let n = 0; n < 20 && people.looksAt(0, i, t) === 0; n++) {
    people.taken.fill(0);
    people.respond(0, Int32Array.of(i), (t += 60_000));
  }
  const looked = people.looksAt(0, i, t);
  assert.ok(looked >= 1);
  assert.ok(Math.abs(people.fatigue(0, i, t) - DEFAULT_PEOPLE.exposureFatigue ** looked) < 1e-9);
  // looks fade with the half-life
  const later = t + DEFAULT_PEOPLE.fatigueHalfLifeDays * DAY;
  assert.ok(Math.abs(people.looksAt(0, i, later) - looked / 2) < 1e-6);
  // a genre taken in the session tires its other items, until the next session
  const g = Math.clz32(0) - 1 - Math.clz32(world.itemGenres[i]!); // the item's highest genre
  people.genreTakes[g] = 2;
  const other = Array.from({ length: world.params.items }, (_, j) => j).find(
    (j) => j !== i && (world.itemGenres[j]! & (1 << g)) !== 0 && people.looksAt(0, j, t) === 0,
  )!;
  assert.ok(people.fatigue(0, other, t) <= DEFAULT_PEOPLE.genreFatigue ** 2 + 1e-12);
  people.startSession();
  assert.equal(people.fatigue(0, other, t), 1);
});

test('people parameters: unknown names and values out of range are refused by name', () => {
  assert.throws(() => peopleFromOverrides(['nope=1']), /unknown parameter "nope"/);
  assert.throws(() => peopleFromOverrides(['genreFatigue=2']), /genreFatigue must be a number in 0..1/);
  assert.throws(() => peopleFromOverrides(['patience=1.5']), /patience must be an integer/);
  assert.equal(peopleFromOverrides(['positionDecay=0.5']).positionDecay, 0.5);
});

test('a loop is deterministic for a seed (in process, against the serving services)', async () => {
  const dir = tempDir('reco-loop-det-');
  const db = join(dir, 'a.db');
  const store = await simulatedStore(db, { ...resolveParams('tiny', { seed: 2 }), events: 2000 });
  await trainBundle({
    store,
    modelsDir: join(dir, 'models'),
    models: ['popularity', 'itemknn'],
    create: createModel,
    params: { itemknn: { neighbours: 10 } },
    run: { mirror: null },
  });
  await store.close();
  copyFileSync(db, join(dir, 'b.db'));
  const once = async (file: string, seed: number) => {
    const s = await openStore(join(dir, file));
    const client = await InProcessClient.open(s, join(dir, 'models'));
    try {
      const r = await runLoop({
        world: await loadWorld(s),
        history: await s.loadEventLog(),
        users: 30,
        days: 3,
        k: 5,
        seed,
        people: DEFAULT_PEOPLE,
        arms: [
          { name: 'pop', strategy: 'popularity' },
          { name: 'knn', strategy: 'itemknn' },
        ],
        client,
      });
      return { variants: r.variants, events: (await s.counts()).events };
    } finally {
      await client.close();
      await s.close();
    }
  };
  const a = await once('a.db', 7);
  const b = await once('b.db', 7);
  assert.deepEqual(a, b);
  assert.ok(a.variants.reduce((s, v) => s + v.takes, 0) > 0, 'people took something');
  assert.ok(a.variants.every((v) => v.regret >= -1e-9 && v.trueCtr > 0));
});

test("with the server's experiment, variants come from the answers and every slate is an exposure", async () => {
  const dir = tempDir('reco-loop-exp-');
  const store = await simulatedStore(join(dir, 'reco.db'), { ...resolveParams('tiny', { seed: 3 }) });
  await trainBundle({
    store,
    modelsDir: join(dir, 'models'),
    models: ['popularity', 'itemknn'],
    create: createModel,
    params: { itemknn: { neighbours: 10 } },
    run: { mirror: null },
  });
  const client = await InProcessClient.open(store, join(dir, 'models'));
  try {
    const e = await client.services.experiments.create({
      name: 'pop-vs-knn',
      variants: [
        { name: 'control', strategy: 'popularity' },
        { name: 'treatment', strategy: 'itemknn' },
      ],
    });
    const r = await runLoop({
      world: await loadWorld(store),
      history: await store.loadEventLog(),
      users: 30,
      days: 2,
      k: 5,
      seed: 1,
      people: DEFAULT_PEOPLE,
      experiment: e.id,
      client,
    });
    assert.deepEqual(r.variants.map((v) => v.name).sort(), ['control', 'treatment']);
    assert.ok(r.variants.every((v) => v.users > 0));
    await client.close(); // writes the queued exposures
    assert.equal((await store.experiments.exposures(e.id)).length, r.slates);
  } finally {
    await client.close();
    await store.close();
  }
});
