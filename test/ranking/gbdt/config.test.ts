import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/errors.js';
import { DECLARATIONS, isTrainField } from '../../../src/ranking/gbdt/config.js';
import { parseLightgbmParams, parseParams } from '../../../src/ranking/gbdt/config-parser.js';
import {
  lightgbmArgs,
  lightgbmTrainArgs,
  parameterHelp,
  parametersBlock,
} from '../../../src/ranking/gbdt/config-writer.js';
import {
  defaultIoParams,
  defaultTrainParams,
  type TrainParams,
  trainParams,
} from '../../../src/ranking/gbdt/params.js';

const trainDecls = DECLARATIONS.filter((d) => d.section === 'train');

/** Training parameters with every field away from its default (and valid). */
const changed: TrainParams = trainParams({
  objective: 'lambdarank',
  numIterations: 7,
  learningRate: 0.25,
  numLeaves: 63,
  maxDepth: 6,
  minDataInLeaf: 5,
  minSumHessianInLeaf: 0.5,
  lambdaL1: 0.1,
  lambdaL2: 2,
  minGainToSplit: 0.01,
  featureFraction: 0.8,
  baggingFraction: 0.7,
  baggingFreq: 2,
  earlyStoppingRound: 9,
  maxBin: 63,
  minDataInBin: 4,
  binConstructSampleCnt: 1000,
  useMissing: false,
  zeroAsMissing: true,
  boostFromAverage: false,
  labelGain: [0, 2, 5.5],
  lambdarankTruncationLevel: 12,
  lambdarankNorm: false,
  evalAt: [3, 10],
  metric: ['map', 'ndcg'],
  sigmoid: 2,
  numThreads: 2,
  deterministic: true,
  verbosity: -1,
  maxCatToOnehot: 8,
  catSmooth: 5,
  catL2: 1,
  maxCatThreshold: 16,
  maxCatGroup: 32,
  minDataPerGroup: 50,
  isProvideTrainingMetric: true,
  metricFreq: 5,
  firstMetricOnly: true,
  seed: 42,
});

test('the table: names and aliases are unique, every field is a TrainParams or IoParams field', () => {
  const names = DECLARATIONS.flatMap((d) => [d.lightgbm, ...d.aliases]);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(
    Object.keys(defaultTrainParams()),
    trainDecls.map((d) => d.field),
  );
  assert.deepEqual(
    Object.keys(defaultIoParams()),
    DECLARATIONS.filter((d) => d.section === 'io').map((d) => d.field),
  );
  // every training field is changed above, so the tests below see each one away from its default
  for (const d of trainDecls)
    if (isTrainField(d.field)) assert.notDeepEqual(changed[d.field], d.default, `${d.field} not changed`);
});

test('the parser takes every parameter by its LightGBM name and by each alias', () => {
  for (const d of DECLARATIONS)
    for (const name of [d.lightgbm, ...d.aliases]) {
      const { given } = parseParams([`${name}=${d.kind.format(d.default)}`]);
      assert.deepEqual([...given.keys()], [d.lightgbm], name);
    }
  assert.equal(parseParams(['n_estimators=12']).train.numIterations, 12);
  assert.deepEqual(parseParams(['ndcg_at=1,3']).train.evalAt, [1, 3]);
});

test('LightGBM arguments written from the table read back to the same values', () => {
  const args = lightgbmTrainArgs(changed);
  assert.equal(args.length, trainDecls.length);
  assert.deepEqual(parseParams(args).train, changed);
  // seed 0 is LightGBM's "not set": left out
  assert.ok(!lightgbmTrainArgs(defaultTrainParams()).some((a) => a.startsWith('seed=')));
  // given values only, in table order, with LightGBM's names
  assert.deepEqual(lightgbmArgs({ numLeaves: 7, objective: 'binary', evalAt: [5] }), [
    'objective=binary',
    'num_leaves=7',
    'eval_at=5',
  ]);
});

