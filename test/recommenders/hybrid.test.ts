import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HybridRecommender, normalizeScores } from '../../src/recommenders/hybrid.js';
import { createRecommender, loadRecommender, recommenderNames } from '../../src/recommenders/index.js';
import { close, pairsData, profile } from './helpers.js';

const items = [
  { id: 'a', genres: ['Drama'] },
  { id: 'b', genres: ['Drama'] },
  { id: 'c', genres: ['Comedy'] },
  { id: 'd', genres: ['Comedy'] },
  { id: 'e', genres: ['Horror'] }, // no events: a new item
];
const data = pairsData(
  [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
    [2, 2],
    [2, 3],
    [3, 0],
    [3, 2],
    [4, 0],
  ],
  5,
  5,
  items,
);

test('normalisation by hand: min-max and z-score; constants become 0', () => {
  assert.deepEqual([...normalizeScores(Float32Array.of(1, 3, 2), 'minmax')], [0, 1, 0.5]);
  const z = normalizeScores(Float32Array.of(1, 3, 2), 'zscore');
  const sd = Math.sqrt(2 / 3);
  close(z[0]!, -1 / sd);
  close(z[1]!, 1 / sd);
  close(z[2]!, 0);
  assert.deepEqual([...normalizeScores(Float32Array.of(5, 5), 'minmax')], [0, 0]);
});

test('hybrid blends normalised component scores with their weights', async () => {
  const m = createRecommender('hybrid', { components: { popularity: 2, itemknn: 1 } });
  await m.fit(data);
  // popularity counts (4, 2, 2, 1, 0) -> min-max (1, .5, .5, .25, 0) x 2;
  // itemknn for profile {1}: cos(1, 0) = 2/sqrt(8), others 0 -> min-max (1, 0, 0, 0, 0).
  const s = m.scoreAll(profile([1], [1], 0));
  close(s[0]!, 2 + 1);
  close(s[2]!, 1);
  close(s[3]!, 0.5);
  close(s[4]!, 0);
});

test('hybrid reuses components fitted with default parameters, and fits those given parameters itself', async () => {
  const pop = createRecommender('popularity');
  await pop.fit(data);
  const knn = createRecommender('itemknn');
  await knn.fit(data);
  const fitted = new Map([
    ['popularity', pop],
    ['itemknn', knn],
  ] as const);
  const m = createRecommender('hybrid', {
    components: { popularity: 2, itemknn: 1 },
    componentParams: { itemknn: { neighbours: 3 } },
  }) as HybridRecommender;
  await m.fit({ ...data, fitted });
  const parts = new Map(m.components().map((p) => [p.name, p.model]));
  assert.equal(parts.get('popularity'), pop, 'popularity reused');
  assert.notEqual(parts.get('itemknn'), knn, 'itemknn with its own parameters fitted anew');
  // the same scores as a hybrid that fitted everything itself
  const alone = createRecommender('hybrid', {
    components: { popularity: 2, itemknn: 1 },
    componentParams: { itemknn: { neighbours: 3 } },
  });
  await alone.fit(data);
  assert.deepEqual([...m.scoreAll(profile([1], [1], 0))], [...alone.scoreAll(profile([1], [1], 0))]);
});

test("hybrid lends its components' scores of its last profile, and takes an equal model loaded apart as its component", async () => {
  const m = createRecommender('hybrid', { components: { popularity: 2, itemknn: 1 } }) as HybridRecommender;
  await m.fit(data);
  const knn = m.components().find((c) => c.name === 'itemknn')!.model;
  const p = profile([1, 2], [1, 1], 0);
  m.scoreAll(p);
  assert.deepEqual([...m.componentScores(knn, p)!], [...knn.scoreAll(p)]);
  // another profile object, or a model that is not a component: nothing lent
  assert.equal(m.componentScores(knn, profile([1, 2], [1, 1], 0)), undefined);
  const other = createRecommender('itemknn', { neighbours: 3 });
  await other.fit(data);
  assert.equal(m.componentScores(other, p), undefined);
  // loaded from the save, with the same itemknn loaded on its own (as a ranker's bundle holds both)
  const back = loadRecommender('hybrid', m.save()) as HybridRecommender;
  const apart = loadRecommender('itemknn', knn.save());
  const want = [...back.scoreAll(p)];
  back.shareComponents([apart, other]);
  const parts = new Map(back.components().map((c) => [c.name, c.model]));
  assert.equal(parts.get('itemknn'), apart, 'the equal model taken');
  back.shareComponents([other]);
  assert.equal(
    back.components().find((c) => c.name === 'itemknn')!.model,
    apart,
    'a model of other parameters not taken',
  );
  assert.deepEqual([...back.scoreAll(p)], want);
});

