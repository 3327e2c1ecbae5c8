import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discount, groupNdcg, ndcgAtK } from '../../src/core/ndcg.js';

test('groupNdcg is the mean of each group ordered by score (ties in row order) under ndcgAtK', () => {
  // group 1: rows 0..3, relevant rows 1 and 3; group 2: rows 4..5, none relevant
  const labels = Float32Array.of(0, 1, 0, 1, 0, 0);
  const score = Float64Array.of(0.9, 0.5, 0.5, 0.1, 1, 2);
  const g1 = ndcgAtK(Uint8Array.of(0, 1, 0, 1), 3, 2); // order 0, 1, 2 (tie: row order), 3
  assert.equal(g1, discount(1) / (discount(0) + discount(1)));
  assert.equal(groupNdcg(labels, Int32Array.of(4, 2), score, 3), (g1 + 0) / 2);
  assert.ok(Number.isNaN(groupNdcg(labels, undefined, score, 3)));
});

test('discount is 1 / log2(rank + 2)', () => {
  for (const r of [0, 1, 5, 9999, 10000, 123456]) assert.equal(discount(r), 1 / Math.log2(r + 2));
});
