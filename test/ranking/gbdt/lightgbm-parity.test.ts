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
import { type ReadDataOptions, readDataFile } from '../../../src/ranking/gbdt/io/data-file.js';
import { modelToText } from '../../../src/ranking/gbdt/io/model-text.js';
import { trainParamsFrom } from '../../../src/ranking/gbdt/params.js';
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
  params: Record<string, string | number | boolean>,
  read: ReadDataOptions = {},
  io: string[] = [],
) {
  const out = join(dir, `${name}.model.txt`);
  const kv = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  execFileSync(
    bin!,
    [
      'task=train',
      `data=${data}`,
      ...kv,
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
  const model = train(trainParamsFrom(params), readDataFile(data, read));
  assert.equal(treesText(modelToText(model)), treesText(readFileSync(out, 'utf8')), `${name}: trees differ`);
}

test('lambdarank with truncation, label_gain, no norm, L2 and depth limit: same trees as LightGBM', {
  skip,
}, () => {
  check('rank', resolve(fixtureDir, 'rank.train'), {
    objective: 'lambdarank',
    num_trees: 8,
    num_leaves: 20,
    min_data_in_leaf: 30,
    lambdarank_truncation_level: 5,
    label_gain: '0,2,5,9,20',
    lambdarank_norm: false,
    lambda_l2: 1,
    max_depth: 5,
  });
});

test('binary with bagging, feature_fraction, seed, L1, zero_as_missing, max_bin 63: same trees as LightGBM', {
  skip,
}, () => {
  check('binary', resolve(fixtureDir, 'binary.train'), {
    objective: 'binary',
    num_trees: 8,
    num_leaves: 31,
    bagging_fraction: 0.8,
    bagging_freq: 2,
    feature_fraction: 0.6,
    seed: 7,
    lambda_l1: 1,
    zero_as_missing: true,
    max_bin: 63,
    min_data_in_bin: 5,
  });
});

test('regression with min_sum_hessian and min_gain_to_split: same trees as LightGBM', { skip }, () => {
  check('regression', resolve(fixtureDir, 'binary.train'), {
    objective: 'regression',
    num_trees: 8,
    num_leaves: 15,
    min_sum_hessian_in_leaf: 20,
    min_gain_to_split: 0.5,
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
      num_trees: 6,
      num_leaves: 31,
      cat_smooth: 5,
      cat_l2: 1,
      min_data_per_group: 50,
      max_cat_threshold: 8,
    },
    read,
    io,
  );
  check(
    'cat-onehot',
    data,
    { objective: 'binary', num_trees: 6, num_leaves: 31, max_cat_to_onehot: 32 },
    read,
    io,
  );
});
