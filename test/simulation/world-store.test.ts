import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { loadWorld, trueProbability } from '../../src/simulation/oracle.js';
import { answerPairs } from '../../src/simulation/oracle-csv.js';
import { resolveParams } from '../../src/simulation/params.js';
import { deserializeWorld, serializeWorld } from '../../src/simulation/serialize.js';
import { simulateIntoStore, simulateWorld } from '../../src/simulation/simulate.js';
import { openStore } from '../../src/store/open.js';

test('world serialisation round trip keeps every array and parameter', () => {
  const { world } = simulateWorld(resolveParams('tiny', { seed: 11 }));
  const back = deserializeWorld(serializeWorld(world));
  assert.deepEqual(back.params, world.params);
  assert.deepEqual(back.genreNames, world.genreNames);
  for (const key of Object.keys(world) as (keyof typeof world)[])
    assert.deepEqual(back[key], world[key], key);
  assert.throws(() => deserializeWorld(Buffer.from('not a world')), /format/);
});

test('simulate into a store: users, items, events and the world beside them', async () => {
  const store = await openStore(':memory:');
  const params = resolveParams('tiny', { seed: 12 });
  const r = await simulateIntoStore(store, params);
  assert.deepEqual(await store.counts(), { users: params.users, items: params.items, events: params.events });
  assert.equal(store.userIndex('u1'), 0);
  assert.equal(store.itemIndex(`i${params.items}`), params.items - 1);
  const item = (await store.getItem('i1'))!;
  assert.match(item.title!, /\(\d{4}\)$/);
  assert.ok(item.genres!.length >= 1);
  const log = await store.loadEventLog();
  assert.deepEqual(log.item, r.events.item);
  const world = await loadWorld(store);
  assert.equal(trueProbability(world, 3, 4, params.endMs), trueProbability(r.world, 3, 4, params.endMs));
  await assert.rejects(() => simulateIntoStore(store, params), /not empty/);
  await store.close();
  const empty = await openStore(':memory:');
  await assert.rejects(() => loadWorld(empty), /no simulated world/);
  await empty.close();
});

test('oracle CSV: rows in, the same rows with p out; bad rows name their line', async () => {
  const store = await openStore(':memory:');
  const params = resolveParams('tiny', { seed: 13 });
  const { world } = await simulateIntoStore(store, params);
  const t = params.startMs + 86_400_000 * 100;
  const out = answerPairs(
    store,
    world,
    `user,item,timestamp\nu1,i2,${t}\nu3,i4\nu2,i1,2023-06-01T12:00:00Z\n`,
    'pairs.csv',
  );
  const lines = out.trim().split('\n');
  assert.equal(lines[0], 'user,item,timestamp,p');
  assert.equal(lines.length, 4);
  const [u, i, ts, p] = lines[1]!.split(',');
  assert.deepEqual([u, i, ts], ['u1', 'i2', String(t)]);
  assert.ok(Math.abs(Number(p) - trueProbability(world, 0, 1, t)) < 1e-5);
  assert.equal(lines[2]!.split(',')[2], String(params.endMs), 'no timestamp: the end of the span');
  const p3 = Number(lines[3]!.split(',')[3]);
  assert.ok(Math.abs(p3 - trueProbability(world, 1, 0, Date.UTC(2023, 5, 1, 12))) < 1e-5);

  const bad = (text: string, pattern: RegExp) =>
    assert.throws(
      () => answerPairs(store, world, text, 'pairs.csv'),
      (err: unknown) => err instanceof InputError && pattern.test(err.message),
    );
  bad('u1,i1\nu1,i2\nnobody,i1\n', /pairs\.csv, line 3, column 1: unknown user "nobody"/);
  bad('u1,i1\nu1,nothing\n', /line 2, column 2: unknown item/);
  bad('u1\n', /line 1: expected user,item\[,timestamp\]/);
  bad('u1,i1,yesterday-ish\n', /line 1, column 3: timestamp/);
  await store.close();
});
