import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { bestRows, selectTopN } from '../../src/core/top-n.js';

/** The reference: every index sorted by score descending, then tie key ascending; NaN dropped. */
function sorted(scores: ArrayLike<number>, key: (i: number) => number): number[] {
  return Array.from({ length: scores.length }, (_, i) => i)
    .filter((i) => !Number.isNaN(scores[i]!))
    .sort((a, b) => scores[b]! - scores[a]! || key(a) - key(b));
}

test('selectTopN equals a full sort cut at n, for every n, with many ties', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 50; trial++) {
    const m = 1 + rng.int(60);
    const scores = Float64Array.from({ length: m }, () => (rng.int(10) === 0 ? Number.NaN : rng.int(8)));
    const want = sorted(scores, (i) => i);
    for (let n = 0; n <= m + 1; n++) {
      const top = selectTopN(scores, n);
      assert.deepEqual(Array.from(top.items), want.slice(0, n));
      assert.deepEqual(
        Array.from(top.scores),
        want.slice(0, n).map((i) => scores[i]!),
      );
    }
  }
});

test('bestRows breaks ties by the tie key, not by row order', () => {
  const rng = new Rng(4);
  for (let trial = 0; trial < 50; trial++) {
    const m = 1 + rng.int(40);
    const scores = Float64Array.from({ length: m }, () => rng.int(5));
    const tie = Int32Array.from({ length: m }, (_, i) => i);
    rng.shuffle(tie);
    const want = sorted(scores, (r) => tie[r]!);
    for (const k of [1, 3, 10, m]) assert.deepEqual(Array.from(bestRows(scores, k, tie)), want.slice(0, k));
  }
});
