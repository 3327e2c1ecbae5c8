import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { interactionWeights } from '../../src/data/interactions.js';
import { type BundleManifest, writeBundle } from '../../src/models/bundle.js';
import { RankedRecommender } from '../../src/ranking/ranker.js';
import { formatSafetyNet, NET_WEIGHTS, rankerVerdict } from '../../src/ranking/safety-net.js';
import { createRecommender } from '../../src/recommenders/index.js';
import type { UserProfile } from '../../src/recommenders/recommender.js';
import { reco, tempDir } from '../helpers/cli.js';
import { simulatedFitData } from '../helpers/world.js';

const data = simulatedFitData({ users: 300, items: 100, events: 12000, dim: 8, genres: 6, seed: 5 });

/**
 * Trees that cannot split (a leaf needs a million rows) under the content model as the first source: the
 * ranked order is content's (the candidates' order and the blend), which EASE, the second source, beats
 * by far on the net's held-out users. Without the net's blend (netBlend false), it falls back to EASE.
 */
const CRIPPLED = {
  sources: { content: 20, ease: 40 },
  numIterations: 3,
  minDataInLeaf: 1_000_000,
  earlyStopping: 0,
  netBlend: false,
  netFraction: 0.3,
};

/** A small ranker with a net and the missing view at the end (each test adds what it studies). */
const SMALL_END = {
  sources: { ease: 30, popularity: 10 },
  numIterations: 30,
  netFraction: 0.3,
  missingTime: 'end',
};

function profileOf(u: number): UserProfile {
  const x = data.interactions;
  return {
    user: u,
    items: x.indices.subarray(x.indptr[u]!, x.indptr[u + 1]!),
    weights: x.values.subarray(x.indptr[u]!, x.indptr[u + 1]!),
  };
}

