import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invertSpdInPlace } from '../../src/core/dense.js';
import { invertSpdInPlaceParallel, sharedFloat64 } from '../../src/core/dense-parallel.js';
import { EaseRecommender, mostActiveItems } from '../../src/recommenders/ease.js';
import { close, pairsData, profile } from './helpers.js';

// X: u0 = {0, 1}, u1 = {1, 2}, u2 = {0, 1, 2}. G + I = [[3,2,1],[2,4,2],[1,2,3]], det 16,
// P = [[.5,-.25,0],[-.25,.5,-.25],[0,-.25,.5]] (cofactors by hand), B_ij = -P_ij / P_jj.
const data = pairsData(
  [
    [0, 0],
    [0, 1],
    [1, 1],
    [1, 2],
    [2, 0],
    [2, 1],
    [2, 2],
  ],
  3,
  3,
);

test('EASE B matches the closed form computed by hand', () => {
  const m = new EaseRecommender({ lambda: 1 });
  m.fit(data);
  const B = m.weights();
  const expected = [0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0];
  for (let k = 0; k < 9; k++) close(B[k]!, expected[k]!);
  const s = m.scoreAll(profile([0]));
  close(s[1]!, 0.5);
  close(s[2]!, 0);
  assert.deepEqual([...m.recommend(profile([0]), 1).items], [1]);
  assert.deepEqual([...m.similarItems(1, 2).items], [0, 2]);
});

test('EASE on two threads gives the same B', () => {
  const one = new EaseRecommender({ lambda: 1, threads: 1 });
  const two = new EaseRecommender({ lambda: 1, threads: 2 });
  one.fit(data);
  two.fit(data);
  assert.deepEqual([...two.weights()], [...one.weights()]);
});

test('above maxItems EASE models the most active items: their scores are an EASE of them alone', () => {
  // item 1 has 3 users, items 0 and 2 two each (tie: the lower index, 0, is kept)
  const m = new EaseRecommender({ lambda: 1, maxItems: 2 });
  m.fit(data);
  const head = mostActiveItems(data.interactions, 2);
  assert.deepEqual([...head.items], [0, 1]);
  const alone = new EaseRecommender({ lambda: 1 });
  alone.fit({ ...data, interactions: head.X });
  assert.throws(() => m.weights(), /itemWeights/);
  const w = m.itemWeights();
  assert.equal(w.n, 2);
  assert.deepEqual([...(w.index ?? [])], [0, 1, -1]);
  assert.deepEqual([...w.values], [...alone.weights()]);
  for (const p of [profile([0]), profile([1, 2], [2, 1]), profile([2])]) {
    const s = m.scoreAll(p);
    const want = alone.scoreAll({
      ...p,
      items: p.items.filter((i) => i < 2),
      weights: p.weights.filter((_, k) => p.items[k]! < 2),
    });
    assert.equal(s.length, 3);
    assert.equal(s[0], want[0]);
    assert.equal(s[1], want[1]);
    assert.ok(s[2]! < Math.min(s[0]!, s[1]!), 'the item left out scores below the modelled ones');
  }
  assert.deepEqual([...m.recommend(profile([0]), 3).items], [1, 2]);
  assert.deepEqual([...m.similarItems(0, 5).items], [1]);
  assert.equal(m.similarItems(2, 5).items.length, 0);
  const loaded = EaseRecommender.load(m.save());
  assert.deepEqual([...loaded.scoreAll(profile([1, 2]))], [...m.scoreAll(profile([1, 2]))]);
  assert.throws(() => new EaseRecommender({ lambda: 0 }), /'lambda' must be > 0/);
});

test('blocked sweep inversion: A A^-1 = I on a seeded SPD matrix (sizes not multiple of the block)', () => {
  for (const n of [1, 5, 11, 19]) {
    let seed = 7 + n;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    };
    const M = Array.from({ length: n * n }, rand);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 0.5 : 0;
        for (let k = 0; k < n; k++) s += M[i * n + k]! * M[j * n + k]!;
        A[i * n + j] = s;
      }
    for (const variant of ['block1', 'block4', 'block8', 'parallel']) {
      const inv = sharedFloat64(n * n);
      inv.set(A);
      if (variant === 'parallel') invertSpdInPlaceParallel(inv, n, 4);
      else invertSpdInPlace(inv, n, Number(variant.slice(5)));
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += A[i * n + k]! * inv[k * n + j]!;
          close(s, i === j ? 1 : 0, 1e-9);
        }
    }
  }
});

test('EASE scores: the weighted sum of B rows of the profile items (four rows a pass, and the rest), unknown items skipped', () => {
  const pairs: [number, number][] = [];
  let seed = 11;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let u = 0; u < 30; u++) for (let i = 0; i < 13; i++) if (rand() < 0.4) pairs.push([u, i]);
  const m = new EaseRecommender({ lambda: 2 });
  m.fit(pairsData(pairs, 30, 13));
  const B = m.weights();
  // 7 known items (one pass of four, then three) and two outside the catalogue
  const items = [0, 2, 3, 5, 8, 9, 12, 13, -1];
  const weights = [1, 0.5, 2, 1, 3, 0.25, 1, 9, 9];
  const s = m.scoreAll(profile(items, weights));
  for (let j = 0; j < 13; j++) {
    let want = 0;
    for (let p = 0; p < 7; p++) want += weights[p]! * B[items[p]! * 13 + j]!;
    close(s[j]!, want, 1e-6);
  }
});
