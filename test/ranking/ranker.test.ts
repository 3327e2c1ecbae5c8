import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildInteractions, interactionWeights } from '../../src/data/interactions.js';
import { CandidateGenerator } from '../../src/ranking/candidates.js';
import { RankedRecommender } from '../../src/ranking/ranker.js';
import { mostActiveItems } from '../../src/recommenders/ease.js';
import { createRecommender } from '../../src/recommenders/index.js';
import type { Recommender, SavedModel, UserProfile } from '../../src/recommenders/recommender.js';
import { SIM_EVENT_TYPES } from '../../src/simulation/generate.js';
import { resolveParams } from '../../src/simulation/params.js';
import { simulateWorld, worldItems } from '../../src/simulation/simulate.js';
import type { Csr, EventLog, TopN } from '../../src/types.js';

/** A recommender with fixed scores (the same for every user). */
function fixed(name: 'ease' | 'itemknn', scores: number[]): Recommender {
  const s = Float32Array.from(scores);
  return {
    name,
    fit() {},
    scoreAll: () => s,
    recommend: (): TopN => {
      throw new Error('unused');
    },
    save: (): SavedModel => {
      throw new Error('unused');
    },
  };
}

test('stage 1: union of each source top n, seen items excluded, deduplicated, scores and ranks per source', () => {
  const a = fixed('ease', [0.9, 0.8, 0.7, 0.1, 0.0, 0.5]);
  const b = fixed('itemknn', [0.0, 0.2, 0.9, 0.8, 0.1, 0.3]);
  const gen = new CandidateGenerator(
    [
      { model: a, n: 3 },
      { model: b, n: 2 },
    ],
    6,
  );
  const profile: UserProfile = { items: Int32Array.of(1), weights: Float32Array.of(1) };
  const c = gen.generate(profile);
  // ease without item 1: 0, 2, 5; itemknn: 2, 3 -> union 0, 2, 5, 3
  assert.deepEqual(Array.from(c.items), [0, 2, 5, 3]);
  assert.deepEqual(c.sources, ['ease', 'itemknn']);
  const rank = (r: number, s: number) => c.ranks[r * 2 + s]!;
  assert.deepEqual([rank(0, 0), rank(1, 0), rank(2, 0)], [1, 2, 3]);
  assert.ok(Number.isNaN(rank(3, 0)));
  assert.deepEqual([rank(1, 1), rank(3, 1)], [1, 2]);
  assert.ok(Number.isNaN(rank(0, 1)) && Number.isNaN(rank(2, 1)));
  // every source's score is kept, also for items it did not propose
  assert.equal(c.scores[3 * 2 + 0], Math.fround(0.1));
  assert.equal(c.scores[0 * 2 + 1], 0);
  assert.ok(!Array.from(c.items).includes(1));
});

test('stage 1: a source that is also a component of an earlier hybrid source is scored once, with the same scores', async () => {
  const { log, items } = simulatedLog();
  const interactions = buildInteractions(log, interactionWeights());
  const knn = createRecommender('itemknn');
  await knn.fit({ interactions, log, items });
  const hybrid = createRecommender('hybrid', { components: { popularity: 1, itemknn: 1 } });
  await hybrid.fit({ interactions, log, items, fitted: new Map([['itemknn', knn]]) });
  let calls = 0;
  const score = knn.scoreAll.bind(knn);
  knn.scoreAll = (p, out) => {
    calls++;
    return score(p, out);
  };
  const gen = new CandidateGenerator(
    [
      { model: hybrid, n: 10 },
      { model: knn, n: 5 },
    ],
    items.length,
  );
  for (const u of [1, 2]) {
    const profile = rowProfile(interactions, u, true);
    calls = 0;
    const c = gen.generate(profile);
    assert.equal(calls, 1, 'itemknn scored once, inside the hybrid');
    assert.deepEqual([...c.full[1]!], [...score(profile)]);
  }
});

