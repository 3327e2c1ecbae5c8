import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { evaluate } from '../../src/evaluation/evaluate.js';
import { createRecommender } from '../../src/recommenders/index.js';
import { resolveParams } from '../../src/simulation/params.js';
import { simulateIntoStore } from '../../src/simulation/simulate.js';
import { openStore } from '../../src/store/open.js';
import type { EventRecord } from '../../src/types.js';
import { reco, tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-eval-');

/**
 * Two taste groups: users 0-29 take 10 of items a0..a14, users 30-59 take 10 of b0..b14, plus one item of
 * the other cluster each (noise). Popularity knows nothing of the groups; item-kNN finds them.
 */
function plantedEvents(): EventRecord[] {
  const rng = new Rng(7);
  const events: EventRecord[] = [];
  let t = Date.UTC(2024, 0, 1);
  for (let u = 0; u < 60; u++) {
    const own = u < 30 ? 'a' : 'b';
    const other = u < 30 ? 'b' : 'a';
    const picks = rng.shuffle(Int32Array.from({ length: 15 }, (_, i) => i)).subarray(0, 10);
    for (const i of picks)
      events.push({ user: `u${u}`, item: `${own}${i}`, type: 'rating', value: 4, timestamp: (t += 60_000) });
    events.push({
      user: `u${u}`,
      item: `${other}${rng.int(15)}`,
      type: 'rating',
      value: 2,
      timestamp: (t += 60_000),
    });
  }
  return events;
}

async function plantedStore(name: string) {
  const store = await openStore(join(dir, name));
  await store.upsertItems(
    ['a', 'b'].flatMap((c) =>
      Array.from({ length: 15 }, (_, i) => ({ id: `${c}${i}`, title: `Film ${c}${i}`, genres: [c] })),
    ),
  );
  await store.insertEvents(plantedEvents());
  return store;
}

test('on planted taste groups, item-kNN beats popularity; metrics stay in range', async () => {
  const store = await plantedStore('planted.db');
  const result = await evaluate(await store.loadEventLog(), await store.listItems(), {
    split: { kind: 'random', ratio: 0.75, seed: 42 },
    k: 5,
    models: ['popularity', 'itemknn'],
    create: createRecommender,
  });
  await store.close();
  assert.equal(result.users, 60, 'every user has held-out items');
  assert.equal(result.trainEvents + result.testEvents, 660);
  const [pop, knn] = result.rows;
  assert.equal(pop!.model, 'popularity');
  assert.ok(knn!.ndcg > pop!.ndcg + 0.1, `itemknn ${knn!.ndcg} vs popularity ${pop!.ndcg}`);
  assert.ok(knn!.auc > pop!.auc, `AUC itemknn ${knn!.auc} vs popularity ${pop!.auc}`);
  for (const r of result.rows) {
    for (const v of [
      r.precision,
      r.recall,
      r.ndcg,
      r.ndcgGraded,
      r.map,
      r.mrr,
      r.hitRate,
      r.auc,
      r.coverage,
      r.popularity,
    ])
      assert.ok(v >= 0 && v <= 1, `${r.model}: ${v} out of [0, 1]`);
    assert.ok(r.recall >= 0 && r.hitRate >= r.precision);
  }
  // popularity gives every user nearly the same list: lower coverage than item-kNN
  assert.ok(pop!.coverage < knn!.coverage);
});

test('on a simulated world the oracle row is at least as good as the models', async () => {
  const store = await openStore(join(dir, 'sim.db'));
  await simulateIntoStore(
    store,
    resolveParams(undefined, { users: 150, items: 120, events: 6000, dim: 8, genres: 6, seed: 3 }),
  );
  const { worldOracle } = await import('../../src/evaluation/oracle.js');
  const { loadWorld } = await import('../../src/simulation/oracle.js');
  const result = await evaluate(await store.loadEventLog(), await store.listItems(), {
    split: { kind: 'temporal', ratio: 0.8 },
    k: 10,
    models: ['popularity', 'itemknn'],
    create: createRecommender,
    oracle: worldOracle(await loadWorld(store)),
  });
  await store.close();
  const oracle = result.rows.find((r) => r.model === 'oracle')!;
  for (const r of result.rows)
    if (r !== oracle) assert.ok(oracle.ndcg >= r.ndcg, `oracle ${oracle.ndcg} below ${r.model} ${r.ndcg}`);
});

test('train, then recommend --all writes K rows per user, seen items excluded', async () => {
  const db = join(dir, 'cli.db');
  await (await plantedStore('cli.db')).close();
  const train = reco('--db', db, '-q', 'train', '--models', 'popularity,itemknn');
  assert.equal(train.code, 0, train.stderr);
  const out = join(dir, 'recs.csv');
  const rec = reco('--db', db, '-q', 'recommend', '--all', '--k', '5', '--model', 'itemknn', '--out', out);
  assert.equal(rec.code, 0, rec.stderr);
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'user,item,rank,score');
  const seen = new Set(plantedEvents().map((e) => `${e.user},${e.item}`));
  const perUser = new Map<string, number[]>();
  for (const line of lines.slice(1)) {
    const [user, item, rank, score] = line.split(',');
    assert.ok(!seen.has(`${user},${item}`), `${user} was recommended seen item ${item}`);
    assert.ok(Number.isFinite(Number(score)));
    perUser.set(user!, [...(perUser.get(user!) ?? []), Number(rank)]);
  }
  assert.equal(perUser.size, 60);
  for (const ranks of perUser.values()) assert.deepEqual(ranks, [1, 2, 3, 4, 5]);

  const one = reco('--db', db, 'recommend', '--user', 'u0', '--k', '3', '--model', 'itemknn');
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /Film a\d+/);
  const similar = reco('--db', db, 'similar', '--item', 'a0', '--k', '3');
  assert.equal(similar.code, 0, similar.stderr);
  assert.match(similar.stdout, /by itemknn/);
});

test('clear errors: unknown model, user, item; empty store', () => {
  const db = join(dir, 'cli.db');
  const badModel = reco('--db', db, 'evaluate', '--models', 'popularity,svd');
  assert.equal(badModel.code, 2);
  assert.match(
    badModel.stderr,
    /unknown model "svd"; valid: popularity, itemknn, als, ease, content, hybrid/,
  );
  const badUser = reco('--db', db, 'recommend', '--user', 'nobody');
  assert.equal(badUser.code, 2);
  assert.match(badUser.stderr, /unknown user "nobody"/);
  const badItem = reco('--db', db, 'similar', '--item', 'zz');
  assert.match(badItem.stderr, /unknown item "zz"/);
  const empty = reco('--db', join(dir, 'empty.db'), 'train');
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /holds no events: fill it first/);
});
