import assert from 'node:assert/strict';
import { test } from 'node:test';
import { genreVectors, oracleTimes } from '../../src/evaluation/evaluate.js';
import { eventsByUser } from '../../src/evaluation/splits.js';
import type { EventLog } from '../../src/types.js';

test('oracle times: up to n of a user’s test times at evenly spaced quantiles', () => {
  const times = [10, 20, 30, 40, 50, 60, 70, 80, 5, 6];
  const users = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
  const log: EventLog = {
    userIds: ['a', 'b', 'c'],
    itemIds: ['x'],
    typeNames: ['view'],
    user: Int32Array.from(users),
    item: new Int32Array(times.length),
    type: new Uint8Array(times.length),
    value: new Float32Array(times.length).fill(1),
    timestamp: Float64Array.from(times),
    length: times.length,
  };
  const byUser = eventsByUser(log);
  // 8 events, 4 picks: positions floor((j + 0.5) * 8 / 4) = 1, 3, 5, 7
  assert.deepEqual(Array.from(oracleTimes(log, byUser, 0, 4)), [20, 40, 60, 80]);
  assert.deepEqual(Array.from(oracleTimes(log, byUser, 1, 4)), [5, 6]);
  assert.equal(oracleTimes(log, byUser, 2, 4).length, 0);
});

test('genre vectors: one 0/1 row per item, none when most items lack genres', () => {
  const v = genreVectors([{ id: 'a', genres: ['x', 'y'] }, { id: 'b', genres: ['y'] }, { id: 'c' }], 3)!;
  assert.deepEqual(Array.from(v.indptr), [0, 2, 3, 3]);
  assert.deepEqual(Array.from(v.indices), [0, 1, 1]);
  assert.equal(v.cols, 2);
  assert.equal(genreVectors([{ id: 'a', genres: ['x'] }, { id: 'b' }, { id: 'c' }], 3), undefined);
});
