import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIM_EVENT_TYPES } from '../../src/simulation/generate.js';
import {
  exposureBasis,
  exposureWeights,
  interactionLogit,
  trueProbabilities,
  trueProbability,
} from '../../src/simulation/oracle.js';
import { resolveParams } from '../../src/simulation/params.js';
import { simulateWorld } from '../../src/simulation/simulate.js';
import { quotaCounts } from '../../src/simulation/world.js';

const VIEW = SIM_EVENT_TYPES.indexOf('view');
const CLICK = SIM_EVENT_TYPES.indexOf('click');
const RATING = SIM_EVENT_TYPES.indexOf('rating');

test('same seed, same world and events; another seed, other events', () => {
  const a = simulateWorld(resolveParams('tiny', { seed: 5 }));
  const b = simulateWorld(resolveParams('tiny', { seed: 5 }));
  const c = simulateWorld(resolveParams('tiny', { seed: 6 }));
  assert.deepEqual(a.events.item, b.events.item);
  assert.deepEqual(a.events.timestamp, b.events.timestamp);
  assert.deepEqual(a.events.value, b.events.value);
  assert.deepEqual(a.world.userFactors, b.world.userFactors);
  assert.notDeepEqual(a.events.item, c.events.item);
});

test('the event log: exact size, sorted by time, within the span, sensible types and values', () => {
  const params = resolveParams('tiny', { seed: 2 });
  const { world, events } = simulateWorld(params);
  assert.equal(events.length, params.events);
  let sum = 0;
  for (let u = 0; u < params.users; u++) sum += world.userActivity[u]!;
  assert.equal(sum, params.events, 'activity counts add up to the events');
  const seen = new Set<number>();
  for (let k = 0; k < events.length; k++) {
    if (k > 0) assert.ok(events.timestamp[k]! >= events.timestamp[k - 1]!);
    assert.ok(events.timestamp[k]! >= params.startMs && events.timestamp[k]! <= params.endMs);
    seen.add(events.type[k]!);
    if (events.type[k] === RATING) assert.ok([1, 2, 3, 4, 5].includes(events.value[k]!));
    assert.ok(events.timestamp[k]! >= world.itemRelease[events.item[k]!]! - 1000, 'no event before release');
  }
  assert.ok(seen.has(VIEW) && seen.has(CLICK) && seen.has(RATING), 'views, clicks and ratings all appear');
});

test('ratings-only mode: one rating per (user, item), activity minimum met, histogram at the target shares', () => {
  const params = resolveParams('movielens', {
    seed: 3,
    users: 60,
    items: 300,
    events: 3000,
    activityMax: 120,
  });
  const { events } = simulateWorld(params);
  assert.equal(events.length, 3000);
  const pairs = new Set<number>();
  const perUser = new Int32Array(params.users);
  const hist = [0, 0, 0, 0, 0];
  for (let k = 0; k < events.length; k++) {
    assert.equal(events.type[k], RATING);
    const key = events.user[k]! * params.items + events.item[k]!;
    assert.ok(!pairs.has(key), 'a pair is rated once');
    pairs.add(key);
    perUser[events.user[k]!]!++;
    hist[events.value[k]! - 1]!++;
  }
  for (const n of perUser) assert.ok(n >= params.activityMin);
  for (let v = 0; v < 5; v++) assert.ok(Math.abs(hist[v]! / events.length - params.ratingShares[v]!) < 0.002);
});

