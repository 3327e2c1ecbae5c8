import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MISSING_NAN, MISSING_NONE } from '../../../src/ranking/gbdt/model.js';
import {
  findBestThresholdCategorical,
  findBestThresholdNumerical,
  type SplitConfig,
  SplitInfo,
} from '../../../src/ranking/gbdt/treelearner/split.js';

const cfg: SplitConfig = {
  minDataInLeaf: 1,
  minSumHessianInLeaf: 0,
  lambdaL1: 0,
  lambdaL2: 0,
  minGainToSplit: 0,
  maxCatToOnehot: 4,
  catSmooth: 10,
  catL2: 10,
  maxCatThreshold: 32,
  minDataPerGroup: 1,
};

/** Histogram of (grad, hess) pairs per bin. */
const hist = (pairs: [number, number][]) => Float64Array.from(pairs.flat());

// Six rows with hessian 1: two in each bin; gradients sum to -4, 1, 3 per bin (total 0).
// Threshold after bin 0: G_L=-4, H_L=2, G_R=4, H_R=4: gain 16/2 + 16/4 = 12 (parent gain 0).
// Threshold after bin 1: G_L=-3, H_L=4, G_R=3, H_R=2: gain 9/4 + 9/2 = 6.75.
const H3 = hist([
  [-4, 2],
  [1, 2],
  [3, 2],
]);
const meta3 = {
  numBin: 3,
  offset: 0,
  mostFreqBin: 0,
  missingType: MISSING_NONE,
  defaultBin: 0,
  categorical: false,
};

test('numerical split: best threshold, gain and leaf outputs by hand', () => {
  const s = new SplitInfo();
  assert.ok(findBestThresholdNumerical(H3, 0, meta3, 0, 6, 6, cfg, s));
  assert.equal(s.threshold, 0);
  assert.ok(Math.abs(s.gain - 12) < 1e-9, `gain ${s.gain}`);
  assert.ok(Math.abs(s.leftOutput - 2) < 1e-9); // -(-4)/2
  assert.ok(Math.abs(s.rightOutput + 1) < 1e-9); // -(4)/4
  assert.equal(s.leftCount, 2);
  assert.equal(s.rightCount, 4);
});

test('numerical split: lambda_l2 and lambda_l1 change gains and outputs as the formulas say', () => {
  const s = new SplitInfo();
  findBestThresholdNumerical(H3, 0, meta3, 0, 6, 6, { ...cfg, lambdaL2: 1 }, s);
  // 16/3 + 16/5 = 8.5333..; outputs 4/3 and -4/5
  assert.ok(Math.abs(s.gain - (16 / 3 + 16 / 5)) < 1e-9);
  assert.ok(Math.abs(s.leftOutput - 4 / 3) < 1e-9);
  assert.ok(Math.abs(s.rightOutput + 4 / 5) < 1e-9);
  findBestThresholdNumerical(H3, 0, meta3, 0, 6, 6, { ...cfg, lambdaL1: 1 }, s);
  // |G| shrinks by 1: 3^2/2 + 3^2/4 = 6.75; outputs 3/2 and -3/4
  assert.ok(Math.abs(s.gain - 6.75) < 1e-9);
  assert.ok(Math.abs(s.leftOutput - 1.5) < 1e-9);
  assert.ok(Math.abs(s.rightOutput + 0.75) < 1e-9);
});

test('numerical split: min_data_in_leaf and min_gain_to_split are honoured', () => {
  const s = new SplitInfo();
  // at least 3 rows a side: only the threshold after bin 1 (4 | 2 rows) ... which leaves 2: none is valid
  assert.equal(findBestThresholdNumerical(H3, 0, meta3, 0, 6, 6, { ...cfg, minDataInLeaf: 3 }, s), false);
  assert.equal(s.gain, Number.NEGATIVE_INFINITY);
  findBestThresholdNumerical(H3, 0, meta3, 0, 6, 6, { ...cfg, minGainToSplit: 13 }, s);
  assert.equal(s.gain, Number.NEGATIVE_INFINITY);
  findBestThresholdNumerical(H3, 0, meta3, 0, 6, 6, { ...cfg, minGainToSplit: 2 }, s);
  assert.ok(Math.abs(s.gain - 10) < 1e-9); // reported gain is net of min_gain_to_split
});

test('missing values go to the side that gains most (default_left)', () => {
  // bins: 0, 1, 2 and the NaN bin 3. NaN rows look like bin 0 rows (negative gradients).
  const h = hist([
    [-3, 2],
    [2, 2],
    [3, 2],
    [-2, 2],
  ]);
  const meta = {
    numBin: 4,
    offset: 0,
    mostFreqBin: 1,
    missingType: MISSING_NAN,
    defaultBin: 0,
    categorical: false,
  };
  const s = new SplitInfo();
  findBestThresholdNumerical(h, 0, meta, 0, 8, 8, cfg, s);
  // best: {bin 0, NaN} left (G=-5, H=4) vs {1, 2} right (G=5, H=4): 25/4 + 25/4 = 12.5
  assert.equal(s.threshold, 0);
  assert.equal(s.defaultLeft, true);
  assert.ok(Math.abs(s.gain - 12.5) < 1e-9);
  // NaN rows now look like bin 2 rows: they go right
  const h2 = hist([
    [-3, 2],
    [-2, 2],
    [2, 2],
    [3, 2],
  ]);
  findBestThresholdNumerical(h2, 0, meta, 0, 8, 8, cfg, s);
  assert.equal(s.threshold, 1);
  assert.equal(s.defaultLeft, false);
  assert.ok(Math.abs(s.gain - 12.5) < 1e-9);
});

test('categorical one-vs-rest for few categories, sorted prefix for many', () => {
  // bin 0 is NaN/other; categories in bins 1..3, 2 rows each: bin 2 alone is best
  const h = hist([
    [0, 0],
    [1, 2],
    [-4, 2],
    [3, 2],
  ]);
  const meta = {
    numBin: 4,
    offset: 0,
    mostFreqBin: 1,
    missingType: MISSING_NONE,
    defaultBin: 0,
    categorical: true,
  };
  const s = new SplitInfo();
  assert.ok(findBestThresholdCategorical(h, 0, meta, 0, 6, 6, cfg, s));
  assert.deepEqual(s.catBins, [2]);
  // left {2}: 16/2, right {1,3}: 16/4 -> 12
  assert.ok(Math.abs(s.gain - 12) < 1e-6);
  // six categories (more than max_cat_to_onehot): sorted by G/(H + cat_smooth); each 20 rows
  const pairs: [number, number][] = [[0, 0]];
  const g = [5, -8, 4, -9, 6, 3];
  for (const x of g) pairs.push([x, 20]);
  const h6 = hist(pairs);
  const meta6 = {
    numBin: 7,
    offset: 0,
    mostFreqBin: 1,
    missingType: MISSING_NONE,
    defaultBin: 0,
    categorical: true,
  };
  findBestThresholdCategorical(h6, 0, meta6, 1, 120, 120, { ...cfg, catL2: 0 }, s);
  // ascending order of G/(H+10): bins 4 (-9), 2 (-8), 6 (3), 3 (4), 1 (5), 5 (6); best prefix {4, 2}:
  // left G=-17 H=40, right G=18 H=80, gain 289/40 + 324/80 - 1/120
  assert.deepEqual(s.catBins, [4, 2]);
  assert.ok(Math.abs(s.gain - (289 / 40 + 324 / 80 - 1 / 120)) < 1e-9);
});
