import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BinMapper, greedyFindBin, nextUp } from '../../../src/ranking/gbdt/io/bin-mapper.js';
import { BinnedDataset } from '../../../src/ranking/gbdt/io/dataset.js';
import { K_ZERO_THRESHOLD } from '../../../src/ranking/gbdt/meta.js';
import { MISSING_NAN, MISSING_NONE } from '../../../src/ranking/gbdt/model.js';
import { defaultTrainParams } from '../../../src/ranking/gbdt/params.js';

const opts = {
  maxBin: 255,
  minDataInBin: 1,
  minSplitData: 1,
  preFilter: true,
  categorical: false,
  useMissing: true,
  zeroAsMissing: false,
};

test('nextUp is the next double (std::nextafter towards +inf)', () => {
  assert.equal(nextUp(1), 1 + 2 ** -52);
  assert.equal(nextUp(-1), -1 + 2 ** -53);
  assert.equal(nextUp(0), Number.MIN_VALUE);
  assert.equal(nextUp(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
});

test('few distinct values: one bin each, boundaries at the midpoints (nudged up one ulp)', () => {
  // values 1, 2, 3 five times each; every bin has >= min_data_in_bin (3) rows
  const b = greedyFindBin([1, 2, 3], [5, 5, 5], 0, 3, 255, 15, 3);
  assert.deepEqual(b, [nextUp(1.5), nextUp(2.5), Number.POSITIVE_INFINITY]);
  // with min_data_in_bin 6, 1 and 2 share a bin
  assert.deepEqual(greedyFindBin([1, 2, 3], [5, 5, 5], 0, 3, 255, 15, 6), [
    nextUp(2.5),
    Number.POSITIVE_INFINITY,
  ]);
});

test('more distinct values than bins: equal-count bins', () => {
  // 8 values with count 1, 4 bins of 2
  const b = greedyFindBin([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 1, 1, 1, 1], 0, 8, 4, 8, 1);
  assert.deepEqual(b, [nextUp(2.5), nextUp(4.5), nextUp(6.5), Number.POSITIVE_INFINITY]);
});

test('negatives, zeros and positives: zero keeps a bin of its own', () => {
  // sample of 10 rows: -2, -1, 1, 2 and six zeros (zeros are not passed, only counted)
  const m = BinMapper.find(Float64Array.from([2, -1, 1, -2]), 10, opts);
  assert.equal(m.missingType, MISSING_NONE);
  assert.deepEqual(Array.from(m.upperBounds), [
    nextUp(-1.5),
    -K_ZERO_THRESHOLD,
    K_ZERO_THRESHOLD,
    nextUp(1.5),
    Number.POSITIVE_INFINITY,
  ]);
  assert.equal(m.numBin, 5);
  assert.equal(m.valueToBin(-3), 0);
  assert.equal(m.valueToBin(-1.2), 1);
  assert.equal(m.valueToBin(0), 2);
  assert.equal(m.valueToBin(1), 3);
  assert.equal(m.valueToBin(5), 4);
  assert.equal(m.defaultBin, 2);
  assert.equal(m.mostFreqBin, 2);
  assert.equal(m.infoString(), '[-2:2]');
  // NaN without a NaN bin bins as zero
  assert.equal(m.valueToBin(Number.NaN), 2);
});

test('min_data_in_bin merges values; an empty zero bin leads positive-only features', () => {
  const m = BinMapper.find(Float64Array.from([1, 2, 3, 4, 5, 6]), 6, { ...opts, minDataInBin: 3 });
  assert.deepEqual(Array.from(m.upperBounds), [K_ZERO_THRESHOLD, nextUp(3.5), Number.POSITIVE_INFINITY]);
  assert.equal(m.valueToBin(3), 1);
  assert.equal(m.valueToBin(4), 2);
});

test('missing values get the last bin', () => {
  const m = BinMapper.find(Float64Array.from([1, 2, Number.NaN, 3, Number.NaN]), 5, opts);
  assert.equal(m.missingType, MISSING_NAN);
  assert.equal(m.numBin, 5);
  assert.ok(Number.isNaN(m.upperBounds[4]!));
  assert.equal(m.valueToBin(Number.NaN), 4);
  assert.equal(m.valueToBin(2), 2);
  // use_missing=false: NaN counts as zero and there is no NaN bin
  const n = BinMapper.find(Float64Array.from([1, 2, Number.NaN, 3, Number.NaN]), 5, {
    ...opts,
    useMissing: false,
  });
  assert.equal(n.missingType, MISSING_NONE);
  assert.equal(n.valueToBin(Number.NaN), n.valueToBin(0));
});

test('categorical bins ordered by frequency, bin 0 for NaN and unseen categories', () => {
  const vals: number[] = [];
  for (let i = 0; i < 6; i++) vals.push(7);
  for (let i = 0; i < 4; i++) vals.push(5, 2);
  const m = BinMapper.find(Float64Array.from(vals), vals.length, {
    ...opts,
    categorical: true,
    minDataInBin: 3,
  });
  // 7 (6 rows) first, then 2 and 5 (4 rows each, ascending on ties)
  assert.deepEqual(Array.from(m.bin2Category), [-1, 7, 2, 5]);
  assert.equal(m.infoString(), '-1:7:2:5');
  assert.equal(m.missingType, MISSING_NONE);
  assert.equal(m.valueToBin(7), 1);
  assert.equal(m.valueToBin(5), 3);
  assert.equal(m.valueToBin(9), 0);
  assert.equal(m.valueToBin(-1), 0);
  assert.equal(m.valueToBin(Number.NaN), 0);
});

test('a constant feature, or one with too few rows on a side, is left out', () => {
  const p = { ...defaultTrainParams(), minDataInLeaf: 2, minDataInBin: 1 };
  // feature 0 constant; feature 1: one row differs (cannot give 2 rows per side); feature 2 useful
  const values = Float64Array.from([5, 0, 1, 5, 0, 2, 5, 0, 3, 5, 1, 4]);
  const ds = BinnedDataset.fromDense({ numRows: 4, numFeatures: 3, values, labels: new Float32Array(4) }, p);
  assert.deepEqual(Array.from(ds.realFeature), [2]);
  assert.equal(ds.mappers[0]!.infoString(), 'none');
  assert.equal(ds.mappers[1]!.infoString(), 'none');
  assert.ok(ds.bins[0] instanceof Uint8Array);
  // bins of 1, 2, 3, 4 (bin 0 is the empty zero bin)
  assert.deepEqual(Array.from(ds.bins[0]!), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(ds.binOffsets), [0, 5]);
});
