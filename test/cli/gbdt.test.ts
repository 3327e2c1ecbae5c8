import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runPredict, runTrain } from '../../src/cli/commands/gbdt.js';
import { UsageError } from '../../src/errors.js';
import { parseParams } from '../../src/ranking/gbdt/config-parser.js';
import { readDataFile } from '../../src/ranking/gbdt/io/data-file.js';
import { loadModelFile } from '../../src/ranking/gbdt/io/model-text.js';
import { trainWithLightgbm } from '../../src/ranking/gbdt/lightgbm-bin.js';
import { GbdtPredictor } from '../../src/ranking/gbdt/predict.js';
import {
  fixtureDir,
  referenceLightgbm,
  requireSharedFixtures,
  sharedFixtureDir,
  sharedSkip,
} from '../ranking/gbdt/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-gbdt-cli-'));
const quiet = () => {};
const lightgbm = referenceLightgbm();
const noLightgbm = lightgbm ? false : 'the reference LightGBM program is not built';
const fx = (f: string) => resolve(fixtureDir, f);

function lgb(args: string[]): void {
  const r = spawnSync(lightgbm!, args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `lightgbm ${args.join(' ')}: ${r.stdout}${r.stderr}`);
}

test("task=predict writes LightGBM's raw scores byte for byte (rank, binary)", () => {
  for (const [name, data] of [
    ['rank', 'rank.test'],
    ['binary', 'binary.test'],
  ] as const) {
    const out = join(dir, `${name}.pred`);
    const n = runPredict(
      parseParams([
        'task=predict',
        `data=${fx(data)}`,
        `input_model=${fx(`${name}.model.txt`)}`,
        `output_result=${out}`,
        'predict_raw_score=true',
      ]),
      quiet,
    );
    assert.ok(n > 0);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(fx(`${name}.test.pred`), 'utf8'));
  }
});

test('ml100k-cat (shared): task=predict with header=true writes LightGBM raw scores byte for byte', {
  skip: sharedSkip,
}, () => {
  requireSharedFixtures();
  const out = join(dir, 'ml.pred');
  runPredict(
    parseParams([
      'task=predict',
      `data=${resolve(sharedFixtureDir, 'ml100k-cat.test.tsv')}`,
      'header=true',
      `input_model=${resolve(sharedFixtureDir, 'ml100k-cat.model.txt')}`,
      `output_result=${out}`,
      'predict_raw_score=true',
    ]),
    quiet,
  );
  assert.equal(
    readFileSync(out, 'utf8'),
    readFileSync(resolve(sharedFixtureDir, 'ml100k-cat.test.pred'), 'utf8'),
  );
});

test("predict_contrib=true writes LightGBM's contributions (first rows of binary)", () => {
  const rows = readFileSync(fx('binary.test'), 'utf8').split('\n').slice(0, 20);
  const data = join(dir, 'binary20.test');
  writeFileSync(data, `${rows.join('\n')}\n`);
  const out = join(dir, 'binary20.contrib');
  runPredict(
    parseParams([
      'task=predict',
      `data=${data}`,
      `input_model=${fx('binary.model.txt')}`,
      `output_result=${out}`,
      'predict_contrib=true',
    ]),
    quiet,
  );
  const want = readFileSync(fx('binary.test.contrib'), 'utf8').split('\n').slice(0, 20).join('\n');
  assert.equal(readFileSync(out, 'utf8').trimEnd(), want);
});

test('unknown or unsupported parameters and missing files are clear errors', () => {
  assert.throws(
    () => parseParams(['task=predict', 'num_leavs=3']),
    (e: Error) => e instanceof UsageError && /num_leavs/.test(e.message),
  );
  assert.throws(
    () => runPredict(parseParams(['task=predict', `data=${fx('binary.test')}`]), quiet),
    /input_model/,
  );
  assert.throws(() => runTrain(parseParams(['task=train']), 'reco', quiet), /data=FILE/);
  assert.throws(
    () => runTrain(parseParams(['task=train', `data=${fx('binary.test')}`]), 'spark', quiet),
    /--backend spark/,
  );
});