test("safety net: trees below their best source on the net's held-out users fall back to it, in the model, its bundle and its summary", async () => {
  const ranked = new RankedRecommender(CRIPPLED);
  await ranked.fit(data);
  const net = ranked.report?.net;
  assert.ok(net, 'a verdict');
  assert.deepEqual(
    net.views.map((v) => v.label),
    ['next', 'missing'],
  );
  for (const v of net.views) {
    assert.ok(v.users > 0);
    assert.ok(v.sources.ease! > v.ranked + net.margin, JSON.stringify(net));
  }
  assert.equal(net.best, 'ease');
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

test('safety net: no held-out users, no verdict and no fallback', async () => {
  const ranked = new RankedRecommender({ ...CRIPPLED, netFraction: 0 });
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
  const line =
    /^ranked: safety net \(NDCG@10 on held-out users as served: next \d+, missing \d+\): trees next 0\.\d{4}, missing 0\.\d{4}; best source next 0\.\d{4}, missing 0\.\d{4} \((\w+) on the mean\); trees - best next [+-]0\.\d{4} \(se 0\.\d{4}\), missing [+-]0\.\d{4} \(se 0\.\d{4}\): (.*)$/m.exec(
      r.stdout,
    );
  assert.ok(line, r.stdout);
  const modelsDir = join(dir, 'models');
  const version = readFileSync(join(modelsDir, 'current'), 'utf8').trim();
  const manifest = JSON.parse(
    readFileSync(join(modelsDir, version, 'manifest.json'), 'utf8'),
  ) as BundleManifest;
  // the bundle holds what was printed
  const meta = manifest.models.find((m) => m.name === 'ranked')?.meta;
  const verdict = rankerVerdict(manifest.models);
  assert.equal(verdict?.best, line[1]);
  const fallback = /ranked FALLS BACK to (\w+)$/.exec(line[2]!)?.[1];
  assert.equal(meta?.fallback, fallback);
  assert.equal(verdict?.fallback ?? undefined, fallback);
  const blend = /BLENDED with (\w+) \(weight ([\d.]+)\)/.exec(line[2]!);
  assert.deepEqual(meta?.netBlend, blend ? { source: blend[1], weight: Number(blend[2]) } : undefined);
  if (!fallback && !blend) assert.equal(line[2], 'ranked serves the trees');
});

test('safety net: with netBlend, trees behind are served blended with the best source (what the net judged), explained to the score', async () => {
  const ranked = new RankedRecommender({ ...CRIPPLED, netBlend: true });
  await ranked.fit(data);
  const net = ranked.report?.net;
  assert.ok(net?.trials, 'weights tried');
  // every source at every weight but 0
  assert.equal(net.trials.length, 2 * (NET_WEIGHTS.length - 1));
  // the trees cannot split: any weight of EASE's z-score orders the candidates as EASE does, within the margin
  assert.equal(net.fallback, null);
  assert.equal(net.blend?.source, 'ease');
  assert.ok(net.blend.weight > 0);
  assert.deepEqual(ranked.netBlend, net.blend);
  const chosen = net.trials.find((t) => t.source === 'ease' && t.weight === net.blend!.weight)!;
  net.views.forEach((v, k) => {
    assert.ok(chosen.ndcg[k]! >= Math.max(...Object.values(v.sources)) - net.margin);
    assert.ok(chosen.ndcg[k]! > v.ranked);
  });
  assert.match(formatSafetyNet(net), /ranked serves them BLENDED with ease \(weight [\d.]+\)/);
  const p = profileOf(11);
  const top = ranked.recommend(p, 10);
  for (let r = 0; r < top.items.length; r++) {
    const e = ranked.explain(p, top.items[r]!);
    assert.ok(Math.abs(e.score - top.scores[r]!) < 1e-4, `${e.score} vs ${top.scores[r]}`);
    const sum = e.base + e.contributions.reduce((a, c) => a + c.contribution, 0);
    assert.ok(Math.abs(sum - e.score) < 1e-9);
    assert.ok(e.contributions.some((c) => c.feature === 'net_ease_z'));
  }
  // saved and loaded, the same blend and lists
  const again = RankedRecommender.load(ranked.save());
  assert.deepEqual(again.netBlend, net.blend);
  assert.deepEqual(Array.from(again.recommend(p, 10).items), Array.from(top.items));
});

test("missingTime auto: the net's held-out users choose between the missing view at the end and at both times, and the chosen view's trees are that setting's own", async () => {
  const small = { sources: { ease: 30, popularity: 10 }, numIterations: 30, netFraction: 0.3 };
  const auto = new RankedRecommender({ ...small, missingTime: 'auto' });
  await auto.fit(data);
  const choice = auto.report?.missingTime;
  assert.ok(choice, 'a choice');
  assert.ok(Number.isFinite(choice.end) && Number.isFinite(choice.both));
  assert.equal(choice.chosen, choice.both > choice.end ? 'both' : 'end');
  const trees = (m: RankedRecommender) =>
    Buffer.from(m.save().arrays['gbdt.missing'] as Uint8Array).toString('utf8');
  for (const setting of ['end', 'both'] as const) {
    const fixed = new RankedRecommender({ ...small, missingTime: setting });
    await fixed.fit(data);
    assert.equal(fixed.report?.missingTime, undefined);
    // each figure is that setting's own, as its net serves it
    assert.equal(choice[setting], fixed.report!.net!.ranked);
    if (setting === choice.chosen) {
      assert.equal(trees(auto), trees(fixed));
      assert.deepEqual(auto.report?.net, fixed.report?.net);
    } else assert.notEqual(trees(auto), trees(fixed));
  }
});

test("viewBlends 'net': the views' weights are chosen on the held-out users as served, and the served trees keep them", async () => {
  const ranked = new RankedRecommender(SMALL_END);
  await ranked.fit(data);
  const choice = ranked.report?.viewBlends;
  assert.ok(choice, 'a choice');
  // the weights each view chose alone are among those tried: the chosen pair cannot be worse on the worst view
  assert.ok(choice.worstGap >= choice.ownGap, JSON.stringify(choice));
  const served = (m: RankedRecommender) =>
    (m.save().meta as unknown as { views: { blend: number }[] }).views.map((v) => v.blend);
  assert.deepEqual(served(ranked), choice.blends);
  // 'own': each view's weight from its own validation users, no choice recorded
  const own = new RankedRecommender({ ...SMALL_END, viewBlends: 'own' });
  await own.fit(data);
  assert.equal(own.report?.viewBlends, undefined);
  assert.equal(served(own).length, 2);
});

test('with enough users outside the net, the served trees are the judged ones: trained once, on no held-out user', async () => {
  const trained = async (users: Record<string, number>) => {
    const m = new RankedRecommender({ ...SMALL_END, ...users });
    const lines: string[] = [];
    m.onLog = (l) => lines.push(l);
    await m.fit(data);
    const starts = lines.filter((l) => /^(ranked: )?gbdt \((next|missing)\): Start training/.test(l)).length;
    return { m, starts };
  };
  // 300 users, 90 held out, 100 items: 80 wanted (above minUsers 40) are found among the 210 others; each
  // view's trees are fitted once
  const capped = await trained({ minUsers: 40, maxUsers: 80, itemsPerUser: 1 });
  assert.ok(capped.m.report?.net, 'judged');
  for (const v of capped.m.report!.views) assert.ok(v.users + v.validUsers <= 80, JSON.stringify(v));
  assert.equal(capped.starts, 2);
  // a sample of minUsers (every user here): the judged trees leave the held-out users out, the served ones
  // are fitted again on all
  const all = await trained({ minUsers: 1000, maxUsers: 1000 });
  for (const v of all.m.report!.views) assert.ok(v.users + v.validUsers > 210, JSON.stringify(v));
  assert.equal(all.starts, 2, 'the judged trees are fitted quietly, the served ones print');
});
