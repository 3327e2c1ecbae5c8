import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import {
  lowerBound,
  lowerBoundBy,
  lowerBoundFromEnd,
  sortedHas,
  sortedIndexOf,
} from '../../src/core/search.js';

test('lowerBoundFromEnd finds what the binary search finds, duplicates and both ends included', () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 200; trial++) {
    const n = rng.int(40);
    const a = Float64Array.from({ length: n }, () => rng.int(12)).sort();
    for (let x = -1; x <= 13; x++) {
      const want = a.filter((v) => v < x).length;
      assert.equal(lowerBound(a, n, x), want);
      assert.equal(lowerBoundFromEnd(a, n, x), want, `n ${n} x ${x}: ${Array.from(a)}`);
    }
  }
});

test('lowerBound searches only a[from..to)', () => {
  const a = Int32Array.of(1, 3, 3, 5, 9, 2, 4);
  assert.equal(lowerBound(a, 5, 4), 3);
  assert.equal(lowerBound(a, 5, 3, 2), 2);
  assert.equal(lowerBound(a, 7, 3, 5), 6); // the run [2, 4]
  assert.equal(lowerBound(a, 5, 10), 5);
});

test('sortedIndexOf and sortedHas find exactly the entries of a sorted run', () => {
  const rng = new Rng(9);
  for (let trial = 0; trial < 100; trial++) {
    const a = Int32Array.from(new Set(Array.from({ length: rng.int(30) }, () => rng.int(50)))).sort();
    for (let x = -1; x <= 51; x++) {
      const want = a.indexOf(x);
      assert.equal(sortedIndexOf(a, x), want);
      assert.equal(sortedHas(a, x), want >= 0);
    }
    if (a.length > 2) {
      // a sub-run: the first and last entries are outside it
      assert.equal(sortedIndexOf(a, a[0]!, 1, a.length - 1), -1);
      assert.equal(sortedIndexOf(a, a[a.length - 1]!, 1, a.length - 1), -1);
      assert.equal(sortedIndexOf(a, a[1]!, 1, a.length - 1), 1);
    }
  }
});

test('lowerBoundBy searches keys through an order', () => {
  const keys = Float64Array.of(50, 10, 40, 20, 30);
  const order = Int32Array.of(1, 3, 4, 2, 0); // keys in ascending order: 10 20 30 40 50
  for (let x = 0; x <= 60; x += 5)
    assert.equal(lowerBoundBy(order, 5, keys, x), [10, 20, 30, 40, 50].filter((v) => v < x).length);
  assert.equal(lowerBoundBy(order, 3, keys, 100), 3);
});
