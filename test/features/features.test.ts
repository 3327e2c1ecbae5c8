import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CandidateRows, FeatureBuilder, featureSpec } from '../../src/features/build.js';
import { FEATURES, featureColumns } from '../../src/features/registry.js';
import { DAY_MS, FeatureState } from '../../src/features/state.js';
import { Rng } from '../../src/random.js';
import { eventWeights, interactionWeights } from '../../src/recommenders/interactions.js';
import type { ItemRecord } from '../../src/types.js';
import { type Ev, makeLog } from '../recommenders/helpers.js';

const T0 = Date.UTC(2024, 0, 1);
const items: ItemRecord[] = [
  { id: 'i0', genres: ['Drama'] },
  { id: 'i1', genres: ['Comedy', 'Drama'] },
  { id: 'i2', genres: ['Action'], createdAt: T0 - 10 * DAY_MS },
  { id: 'i3', genres: ['Comedy'] },
];

// [user, item, type, value, time]
const events: Ev[] = [
  [0, 0, 'rating', 4, T0 + 0 * DAY_MS],
  [1, 0, 'rating', 2, T0 + 1 * DAY_MS],
  [0, 1, 'rating', 5, T0 + 2 * DAY_MS],
  [2, 2, 'view', 1, T0 + 20 * DAY_MS],
  [1, 2, 'rating', 3, T0 + 25 * DAY_MS],
  [0, 2, 'click', 1, T0 + 27 * DAY_MS],
  [2, 0, 'rating', 5, T0 + 28 * DAY_MS],
  // after the cutoff below: must never show
  [0, 3, 'rating', 1, T0 + 31 * DAY_MS],
  [1, 0, 'rating', 1, T0 + 32 * DAY_MS],
];
const log = makeLog(events, 3, 4);
const cutoff = T0 + 30 * DAY_MS;

function cands(list: number[], sources = 2): CandidateRows {
  const n = list.length;
  const scores = new Float32Array(n * sources);
  const ranks = new Float32Array(n * sources).fill(Number.NaN);
  for (let r = 0; r < n; r++) {
    scores[r * sources] = 1 - r / 10;
    ranks[r * sources] = r + 1;
  }
  return { items: Int32Array.from(list), scores, ranks };
}

function column(b: FeatureBuilder, row: Float64Array, r: number, name: string): number {
  const c = b.columns.findIndex((x) => x.name === name);
  assert.ok(c >= 0, `no column ${name}`);
  return row[r * b.width + c]!;
}

test('every declaration has a unique name, a scope, a window and a description', () => {
  const names = new Set<string>();
  for (const d of FEATURES) {
    assert.ok(!names.has(d.name), `duplicate ${d.name}`);
    names.add(d.name);
    assert.ok(['user', 'item', 'user-item', 'context'].includes(d.scope));
    assert.ok(d.window.length > 0 && d.description.length > 10, d.name);
  }
  for (const scope of ['user', 'item', 'user-item', 'context'])
    assert.ok(
      FEATURES.some((d) => d.scope === scope),
      `no ${scope} feature`,
    );
  const cols = featureColumns(['A', 'B'], ['ease']).map((c) => c.name);
  assert.ok(cols.includes('u_genre_share[A]') && cols.includes('u_genre_share[B]'));
  assert.ok(cols.includes('ui_score[ease]') && cols.includes('ui_rank[ease]'));
});

test('features as of t equal hand-computed values and ignore later events', () => {
  const state = FeatureState.fromLog(log, items);
  const b = new FeatureBuilder(state, featureSpec(state, ['a', 'b']));
  const row = b.build(0, cutoff, cands([3, 2]));
  // user 0 before the cutoff: events on i0 (day 0), i1 (day 2), i2 (day 27)
  assert.equal(column(b, row, 0, 'u_events'), 3);
  assert.equal(column(b, row, 0, 'u_events_7d'), 1);
  assert.equal(column(b, row, 0, 'u_events_30d'), 3);
  assert.equal(column(b, row, 0, 'u_mean_rating'), 4.5);
  assert.equal(column(b, row, 0, 'u_account_age_days'), 30);
  assert.equal(column(b, row, 0, 'c_hours_since_last'), 72);
  // genres over positive events: Drama (i0), Comedy + Drama (i1), Action (i2) -> Drama 2/4
  assert.equal(column(b, row, 0, 'u_genre_share[Drama]'), 0.5);
  assert.equal(column(b, row, 0, 'u_genre_share[Comedy]'), 0.25);
  // item i3 has no event before the cutoff (its rating at day 31 is in the future)
  assert.equal(column(b, row, 0, 'i_events'), 0);
  assert.ok(Number.isNaN(column(b, row, 0, 'i_mean_rating')));
  // item i2: events on days 20, 25, 27; one rating (3); released 10 days before T0
  assert.equal(column(b, row, 1, 'i_events'), 3);
  assert.equal(column(b, row, 1, 'i_events_7d'), 2);
  assert.equal(column(b, row, 1, 'i_mean_rating'), 3);
  assert.equal(column(b, row, 1, 'i_age_days'), 40);
  assert.equal(column(b, row, 1, 'i_genre[Action]'), 1);
  const decayed = 2 ** -(10 / 14) + 2 ** -(5 / 14) + 2 ** -(3 / 14);
  assert.ok(Math.abs(column(b, row, 1, 'i_pop_decayed') - decayed) < 1e-12);
  // (n7 + 1) / (n30 * 7 / 30 + 1)
  assert.ok(Math.abs(column(b, row, 1, 'i_trend') - 3 / ((3 * 7) / 30 + 1)) < 1e-12);
  // i3 is Comedy: the user's shares of its genres = 0.25; of his last items (i2, i1, i0) only i1 is Comedy
  assert.equal(column(b, row, 0, 'ui_genre_match'), 0.25);
  assert.ok(Math.abs(column(b, row, 0, 'ui_recent_genre') - 1 / 3) < 1e-12);
  assert.equal(column(b, row, 0, 'ui_rank[a]'), 1);
  assert.ok(Number.isNaN(column(b, row, 0, 'ui_rank[b]')));
  assert.equal(column(b, row, 0, 'ui_sources'), 1);
  assert.equal(column(b, row, 0, 'c_weekday'), new Date(cutoff).getUTCDay());
});

