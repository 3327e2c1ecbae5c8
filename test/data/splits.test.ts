import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestSet, splitLog, subsetLog, trainCount } from '../../src/data/splits.js';
import type { EventLog } from '../../src/types.js';

const TYPES = ['view', 'click', 'like', 'dislike', 'rating', 'purchase'];

/** A log from [user, item, time, type?, value?] rows, sorted by time as the store gives it. */
function makeLog(
  nUsers: number,
  nItems: number,
  rows: [number, number, number, string?, number?][],
): EventLog {
  const sorted = rows.slice().sort((a, b) => a[2] - b[2]);
  return {
    userIds: Array.from({ length: nUsers }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: nItems }, (_, i) => `i${i}`),
    typeNames: TYPES,
    user: Int32Array.from(sorted.map((r) => r[0])),
    item: Int32Array.from(sorted.map((r) => r[1])),
    type: Uint8Array.from(sorted.map((r) => TYPES.indexOf(r[3] ?? 'rating'))),
    value: Float32Array.from(sorted.map((r) => r[4] ?? 4)),
    timestamp: Float64Array.from(sorted.map((r) => r[2])),
    length: sorted.length,
  };
}

/** user u has 4 * (u + 1) events on distinct items, times interleaved across users. */
function ladder(): EventLog {
  const rows: [number, number, number][] = [];
  for (let u = 0; u < 5; u++)
    for (let j = 0; j < 4 * (u + 1); j++) rows.push([u, (j * 7 + u) % 40, j * 10 + u]);
  return makeLog(5, 40, rows);
}

const perUser = (log: EventLog) => {
  const n = new Array(log.userIds.length).fill(0);
  for (let e = 0; e < log.length; e++) n[log.user[e]!]++;
  return n;
};

test('train count: round(ratio * m), at least one train unit from two up', () => {
  assert.equal(trainCount(8, 0.75), 6);
  assert.equal(trainCount(4, 0.8), 3); // 3.2 -> 3
  assert.equal(trainCount(10, 0.8), 8);
  assert.equal(trainCount(2, 0.1), 1);
  assert.equal(trainCount(1, 0.75), 1);
});

test('random per-user split: sizes, partition, seeded determinism, no pair on both sides', () => {
  const log = ladder();
  const a = splitLog(log, { kind: 'random', ratio: 0.75, seed: 42 });
  assert.deepEqual(perUser(a.train), [3, 6, 9, 12, 15]);
  assert.deepEqual(perUser(a.test), [1, 2, 3, 4, 5]);
  assert.equal(a.train.length + a.test.length, log.length);
  const b = splitLog(log, { kind: 'random', ratio: 0.75, seed: 42 });
  assert.deepEqual(a.isTest, b.isTest);
  const c = splitLog(log, { kind: 'random', ratio: 0.75, seed: 7 });
  assert.notDeepEqual(a.isTest, c.isTest);
  // every side stays in time order
  for (const side of [a.train, a.test])
    for (let e = 1; e < side.length; e++) assert.ok(side.timestamp[e]! >= side.timestamp[e - 1]!);
});

test('random split keeps all of a user’s events on one item on the same side', () => {
  const rows: [number, number, number, string?, number?][] = [];
  for (let i = 0; i < 8; i++) {
    rows.push([0, i, i * 3, 'view', 1]);
    rows.push([0, i, i * 3 + 1, 'rating', 5]);
  }
  const log = makeLog(1, 8, rows);
  for (const seed of [1, 2, 3]) {
    const s = splitLog(log, { kind: 'random', ratio: 0.75, seed });
    const trainItems = new Set(Array.from(s.train.item));
    const testItems = new Set(Array.from(s.test.item));
    assert.equal(trainItems.size, 6);
    assert.equal(testItems.size, 2);
    for (const i of testItems) assert.ok(!trainItems.has(i));
    assert.equal(s.test.length, 4);
  }
});

