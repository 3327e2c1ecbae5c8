import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gradedNdcgAtK, ndcgAtK } from '../../src/core/ndcg.js';
import {
  aucFromScores,
  averagePrecisionAtK,
  averageRecommendationPopularity,
  catalogueCoverage,
  hitRateAtK,
  intraListDiversity,
  itemUserCounts,
  novelty,
  popularityPercentiles,
  precisionAtK,
  recallAtK,
  reciprocalRankAtK,
  rowNorms,
} from '../../src/evaluation/metrics.js';
import type { Csr } from '../../src/types.js';

const close = (actual: number, expected: number, eps = 1e-9) =>
  assert.ok(Math.abs(actual - expected) < eps, `${actual} != ${expected}`);

// One list of 5: hits at ranks 2, 4 and 5; the user has 4 relevant items.
const binary = Uint8Array.from([0, 1, 0, 1, 1]);

test('precision, recall, hit rate, reciprocal rank by hand', () => {
  close(precisionAtK(binary, 5), 3 / 5);
  close(precisionAtK(binary, 2), 1 / 2);
  close(recallAtK(binary, 5, 4), 3 / 4);
  close(recallAtK(binary, 1, 4), 0);
  assert.equal(hitRateAtK(binary, 5), 1);
  assert.equal(hitRateAtK(binary, 1), 0);
  close(reciprocalRankAtK(binary, 5), 1 / 2);
  assert.equal(reciprocalRankAtK(binary, 1), 0);
  // a short list still divides precision by k
  close(precisionAtK(Uint8Array.from([1]), 10), 0.1);
});

test('average precision divides by min(k, #relevant)', () => {
  // precisions at hits: 1/2, 2/4, 3/5; min(5, 4) = 4
  close(averagePrecisionAtK(binary, 5, 4), (0.5 + 0.5 + 0.6) / 4); // 0.4
  close(averagePrecisionAtK(binary, 5, 4), 0.4);
  // with 2 relevant items and k = 5 the denominator is 2: a perfect list scores 1
  close(averagePrecisionAtK(Uint8Array.from([1, 1, 0, 0, 0]), 5, 2), 1);
  assert.equal(averagePrecisionAtK(binary, 5, 0), 0);
});

test('binary NDCG: IDCG over min(k, #relevant)', () => {
  // DCG = 1/log2 3 + 1/log2 5 + 1/log2 6 = 0.630930 + 0.430677 + 0.386853 = 1.448460
  // IDCG (4 relevant) = 1 + 0.630930 + 0.5 + 0.430677 = 2.561607
  close(ndcgAtK(binary, 5, 4), 1.44846 / 2.561607, 1e-5); // 0.565449
  close(ndcgAtK(binary, 5, 4), 0.565449, 1e-5);
  // 1 relevant item found at rank 1 of 5: perfect
  close(ndcgAtK(Uint8Array.from([1, 0, 0, 0, 0]), 5, 1), 1);
  // 1 relevant at rank 2: 1/log2 3
  close(ndcgAtK(Uint8Array.from([0, 1, 0]), 3, 1), 0.63093, 1e-5);
  assert.equal(ndcgAtK(binary, 5, 0), 0);
});

test('graded NDCG with linear gains', () => {
  const gains = Float32Array.from([0, 3, 0, 5, 4]);
  // DCG = 3/log2 3 + 5/log2 5 + 4/log2 6 = 1.892789 + 2.153383 + 1.547411 = 5.593583
  // IDCG: ideal grades 5,4,3,2: 5 + 4/log2 3 + 3/2 + 2/log2 5 = 5 + 2.523719 + 1.5 + 0.861353 = 9.885072
  close(gradedNdcgAtK(gains, 5, Float32Array.from([5, 4, 3, 2])), 0.56586, 1e-5);
  // k = 2: DCG = 3/log2 3 = 1.892789; IDCG = 5 + 4/log2 3 = 7.523719
  close(gradedNdcgAtK(gains, 2, Float32Array.from([5, 4, 3, 2])), 0.251577, 1e-5);
});

test('AUC over unseen candidates, ties count one half', () => {
  const scores = Float32Array.from([0.9, 0.8, 0.7, 0.6, 0.5]);
  const positive = Uint8Array.from([0, 1, 0, 1, 0]);
  const excluded = Uint8Array.from([1, 0, 0, 0, 0]);
  // candidates 1+ 2- 3+ 4-: pairs (1,2) (1,4) (3,4) right, (3,2) wrong
  close(aucFromScores(scores, positive, excluded), 3 / 4);
  // item 0 unexcluded and negative above both positives: 3 right of 6
  close(aucFromScores(scores, positive, undefined), 3 / 6);
  close(aucFromScores(Float32Array.from([0.5, 0.5, 0.1]), Uint8Array.from([1, 0, 0]), undefined), 0.75);
  assert.ok(Number.isNaN(aucFromScores(Float32Array.from([1, 2]), Uint8Array.from([1, 1]), undefined)));
});

test('coverage, novelty, popularity percentiles and ARP by hand', () => {
  close(catalogueCoverage([Int32Array.from([0, 1]), Int32Array.from([1, 2])], 10), 0.3);
  // user counts 4, 2, 1, 0 of 4 users: -log2 of 1, 1/2, 1/4, and 1/4 (an unseen item counts as one user)
  const counts = Int32Array.from([4, 2, 1, 0]);
  close(novelty([Int32Array.from([0, 1]), Int32Array.from([2, 3])], counts, 4), (0 + 1 + 2 + 2) / 4);
  // counts 5, 1, 1, 9 -> order 1,1,5,9; the tied pair sits at mid-rank 0.5 of 3
  const pct = popularityPercentiles(Int32Array.from([5, 1, 1, 9]));
  assert.deepEqual(Array.from(pct), [2 / 3, 1 / 6, 1 / 6, 1]);
  close(
    averageRecommendationPopularity(
      [Int32Array.from([0, 3]), Int32Array.from([1])],
      Int32Array.from([5, 1, 1, 9]),
    ),
    4,
  );
});

test('item user counts count users with a positive entry per column', () => {
  const m: Csr = {
    rows: 3,
    cols: 3,
    indptr: Int32Array.from([0, 2, 3, 5]),
    indices: Int32Array.from([0, 2, 2, 0, 2]),
    values: Float32Array.from([1, 1, 1, 1, -4]),
  };
  assert.deepEqual(Array.from(itemUserCounts(m)), [2, 0, 2]);
});

test('intra-list diversity is 1 - mean pairwise cosine', () => {
  // genres: item 0 {A}, item 1 {A, B}, item 2 {C}
  const genres: Csr = {
    rows: 3,
    cols: 3,
    indptr: Int32Array.from([0, 1, 3, 4]),
    indices: Int32Array.from([0, 0, 1, 2]),
    values: Float32Array.from([1, 1, 1, 1]),
  };
  const norms = rowNorms(genres);
  // cos(0,1) = 1/sqrt 2, cos(0,2) = cos(1,2) = 0
  close(intraListDiversity(Int32Array.from([0, 1, 2]), genres, norms), 1 - Math.SQRT1_2 / 3);
  close(intraListDiversity(Int32Array.from([0, 1]), genres, norms), 1 - Math.SQRT1_2);
  assert.equal(intraListDiversity(Int32Array.from([0]), genres, norms), 0);
});