test('offline (state of the whole log, as of t) and online (events applied one by one, now = t) rows are equal', () => {
  const rng = new Rng(7);
  const nUsers = 12;
  const nItems = 30;
  const genres = ['A', 'B', 'C', 'D'];
  const its: ItemRecord[] = Array.from({ length: nItems }, (_, i) => ({
    id: `i${i}`,
    genres: genres.filter((_, g) => (i >> g) % 2 === 1 || g === i % 4),
    ...(i % 3 === 0 ? { createdAt: T0 - i * DAY_MS } : {}),
  }));
  const evs: Ev[] = [];
  for (let k = 0; k < 600; k++) {
    const type = rng.float() < 0.5 ? 'rating' : 'click';
    evs.push([
      Math.floor(rng.float() * nUsers),
      Math.floor(rng.float() * nItems),
      type,
      type === 'rating' ? 1 + Math.floor(rng.float() * 5) : 1,
      T0 + Math.floor(rng.float() * 90 * DAY_MS),
    ]);
  }
  evs.sort((a, b) => a[4] - b[4]);
  const full = makeLog(evs, nUsers, nItems);
  const t = T0 + 60 * DAY_MS + 12345;
  const offline = FeatureState.fromLog(full, its);

  // online: an empty state fed the events before t one at a time, in arrival order shuffled a little
  const online = FeatureState.fromLog({ ...full, length: 0 }, its);
  const w = eventWeights(full, interactionWeights());
  const ratingCode = full.typeNames.indexOf('rating');
  const before: number[] = [];
  for (let e = 0; e < full.length; e++) if (full.timestamp[e]! < t) before.push(e);
  const order = Int32Array.from(before);
  for (let k = 0; k + 1 < order.length; k += 5) {
    const tmp = order[k]!;
    order[k] = order[k + 1]!;
    order[k + 1] = tmp;
  }
  for (const e of order)
    online.applyEvent(
      full.user[e]!,
      full.item[e]!,
      full.timestamp[e]!,
      w[e]!,
      full.type[e] === ratingCode ? full.value[e]! : Number.NaN,
    );
  assert.equal(online.events, before.length);

  const spec = featureSpec(offline, ['x', 'y']);
  const similarity = {
    rows: nItems,
    cols: nItems,
    indptr: Int32Array.from({ length: nItems + 1 }, (_, i) => Math.min(i, nItems - 1)),
    indices: Int32Array.from({ length: nItems - 1 }, (_, i) => (i + 1) % nItems),
    values: Float32Array.from({ length: nItems - 1 }, (_, i) => 0.1 + i / 100),
  };
  const bOff = new FeatureBuilder(offline, spec, similarity);
  const bOn = new FeatureBuilder(online, spec, similarity);
  let compared = 0;
  for (let u = 0; u < nUsers; u++) {
    const list = [u % nItems, (u * 7) % nItems, (u * 13 + 5) % nItems];
    const a = Array.from(bOff.build(u, t, cands(list)));
    const b = Array.from(bOn.build(u, t, cands(list)));
    assert.deepEqual(b, a, `user ${u}`);
    compared += a.length;
  }
  assert.ok(compared > 0);
  // and the offline state does see the events after t when asked later
  const later = bOff.build(0, T0 + 91 * DAY_MS, cands([0]));
  const c = bOff.columns.findIndex((x) => x.name === 'u_events');
  const nUser0 = evs.filter((e) => e[0] === 0).length;
  assert.equal(later[c], nUser0);
});

test('applyNamedEvent weighs events as fromLog does', () => {
  const state = FeatureState.fromLog(log, items);
  const online = FeatureState.fromLog({ ...log, length: 0 }, items);
  for (const [u, i, type, v, t] of events) online.applyNamedEvent(u, i, type, v, t);
  assert.deepEqual(online.columns(), state.columns());
});

test('a saved state (columns) rebuilds to the same features', () => {
  const state = FeatureState.fromLog(log, items);
  const again = FeatureState.fromColumns(state.columns(), 3, 4, items);
  const spec = featureSpec(state, ['a']);
  const a = new FeatureBuilder(state, spec).build(1, cutoff, cands([0, 1, 2], 1));
  const b = new FeatureBuilder(again, spec).build(1, cutoff, cands([0, 1, 2], 1));
  assert.deepEqual(Array.from(b), Array.from(a));
});
