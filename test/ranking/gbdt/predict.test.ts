import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { readDataFile } from '../../../src/ranking/gbdt/io/data-file.js';
import { loadModelFile, parseModelText } from '../../../src/ranking/gbdt/io/model-text.js';
import { GbdtPredictor } from '../../../src/ranking/gbdt/predict.js';
import { fixtureDir, requireSharedFixtures, sharedFixtureDir, sharedSkip } from './fixtures.js';
import { TINY_MODEL, TINY_ROWS } from './tiny-model.js';

function readPred(path: string): number[] {
  return readFileSync(path, 'utf8').trim().split('\n').map(Number);
}

function checkFixture(dir: string, name: string, dataFile: string, header: boolean) {
  const model = loadModelFile(resolve(dir, `${name}.model.txt`));
  const data = readDataFile(resolve(dir, dataFile), { header, model });
  const expected = readPred(resolve(dir, `${name}.test.pred`));
  assert.equal(data.numRows, expected.length);
  const p = new GbdtPredictor(model);
  const raw = p.predictRaw(data.values, data.numRows);
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(raw[i]! - expected[i]!));
  assert.ok(maxDiff <= 1e-9, `${name}: max |reco - LightGBM| = ${maxDiff}`);
  // The single-row path gives the same numbers.
  for (let r = 0; r < data.numRows; r += 37)
    assert.equal(p.predictRawOne(data.values, r * p.numFeatures), raw[r]);
}

test('rank fixture: raw scores equal LightGBM within 1e-9 on every row', () => {
  checkFixture(fixtureDir, 'rank', 'rank.test', false);
});

test('binary fixture: raw scores equal LightGBM within 1e-9 on every row', () => {
  checkFixture(fixtureDir, 'binary', 'binary.test', false);
});

test('ml100k-cat (shared): categorical splits and NaN, within 1e-9 on every row', {
  skip: sharedSkip,
}, () => {
  requireSharedFixtures();
  checkFixture(sharedFixtureDir, 'ml100k-cat', 'ml100k-cat.test.tsv', true);
});

test('hand-worked rows: missing types, default_left, zero threshold, categorical bitsets', () => {
  const p = new GbdtPredictor(parseModelText(TINY_MODEL));
  const x = new Float64Array(TINY_ROWS.flatMap((row) => row.slice(0, 3)));
  const raw = p.predictRaw(x, TINY_ROWS.length);
  TINY_ROWS.forEach(([a, b, c, want], i) => {
    assert.ok(Math.abs(raw[i]! - want) < 1e-12, `row ${i} (${a}, ${b}, ${c}): ${raw[i]} != ${want}`);
  });
});

test('transformed output: sigmoid with the model sigmoid parameter; num_iteration limits trees', () => {
  const p = new GbdtPredictor(parseModelText(TINY_MODEL));
  const x = new Float64Array([1, 0.3, 0]);
  const raw = 1 + 0.25 + 0.002 + 0.125;
  assert.ok(Math.abs(p.predict(x, 1)[0]! - 1 / (1 + Math.exp(-2 * raw))) < 1e-15);
  const two = new GbdtPredictor(parseModelText(TINY_MODEL), { numIteration: 2 });
  assert.ok(Math.abs(two.predictRawOne(x) - 1.25) < 1e-15);
});
