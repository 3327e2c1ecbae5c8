import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildInteractions, interactionWeights } from '../../src/data/interactions.js';
import { userServingTimes } from '../../src/data/serving-time.js';
import { FEATURES } from '../../src/features/registry.js';
import { defaultModelsDir, writeBundle } from '../../src/models/bundle.js';
import { RankedRecommender } from '../../src/ranking/ranker.js';
import type { UserProfile } from '../../src/recommenders/recommender.js';
import { resolveParams } from '../../src/simulation/params.js';
import { simulateIntoStore } from '../../src/simulation/simulate.js';
import { openStore } from '../../src/store/open.js';
import { reco, tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-ranking-cli-');

test('reco features lists every declaration with its scope', () => {
  const r = reco('features');
  assert.equal(r.code, 0, r.stderr);
  for (const d of FEATURES) assert.match(r.stdout, new RegExp(`^${d.name}\\b.*\\b${d.scope}\\b`, 'm'));
  const json = reco('features', '--json', '--scope', 'context');
  const rows = JSON.parse(json.stdout) as { scope: string }[];
  assert.ok(rows.length > 0 && rows.every((x) => x.scope === 'context'));
});

/** A small simulated store with a bundle holding only a small `ranked`, fitted on all its events. */
async function rankedWorld(name: string) {
  const db = join(dir, name);
  const store = await openStore(db);
  await simulateIntoStore(
    store,
    resolveParams(undefined, { users: 80, items: 60, events: 3000, dim: 6, genres: 5, seed: 4 }),
  );
  const log = await store.loadEventLog();
  const items = await store.listItems();
  const weights = interactionWeights();
  const interactions = buildInteractions(log, weights);
  const ranked = new RankedRecommender({
    sources: { ease: 20, popularity: 5 },
    numIterations: 10,
    minDataInLeaf: 5,
  });
  await ranked.fit({ interactions, log, items });
  writeBundle({
    modelsDir: defaultModelsDir(db),
    data: {
      db,
      users: log.userIds.length,
      items: log.itemIds.length,
      events: log.length,
      firstEvent: log.timestamp[0]!,
      lastEvent: log.timestamp[log.length - 1]!,
    },
    weights,
    userIds: log.userIds,
    itemIds: log.itemIds,
    models: [{ model: ranked, fitSeconds: 0 }],
  });
  return { db, store, log, interactions, ranked };
}

test('reco explain prints the candidate sources and the features that moved the score', async () => {
  const { db, store, log, interactions, ranked } = await rankedWorld('sim.db');
  const user = log.userIds[3]!;
  const u = 3;
  const profile = {
    user: u,
    items: interactions.indices.subarray(interactions.indptr[u]!, interactions.indptr[u + 1]!),
    weights: interactions.values.subarray(interactions.indptr[u]!, interactions.indptr[u + 1]!),
  };
  const top = ranked.recommend(profile, 1);
  const item = log.itemIds[top.items[0]!]!;
  await store.close();
  const r = reco('--db', db, 'explain', '--user', user, '--item', item, '--top', '5');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /candidate sources: (ease|popularity) \(rank \d+/);
  assert.match(r.stdout, new RegExp(`ranked score ${top.scores[0]!.toFixed(4)}`));
  assert.equal(r.stdout.trimEnd().split('\n').length, 3 + 1 + 5);
  const json = JSON.parse(reco('--db', db, 'explain', '--user', user, '--item', item, '--json').stdout) as {
    score: number;
    base: number;
    contributions: { contribution: number }[];
  };
  const sum = json.base + json.contributions.reduce((s, c) => s + c.contribution, 0);
  assert.ok(Math.abs(sum - json.score) < 1e-9);
  const bad = reco('--db', db, 'explain', '--user', 'nobody', '--item', item);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown user "nobody"/);
});

test('reco recommend --at: each user as of his own last event (default), as of now, or as of a date', async () => {
  const { db, store, log, interactions, ranked } = await rankedWorld('at.db');
  await store.close();
  const last = userServingTimes(log);
  const lists = (at?: (u: number) => number) =>
    log.userIds.flatMap((uid, u) => {
      const a = interactions.indptr[u]!;
      const b = interactions.indptr[u + 1]!;
      const profile: UserProfile = {
        user: u,
        items: interactions.indices.subarray(a, b),
        weights: interactions.values.subarray(a, b),
        ...(at ? { at: at(u) } : {}),
      };
      const top = ranked.recommend(profile, 3);
      return Array.from(top.items, (i, r) => `${uid},${log.itemIds[i]},${r + 1}`);
    });
  const cli = (...args: string[]) => {
    const r = reco('--db', db, '-q', 'recommend', '--all', '--k', '3', ...args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 3).join(','));
  };
  const byUser = cli();
  assert.deepEqual(
    byUser,
    lists((u) => last[u]!),
  );
  assert.deepEqual(cli('--at', 'user'), byUser);
  assert.deepEqual(cli('--at', 'now'), lists());
  assert.notDeepEqual(byUser, lists(), 'users last active long ago are served differently');
  const t = Date.UTC(2030, 0, 1);
  assert.deepEqual(
    cli('--at', '2030-01-01'),
    lists(() => t),
  );
  const bad = reco('--db', db, 'recommend', '--all', '--at', 'yesterday');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--at must be user, now, a date/);
});
