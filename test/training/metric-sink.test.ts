import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { train } from '../../src/ranking/gbdt/boosting/gbdt.js';
import { readDataFile } from '../../src/ranking/gbdt/io/data-file.js';
import { modelToText } from '../../src/ranking/gbdt/io/model-text.js';
import { trainParams } from '../../src/ranking/gbdt/params.js';
import { AlsRecommender, alsObjective } from '../../src/recommenders/als.js';
import { createRecommender } from '../../src/recommenders/index.js';
import { fitModels } from '../../src/training/fit-models.js';
import { gbdtIterationMetrics } from '../../src/training/metric-sink.js';
import { simulatedFitData } from '../helpers/world.js';
import { fixtureDir } from '../ranking/gbdt/fixtures.js';

const data = simulatedFitData({ seed: 5, users: 60, items: 40, events: 1500 });

type Point = [string, number, number];

test("ALS's reported loss is its objective (as the full sum gives it), after every sweep", () => {
  const m = new AlsRecommender({ factors: 5, iterations: 4, regularization: 2, alpha: 3, threads: 1 });
  const points: Point[] = [];
  const direct: number[] = [];
  m.fit({ ...data, metrics: (key, value, step) => points.push([key, value, step]) }, () =>
    direct.push(m.loss(data.interactions)),
  );
  assert.deepEqual(
    points.map(([key, , step]) => [key, step]),
    [1, 2, 3, 4].map((s) => ['loss', s]),
  );
  for (let t = 0; t < 4; t++) {
    const rel = Math.abs(points[t]![1] - direct[t]!) / direct[t]!;
    assert.ok(rel < 1e-9, `sweep ${t + 1}: ${points[t]![1]} against ${direct[t]}`);
  }
  // the formula itself on arbitrary factors, negative weights included
  const k = 3;
  const X = Float32Array.from({ length: data.interactions.rows * k }, (_, i) => Math.sin(i) * 0.3);
  const Y = Float32Array.from({ length: data.interactions.cols * k }, (_, i) => Math.cos(i) * 0.2);
  const C = { ...data.interactions, values: data.interactions.values.map((v, i) => (i % 7 === 0 ? -v : v)) };
  const ref = new AlsRecommender({ factors: k, regularization: 0.5, alpha: 1.5 });
  (ref as unknown as { X: Float32Array; Y: Float32Array }).X = X;
  (ref as unknown as { X: Float32Array; Y: Float32Array }).Y = Y;
  const want = ref.loss(C);
  assert.ok(Math.abs(alsObjective(C, X, Y, k, 1.5, 0.5) - want) / want < 1e-9);
});

test('fitModels names each curve after its model, and reporting changes no factor', async () => {
  const points: Point[] = [];
  const params = { als: { factors: 4, iterations: 3, threads: 1 } };
  const tracked = await fitModels(
    { ...data, metrics: (key, value, step) => points.push([key, value, step]) },
    ['popularity', 'als'],
    { create: createRecommender, params },
  );
  const plain = await fitModels(data, ['als'], { create: createRecommender, params });
  assert.deepEqual(
    points.map(([key, , step]) => `${key}@${step}`),
    ['als.loss@1', 'als.loss@2', 'als.loss@3'],
  );
  const a = (tracked.get('als') as AlsRecommender).itemFactors();
  const b = (plain.get('als') as AlsRecommender).itemFactors();
  assert.deepEqual(Array.from(a), Array.from(b));
});

test("gbdtIterationMetrics reports each tree's validation and training metrics; the trees do not change", () => {
  const tr = readDataFile(resolve(fixtureDir, 'binary.train'));
  const te = readDataFile(resolve(fixtureDir, 'binary.test'), { numFeatures: tr.numFeatures });
  const p = trainParams({
    objective: 'binary',
    numIterations: 5,
    numLeaves: 7,
    metric: ['auc', 'binary_logloss'],
    isProvideTrainingMetric: true,
    verbosity: -1,
  });
  const points: Point[] = [];
  const withSink = train(p, tr, [{ name: 'valid', data: te }], {
    onIteration: gbdtIterationMetrics((key, value, step) => points.push([key, value, step])),
  });
  const without = train(p, tr, [{ name: 'valid', data: te }], {
    onIteration: gbdtIterationMetrics(undefined),
  });
  assert.equal(modelToText(withSink), modelToText(without));
  const keys = [...new Set(points.map(([key]) => key))].sort();
  assert.deepEqual(keys, ['training.auc', 'training.binary_logloss', 'valid.auc', 'valid.binary_logloss']);
  const validAuc = points.filter(([key]) => key === 'valid.auc');
  assert.deepEqual(
    validAuc.map(([, , step]) => step),
    [1, 2, 3, 4, 5],
  );
  assert.ok(validAuc.every(([, v]) => v > 0.5 && v <= 1));
  const logloss = points.filter(([key]) => key === 'training.binary_logloss').map(([, v]) => v);
  assert.ok(logloss[4]! < logloss[0]!, 'the training loss falls tree by tree');
});
