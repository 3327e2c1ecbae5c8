/**
 * Side-by-side parity with the reference LightGBM program, when it is built (LIGHTGBM_BIN or
 * ../shared/tools/build-lightgbm.sh's path; skipped otherwise): for a spread of parameters, LightGBM trains
 * on the fixture data and writes its model; reco trains with the same parameters; the trees must be the
 * same text (thresholds, gains, leaf values, counts, weights, categorical bitsets).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { train } from '../../../src/ranking/gbdt/boosting/gbdt.js';
import { lightgbmArgs } from '../../../src/ranking/gbdt/config-writer.js';
import { type ReadDataOptions, readDataFile } from '../../../src/ranking/gbdt/io/data-file.js';
import { modelToText } from '../../../src/ranking/gbdt/io/model-text.js';
import { type TrainParams, trainParams } from '../../../src/ranking/gbdt/params.js';
import { fixtureDir, haveSharedFixtures, referenceLightgbm, sharedFixtureDir } from './fixtures.js';

const bin = referenceLightgbm();
const skip = bin ? false : 'reference LightGBM not built (../shared/tools/build-lightgbm.sh)';
const dir = mkdtempSync(join(tmpdir(), 'reco-gbdt-parity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function treesText(text: string): string {
  return text.slice(0, text.indexOf('end of trees'));
}

function check(
  name: string,
  data: string,
  params: Partial<TrainParams>,
  read: ReadDataOptions = {},
  io: string[] = [],
) {
  const out = join(dir, `${name}.model.txt`);
  execFileSync(
    bin!,
    [
      'task=train',
      `data=${data}`,
      ...lightgbmArgs(params),
      ...io,
      'num_threads=1',
      'deterministic=true',
      'verbosity=-1',
      `output_model=${out}`,
    ],
    {
      stdio: 'ignore',
    },
  );
  const model = train(trainParams(params), readDataFile(data, read));
  assert.equal(treesText(modelToText(model)), treesText(readFileSync(out, 'utf8')), `${name}: trees differ`);
}

test('lambdarank with truncation, label_gain, no norm, L2 and depth limit: same trees as LightGBM', {
  skip,
}, () => {
  check('rank', resolve(fixtureDir, 'rank.train'), {
    objective: 'lambdarank',
    numIterations: 8,
    numLeaves: 20,
    minDataInLeaf: 30,
    lambdarankTruncationLevel: 5,
    labelGain: [0, 2, 5, 9, 20],
    lambdarankNorm: false,
    lambdaL2: 1,
    maxDepth: 5,
  });
});

test('binary with bagging, feature_fraction, seed, L1, zero_as_missing, max_bin 63: same trees as LightGBM', {
  skip,
}, () => {
  check('binary', resolve(fixtureDir, 'binary.train'), {
    objective: 'binary',
    numIterations: 8,
    numLeaves: 31,
    baggingFraction: 0.8,
    baggingFreq: 2,
    featureFraction: 0.6,
    seed: 7,
    lambdaL1: 1,
    zeroAsMissing: true,
    maxBin: 63,
    minDataInBin: 5,
  });
});

test('regression with min_sum_hessian and min_gain_to_split: same trees as LightGBM', { skip }, () => {
  check('regression', resolve(fixtureDir, 'binary.train'), {
    objective: 'regression',
    numIterations: 8,
    numLeaves: 15,
    minSumHessianInLeaf: 20,
    minGainToSplit: 0.5,
  });
});

test('categorical (ml100k-cat, shared): sorted and one-hot categorical splits as LightGBM', {
  skip: skip || (haveSharedFixtures ? false : 'shared fixtures absent'),
}, () => {
  const data = resolve(sharedFixtureDir, 'ml100k-cat.train.tsv');
  const read = { header: true, labelColumn: 'name:label', categoricalFeature: 'name:gender,occupation' };
  const io = ['header=true', 'label_column=name:label', 'categorical_feature=name:gender,occupation'];
  check(
    'cat',
    data,
    {
      objective: 'binary',
      numIterations: 6,
      numLeaves: 31,
      catSmooth: 5,
      catL2: 1,
      minDataPerGroup: 50,
      maxCatThreshold: 8,
    },
    read,
    io,
  );
  check(
    'cat-onehot',
    data,
    { objective: 'binary', numIterations: 6, numLeaves: 31, maxCatToOnehot: 32 },
    read,
    io,
  );
});