test('task=train: trains, prints validation metrics, saves a model reco loads and predicts', () => {
  const model = join(dir, 'reco-binary.txt');
  const lines: string[] = [];
  runTrain(
    parseParams([
      'task=train',
      'objective=binary',
      `data=${fx('binary.test')}`,
      `valid_data=${fx('binary.test')}`,
      'num_trees=5',
      'num_leaves=7',
      'metric=auc',
      `output_model=${model}`,
    ]),
    'reco',
    (l) => lines.push(l),
  );
  assert.ok(
    lines.some((l) => /Iteration:5, valid_1 auc : 0\.\d+/.test(l)),
    lines.join('\n'),
  );
  const m = loadModelFile(model);
  assert.equal(m.trees.length, 5);
  assert.match(m.parametersText ?? '', /\[num_leaves: 7\]/);
  const d = readDataFile(fx('binary.test'), { model: m });
  const p = new GbdtPredictor(m).predictRaw(d.values, d.numRows);
  assert.ok(p.every((x) => Number.isFinite(x)));
});

test('round trip: a model reco trains predicts the same in LightGBM, and the other way round', {
  skip: noLightgbm,
}, () => {
  // reco trains (lambdarank on the rank test set with its .query file), LightGBM predicts.
  const recoModel = join(dir, 'reco-rank.txt');
  runTrain(
    parseParams([
      'task=train',
      'objective=lambdarank',
      `data=${fx('rank.test')}`,
      'num_trees=10',
      'min_data_in_leaf=5',
      `output_model=${recoModel}`,
    ]),
    'reco',
    quiet,
  );
  const lgbOut = join(dir, 'lgb-on-reco.pred');
  lgb([
    'task=predict',
    `data=${fx('rank.test')}`,
    `input_model=${recoModel}`,
    `output_result=${lgbOut}`,
    'predict_raw_score=true',
  ]);
  const recoOut = join(dir, 'reco-on-reco.pred');
  runPredict(
    parseParams([
      'task=predict',
      `data=${fx('rank.test')}`,
      `input_model=${recoModel}`,
      `output_result=${recoOut}`,
      'predict_raw_score=true',
    ]),
    quiet,
  );
  assert.equal(readFileSync(recoOut, 'utf8'), readFileSync(lgbOut, 'utf8'));

  // LightGBM trains (binary with a categorical feature and missing values), reco predicts.
  const rows = readFileSync(fx('binary.test'), 'utf8').trim().split('\n');
  const catData = join(dir, 'cat.tsv');
  writeFileSync(
    catData,
    `${rows
      .map((l, i) => {
        const c = l.split('\t');
        c[1] = String(c[0] === '1' ? i % 3 : 2 + (i % 4)); // a categorical column tied to the label
        if (i % 5 === 0) c[2] = 'nan';
        return c.join('\t');
      })
      .join('\n')}\n`,
  );
  const lgbModel = join(dir, 'lgb-cat.txt');
  lgb([
    'task=train',
    'objective=binary',
    `data=${catData}`,
    'categorical_feature=0',
    'num_trees=10',
    'min_data_in_leaf=5',
    'min_data_per_group=5',
    'cat_smooth=1',
    `output_model=${lgbModel}`,
    'verbosity=-1',
  ]);
  assert.ok(
    loadModelFile(lgbModel).trees.some((t) => t.numCat > 0),
    'LightGBM used the categorical feature',
  );
  const lgbPred = join(dir, 'lgb-cat.pred');
  lgb([
    'task=predict',
    `data=${catData}`,
    `input_model=${lgbModel}`,
    `output_result=${lgbPred}`,
    'predict_raw_score=true',
  ]);
  const recoPred = join(dir, 'reco-cat.pred');
  runPredict(
    parseParams([
      'task=predict',
      `data=${catData}`,
      `input_model=${lgbModel}`,
      `output_result=${recoPred}`,
      'predict_raw_score=true',
    ]),
    quiet,
  );
  assert.equal(readFileSync(recoPred, 'utf8'), readFileSync(lgbPred, 'utf8'));
});

test('LIGHTGBM_BIN backend: trains in the LightGBM program and loads its model back', {
  skip: noLightgbm,
}, () => {
  const data = readDataFile(fx('binary.test'));
  const { train: params } = parseParams(['objective=binary', 'num_trees=8', 'num_leaves=7', 'verbosity=-1']);
  const m = trainWithLightgbm(params, data, [], { bin: lightgbm! });
  assert.equal(m.trees.length, 8);
  assert.equal(m.objective, 'binary sigmoid:1');
  assert.equal(m.maxFeatureIdx, data.numFeatures - 1);
  // The model separates the classes on its training data.
  const raw = new GbdtPredictor(m).predictRaw(data.values, data.numRows);
  let pos = 0;
  let neg = 0;
  let np = 0;
  let nn = 0;
  for (let r = 0; r < data.numRows; r++)
    if (data.labels[r] === 1) {
      pos += raw[r]!;
      np++;
    } else {
      neg += raw[r]!;
      nn++;
    }
  assert.ok(pos / np > neg / nn);
});

