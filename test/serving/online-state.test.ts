import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventWeight, eventWeights, interactionWeights } from '../../src/data/interactions.js';
import { Lru } from '../../src/serving/lru.js';

test('eventWeight weighs one event as the interaction matrix does (hand-computed)', () => {
  const w = interactionWeights();
  assert.equal(eventWeight(w, 'click', 1), 2);
  assert.equal(eventWeight(w, 'click', 3), 6);
  assert.equal(eventWeight(w, 'dislike', 1), -4);
  assert.equal(eventWeight(w, 'rating', 5), 1); // binary ratings
  assert.equal(eventWeight(w, 'bookmark', 2), 2); // unknown type: defaultWeight 1 x value
  assert.equal(eventWeight(interactionWeights({ rating: 'value' }), 'rating', 4), 4);
  assert.equal(eventWeight(interactionWeights({ rating: 'centered' }), 'rating', 2), -1);
});

test('eventWeight agrees exactly with the offline weights (eventWeights over a one-event log)', () => {
  const w = interactionWeights({ rating: 'value', types: { click: 0.3 } });
  const cases: [string, number][] = [
    ['click', 0.1],
    ['rating', 4.7],
    ['view', 3],
    ['dislike', 1],
  ];
  for (const [type, value] of cases) {
    const one = {
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

test('Lru evicts the least recently used entry and counts hits and misses', () => {
  const c = new Lru<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1); // a is now the most recent
  c.set('c', 3); // evicts b
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
  assert.equal(c.size, 2);
  assert.equal(c.hits, 3);
  assert.equal(c.misses, 1);
  const off = new Lru<string, number>(0);
  off.set('a', 1);
  assert.equal(off.get('a'), undefined);
});
