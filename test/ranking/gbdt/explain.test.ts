import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { featureImportance, ShapExplainer } from '../../../src/ranking/gbdt/explain.js';
import { readDataFile } from '../../../src/ranking/gbdt/io/data-file.js';
import { loadModelFile, parseModelText } from '../../../src/ranking/gbdt/io/model-text.js';
import { GbdtPredictor } from '../../../src/ranking/gbdt/predict.js';
import { fixtureDir, requireSharedFixtures, sharedFixtureDir, sharedSkip } from './fixtures.js';
import { TINY_MODEL } from './tiny-model.js';

test('importance on the tiny model: split counts and gains of positive-gain splits', () => {
  const m = parseModelText(TINY_MODEL);
  // Splits: tree 0 on a (gain 10) and c (5), tree 1 on b (3), tree 2 on a with gain 0 (not counted).
  assert.deepEqual([...featureImportance(m, 'split')], [1, 1, 1]);
  assert.deepEqual([...featureImportance(m, 'gain')], [10, 3, 5]);
  assert.deepEqual([...featureImportance(m, 'split', 1)], [1, 0, 1]);
});

test("split importance equals the model file's feature_importances (written by LightGBM)", () => {
  for (const name of ['rank', 'binary']) {
    const path = resolve(fixtureDir, `${name}.model.txt`);
    const text = readFileSync(path, 'utf8');
    const m = loadModelFile(path);
    const imp = featureImportance(m, 'split');
    const block = text.slice(text.indexOf('feature_importances:') + 21, text.indexOf('\nparameters:'));
    const listed = new Map(
      block
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.lastIndexOf('=')), Number(l.slice(l.lastIndexOf('=') + 1))] as const),
    );
    for (let i = 0; i < m.featureNames.length; i++) {
      const f = m.featureNames[i]!;
      assert.equal(imp[i], listed.get(f) ?? 0, `${name} ${f}`);
    }
  }
});

test('SHAP on the tiny model, worked out by hand from Shapley values over covers', () => {
  const e = new ShapExplainer(parseModelText(TINY_MODEL));
  const out = e.contrib(new Float64Array([1, 0.3, 0]), 1);
  // tree 0: E = 0.4*1 + 0.3*10 + 0.3*100 = 33.4; f({a}) = 1, f({c}) = 0.4*1 + 0.6*100 = 60.4, f({a,c}) = 1
  //   phi_a = ((1 - 33.4) + (1 - 60.4)) / 2 = -45.9, phi_c = ((60.4 - 33.4) + 0) / 2 = 13.5
  // tree 1: E = 0.7*0.25 - 0.3*0.5 = 0.025, phi_b = 0.225; tree 2: E = 0.0015, phi_a += 0.0005; tree 3: 0.125.
  const want = [-45.9 + 0.0005, 0.225, 13.5, 33.4 + 0.025 + 0.0015 + 0.125];
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(out[i]! - want[i]!) < 1e-12, `column ${i}: ${out[i]} != ${want[i]}`);
});

function readMatrix(path: string): number[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t').map(Number));
}

function checkContrib(
  dir: string,
  name: string,
  dataFile: string,
  header: boolean,
  contribFile?: string,
  maxRows = Number.POSITIVE_INFINITY,
) {
  const model = loadModelFile(resolve(dir, `${name}.model.txt`));
  const data = readDataFile(resolve(dir, dataFile), { header, model });
  const rows = Math.min(data.numRows, maxRows);
  const raw = new GbdtPredictor(model).predictRaw(data.values, rows);
  const e = new ShapExplainer(model);
  const c = e.contrib(data.values, rows);
  let maxSum = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < e.rowWidth; j++) s += c[r * e.rowWidth + j]!;
    maxSum = Math.max(maxSum, Math.abs(s - raw[r]!));
  }
  assert.ok(maxSum <= 1e-9, `${name}: contributions sum differs from the raw score by ${maxSum}`);
  if (contribFile) {
    const ref = readMatrix(contribFile);
    let maxDiff = 0;
    for (let r = 0; r < Math.min(ref.length, rows); r++) {
      const row = ref[r]!;
      assert.equal(row.length, e.rowWidth);
      for (let j = 0; j < row.length; j++)
        maxDiff = Math.max(maxDiff, Math.abs(row[j]! - c[r * e.rowWidth + j]!));
    }
    assert.ok(maxDiff <= 1e-9, `${name}: max |reco - LightGBM pred_contrib| = ${maxDiff}`);
  }
}

test("rank: contributions sum to the raw score and equal LightGBM's predict_contrib", () => {
  checkContrib(fixtureDir, 'rank', 'rank.test', false, resolve(fixtureDir, 'rank.test.contrib'));
});

test("binary: contributions sum to the raw score and equal LightGBM's predict_contrib", () => {
  checkContrib(fixtureDir, 'binary', 'binary.test', false, resolve(fixtureDir, 'binary.test.contrib'));
});

test('ml100k-cat (shared): contributions sum to the raw score (first 1000 rows)', {
  skip: sharedSkip,
}, () => {
  requireSharedFixtures();
  checkContrib(sharedFixtureDir, 'ml100k-cat', 'ml100k-cat.test.tsv', true, undefined, 1000);
});