test('LightGBM-trained models of other kinds predict identically in reco (raw, transformed, contrib)', {
  skip: noLightgbm,
}, () => {
  // binary.test with NaNs and zeros mixed in, and a 3-class label.
  const rows = readFileSync(fx('binary.test'), 'utf8').trim().split('\n');
  const data = join(dir, 'kinds.tsv');
  writeFileSync(
    data,
    `${rows
      .map((l, i) => {
        const c = l.split('\t');
        c[0] = String((Number(c[0]) + (Number(c[1]) > 1 ? 1 : 0)) % 3);
        if (i % 4 === 0) c[3] = 'nan';
        if (i % 3 === 0) c[5] = '0';
        return c.join('\t');
      })
      .join('\n')}\n`,
  );
  const kinds: Array<[string, string[]]> = [
    ['multiclass', ['objective=multiclass', 'num_class=3']],
    ['regression-zero-missing', ['objective=regression', 'zero_as_missing=true']],
    ['regression-no-missing', ['objective=regression', 'use_missing=false']],
  ];
  for (const [name, extra] of kinds) {
    const model = join(dir, `${name}.txt`);
    lgb([
      'task=train',
      `data=${data}`,
      'num_trees=8',
      'num_leaves=15',
      'min_data_in_leaf=10',
      `output_model=${model}`,
      'verbosity=-1',
      ...extra,
    ]);
    for (const mode of ['predict_raw_score=true', 'predict_contrib=true', 'predict_raw_score=false']) {
      const lgbOut = join(dir, `${name}.lgb.out`);
      const recoOut = join(dir, `${name}.reco.out`);
      lgb(['task=predict', `data=${data}`, `input_model=${model}`, `output_result=${lgbOut}`, mode]);
      runPredict(
        parseParams([
          'task=predict',
          `data=${data}`,
          `input_model=${model}`,
          `output_result=${recoOut}`,
          mode,
        ]),
        quiet,
      );
      const a = readFileSync(recoOut, 'utf8').trim().split('\n');
      const b = readFileSync(lgbOut, 'utf8').trim().split('\n');
      assert.equal(a.length, b.length);
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) {
        const x = a[i]!.split('\t').map(Number);
        const y = b[i]!.split('\t').map(Number);
        assert.equal(x.length, y.length);
        for (let j = 0; j < x.length; j++) maxDiff = Math.max(maxDiff, Math.abs(x[j]! - y[j]!));
      }
      // Raw scores and contributions are exact; transformed outputs differ only by exp's last bits.
      assert.ok(
        maxDiff <= (mode === 'predict_raw_score=false' ? 1e-15 : 1e-12),
        `${name} ${mode}: ${maxDiff}`,
      );
      if (mode === 'predict_raw_score=true') assert.equal(maxDiff, 0, `${name} raw scores`);
    }
  }
});

test('ml100k-cat (shared): contributions equal LightGBM predict_contrib on categorical splits', {
  skip: sharedSkip || noLightgbm,
}, () => {
  requireSharedFixtures();
  const rows = readFileSync(resolve(sharedFixtureDir, 'ml100k-cat.test.tsv'), 'utf8')
    .split('\n')
    .slice(0, 301);
  const data = join(dir, 'ml300.tsv');
  writeFileSync(data, `${rows.join('\n')}\n`);
  const model = resolve(sharedFixtureDir, 'ml100k-cat.model.txt');
  const lgbOut = join(dir, 'ml300.lgb.contrib');
  const recoOut = join(dir, 'ml300.reco.contrib');
  lgb([
    'task=predict',
    `data=${data}`,
    'header=true',
    `input_model=${model}`,
    `output_result=${lgbOut}`,
    'predict_contrib=true',
  ]);
  runPredict(
    parseParams([
      'task=predict',
      `data=${data}`,
      'header=true',
      `input_model=${model}`,
      `output_result=${recoOut}`,
      'predict_contrib=true',
    ]),
    quiet,
  );
  assert.equal(readFileSync(recoOut, 'utf8'), readFileSync(lgbOut, 'utf8'));
});