function simulatedLog(): { log: EventLog; items: ReturnType<typeof worldItems> } {
  const params = resolveParams(undefined, {
    users: 120,
    items: 100,
    events: 5000,
    dim: 8,
    genres: 6,
    seed: 5,
  });
  const { world, events } = simulateWorld(params);
  const log: EventLog = {
    userIds: Array.from({ length: params.users }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: params.items }, (_, i) => `i${i}`),
    typeNames: [...SIM_EVENT_TYPES],
    user: events.user,
    item: events.item,
    type: events.type,
    value: events.value,
    timestamp: events.timestamp,
    length: events.length,
  };
  return { log, items: worldItems(world) };
}

/** User u's row of the interactions as a profile (with his index unless `anonymous`). */
function rowProfile(x: Csr, u: number, anonymous = false): UserProfile {
  return {
    ...(anonymous ? {} : { user: u }),
    items: x.indices.subarray(x.indptr[u]!, x.indptr[u + 1]!),
    weights: x.values.subarray(x.indptr[u]!, x.indptr[u + 1]!),
  };
}

/** A ranked model fitted on the simulated log: two quick sources, no early stopping (`params` on top). */
async function fittedRanked(params: Record<string, unknown>) {
  const { log, items } = simulatedLog();
  const interactions = buildInteractions(log, interactionWeights());
  // the trees' own mechanics (early exit, scoreAll): the safety net measures without blending or falling
  // back (test/ranking/safety-net.test.ts tests what it serves)
  const ranked = new RankedRecommender({
    sources: { ease: 40, popularity: 20 },
    minDataInLeaf: 10,
    earlyStopping: 0,
    safetyNet: false,
    ...params,
  });
  await ranked.fit({ interactions, log, items });
  return { ranked, items, profileOf: (u: number) => rowProfile(interactions, u) };
}

test('ranked: fits, recommends unseen items best first, round-trips through save/load, explains its score', async () => {
  const { ranked, items, profileOf } = await fittedRanked({
    sources: { ease: 30, popularity: 10 },
    numIterations: 20,
  });
  const views = ranked.report?.views ?? [];
  assert.deepEqual(
    views.map((v) => v.label),
    ['next', 'missing'],
  );
  for (const v of views) assert.ok(v.rows > 0 && v.iterations === 20, JSON.stringify(v));
  const again = RankedRecommender.load(ranked.save());
  for (const u of [0, 7, 42]) {
    const profile = profileOf(u);
    const top = ranked.recommend(profile, 10);
    assert.ok(top.items.length > 0);
    for (const i of top.items) assert.ok(!profile.items.includes(i), `seen item ${i} recommended`);
    for (let r = 1; r < top.scores.length; r++) assert.ok(top.scores[r - 1]! >= top.scores[r]!);
    const loaded = again.recommend({ ...profile }, 10);
    assert.deepEqual(Array.from(loaded.items), Array.from(top.items));
    assert.deepEqual(Array.from(loaded.scores), Array.from(top.scores));
    // scoreAll: every item, the same after save/load (the catalogue model travels in the bundle)
    const all = ranked.scoreAll(profile);
    assert.equal(all.length, items.length);
    assert.deepEqual(Array.from(again.scoreAll({ ...profile })), Array.from(all));
    // SHAP: base + contributions = the model's score
    const ex = ranked.explain(profile, top.items[0]!);
    const sum = ex.base + ex.contributions.reduce((s, c) => s + c.contribution, 0);
    assert.ok(Math.abs(sum - ex.score) < 1e-9, `${sum} vs ${ex.score}`);
    assert.ok(Math.abs(ex.score - top.scores[0]!) < 1e-5);
    assert.ok(ex.sources.length > 0);
    // explainMany (one candidate set, one feature build) is explain item by item, for candidates and for
    // items outside them (seen items: each appended to the candidates alone, as explain does)
    const asked = Int32Array.from([...top.items, ...profile.items.subarray(0, 2)]);
    const many = ranked.explainMany(profile, asked);
    assert.equal(many.length, asked.length);
    for (const [j, i] of asked.entries()) assert.deepEqual(many[j], ranked.explain(profile, i), `item ${i}`);
  }
  // live: an applied event moves the user's features (and the serving time) at once
  const p0: UserProfile = { user: 5, items: new Int32Array(0), weights: new Float32Array(0) };
  const before = ranked.explain(p0, 1).contributions.find((c) => c.feature === 'u_events')!.value;
  const state = ranked.featureState();
  state.applyNamedEvent(5, 2, 'rating', 5, state.lastTime + 1000);
  const afterEx = ranked.explain(p0, 1);
  assert.equal(afterEx.contributions.find((c) => c.feature === 'u_events')!.value, before + 1);
  assert.ok(afterEx.t > state.lastTime);
});