test('hybrid cold start: nothing -> popularity; genres -> content; a liked item -> kNN', async () => {
  const m = createRecommender('hybrid');
  await m.fit(data);
  const empty = { items: new Int32Array(0), weights: new Float32Array(0) };
  assert.deepEqual([...m.recommend(empty, 2).items], [0, 1]);
  const horror = m.recommend({ ...empty, genres: ['Horror'] }, 1);
  assert.deepEqual([...horror.items], [4]); // the item with no events, through content
  const likesC = m.recommend(profile([2]), 1);
  assert.deepEqual([...likesC.items], [3]); // same genre and co-watched
  const sim = m.similarItems!(2, 2);
  assert.equal(sim.items[0], 3);
  assert.ok(!sim.items.includes(2));
});

test('every model saves and loads to the same scores', async () => {
  for (const name of recommenderNames()) {
    const m = createRecommender(name, name === 'als' ? { factors: 4, iterations: 3 } : undefined);
    await m.fit(data);
    const back = loadRecommender(name, m.save());
    for (const p of [profile([0, 2], [1, 1], 3), profile([1])]) {
      assert.deepEqual([...back.scoreAll(p)], [...m.scoreAll(p)], name);
      assert.deepEqual([...back.recommend(p, 3).items], [...m.recommend(p, 3).items], name);
    }
  }
});

test("every model's scoreAll into a used buffer equals its scoreAll into a new one, and returns that buffer", async () => {
  for (const name of recommenderNames()) {
    if (name === 'ranked') continue; // a ranker's scores: test/ranking
    const m = createRecommender(name, name === 'als' ? { factors: 4, iterations: 3 } : undefined);
    await m.fit(data);
    const profiles = [profile([0, 2], [1, 1], 3), profile([1]), profile([3, 4], [2, 0.5])];
    const buffer = new Float32Array(m.scoreAll(profiles[0]!).length).fill(7);
    for (const p of profiles) {
      const want = [...m.scoreAll(p)];
      // the buffer holds the previous profile's scores (or 7s): every entry must be overwritten
      assert.equal(m.scoreAll(p, buffer), buffer, name);
      assert.deepEqual([...buffer], want, name);
    }
    // a buffer of another length is not used
    const other = new Float32Array(2);
    assert.notEqual(m.scoreAll(profiles[0]!, other), other, name);
  }
});

test('registry errors name the model or parameter', () => {
  assert.throws(() => createRecommender('ranked'), /'ranked' is not a candidate generator/);
  assert.throws(() => createRecommender('nope' as never), /unknown model 'nope'/);
  assert.throws(() => createRecommender('ease', { lamda: 3 }), /ease: unknown parameter 'lamda'/);
  assert.throws(() => createRecommender('als', { factors: 2.5 }), /'factors' must be an integer/);
  assert.throws(
    () => createRecommender('hybrid', { components: { ranked: 1 } }),
    /'components' cannot include/,
  );
  assert.throws(
    () => createRecommender('hybrid', { components: { als: 1 }, componentParams: { ease: {} } }),
    /'componentParams' names 'ease'/,
  );
  assert.equal(createRecommender('itemknn', { neighbours: '20' }).name, 'itemknn');
});

test('hybrid parameters: components parse to a list of (model, weight); bad components or component parameters are refused at construction, naming the parameter', () => {
  const m = new HybridRecommender(
    { components: { als: 1, itemknn: 0.5 }, componentParams: { als: { factors: 8 } } },
    { create: createRecommender, load: loadRecommender },
  );
  assert.deepEqual(m.params.components, [
    { name: 'als', weight: 1 },
    { name: 'itemknn', weight: 0.5 },
  ]);
  assert.deepEqual(m.params.componentParams, { als: { factors: 8 } });
  const refused = (params: Record<string, unknown>, message: RegExp) =>
    assert.throws(() => createRecommender('hybrid', params), message);
  refused(
    { components: { als: 1 }, componentParams: { als: 3 } },
    /hybrid: parameter 'componentParams' must hold an object of parameters for 'als', got 3/,
  );
  refused(
    { components: { als: 1 }, componentParams: { als: [] } },
    /parameter 'componentParams' must hold an object/,
  );
  refused({ componentParams: 'x' }, /parameter 'componentParams' must be an object/);
  refused({ components: { nope: 1 } }, /parameter 'components' names an unknown model 'nope'/);
  refused({ components: { als: -1 } }, /parameter 'components' weight of 'als' must be a number >= 0/);
  refused({ components: {} }, /parameter 'components' needs at least one component/);
});
