import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interactionWeights } from '../../src/data/interactions.js';
import {
  compareStats,
  computeStats,
  formatComparison,
  formatStats,
  gini,
  quantiles,
} from '../../src/data/stats.js';
import { openStore } from '../../src/store/open.js';
import { type Ev, makeLog } from '../recommenders/helpers.js';

async function tinyStore() {
  const store = await openStore(':memory:');
  await store.upsertUsers([{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }]);
  await store.upsertItems([
    { id: 'a', genres: ['Drama', 'Comedy'] },
    { id: 'b', genres: ['Drama'] },
    { id: 'c', genres: [] },
    { id: 'd', genres: ['Drama', 'Comedy', 'War'] },
  ]);
  await store.insertEvents([
    { user: 'u1', item: 'a', type: 'rating', value: 5, timestamp: 1000 },
    { user: 'u1', item: 'b', type: 'rating', value: 4, timestamp: 2000 },
    { user: 'u1', item: 'c', type: 'rating', value: 4, timestamp: 3000 },
    { user: 'u2', item: 'a', type: 'rating', value: 1, timestamp: 4000 },
    { user: 'u2', item: 'a', type: 'click', timestamp: 5000 },
    { user: 'u3', item: 'a', type: 'view', timestamp: 6000 },
  ]);
  return store;
}

test('stats of a tiny hand-made store (values worked out by hand)', async () => {
  const store = await tinyStore();
  const s = computeStats(await store.loadEventLog(), await store.listItems());
  await store.close();
  assert.equal(s.users, 3);
  assert.equal(s.items, 4);
  assert.equal(s.events, 6);
  assert.equal(s.density, 0.5); // 6 / (3 * 4)
  assert.equal(s.activeItems, 3);
  // item counts a=4, b=1, c=1, d=0 -> sorted [0,1,1,4]: (-3*0 - 1*1 + 1*1 + 3*4) / (4 * 6) = 0.5
  assert.ok(Math.abs(s.itemGini - 0.5) < 1e-12);
  // type-7 quantiles of [0,1,1,4]
  const q = s.eventsPerItem;
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  close(q.p10, 0.3);
  close(q.p25, 0.75);
  close(q.p50, 1);
  close(q.p75, 1.75);
  close(q.p90, 3.1);
  close(q.p99, 3.91);
  close(q.max, 4);
  // user counts [1,2,3]
  close(s.eventsPerUser.p10, 1.2);
  close(s.eventsPerUser.p50, 2);
  close(s.eventsPerUser.max, 3);
  assert.deepEqual(s.ratingHistogram, [0.25, 0, 0, 0.5, 0.25]);
  assert.equal(s.meanRating, 3.5);
  assert.equal(s.genresPerItemMean, 1.5);
  assert.deepEqual(s.genresPerItemHistogram, [0.25, 0.25, 0.25, 0.25]);
  assert.deepEqual(s.eventTypes.map((t) => [t.name, t.events, t.rule.value]).sort(), [
    ['click', 1, 'log'],
    ['rating', 4, 'binary'],
    ['view', 1, 'log'],
  ]);
  assert.ok(s.eventTypes.every((t) => t.warning === undefined));
});

test('gini and quantiles: edge cases', () => {
  assert.equal(gini([3, 3, 3]), 0);
  assert.equal(gini([]), 0);
  assert.ok(Math.abs(gini([0, 0, 0, 10]) - 0.75) < 1e-12); // (3 * 10) / (4 * 10)
  assert.equal(quantiles([7]).p10, 7);
  assert.equal(quantiles([]).max, 0);
});

test('compare: relative differences and the within flag', async () => {
  const store = await tinyStore();
  const a = computeStats(await store.loadEventLog(), await store.listItems());
  await store.close();
  const b = { ...a, users: 4, events: 5, itemGini: 0.5 };
  const rows = compareStats(a, b, 0.1);
  const byName = new Map(rows.map((r) => [r.name, r]));
  assert.equal(byName.get('users')!.relDiff, -0.25); // (3 - 4) / 4
  assert.equal(byName.get('users')!.within, false);
  assert.equal(byName.get('events')!.relDiff, 0.2); // (6 - 5) / 5
  assert.equal(byName.get('item popularity gini')!.within, true);
  assert.match(formatComparison(rows, ['a', 'b']), /within 10%/);
});

test('heavy-tailed values weighing raw get a warning naming the type and the fix; the log rule does not', () => {
  const plays = Array.from(
    { length: 200 },
    (_, k) => [k % 20, k % 7, 'scrobble', k === 0 ? 352698 : 1 + (k % 9), k] as Ev,
  );
  const log = makeLog(plays, 20, 7);
  const s = computeStats(log, []);
  const t = s.eventTypes.find((x) => x.name === 'scrobble')!;
  assert.equal(t.value.max, 352698);
  assert.match(t.warning ?? '', /scrobble.*reco types set scrobble --value log/);
  assert.match(formatStats(s), /warning: event type 'scrobble'/);
  const logRule = computeStats(log, [], interactionWeights([['scrobble', { weight: 1, value: 'log' }]]));
  assert.equal(logRule.eventTypes[0]!.warning, undefined);
});