test('ranked early exit: the candidates kept after the first trees score exactly as with every tree, the rest below them', async () => {
  const { ranked, items, profileOf } = await fittedRanked({ numIterations: 20, exitTrees: 4, exitKeep: 12 });
  const saved = ranked.save();
  const full = RankedRecommender.load({
    ...saved,
    meta: { ...saved.meta, params: { ...saved.meta.params, exitTrees: 0 } },
  });
  let shared = 0;
  for (const u of [0, 3, 7, 11, 42, 77]) {
    const profile = profileOf(u);
    const exit = ranked.recommend(profile, 30);
    const all = full.recommend({ ...profile }, items.length);
    const every = new Map(Array.from(all.items, (i, r) => [i, all.scores[r]!]));
    assert.ok(exit.items.length > 12, 'more candidates than exitKeep');
    // the 12 kept: the full model's scores, best first; then the others, each below them
    for (let r = 0; r < 12; r++) assert.equal(exit.scores[r], every.get(exit.items[r]!));
    for (let r = 12; r < exit.items.length; r++) assert.ok(exit.scores[r]! < exit.scores[11]!);
    const fullTop = new Set(full.recommend({ ...profile }, 12).items);
    shared += exit.items.subarray(0, 12).filter((i) => fullTop.has(i)).length;
  }
  // the first 4 of 20 trees already find most of the full model's top 12 (random would share ~2.4 of 60)
  assert.ok(shared >= 0.6 * 6 * 12, `${shared} of ${6 * 12} shared`);
});

test('ranked answers for a profile do not change with what was asked in between (buffers reused across requests)', async () => {
  const { ranked, items, profileOf } = await fittedRanked({ numIterations: 10, exitTrees: 4, exitKeep: 12 });
  const fresh = RankedRecommender.load(ranked.save());
  const allowed = new Uint8Array(items.length).fill(1);
  for (let i = 0; i < items.length; i += 3) allowed[i] = 0;
  for (const [u, v] of [
    [0, 3],
    [7, 11],
  ] as const) {
    const a = profileOf(u);
    const first = ranked.recommend(a, 10);
    // another user, asked with options (not memoised), then the first profile object again
    ranked.recommend(profileOf(v), 10, { allowed });
    ranked.recommend(profileOf(v), 10, { excludeSeen: false });
    assert.deepEqual(ranked.recommend(a, 10), first);
    assert.deepEqual([...ranked.scoreAll(a)], [...fresh.scoreAll(profileOf(u))]);
    assert.deepEqual(ranked.recommend(a, 10), fresh.recommend(profileOf(u), 10));
  }
});