test("a model's parameters block: the boosting type, the data files, every training parameter", () => {
  const io = { ...defaultIoParams(), data: 'train.tsv', validData: ['a', 'b'], categoricalFeature: '1,2' };
  const lines = parametersBlock(changed, io).trimEnd().split('\n');
  const keys = lines.map((l) => /^\[(\w+): /.exec(l)?.[1]);
  assert.deepEqual(
    keys,
    DECLARATIONS.filter((d) => d.model !== undefined).map((d) => d.lightgbm),
  );
  assert.equal(lines[0], '[boosting: gbdt]');
  assert.ok(lines.includes('[valid: a,b]'));
  assert.ok(lines.includes('[label_gain: 0,2,5.5]'));
  assert.ok(lines.includes('[metric: map,ndcg]'));
  assert.equal(lines.at(-1), '[categorical_feature: 1,2]');
  // no metric given: the objective's; no seed, no categorical features: left out
  const plain = parametersBlock(defaultTrainParams(), defaultIoParams());
  assert.match(plain, /\[metric: l2\]/);
  assert.doesNotMatch(plain, /seed|categorical_feature/);
});

test('trainParams: typed values over the defaults, checked as the text is', () => {
  const p = trainParams({ numLeaves: 63, evalAt: [10], objective: 'binary', seed: undefined });
  assert.equal(p.numLeaves, 63);
  assert.deepEqual(p.evalAt, [10]);
  assert.equal(p.seed, 0);
  assert.deepEqual(
    { ...p, numLeaves: 31, evalAt: [1, 2, 3, 4, 5], objective: 'regression' },
    defaultTrainParams(),
  );
  // arrays are copied: the caller's stay theirs
  const gains = [0, 1, 3];
  const q = trainParams({ labelGain: gains });
  gains.push(7);
  assert.deepEqual(q.labelGain, [0, 1, 3]);
  assert.notEqual(trainParams().labelGain, trainParams().labelGain);
});

test('trainParams refuses a bad value naming the field', () => {
  const refused = (given: string, pattern: RegExp) =>
    assert.throws(
      () => trainParams(JSON.parse(given)),
      (e: Error) => e instanceof UsageError && pattern.test(e.message),
      given,
    );
  refused('{"numLeaves": 1}', /parameter numLeaves: 1 is below the minimum 2/);
  refused('{"numLeaves": 2.5}', /parameter numLeaves: 2.5 is not an integer/);
  refused('{"numLeaves": "63"}', /parameter numLeaves: "63" is not a number/);
  refused('{"learningRate": 0}', /parameter learningRate: 0 must be greater than 0/);
  refused('{"featureFraction": 1.5}', /parameter featureFraction: 1.5 is above the maximum 1/);
  refused('{"useMissing": "true"}', /parameter useMissing: "true" is not a boolean/);
  refused(
    '{"objective": "mse"}',
    /parameter objective: "mse" is not supported \(binary, regression, lambdarank\)/,
  );
  refused('{"metric": "auc"}', /parameter metric: "auc" is not a list/);
  refused('{"metric": ["auc", "l3"]}', /parameter metric: "l3" is not supported/);
  refused('{"evalAt": [5, 0]}', /parameter evalAt: 0 is below the minimum 1/);
  refused(
    '{"num_leaves": 63}',
    /unknown training parameter "num_leaves" \(LightGBM's num_leaves is the field numLeaves\)/,
  );
  refused('{"data": "x"}', /unknown training parameter "data" \(data is a parameter of the command line\)/);
  refused('{"toString": 1}', /unknown training parameter "toString"/);
});

test('the text path names the LightGBM parameter; values are looked up safely', () => {
  assert.throws(() => parseParams(['learning_rate=0']), /parameter learning_rate: 0 must be greater than 0/);
  assert.throws(() => parseParams(['eval_at=1,x']), /parameter eval_at: "x" is not a number/);
  // names of Object.prototype are no objectives or metrics
  assert.throws(
    () => parseParams(['objective=constructor']),
    /parameter objective: "constructor" is not supported/,
  );
  assert.throws(() => parseParams(['metric=auc,toString']), /parameter metric: "toString" is not supported/);
  assert.throws(() => parseParams(['__proto__=1']), /unknown or unsupported parameter "__proto__"/);
});

test('parseLightgbmParams: the training parameters given in a LightGBM-named map, nothing else', () => {
  assert.deepEqual(parseLightgbmParams({ num_trees: 50, eta: '0.2', metric: 'auc,mae', header: true }), {
    numIterations: 50,
    learningRate: 0.2,
    metric: ['auc', 'l1'],
  });
  assert.deepEqual(parseLightgbmParams({}), {});
  assert.throws(() => parseLightgbmParams({ num_leafs: 3 }), /unknown or unsupported parameter "num_leafs"/);
  assert.throws(() => parseLightgbmParams({ num_trees: 3, n_estimators: 4 }), /twice/);
  // merged over typed values, they win
  assert.equal(trainParams({ numLeaves: 15, ...parseLightgbmParams({ max_leaves: 7 }) }).numLeaves, 7);
});

test('the help lists every parameter: name, aliases, default, description, values', () => {
  const help = parameterHelp();
  assert.deepEqual(
    help.map((l) => l.split(' ')[0]),
    DECLARATIONS.map((d) => d.lightgbm),
  );
  assert.ok(
    help.includes(
      'num_leaves (num_leaf, max_leaves, max_leaf, max_leaf_nodes) = 31: leaves of a tree at most [an integer >= 2 and <= 131072]',
    ),
  );
});
