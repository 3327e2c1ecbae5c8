import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrGet } from '../../src/core/csr.js';
import { ItemKnnRecommender } from '../../src/recommenders/item-knn.js';
import { close, pairsData, profile } from './helpers.js';

// Items as user vectors: i0 = u0+u1, i1 = u0+u2, i2 = u1+u2, i3 = u2.
// cos(i0,i1) = cos(i0,i2) = cos(i1,i2) = 1/2, cos(i1,i3) = cos(i2,i3) = 1/sqrt(2), cos(i0,i3) = 0.
const data = pairsData(
  [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 2],
    [2, 1],
    [2, 2],
    [2, 3],
  ],
  3,
  4,
);

test('item-kNN cosine similarities by hand, top-K with ties to the lower index', () => {
  const m = new ItemKnnRecommender({ neighbours: 10 });
  m.fit(data);
  const N = m.neighbourMatrix();
  close(csrGet(N, 0, 1), 0.5);
  close(csrGet(N, 1, 2), 0.5);
  close(csrGet(N, 1, 3), Math.SQRT1_2);
  assert.equal(csrGet(N, 0, 3), 0);
  assert.equal(csrGet(N, 2, 2), 0); // self excluded
  const k1 = new ItemKnnRecommender({ neighbours: 1 });
  k1.fit(data);
  assert.deepEqual([...k1.similarItems(0, 5).items], [1]);
  assert.deepEqual([...k1.similarItems(3, 5).items], [1]);
  assert.deepEqual([...m.similarItems(3, 5).items], [1, 2]);
});

test('item-kNN scores sum neighbour similarities, seen items excluded', () => {
  const m = new ItemKnnRecommender({ neighbours: 10 });
  m.fit(data);
  const s = m.scoreAll(profile([1, 2]));
  close(s[0]!, 1);
  close(s[3]!, 2 * Math.SQRT1_2);
  assert.deepEqual([...m.recommend(profile([1, 2]), 5).items], [3, 0]);
  assert.deepEqual([...m.recommend(profile([1, 2]), 2, { excludeSeen: false }).items], [3, 0]);
  close(m.scoreAll(profile([0], [2]))[1]!, 1);
});

test("item-kNN votes only for targets whose top-K holds the user's item", () => {
  // K = 1: N(0) = {1}, N(1) = {3}, N(2) = {3}, N(3) = {1} (ties to the lower index).
  const m = new ItemKnnRecommender({ neighbours: 1 });
  m.fit(data);
  assert.deepEqual([...m.scoreAll(profile([0]))], [0, 0, 0, 0]);
  assert.deepEqual([...m.recommend(profile([3]), 2).items], [1, 2]);
  const s = m.scoreAll(profile([1]));
  close(s[0]!, 0.5);
  close(s[3]!, Math.SQRT1_2);
  assert.equal(s[2], 0);
});

test('item-kNN BM25 weights as implicit (K1, B) by hand', () => {
  const K1 = 1;
  const B = 0.5;
  const m = new ItemKnnRecommender({ similarity: 'bm25', k1: K1, b: B });
  m.fit(data);
  // 4 items (documents), users are terms: df(u0) = 2, df(u1) = 2, df(u2) = 3; item lengths 2, 2, 2, 1.
  const avg = 7 / 4;
  const w = (len: number, df: number) =>
    ((1 * (K1 + 1)) / (K1 * (1 - B + (B * len) / avg) + 1)) * Math.log(4 / (1 + df));
  // sim(i0, i1) shares u0 only; sim(i1, i3) shares u2 only.
  close(csrGet(m.neighbourMatrix(), 0, 1), w(2, 2) * w(2, 2));
  close(csrGet(m.neighbourMatrix(), 1, 3), w(2, 3) * w(1, 3));
  assert.throws(
    () => new ItemKnnRecommender({ similarity: 'jaccard' }),
    /'similarity' must be one of cosine, bm25/,
  );
});