test('temporal per-user split holds out each user’s latest 20%', () => {
  const log = ladder();
  const s = splitLog(log, { kind: 'temporal', ratio: 0.8 });
  // m = 4, 8, 12, 16, 20 -> test m - round(0.8 m) = 1, 2, 2, 3, 4
  assert.deepEqual(perUser(s.test), [1, 2, 2, 3, 4]);
  for (let u = 0; u < 5; u++) {
    let lastTrain = -Infinity;
    let firstTest = Infinity;
    for (let e = 0; e < s.train.length; e++)
      if (s.train.user[e] === u) lastTrain = Math.max(lastTrain, s.train.timestamp[e]!);
    for (let e = 0; e < s.test.length; e++)
      if (s.test.user[e] === u) firstTest = Math.min(firstTest, s.test.timestamp[e]!);
    assert.ok(lastTrain < firstTest, `user ${u}: train ends ${lastTrain}, test starts ${firstTest}`);
  }
});

test('leave-last-n takes the n latest events of users with more than n', () => {
  const log = makeLog(3, 10, [
    [0, 0, 1],
    [0, 1, 5],
    [0, 2, 3],
    [1, 3, 2],
    [2, 4, 4],
    [2, 5, 6],
  ]);
  const s = splitLog(log, { kind: 'leave-last', n: 1 });
  assert.deepEqual(
    Array.from(s.test.item).sort((a, b) => a - b),
    [1, 5],
  ); // user 0's latest is item 1 (t=5); user 1 has a single event and keeps it
  const s2 = splitLog(log, { kind: 'leave-last', n: 2 });
  assert.deepEqual(Array.from(s2.test.item), [2, 1]); // only user 0 has more than 2
});

test('global temporal cut: by quantile and by date', () => {
  const rows: [number, number, number][] = [];
  for (let t = 0; t < 100; t++) rows.push([t % 4, t % 9, 1000 + t]);
  const log = makeLog(4, 9, rows);
  const q = splitLog(log, { kind: 'global', ratio: 0.8 });
  assert.equal(q.cut, 1080);
  assert.equal(q.train.length, 80);
  assert.equal(q.test.length, 20);
  assert.ok(Math.max(...q.train.timestamp) < 1080 && Math.min(...q.test.timestamp) >= 1080);
  const d = splitLog(log, { kind: 'global', cut: 1050 });
  assert.equal(d.train.length, 50);
});

test('bad split parameters are usage errors naming the option', () => {
  assert.throws(() => splitLog(ladder(), { kind: 'random', ratio: 1.5 }), /--ratio/);
  assert.throws(() => splitLog(ladder(), { kind: 'leave-last', n: 0 }), /--n/);
});

test('test set: positive unseen test items, graded by rating; cold users counted apart', () => {
  const log = makeLog(3, 6, [
    [0, 0, 1, 'rating', 4],
    [0, 1, 2, 'click', 1],
    [0, 2, 10, 'rating', 2], // test, relevant grade 2
    [0, 0, 11, 'rating', 5], // test but already in train: not relevant
    [0, 3, 12, 'dislike', 1], // test, weight 0: not relevant
    [0, 4, 13, 'click', 1], // test, grade = click weight 2
    [0, 4, 14, 'rating', 3], // same item, larger grade wins
    [1, 1, 3, 'rating', 1],
    [1, 5, 15, 'rating', 1], // any rating is relevant
    [2, 5, 16, 'view', 1], // user 2 has no train events: cold
  ]);
  const isTest = Uint8Array.from(Array.from(log.timestamp, (t) => (t >= 10 ? 1 : 0)));
  const ts = buildTestSet({
    kind: 'global',
    description: '',
    isTest,
    train: subsetLog(log, isTest, 0),
    test: subsetLog(log, isTest, 1),
  });
  assert.deepEqual(Array.from(ts.users), [0, 1]);
  assert.equal(ts.coldUsers, 1);
  const row = (u: number) => {
    const r = ts.relevant;
    return [
      Array.from(r.indices.subarray(r.indptr[u], r.indptr[u + 1])),
      Array.from(r.values.subarray(r.indptr[u], r.indptr[u + 1])),
    ];
  };
  assert.deepEqual(row(0), [
    [2, 4],
    [2, 3],
  ]);
  assert.deepEqual(row(1), [[5], [1]]);
  assert.equal(ts.firstTestTime[0], 10);
  assert.equal(ts.firstTestTime[1], 15);
  assert.equal(ts.firstTestTime[2], 16, 'a cold user still has his cutoff');
});
