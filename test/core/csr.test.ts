import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromCoo, csrGet, transpose } from '../../src/core/csr.js';
import { selectTopN } from '../../src/core/top-n.js';

test('csrFromCoo sums duplicates, sorts columns, drops zero sums', () => {
  const m = csrFromCoo(
    3,
    4,
    Int32Array.of(0, 2, 0, 0, 1, 1),
    Int32Array.of(3, 1, 0, 3, 2, 2),
    Float32Array.of(1, 5, 2, 4, 1, -1),
  );
  assert.deepEqual([...m.indptr], [0, 2, 2, 3]);
  assert.deepEqual([...m.indices], [0, 3, 1]);
  assert.deepEqual([...m.values], [2, 5, 5]);
});

test('transpose swaps rows and columns', () => {
  const m = csrFromCoo(2, 3, Int32Array.of(0, 0, 1), Int32Array.of(0, 2, 2), Float32Array.of(1, 2, 3));
  const t = transpose(m);
  assert.equal(t.rows, 3);
  assert.equal(t.cols, 2);
  assert.deepEqual([...t.indptr], [0, 1, 1, 3]);
  assert.deepEqual([...t.indices], [0, 0, 1]);
  assert.equal(csrGet(t, 2, 1), 3);
  assert.equal(csrGet(t, 1, 0), 0);
});

test('selectTopN: best first, ties to the lower index, skip and allowed filters, NaN dropped', () => {
  const s = Float32Array.of(0.5, 3, Number.NaN, 3, -1, 2, 7);
  const all = selectTopN(s, 4);
  assert.deepEqual([...all.items], [6, 1, 3, 5]);
  assert.deepEqual([...all.scores], [7, 3, 3, 2]);
  const skipped = selectTopN(s, 3, Int32Array.of(1, 6));
  assert.deepEqual([...skipped.items], [3, 5, 0]);
  const allowed = selectTopN(s, 10, undefined, Uint8Array.of(1, 0, 1, 0, 1, 0, 0));
  assert.deepEqual([...allowed.items], [0, 4]);
  assert.equal(selectTopN(s, 0).items.length, 0);
});
