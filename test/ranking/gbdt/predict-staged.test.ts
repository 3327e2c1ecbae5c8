import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { sigmoid } from '../../../src/core/math.js';
import { readDataFile } from '../../../src/ranking/gbdt/io/data-file.js';
import { loadModelFile } from '../../../src/ranking/gbdt/io/model-text.js';
import { GbdtPredictor } from '../../../src/ranking/gbdt/predict.js';
import { type CombineRaw, StagedPredictor } from '../../../src/ranking/gbdt/predict-staged.js';
import { fixtureDir } from './fixtures.js';

const models = ['binary.model.txt', 'binary.bagging.model.txt'].map((f) =>
  loadModelFile(resolve(fixtureDir, f)),
);
const data = readDataFile(resolve(fixtureDir, 'binary.test'), { header: false, model: models[0]! });
const ROWS = 200;
const x = data.values.subarray(0, ROWS * (models[0]!.maxFeatureIdx + 1));
/** A per-row term the combination adds (as the ranker adds its blend of the first source's z-score). */
const bonus = Float64Array.from({ length: ROWS }, (_, r) => ((r * 37) % 11) / 10 - 0.5);
/** Sum over models of sigmoid(raw + weight_k * bonus of the row). */
const weights = [0.5, 2];
const combine: CombineRaw = (raw, rows, out) => {
  for (let k = 0; k < raw.length; k++)
    for (let j = 0; j < out.length; j++)
      out[j]! += sigmoid(raw[k]![j]! + weights[k]! * bonus[rows ? rows[j]! : j]!);
};

/** Every row's combined score by every tree of every model, with plain predictors. */
function everyTree(): Float64Array {
  const out = new Float64Array(ROWS);
  combine(
    models.map((m) => new GbdtPredictor(m).predictRaw(x, ROWS)),
    undefined,
    out,
  );
  return out;
}

test('staged predictor: the kept rows score exactly as by every tree, the best by the head trees; the others below them in their head order', () => {
  const full = everyTree();
  const staged = new StagedPredictor(models, 4);
  assert.ok(staged.staged);
  const keep = 20;
  const got = Float64Array.from(staged.predict(x, ROWS, keep, combine));
  // the head score: the first 4 trees of each model
  const head = new Float64Array(ROWS);
  combine(
    models.map((m) => new GbdtPredictor(m, { numIteration: 4 }).predictRaw(x, ROWS)),
    undefined,
    head,
  );
  const byHead = Array.from(head.keys()).sort((a, b) => head[b]! - head[a]! || a - b);
  const kept = new Set(byHead.slice(0, keep));
  let lowestKept = Number.POSITIVE_INFINITY;
  for (const r of kept) {
    assert.ok(Object.is(got[r], full[r]), `row ${r}: ${got[r]} vs every tree ${full[r]}`);
    lowestKept = Math.min(lowestKept, got[r]!);
  }
  const rest = byHead.slice(keep);
  for (let k = 0; k < rest.length; k++) {
    assert.ok(got[rest[k]!]! < lowestKept, `row ${rest[k]} above the kept rows`);
    if (k > 0) assert.ok(got[rest[k]!]! <= got[rest[k - 1]!]!, 'the others keep their head order');
  }
  // a second call (buffers reused) gives the same; fewer rows than keep, or no head: every tree
  assert.deepEqual(Array.from(staged.predict(x, ROWS, keep, combine)), Array.from(got));
  assert.deepEqual(Array.from(staged.predict(x, ROWS, ROWS, combine)), Array.from(full));
  const plain = new StagedPredictor(models, 0);
  assert.equal(plain.staged, false);
  assert.deepEqual(Array.from(plain.predict(x, ROWS, keep, combine)), Array.from(full));
});
