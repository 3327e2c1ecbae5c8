import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auc, binaryLogloss, l2, mapAtK, NdcgMetric } from '../../../src/ranking/gbdt/metric/metrics.js';
import { BinaryObjective } from '../../../src/ranking/gbdt/objective/binary.js';
import { LambdarankObjective } from '../../../src/ranking/gbdt/objective/lambdarank.js';
import { RegressionObjective } from '../../../src/ranking/gbdt/objective/regression.js';
import { defaultLabelGain } from '../../../src/ranking/gbdt/params.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('AUC counts tied scores as half', () => {
  // positives 0.9, 0.8; negatives 0.8, 0.1: 1 + 1 + 0.5 + 1 of 4 pairs
  close(auc(Float32Array.from([1, 0, 1, 0]), Float64Array.from([0.9, 0.8, 0.8, 0.1])), 0.875);
  // one class only: 1
  assert.equal(auc(Float32Array.from([1, 1]), Float64Array.from([0.2, 0.1])), 1);
});

test('AUC is the share of (positive, negative) pairs ordered, ties half, on many tied rows', () => {
  // 400 rows, scores on 21 levels (many ties), about 30% positives: against the count of every pair
  let seed = 7;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const n = 400;
  const labels = new Float32Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = next() < 0.3 ? 1 : 0;
    score[i] = Math.round((next() + 0.4 * labels[i]!) * 20) / 20 - 0.5;
  }
  let pairs = 0;
  let ordered = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (labels[i]! > 0 && labels[j]! <= 0) {
        pairs++;
        ordered += score[i]! > score[j]! ? 1 : score[i] === score[j] ? 0.5 : 0;
      }
  close(auc(labels, score), ordered / pairs, 1e-15);
  // the order of the rows does not matter
  const rev = (a: Float32Array | Float64Array) => a.slice().reverse();
  close(auc(rev(labels) as Float32Array, rev(score) as Float64Array), ordered / pairs, 1e-15);
});

test('binary log loss on sigmoid(score), and L2', () => {
  // score 0: p = 0.5 for both rows
  close(binaryLogloss(Float32Array.from([1, 0]), Float64Array.from([0, 0]), 1), Math.log(2));
  // score ln 3: p = 0.75
  close(binaryLogloss(Float32Array.from([1]), Float64Array.from([Math.log(3)]), 1), -Math.log(0.75));
  close(l2(Float32Array.from([1, 3]), Float64Array.from([2, 1])), 2.5);
});

test('NDCG@k by hand; a query with no relevant document counts 1', () => {
  // query 0: labels 0, 2, 1 ranked in that order by score; query 1: all zero
  const labels = Float32Array.from([0, 2, 1, 0, 0]);
  const bounds = Int32Array.from([0, 3, 5]);
  const m = new NdcgMetric(labels, bounds, [1, 3], defaultLabelGain());
  const [n1, n3] = m.eval(Float64Array.from([3, 2, 1, 5, 4]));
  // DCG@3 = 3/log2(3) + 1/log2(4); ideal = 3 + 1/log2(3)
  const q0 = (3 / Math.log2(3) + 0.5) / (3 + 1 / Math.log2(3));
  close(n3!, (q0 + 1) / 2);
  close(n1!, (0 + 1) / 2);
});

test('MAP@k by hand', () => {
  // labels 0, 1, 1 ranked in order: hits at ranks 2 and 3 -> (1/2 + 2/3) / 2
  const r = mapAtK(
    Float32Array.from([0, 1, 1]),
    Int32Array.from([0, 3]),
    Float64Array.from([3, 2, 1]),
    [1, 3],
  );
  close(r[0]!, 0);
  close(r[1]!, (1 / 2 + 2 / 3) / 2);
});

test('binary gradients: -y/(1+exp(y s)) and |g|(1-|g|), initial score log-odds of the mean', () => {
  const o = new BinaryObjective(Float32Array.from([1, 0, 1, 1]), 1);
  const gh = new Float64Array(8);
  o.getGradients(Float64Array.from([0, 0, Math.log(3), 0]), gh);
  assert.deepEqual(Array.from(gh.subarray(0, 4)), [-0.5, 0.25, 0.5, 0.25]);
  close(gh[4]!, -0.25, 1e-7); // -1/(1+3)
  close(gh[5]!, 0.1875, 1e-7);
  close(o.boostFromScore(), Math.log(3));
  assert.equal(o.modelString, 'binary sigmoid:1');
  assert.throws(() => new BinaryObjective(Float32Array.from([2]), 1), /labels 0 or 1/);
});

test('regression gradients and the mean as initial score', () => {
  const o = new RegressionObjective(Float32Array.from([1, 3]));
  const gh = new Float64Array(4);
  o.getGradients(Float64Array.from([2, 2]), gh);
  assert.deepEqual(Array.from(gh), [1, 1, -1, 1]);
  assert.equal(o.boostFromScore(), 2);
});

test('lambdarank gradients of a two-document query by hand', () => {
  // labels 1, 0, equal scores: one pair; |dNDCG| = (1 - 0)(1/log2 2 - 1/log2 3) / maxDCG (1); sigma(0) = 0.5;
  // lambda = -0.5 |dNDCG|, hessian 0.25 |dNDCG|; normalised by log2(1 + S) / S with S = 2 |lambda|.
  const o = new LambdarankObjective(
    Float32Array.from([1, 0]),
    Int32Array.from([0, 2]),
    defaultLabelGain(),
    1,
    30,
    true,
  );
  const gh = new Float64Array(4);
  o.getGradients(Float64Array.from([0, 0]), gh);
  const d = 1 - 1 / Math.log2(3);
  const s = d;
  const nf = Math.log2(1 + s) / s;
  close(gh[0]!, -0.5 * d * nf, 1e-6);
  close(gh[2]!, 0.5 * d * nf, 1e-6);
  close(gh[1]!, 0.25 * d * nf, 1e-6);
  close(gh[3]!, 0.25 * d * nf, 1e-6);
  // the relevant document ranked first already, far ahead: smaller push, still the same sign
  o.getGradients(Float64Array.from([5, 0]), gh);
  assert.ok(gh[0]! < 0 && gh[0]! > -0.5 * d * nf);
  // a query whose documents all share a label gets nothing
  const z = new LambdarankObjective(
    Float32Array.from([2, 2]),
    Int32Array.from([0, 2]),
    defaultLabelGain(),
    1,
    30,
    true,
  );
  z.getGradients(Float64Array.from([1, 0]), gh);
  assert.deepEqual(Array.from(gh), [0, 0, 0, 0]);
});
