import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { parseParams } from '../../../src/ranking/gbdt/config-parser.js';
import { defaultTrainParams, metricsFor } from '../../../src/ranking/gbdt/params.js';

test('defaults equal LightGBM 4 defaults', () => {
  const p = defaultTrainParams();
  assert.equal(p.numIterations, 100);
  assert.equal(p.learningRate, 0.1);
  assert.equal(p.numLeaves, 31);
  assert.equal(p.minDataInLeaf, 20);
  assert.equal(p.minSumHessianInLeaf, 1e-3);
  assert.equal(p.maxBin, 255);
  assert.deepEqual(p.evalAt, [1, 2, 3, 4, 5]);
  assert.equal(p.labelGain.length, 31);
  assert.deepEqual(p.labelGain.slice(0, 5), [0, 1, 3, 7, 15]);
  assert.equal(p.lambdarankTruncationLevel, 30);
  assert.equal(p.maxCatToOnehot, 4);
  assert.equal(p.catSmooth, 10);
  assert.equal(p.catL2, 10);
  assert.equal(p.maxCatThreshold, 32);
  assert.equal(p.minDataPerGroup, 100);
});

test('aliases map to the canonical parameter', () => {
  const { train, io } = parseParams([
    'task=train',
    'app=lambdarank',
    'n_estimators=7',
    'eta=0.05',
    'max_leaves=15',
    'min_child_samples=50',
    'min_child_weight=5.0',
    'reg_lambda=2',
    'metric=ndcg,map',
    'ndcg_eval_at=1,3,5',
    'valid_data=a.txt,b.txt',
    'has_header=true',
    'label=name:y',
  ]);
  assert.equal(train.objective, 'lambdarank');
  assert.equal(train.numIterations, 7);
  assert.equal(train.learningRate, 0.05);
  assert.equal(train.numLeaves, 15);
  assert.equal(train.minDataInLeaf, 50);
  assert.equal(train.minSumHessianInLeaf, 5);
  assert.equal(train.lambdaL2, 2);
  assert.deepEqual(train.metric, ['ndcg', 'map']);
  assert.deepEqual(train.evalAt, [1, 3, 5]);
  assert.deepEqual(io.validData, ['a.txt', 'b.txt']);
  assert.equal(io.header, true);
  assert.equal(io.labelColumn, 'name:y');
});

test('metric defaults to the objective default; aliases of metrics resolve', () => {
  assert.deepEqual(metricsFor(parseParams(['objective=binary']).train), ['binary_logloss']);
  assert.deepEqual(metricsFor(parseParams(['objective=mse']).train), ['l2']);
  assert.deepEqual(parseParams(['metric=mae,rmse,binary']).train.metric, ['l1', 'rmse', 'binary_logloss']);
});

test('unknown and unsupported parameters are refused with their name', () => {
  assert.throws(
    () => parseParams(['num_leafs=3']),
    (e: Error) => e instanceof UsageError && /num_leafs/.test(e.message),
  );
  assert.throws(() => parseParams(['objective=multiclass']), /objective/);
  assert.throws(() => parseParams(['boosting=dart']), /dart/);
  assert.throws(() => parseParams(['num_leaves=abc']), /num_leaves.*not a number/);
  assert.throws(() => parseParams(['num_leaves=1']), /num_leaves/);
  assert.throws(() => parseParams(['header=yes']), /header.*boolean/);
  assert.throws(() => parseParams(['num_trees']), /key=value/);
  assert.throws(() => parseParams(['num_trees=3', 'n_estimators=4']), /twice/);
});

test('config file: comments, and the command line wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reco-params-'));
  const cfg = join(dir, 'train.conf');
  writeFileSync(
    cfg,
    '# a comment\ntask = train\nobjective=binary\nnum_trees=10 # trailing\n\nlearning_rate=0.2\n',
  );
  const { train, io } = parseParams([`config=${cfg}`, 'num_trees=20']);
  assert.equal(io.task, 'train');
  assert.equal(train.objective, 'binary');
  assert.equal(train.numIterations, 20);
  assert.equal(train.learningRate, 0.2);
  writeFileSync(cfg, 'objective=binary\nnum_leavs=3\n');
  assert.throws(() => parseParams([`config=${cfg}`]), /num_leavs.*train\.conf, line 2/);
});