test('ranked scoreAll: every item on one probability scale, or the others below the candidates', async () => {
  const { ranked, items, profileOf } = await fittedRanked({
    catalogueModel: true,
    numIterations: 20,
    exitTrees: 4,
    exitKeep: 12,
  });
  const saved = ranked.save();
  const variant = (params: Record<string, unknown>) =>
    RankedRecommender.load({
      ...saved,
      meta: { ...saved.meta, params: { ...saved.meta.params, ...params } },
    });
  assert.equal((saved.meta.catalogueViews as unknown[]).length, 1, 'one catalogue model, of the first view');
  const every = variant({ exitTrees: 0 });
  const below = variant({ scoreAllBelowCandidates: true });
  // without the catalogue model (as a bundle without one loads), the views score every item
  const { catalogueViews: _, ...meta } = saved.meta;
  const views = RankedRecommender.load({ ...saved, meta });
  let outsideAbove = 0;
  for (const u of [0, 3, 7, 11, 42, 77]) {
    const profile = profileOf(u);
    const cands = every.recommend({ ...profile }, items.length);
    assert.ok(cands.items.length > 12);
    const isCand = new Set(cands.items);
    const outside = (i: number) => !isCand.has(i) && !profile.items.includes(i);
    // the catalogue model, one label view: probabilities, some items stage 1 missed above weak candidates
    const all = ranked.scoreAll({ ...profile });
    let lowCand = Number.POSITIVE_INFINITY;
    for (const i of cands.items) lowCand = Math.min(lowCand, all[i]!);
    for (let i = 0; i < items.length; i++) {
      if (profile.items.includes(i)) continue;
      assert.ok(all[i]! > 0 && all[i]! < 1, `item ${i}: ${all[i]}`);
      if (outside(i) && all[i]! > lowCand) outsideAbove++;
    }
    // the views: every candidate by every tree, as the model without early exit ranks it
    const v = views.scoreAll({ ...profile });
    for (let r = 0; r < cands.items.length; r++) assert.equal(v[cands.items[r]!], cands.scores[r]);
    // placed below: every other item under the lowest candidate
    const b = below.scoreAll({ ...profile });
    const lowB = Math.min(...Array.from(cands.items, (i) => b[i]!));
    for (let i = 0; i < items.length; i++)
      if (outside(i)) assert.ok(b[i]! < lowB, `item ${i} above the candidates`);
  }
  assert.ok(outsideAbove > 0, 'one scale: some items stage 1 missed outscore its weakest candidates');
});

test('ranked over an EASE that models only the most active items: ui_ease_last for those, missing for the rest', async () => {
  const { ranked, profileOf } = await fittedRanked({
    sources: { ease: 30, popularity: 10 },
    sourceParams: { ease: { maxItems: 40 } },
    numIterations: 5,
  });
  const profile = profileOf(3);
  const top = ranked.recommend(profile, 10);
  assert.ok(top.items.length === 10);
  // the serving EASE is fitted on every event: its modelled items are the 40 most active of them
  const { log } = simulatedLog();
  const head = new Set(mostActiveItems(buildInteractions(log, interactionWeights()), 40).items);
  const index = Int32Array.from({ length: log.itemIds.length }, (_, i) => (head.has(i) ? 1 : -1));
  let modelled = 0;
  let outside = 0;
  for (let i = 0; i < index.length && (modelled < 3 || outside < 3); i++) {
    if (profile.items.includes(i)) continue;
    const v = ranked.explain(profile, i).contributions.find((c) => c.feature === 'ui_ease_last')!.value;
    if (index[i]! >= 0) {
      assert.ok(Number.isFinite(v), `item ${i} is modelled: ${v}`);
      modelled++;
    } else {
      assert.ok(Number.isNaN(v), `item ${i} is not modelled: ${v}`);
      outside++;
    }
  }
  assert.ok(modelled >= 3 && outside >= 3);
});

test('ranked with only negative feedback: finite scores and explanations', async () => {
  const { ranked } = await fittedRanked({ numIterations: 5 });
  for (const profile of [
    { items: Int32Array.of(3), weights: Float32Array.of(-1) },
    { user: 7, items: Int32Array.of(3), weights: Float32Array.of(-4) },
  ] as UserProfile[]) {
    const top = ranked.recommend(profile, 5);
    assert.ok(top.items.length > 0);
    for (const s of top.scores) assert.ok(Number.isFinite(s), `score ${s}`);
    const ex = ranked.explain(profile, top.items[0]!);
    assert.ok(Number.isFinite(ex.score) && Number.isFinite(ex.base));
    for (const c of ex.contributions)
      assert.ok(Number.isFinite(c.contribution), `${c.feature}: ${c.contribution}`);
    JSON.stringify(ex.contributions.map((c) => c.value)); // values may be missing features (NaN), contributions never
  }
});
