import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventsByUser, type SplitOptions } from '../../src/data/splits.js';
import { evaluate, genreVectors, oracleTimes } from '../../src/evaluation/evaluate.js';
import type { UserProfile } from '../../src/recommenders/recommender.js';
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

test('evaluate serves each user as of his own last train event under a per-user temporal split, at now otherwise', async () => {
  // user a: events at 10, 20, 30, 40, 50 (latest 20% = the one at 50 held out); user b: 100, 200, 300, 400, 500
  const users = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
  const items = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4];
  const times = [10, 20, 30, 40, 50, 100, 200, 300, 400, 500];
  const order = times.map((_, e) => e).sort((x, y) => times[x]! - times[y]!);
  const log: EventLog = {
    userIds: ['a', 'b'],
    itemIds: ['i0', 'i1', 'i2', 'i3', 'i4'],
    typeNames: ['view'],
    user: Int32Array.from(order, (e) => users[e]!),
    item: Int32Array.from(order, (e) => items[e]!),
    type: new Uint8Array(times.length),
    value: new Float32Array(times.length).fill(1),
    timestamp: Float64Array.from(order, (e) => times[e]!),
    length: times.length,
  };
  const seen = new Map<number, number | undefined>();
  const create = () => ({
    name: 'popularity' as const,
    fit: () => {},
    recommend: (p: UserProfile) => {
      seen.set(p.user!, p.at);
      return { items: new Int32Array(0), scores: new Float32Array(0) };
    },
    scoreAll: () => new Float32Array(5),
    save: () => {
      throw new Error('unused');
    },
  });
  const run = (split: SplitOptions) =>
    evaluate(log, [], { split, k: 2, models: ['popularity'], create, auc: false });
  await run({ kind: 'temporal', ratio: 0.8 });
  assert.deepEqual([...seen.entries()].sort(), [
    [0, 41],
    [1, 401],
  ]);
  seen.clear();
  await run({ kind: 'leave-last', n: 2 });
  assert.deepEqual([...seen.entries()].sort(), [
    [0, 31],
    [1, 301],
  ]);
  seen.clear();
  await run({ kind: 'global', ratio: 0.5 });
  assert.ok([...seen.values()].every((at) => at === undefined));
  seen.clear();
  await run({ kind: 'random', ratio: 0.6, seed: 1 });
  assert.ok(seen.size > 0 && [...seen.values()].every((at) => at === undefined));
});
