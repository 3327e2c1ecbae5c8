import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrGet } from '../../src/core/csr.js';
import {
  buildInteractions,
  eventWeight,
  eventWeights,
  interactionWeights,
  MAX_EVENT_WEIGHT,
  weightsFromJson,
  weightsToJson,
} from '../../src/data/interactions.js';
import { EaseRecommender } from '../../src/recommenders/ease.js';
import type { EventLog } from '../../src/types.js';
import { makeLog } from '../recommenders/helpers.js';

const log = makeLog(
  [
    [0, 0, 'view', 3, 1],
    [0, 0, 'like', 1, 2],
    [0, 1, 'rating', 2, 3],
    [1, 1, 'dislike', 1, 4],
    [1, 2, 'custom', 1, 5],
    [1, 2, 'play', 1023, 6],
  ],
  2,
  3,
);

test('event weights by rule: log counts, binary ratings, negative dislikes, the fallback for others', () => {
  // view 3: 1 x log2(4) = 2; like 4; rating binary 1; dislike -4; custom: fallback 1 x 1; play 1023: log2(1024)
  assert.deepEqual([...eventWeights(log, interactionWeights())], [2, 4, 1, -4, 1, 10]);
  const value = interactionWeights([['rating', { weight: 1, value: 'count' }]]);
  assert.deepEqual([...eventWeights(log, value)].slice(2, 3), [2]);
  const centered = interactionWeights([['rating', { weight: 1, value: 'centered', center: 3 }]]);
  assert.deepEqual([...eventWeights(log, centered)].slice(2, 3), [-1]);
  const X = buildInteractions(log, interactionWeights([['view', { weight: 0.5, value: 'count' }]]));
  assert.equal(csrGet(X, 0, 0), 1.5 + 4);
  assert.equal(csrGet(X, 1, 1), -4);
  const masked = buildInteractions(log, interactionWeights(), {
    mask: Uint8Array.of(1, 0, 1, 1, 1, 1),
    until: 5,
  });
  assert.equal(csrGet(masked, 0, 0), 2);
  assert.equal(csrGet(masked, 1, 2), 0); // custom at 5 and play at 6 are not before 5
});

test('a negative value under the log rule counts against, symmetrically', () => {
  const w = interactionWeights();
  assert.equal(eventWeight(w, 'play', -3), -2);
  assert.equal(eventWeight(w, 'play', 0), 0);
});

test('rules are checked, naming the event type', () => {
  assert.throws(
    () => interactionWeights([['like', { weight: Number.NaN, value: 'count' }]]),
    /'like'.*weight/,
  );
  assert.throws(() => interactionWeights([['x', { weight: 1, value: 'stars' as never }]]), /'x'.*value rule/);
  assert.throws(() => interactionWeights([['x', { weight: 1, value: 'centered' }]]), /'x'.*centre/);
});

test('type names like Object.prototype properties are ordinary types', () => {
  const w = interactionWeights();
  for (const name of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty'])
    assert.equal(eventWeight(w, name, 2), 2, name);
});

test('weights round-trip through JSON; bundles of the older form still read', () => {
  const w = interactionWeights([['__proto__', { weight: 3, value: 'log' }]]);
  const back = weightsFromJson(JSON.parse(JSON.stringify(weightsToJson(w))));
  assert.deepEqual([...back.types], [...w.types]);
  const old = weightsFromJson({
    types: { view: 1, click: 2, rating: 1, dislike: -4 },
    defaultWeight: 1,
    rating: 'centered',
    ratingCenter: 3,
  });
  assert.equal(eventWeight(old, 'rating', 2), -1);
  assert.equal(eventWeight(old, 'view', 3), 3); // the older bundles counted views as they came
  assert.equal(eventWeight(old, 'bookmark', 2), 2);
});

test('eventWeight agrees exactly with the offline weights (eventWeights over a one-event log)', () => {
  const w = interactionWeights([
    ['rating', { weight: 1, value: 'count' }],
    ['click', { weight: 0.3, value: 'log' }],
  ]);
  const cases: [string, number][] = [
    ['click', 0.1],
    ['rating', 4.7],
    ['view', 3],
    ['dislike', 1],
    ['play', 352698],
  ];
  for (const [type, value] of cases) {
    const one: EventLog = {
      userIds: ['u'],
      itemIds: ['i'],
      typeNames: [type],
      user: new Int32Array(1),
      item: new Int32Array(1),
      type: new Uint8Array(1),
      value: Float32Array.of(value),
      timestamp: Float64Array.of(0),
      length: 1,
    };
    assert.equal(eventWeight(w, type, value), eventWeights(one, w)[0], `${type} ${value}`);
  }
});

test('one event weighs at most MAX_EVENT_WEIGHT either way, so that a declared weight of 1e9 still trains', () => {
  const huge = interactionWeights([
    ['view', { weight: -1e9, value: 'centered', center: 1e-5 }],
    ['like', { weight: 1e9, value: 'count' }],
  ]);
  assert.equal(eventWeight(huge, 'view', 1), -MAX_EVENT_WEIGHT);
  assert.equal(eventWeight(huge, 'like', 1e9), MAX_EVENT_WEIGHT);
  assert.equal(eventWeight(huge, 'like', 1e-7), Math.fround(100));
  // a world of such events: EASE's Gram matrix still factors (it did not: "not positive definite")
  const events: [number, number, string, number, number][] = [];
  for (let u = 0; u < 40; u++)
    for (let k = 0; k < 12; k++)
      events.push([u, (u * 7 + k * 3) % 30, k % 3 === 0 ? 'like' : 'view', 1e9, k]);
  const wild = makeLog(events, 40, 30);
  assert.ok([...eventWeights(wild, huge)].every((w) => Math.abs(w) <= MAX_EVENT_WEIGHT));
  const ease = new EaseRecommender({});
  ease.fit({ interactions: buildInteractions(wild, huge), log: wild, items: [] });
});
