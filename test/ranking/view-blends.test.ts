import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GbdtModel } from '../../src/ranking/gbdt/model.js';
import { NET_Z } from '../../src/ranking/safety-net.js';
import type { NetGroup } from '../../src/ranking/training-set.js';
import { chooseViewBlends } from '../../src/ranking/view-blends.js';
import type { TrainedView } from '../../src/ranking/view-training.js';

/** One tree on feature 0: raw -2 at or below 0.5, +2 above. */
function stepModel(): GbdtModel {
  return {
    objective: 'binary sigmoid:1',
    numClass: 1,
    numTreePerIteration: 1,
    labelIndex: 0,
    maxFeatureIdx: 0,
    featureNames: ['f0'],
    featureInfos: ['[0:1]'],
    trees: [
      {
        numLeaves: 2,
        numCat: 0,
        splitFeature: Int32Array.of(0),
        splitGain: Float64Array.of(1),
        threshold: Float64Array.of(0.5),
        decisionType: Uint8Array.of(0),
        leftChild: Int32Array.of(-1),
        rightChild: Int32Array.of(-2),
        internalValue: Float64Array.of(0),
        internalWeight: Float64Array.of(0),
        internalCount: Int32Array.of(2),
        leafValue: Float64Array.of(-2, 2),
        leafWeight: Float64Array.of(1, 1),
        leafCount: Int32Array.of(1, 1),
        catBoundaries: new Int32Array(0),
        catThreshold: new Uint32Array(0),
        shrinkage: 1,
      },
    ],
  };
}

/**
 * Held-out users with two candidates each: item 0, the source's first (z +1, trees -2), and item 1, the
 * trees' first (z -1, trees +2). Users with q % 5 < 3 took item 1 (the trees are right for 60% of them),
 * the others item 0. A view blended at b > 2 orders by the source, below 2 by the trees.
 */
function heldOut(users: number): NetGroup[] {
  return Array.from({ length: users }, (_, q) => {
    const treesRight = q % 5 < 3;
    return {
      u: q,
      n: 2,
      items: Int32Array.of(2 * q, 2 * q + 1),
      values: Float64Array.of(0, 1),
      zFirst: Float64Array.of(1, -1),
      scores: Float32Array.of(1, 0),
      labels: treesRight ? Uint8Array.of(0, 1) : Uint8Array.of(1, 0),
      relevant: 1,
    };
  });
}

const views = (blend: number): TrainedView[] => [
  { label: 'next', model: stepModel(), blend },
  { label: 'missing', model: stepModel(), blend },
];

test("view blends: a pair better than the views' own weights by more than NET_Z standard errors replaces them", () => {
  const groups = heldOut(400);
  const { views: chosen, choice } = chooseViewBlends([groups, groups], views(5), 1, true);
  assert.ok(choice);
  // own weights (5, 5) order by the source: gap 0; the trees' order: +0.074 over 400 users, about 3.9 se
  assert.ok(Math.abs(choice.ownGap) < 1e-12, JSON.stringify(choice));
  assert.ok(choice.bestZ! > NET_Z, JSON.stringify(choice));
  assert.ok(choice.worstGap > 0.07, JSON.stringify(choice));
  assert.equal(choice.worstGap, choice.bestGap);
  // the first pair in grid order that orders by the trees
  assert.deepEqual(choice.blends, [0, 0]);
  assert.deepEqual(
    chosen.map((v) => v.blend),
    [0, 0],
  );
});

test("view blends: the same advantage on 10 held-out users is not sure enough, and the views' own weights stay", () => {
  const groups = heldOut(10);
  const { views: chosen, choice } = chooseViewBlends([groups, groups], views(5), 1, true);
  assert.ok(choice);
  // the best pair is ahead by the same +0.074, but at about 0.6 se
  assert.ok(choice.bestGap! > 0.07, JSON.stringify(choice));
  assert.ok(choice.bestZ! > 0 && choice.bestZ! < NET_Z, JSON.stringify(choice));
  assert.deepEqual(choice.blends, [5, 5]);
  assert.equal(choice.worstGap, choice.ownGap);
  assert.deepEqual(
    chosen.map((v) => v.blend),
    [5, 5],
  );
});

test('view blends: own weights that are already the best pair are kept, with no comparison to make', () => {
  const groups = heldOut(400);
  const { choice } = chooseViewBlends([groups, groups], views(0), 1, true);
  assert.ok(choice);
  assert.deepEqual(choice.blends, [0, 0]);
  assert.equal(choice.bestZ, undefined);
  assert.equal(choice.worstGap, choice.ownGap);
});
