import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrRow } from '../../src/core/csr.js';
import { AlsRecommender } from '../../src/recommenders/als.js';
import { close, pairsData, profile } from './helpers.js';

/** A seeded random 12 users x 10 items binary matrix with two taste groups. */
function groupData() {
  let seed = 3;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pairs: [number, number][] = [];
  for (let u = 0; u < 12; u++)
    for (let i = 0; i < 10; i++) if (u < 6 === i < 5 ? rand() < 0.7 : rand() < 0.1) pairs.push([u, i]);
  return pairsData(pairs, 12, 10);
}

test('ALS (exact solves) never increases its loss; CG lowers it', () => {
  const data = groupData();
  for (const solver of ['exact', 'cg']) {
    const m = new AlsRecommender({
      factors: 3,
      regularization: 0.1,
      alpha: 2,
      iterations: 8,
      solver,
      threads: 1,
    });
    const losses: number[] = [];
    m.fit(data, () => losses.push(m.loss(data.interactions)));
    if (solver === 'exact')
      for (let t = 1; t < losses.length; t++) assert.ok(losses[t]! <= losses[t - 1]! + 1e-6);
    assert.ok(losses.at(-1)! < losses[0]!, `${solver}: ${losses.join(', ')}`);
  }
});

test('ALS fold-in reproduces a trained user factor once converged', () => {
  const data = groupData();
  const m = new AlsRecommender({
    factors: 3,
    regularization: 0.5,
    alpha: 2,
    iterations: 60,
    solver: 'exact',
    threads: 1,
  });
  m.fit(data);
  const X = m.userFactors();
  for (const u of [0, 7]) {
    const row = csrRow(data.interactions, u);
    const x = m.foldIn(profile([...row.items], [...row.weights]));
    for (let f = 0; f < 3; f++) close(x[f]!, X[u * 3 + f]!, 1e-3);
  }
  // Known user: trained factors; the same items without the index: folded in; both rank alike.
  const row = csrRow(data.interactions, 2);
  const known = m.recommend(profile([...row.items], [...row.weights], 2), 3);
  const cold = m.recommend(profile([...row.items], [...row.weights]), 3);
  assert.deepEqual([...known.items], [...cold.items]);
});

test('ALS fold-in with one factor equals the closed form by hand', () => {
  const data = groupData();
  const alpha = 2;
  const reg = 0.5;
  const m = new AlsRecommender({ factors: 1, regularization: reg, alpha, iterations: 3, threads: 1 });
  m.fit(data);
  const Y = m.itemFactors();
  // Items 1 (weight 1) and 4 (weight 2): x = sum c_i y_i / (sum_all y^2 + reg + sum (c_i - 1) y_i^2).
  let yy = 0;
  for (const y of Y) yy += y * y;
  const c1 = 1 + alpha * 1;
  const c4 = 1 + alpha * 2;
  const expected = (c1 * Y[1]! + c4 * Y[4]!) / (yy + reg + (c1 - 1) * Y[1]! ** 2 + (c4 - 1) * Y[4]! ** 2);
  close(m.foldIn(profile([1, 4], [1, 2]))[0]!, expected, 1e-6);
  // A dislike (negative weight) has preference 0: it pulls x the other way.
  const disliked = m.foldIn(profile([1], [-1]))[0]!;
  assert.ok(Math.sign(disliked) !== Math.sign(Y[1]!) || disliked === 0);
  assert.equal(m.foldIn(profile([]))[0], 0);
});

test('ALS with a worker thread computes the same factors as one thread', () => {
  const data = groupData();
  const one = new AlsRecommender({ factors: 4, iterations: 4, regularization: 0.1, threads: 1 });
  const two = new AlsRecommender({ factors: 4, iterations: 4, regularization: 0.1, threads: 2 });
  one.fit(data);
  two.fit(data);
  assert.deepEqual([...two.userFactors()], [...one.userFactors()]);
  assert.deepEqual([...two.itemFactors()], [...one.itemFactors()]);
});

test('ALS saves and loads; similar items exclude the item', () => {
  const data = groupData();
  const m = new AlsRecommender({ factors: 3, iterations: 5, regularization: 0.1, threads: 1 });
  m.fit(data);
  const back = AlsRecommender.load(m.save());
  assert.deepEqual([...back.scoreAll(profile([0, 1], [1, 1]))], [...m.scoreAll(profile([0, 1], [1, 1]))]);
  assert.deepEqual([...back.scoreAll(profile([], [], 4))], [...m.scoreAll(profile([], [], 4))]);
  const sim = m.similarItems(0, 4);
  assert.ok(!sim.items.includes(0));
  assert.equal(sim.items.length, 4);
  assert.throws(() => new AlsRecommender({ solver: 'lu' }), /'solver' must be one of cg, exact/);
});

test('ALS scores are the dot products of the user and item factors', () => {
  const data = groupData();
  const m = new AlsRecommender({ factors: 7, iterations: 3, seed: 1 });
  m.fit(data);
  const s = m.scoreAll(profile([0, 1, 2], undefined, 0));
  const saved = m.save();
  const X = saved.arrays.userFactors as Float32Array;
  const Y = saved.arrays.itemFactors as Float32Array;
  for (let i = 0; i < 10; i++) {
    let want = 0;
    for (let f = 0; f < 7; f++) want += X[f]! * Y[i * 7 + f]!;
    close(s[i]!, want, 1e-6);
  }
});

test('ALS gives users and items without interactions zero factors (the exact solution), with CG too', () => {
  // items 10 and 11 and user 12 have no interactions
  const base = groupData();
  const pairs: [number, number][] = [];
  for (let u = 0; u < base.interactions.rows; u++)
    for (let q = base.interactions.indptr[u]!; q < base.interactions.indptr[u + 1]!; q++)
      pairs.push([u, base.interactions.indices[q]!]);
  const data = pairsData(pairs, 13, 12);
  for (const solver of ['cg', 'exact']) {
    const m = new AlsRecommender({ factors: 3, iterations: 4, solver, threads: 1 });
    m.fit(data);
    const Y = m.itemFactors();
    const X = m.userFactors();
    assert.deepEqual(Array.from(Y.subarray(10 * 3, 12 * 3)), [0, 0, 0, 0, 0, 0], solver);
    assert.deepEqual(Array.from(X.subarray(12 * 3, 13 * 3)), [0, 0, 0], solver);
    assert.ok(Y.subarray(0, 30).some((v) => v !== 0));
  }
});
