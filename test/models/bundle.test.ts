import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { csrFromCoo } from '../../src/core/csr.js';
import { interactionWeights } from '../../src/data/interactions.js';
import { listVersions, openBundle, versionId, writeBundle } from '../../src/models/bundle.js';
import { profileFromRow } from '../../src/models/profiles.js';
import { createRecommender } from '../../src/recommenders/index.js';
import type { EventLog } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-bundle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// 4 users x 5 items: users 0, 1 like items 0-2; users 2, 3 like items 2-4
const pairs = [
  [0, 0],
  [0, 1],
  [1, 1],
  [1, 2],
  [0, 2],
  [2, 2],
  [2, 3],
  [3, 3],
  [3, 4],
  [2, 4],
];
const X = csrFromCoo(
  4,
  5,
  Int32Array.from(pairs, (p) => p[0]!),
  Int32Array.from(pairs, (p) => p[1]!),
  new Float32Array(pairs.length).fill(1),
);
const log: EventLog = {
  userIds: ['a', 'b', 'c', 'd'],
  itemIds: ['i0', 'i1', 'i2', 'i3', 'i4'],
  typeNames: ['rating'],
  user: Int32Array.from(pairs, (p) => p[0]!),
  item: Int32Array.from(pairs, (p) => p[1]!),
  type: new Uint8Array(pairs.length),
  value: new Float32Array(pairs.length).fill(4),
  timestamp: Float64Array.from(pairs, (_, k) => 1000 * k),
  length: pairs.length,
};

async function fitted(name: 'popularity' | 'itemknn') {
  const m = createRecommender(name);
  await m.fit({ interactions: X, log, items: log.itemIds.map((id) => ({ id })) });
  return m;
}

const data = { db: 'x.db', users: 4, items: 5, events: pairs.length, firstEvent: 0, lastEvent: 9000 };

test('version ids are UTC times, sortable as text', () => {
  assert.equal(versionId(new Date(Date.UTC(2026, 10, 26, 4, 5, 6, 7))), '20261126-040506-007');
});

test('a written bundle loads back into models that answer the same', async () => {
  const modelsDir = join(dir, 'a');
  const pop = await fitted('popularity');
  const knn = await fitted('itemknn');
  const { manifest } = writeBundle({
    modelsDir,
    data,
    weights: interactionWeights(),
    userIds: log.userIds,
    itemIds: log.itemIds,
    models: [
      { model: pop, fitSeconds: 0.1 },
      { model: knn, fitSeconds: 0.2 },
    ],
    version: 'v1',
  });
  assert.equal(readFileSync(join(modelsDir, 'current'), 'utf8').trim(), 'v1');
  assert.deepEqual(
    manifest.models.map((m) => m.name),
    ['popularity', 'itemknn'],
  );
  const bundle = openBundle(modelsDir);
  assert.equal(bundle.version, 'v1');
  assert.deepEqual(bundle.ids().items, log.itemIds);
  for (let u = 0; u < 4; u++) {
    const profile = profileFromRow(X, u, { users: 4, items: 5 });
    assert.deepEqual(bundle.model('itemknn').recommend(profile, 3), knn.recommend(profile, 3));
    assert.deepEqual(bundle.model('popularity').scoreAll(profile), pop.scoreAll(profile));
  }
  // no ranked, no metrics, no hybrid: the first model
  assert.equal(bundle.defaultModel(), 'popularity');
  assert.throws(() => bundle.model('svd'), /unknown model "svd"; valid: popularity, itemknn/);
  assert.throws(() => bundle.model('ease'), /not in bundle v1 \(it has: popularity, itemknn\)/);
});

test('models read off the event loop are the same; a cut array file is refused, naming it', async () => {
  const modelsDir = join(dir, 'async');
  const knn = await fitted('itemknn');
  writeBundle({
    modelsDir,
    data,
    weights: interactionWeights(),
    userIds: log.userIds,
    itemIds: log.itemIds,
    models: [{ model: knn, fitSeconds: 0 }],
    version: 'v1',
  });
  const loaded = await openBundle(modelsDir).modelAsync('itemknn');
  for (let u = 0; u < 4; u++) {
    const profile = profileFromRow(X, u, { users: 4, items: 5 });
    assert.deepEqual(loaded.scoreAll(profile), knn.scoreAll(profile));
  }
  const values = join(modelsDir, 'v1', 'itemknn', 'values.bin');
  truncateSync(values, 6);
  const want = new RegExp(
    `${values.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected \\d+ float32 values, found 6 bytes`,
  );
  assert.throws(() => openBundle(modelsDir).model('itemknn'), want);
  await assert.rejects(openBundle(modelsDir).modelAsync('itemknn'), want);
  await assert.rejects(openBundle(modelsDir).modelAsync('ease'), /not in bundle v1/);
});

test('a second bundle becomes current; stored metrics pick the default model', async () => {
  const modelsDir = join(dir, 'a');
  writeBundle({
    modelsDir,
    data,
    weights: interactionWeights(),
    userIds: log.userIds,
    itemIds: log.itemIds,
    models: [
      { model: await fitted('popularity'), fitSeconds: 0 },
      { model: await fitted('itemknn'), fitSeconds: 0 },
    ],
    metrics: { split: 's', k: 10, models: { popularity: { ndcg: 0.2 }, itemknn: { ndcg: 0.3 } } },
    version: 'v1',
  });
  assert.deepEqual(listVersions(modelsDir), ['v1', 'v1-2']);
  const current = openBundle(modelsDir);
  assert.equal(current.version, 'v1-2');
  assert.equal(current.defaultModel(), 'itemknn');
  assert.equal(openBundle(modelsDir, 'v1').version, 'v1', 'older versions stay readable');
  assert.throws(() => openBundle(modelsDir, 'v9'), /no model bundle "v9" .*versions: v1, v1-2/);
  assert.throws(() => openBundle(join(dir, 'none')), /run "reco train" first/);
});

test('profiles drop items the models were not fitted on and users they do not know', () => {
  const row = profileFromRow(X, 0, { users: 0, items: 2 });
  assert.deepEqual(Array.from(row.items), [0, 1]);
  assert.equal(row.user, undefined);
});