test('oracle: probabilities in (0, 1) and consistent with the generated clicks', () => {
  const params = resolveParams(undefined, { seed: 4, users: 200, items: 300, events: 40_000, dim: 8 });
  const { world, events } = simulateWorld(params);
  // Each view is followed by its click (same user and item, one second later) when there was one.
  const clicks = new Set<string>();
  for (let k = 0; k < events.length; k++)
    if (events.type[k] === CLICK)
      clicks.add(`${events.user[k]},${events.item[k]},${events.timestamp[k]! - 1000}`);
  const buckets = Array.from({ length: 5 }, () => ({ n: 0, clicks: 0, p: 0 }));
  for (let k = 0; k < events.length; k++) {
    if (events.type[k] !== VIEW) continue;
    const p = trueProbability(world, events.user[k]!, events.item[k]!, events.timestamp[k]!);
    assert.ok(p > 0 && p < 1);
    const b = buckets[Math.min(4, Math.floor(p * 5))]!;
    b.n++;
    b.p += p;
    if (clicks.has(`${events.user[k]},${events.item[k]},${events.timestamp[k]}`)) b.clicks++;
  }
  const used = buckets.filter((b) => b.n >= 300);
  assert.ok(used.length >= 2, 'exposures span several probability bands');
  for (const b of used) {
    // The empirical click rate of a band matches its mean true probability (binomial noise, ~4 sd).
    const rate = b.clicks / b.n;
    const mean = b.p / b.n;
    assert.ok(
      Math.abs(rate - mean) < 4 * Math.sqrt((mean * (1 - mean)) / b.n) + 0.01,
      `rate ${rate} vs p ${mean}`,
    );
  }
  assert.ok(used[used.length - 1]!.clicks / used[used.length - 1]!.n > used[0]!.clicks / used[0]!.n);
  const batch = trueProbabilities(
    world,
    Int32Array.of(0, 1),
    Int32Array.of(2, 3),
    Float64Array.of(params.endMs, params.endMs),
  );
  assert.equal(batch[1], trueProbability(world, 1, 3, params.endMs));
  assert.throws(() => trueProbability(world, params.users, 0, 0), /outside the world/);
});

test('time effects: drifting users change their affinities over the span; unreleased items are not taken', () => {
  const params = resolveParams('tiny', { seed: 9, driftShare: 1 });
  const { world } = simulateWorld(params);
  let changed = 0;
  for (let i = 0; i < params.items; i++) {
    const early =
      interactionLogit(world, 0, i, params.startMs + 3_600_000) -
      interactionLogit(world, 1, i, params.startMs + 3_600_000);
    const late =
      interactionLogit(world, 0, i, params.endMs - 3_600_000) -
      interactionLogit(world, 1, i, params.endMs - 3_600_000);
    if (Math.abs(early - late) > 1e-6 && world.itemRelease[i]! < params.startMs) changed++;
  }
  assert.ok(changed > 0);
  const future = world.itemRelease.findIndex((t) => t > params.startMs + 86_400_000);
  if (future >= 0) assert.ok(trueProbability(world, 0, future, params.startMs) < 1e-6);
});

test('quota counts add up and follow the shares', () => {
  assert.deepEqual(Array.from(quotaCounts([0.5, 0.3, 0.2], 10)), [5, 3, 2]);
  assert.deepEqual(Array.from(quotaCounts([1, 1, 1], 10)), [4, 3, 3]);
});

test('exposureWeights follows what the generator shows (views per item against the expected counts)', () => {
  const params = resolveParams('tiny', { seed: 21, events: 6000 });
  const { world, events } = simulateWorld(params);
  const basis = exposureBasis(world);
  const expected = new Float64Array(params.items);
  const seen = new Float64Array(params.items);
  const w = new Float64Array(params.items);
  for (let k = 0; k < events.length; k++) {
    if (events.type[k] !== VIEW) continue;
    exposureWeights(world, events.user[k]!, events.timestamp[k]!, basis, w);
    let sum = 0;
    for (let i = 0; i < params.items; i++) sum += w[i]!;
    for (let i = 0; i < params.items; i++) expected[i]! += w[i]! / sum;
    seen[events.item[k]!]!++;
  }
  // Pearson correlation between expected and observed views per item.
  const mean = (a: Float64Array) => a.reduce((s, x) => s + x, 0) / a.length;
  const me = mean(expected);
  const ms = mean(seen);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < params.items; i++) {
    sxy += (expected[i]! - me) * (seen[i]! - ms);
    sxx += (expected[i]! - me) ** 2;
    syy += (seen[i]! - ms) ** 2;
  }
  const r = sxy / Math.sqrt(sxx * syy);
  assert.ok(r > 0.9, `correlation ${r}`);
});
