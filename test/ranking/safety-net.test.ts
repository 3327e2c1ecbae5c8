import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { interactionWeights } from '../../src/data/interactions.js';
import { type BundleManifest, writeBundle } from '../../src/models/bundle.js';
import { RankedRecommender } from '../../src/ranking/ranker.js';
import { formatSafetyNet, rankerVerdict } from '../../src/ranking/safety-net.js';
import { createRecommender } from '../../src/recommenders/index.js';
import type { UserProfile } from '../../src/recommenders/recommender.js';
import { reco, tempDir } from '../helpers/cli.js';
import { simulatedFitData } from '../helpers/world.js';

const data = simulatedFitData({ users: 120, items: 100, events: 5000, dim: 8, genres: 6, seed: 5 });

/**
 * Trees that cannot split (a leaf needs a million rows) under the content model as the first source: the
 * ranked order is content's (the candidates' order and the blend), which EASE, the second source, beats
 * by far on the validation users (0.15 against 0.08).
 */
const CRIPPLED = {
  sources: { content: 20, ease: 40 },
  numIterations: 3,
  minDataInLeaf: 1_000_000,
  earlyStopping: 0,
};

function profileOf(u: number): UserProfile {
  const x = data.interactions;
  return {
    user: u,
    items: x.indices.subarray(x.indptr[u]!, x.indptr[u + 1]!),
    weights: x.values.subarray(x.indptr[u]!, x.indptr[u + 1]!),
  };
}

test('safety net: trees below their best source on the validation users fall back to it, in the model, its bundle and its summary', async () => {
  const ranked = new RankedRecommender(CRIPPLED);
  await ranked.fit(data);
  const net = ranked.report?.net;
  assert.ok(net, 'a verdict');
  assert.deepEqual(
    net.views.map((v) => v.label),
    ['next', 'missing'],
  );
  for (const v of net.views) assert.ok(v.users > 0);
  assert.equal(net.best, 'ease');
  assert.ok(net.sources.ease! > net.ranked + net.margin, JSON.stringify(net));
  assert.equal(net.fallback, 'ease');
  assert.equal(ranked.fallback, 'ease');
  assert.match(formatSafetyNet(net), /ranked FALLS BACK to ease$/);

  // serving: EASE's own lists (the same EASE, fitted on every event), and its scores over the catalogue
  const ease = createRecommender('ease');
  await ease.fit(data);
  for (const u of [0, 7, 42]) {
    const p = profileOf(u);
    assert.deepEqual(Array.from(ranked.recommend(p, 10).items), Array.from(ease.recommend(p, 10).items));
    assert.deepEqual(Array.from(ranked.scoreAll(p)), Array.from(ease.scoreAll(p)));
  }

  // the bundle's manifest says so, and a loaded model still falls back
  const modelsDir = tempDir('reco-safety-net-');
  const log = data.log;
  const { manifest } = writeBundle({
    modelsDir: join(modelsDir, 'models'),
    data: {
      db: join(modelsDir, 'none.db'),
      users: log.userIds.length,
      items: log.itemIds.length,
      events: log.length,
      firstEvent: log.timestamp[0]!,
      lastEvent: log.timestamp[log.length - 1]!,
    },
    weights: interactionWeights(),
    userIds: log.userIds,
    itemIds: log.itemIds,
    models: [{ model: ranked, fitSeconds: 0 }],
  });
  const entry = manifest.models.find((m) => m.name === 'ranked')!;
  assert.equal(entry.meta.fallback, 'ease');
  assert.equal(rankerVerdict(manifest.models)?.fallback, 'ease');
  const again = RankedRecommender.load(ranked.save());
  assert.equal(again.fallback, 'ease');
  const p = profileOf(3);
  assert.deepEqual(Array.from(again.recommend(p, 10).items), Array.from(ease.recommend(p, 10).items));
});

test('safety net off: the same trees are measured and reported behind, and served', async () => {
  const ranked = new RankedRecommender({ ...CRIPPLED, safetyNet: false });
  await ranked.fit(data);
  const net = ranked.report?.net;
  assert.ok(net && net.sources.ease! > net.ranked + net.margin);
  assert.equal(net.fallback, null);
  assert.equal(ranked.fallback, undefined);
  assert.match(formatSafetyNet(net), /the net is off \(safetyNet false\); ranked serves the trees$/);
  const p = profileOf(7);
  const ease = createRecommender('ease');
  await ease.fit(data);
  // the trees' lists (content's order), not EASE's
  assert.notDeepEqual(Array.from(ranked.recommend(p, 10).items), Array.from(ease.recommend(p, 10).items));
});

test('safety net: no validation users, no verdict and no fallback', async () => {
  const ranked = new RankedRecommender({ ...CRIPPLED, validFraction: 0 });
  await ranked.fit(data);
  assert.equal(ranked.report?.net, undefined);
  assert.equal(ranked.fallback, undefined);
});

test('reco train prints the safety net verdict and keeps it in the bundle manifest', () => {
  const dir = tempDir('reco-safety-net-cli-');
  const db = join(dir, 'sim.db');
  const sim = reco(
    '--db',
    db,
    'simulate',
    '--users',
    '120',
    '--items',
    '100',
    '--events',
    '5000',
    '--seed',
    '5',
  );
  assert.equal(sim.code, 0, sim.stderr);
  const r = reco(
    '--db',
    db,
    '-q',
    'train',
    '--no-tune',
    '--models',
    'content,ease,ranked',
    '--params',
    JSON.stringify({ ranked: CRIPPLED }),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^ranked: safety net \(NDCG@10 on validation users: next \d+, missing \d+\): trees 0\.\d{4}, best source ease 0\.\d{4}: .*ranked FALLS BACK to ease$/m,
  );
  const modelsDir = join(dir, 'models');
  const version = readFileSync(join(modelsDir, 'current'), 'utf8').trim();
  const manifest = JSON.parse(
    readFileSync(join(modelsDir, version, 'manifest.json'), 'utf8'),
  ) as BundleManifest;
  assert.equal(manifest.models.find((m) => m.name === 'ranked')?.meta.fallback, 'ease');
  assert.equal(rankerVerdict(manifest.models)?.best, 'ease');
});
