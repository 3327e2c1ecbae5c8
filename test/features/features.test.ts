import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { eventWeights, interactionWeights } from '../../src/data/interactions.js';
import { type CandidateRows, FeatureBuilder, featureSpec, RECENT_ITEMS } from '../../src/features/build.js';
import {
  type DenseItemWeights,
  FEATURES,
  type FeatureInput,
  featureColumns,
} from '../../src/features/registry.js';
import { emptySnapshot, snapshotUser } from '../../src/features/snapshot.js';
import { DAY_MS, FeatureState } from '../../src/features/state.js';
import type { Csr, ItemRecord } from '../../src/types.js';
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

/**
 * The rows as the builder once made them: every column's compute on every row, the user-item genre and
 * similarity columns by their direct definitions (genre lists searched, similarity rows binary-searched).
 */
function referenceRows(
  state: FeatureState,
  b: FeatureBuilder,
  similarity: Csr,
  user: number,
  t: number,
  c: CandidateRows,
  weights: DenseItemWeights,
): Float64Array {
  const S = b.spec.sources.length;
  const n = c.items.length;
  const snap = snapshotUser(state, user, t, emptySnapshot(state.genreCount, RECENT_ITEMS));
  const sourceMax = new Float64Array(S).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < n; r++)
    for (let s = 0; s < S; s++) sourceMax[s] = Math.max(sourceMax[s]!, c.scores[r * S + s]!);
  const x: FeatureInput = {
    state,
    user: snap,
    item: 0,
    t,
    sourceScores: new Float64Array(S),
    sourceRanks: new Float64Array(S),
    sourceMax,
    similarity,
  };
  const sim = (i: number, j: number): number => {
    for (let e = similarity.indptr[i]!; e < similarity.indptr[i + 1]!; e++)
      if (similarity.indices[e] === j) return similarity.values[e]!;
    return 0;
  };
  const recent = Array.from(snap.recent.subarray(0, snap.recentCount));
  const gs = (i: number) => Array.from(state.itemGenres(i));
  const shared = (i: number, j: number) => gs(i).filter((g) => gs(j).includes(g)).length;
  const reference: Record<string, (i: number) => number> = {
    ui_recent_genre: (i) => recent.filter((j) => shared(i, j) > 0).length / recent.length,
    ui_genre_sim_last: (i) => {
      let s = 0;
      for (const j of recent)
        s += gs(i).length && gs(j).length ? shared(i, j) / (gs(i).length + gs(j).length - shared(i, j)) : 0;
      return s / recent.length;
    },
    ui_sim_last_max: (i) => {
      let best = 0;
      for (const j of recent) best = Math.max(best, sim(j, i));
      return best;
    },
    ui_ease_last: (i) => {
      if (i >= weights.n) return Number.NaN;
      let s = 0;
      for (const j of recent) s += weights.values[j * weights.n + i]!;
      return s;
    },
    ui_sim_last_mean: (i) => {
      let s = 0;
      for (const j of recent) s += sim(j, i);
      return s / recent.length;
    },
  };
  const W = b.width;
  const out = new Float64Array(n * W);
  for (let r = 0; r < n; r++) {
    x.item = c.items[r]!;
    for (let s = 0; s < S; s++) {
      x.sourceScores[s] = c.scores[r * S + s]!;
      x.sourceRanks[s] = c.ranks[r * S + s]!;
    }
    b.columns.forEach((col, k) => {
      const ref = reference[col.name];
      out[r * W + k] = ref ? (recent.length === 0 ? Number.NaN : ref(x.item)) : col.def.compute(x, col.k);
    });
  }
  return out;
}

test('rows equal the direct per-row definitions bit for bit: per-user and per-item columns computed once, item cache renewed when t or the state moves', () => {
  const rng = new Rng(11);
  const nUsers = 15;
  const nItems = 40;
  const genres = ['A', 'B', 'C', 'D', 'E'];
  const its: ItemRecord[] = Array.from({ length: nItems }, (_, i) => ({
    id: `i${i}`,
    // some items without a genre
    genres: i % 9 === 0 ? [] : genres.filter((_, g) => rng.float() < 0.35 || g === i % 5),
    ...(i % 4 === 0 ? { createdAt: T0 - i * DAY_MS } : {}),
  }));
  const evs: Ev[] = [];
  for (let k = 0; k < 500; k++) {
    const kind = rng.float();
    const type = kind < 0.4 ? 'rating' : kind < 0.9 ? 'click' : 'dislike';
    evs.push([
      rng.int(nUsers),
      rng.int(nItems),
      type,
      type === 'rating' ? 1 + rng.int(5) : 1,
      T0 + rng.int(80 * DAY_MS),
    ]);
  }
  evs.sort((a, b) => a[4] - b[4]);
  const state = FeatureState.fromLog(makeLog(evs, nUsers, nItems), its);
  // a similarity with sorted unique columns per row, some rows empty
  const indptr = new Int32Array(nItems + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < nItems; i++) {
    for (let j = 0; j < nItems; j++)
      if (j !== i && i % 7 !== 3 && rng.float() < 0.2) {
        indices.push(j);
        values.push(Math.fround(rng.float()));
      }
    indptr[i + 1] = indices.length;
  }
  const similarity: Csr = {
    rows: nItems,
    cols: nItems,
    indptr,
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  };
  const spec = featureSpec(state, ['x', 'y', 'z']);
  // dense item-item weights (as EASE's B), of either sign
  const weights: DenseItemWeights = {
    n: nItems,
    values: Float32Array.from({ length: nItems * nItems }, () => rng.float() * 2 - 1),
  };
  const b = new FeatureBuilder(state, spec, similarity, weights);
  const candidates = (): CandidateRows => {
    const list = [...new Set(Array.from({ length: 12 }, () => rng.int(nItems + 2)))]; // and unknown items
    const S = 3;
    const scores = Float32Array.from({ length: list.length * S }, () => rng.float() * 4 - 1);
    const ranks = Float32Array.from({ length: list.length * S }, () =>
      rng.float() < 0.5 ? Number.NaN : 1 + rng.int(50),
    );
    return { items: Int32Array.from(list), scores, ranks };
  };
  // each round starts at the t the previous one ended with, events having arrived in between
  const times = [
    T0 + 90 * DAY_MS,
    T0 + 40 * DAY_MS,
    T0 + 40 * DAY_MS,
    T0 + 60 * DAY_MS + 7,
    T0 + 90 * DAY_MS,
  ];
  let rows = 0;
  for (let round = 0; round < 3; round++) {
    for (const t of times)
      for (const u of [0, 3, 3, 7, nUsers + 1]) {
        const c = candidates();
        const got = b.build(u, t, c);
        const want = referenceRows(state, b, similarity, u, t, c, weights);
        for (let k = 0; k < want.length; k++)
          assert.ok(
            Object.is(got[k], want[k]),
            `round ${round}, user ${u}, t ${t}: ${b.columns[k % b.width]!.name} of row ${Math.floor(k / b.width)}: ${got[k]} != ${want[k]}`,
          );
        rows += c.items.length;
      }
    // new events (items' counts and ratings move at the same t): the item cache must not serve old values
    for (let k = 0; k < 20; k++)
      state.applyEvent(
        rng.int(nUsers),
        rng.int(nItems),
        T0 + rng.int(90 * DAY_MS),
        1,
        rng.float() < 0.5 ? 1 + rng.int(5) : Number.NaN,
      );
  }
  assert.ok(rows > 100);
});

test('decayed item counts from running sums equal the walk over the events, whatever the arrival order', () => {
  const rng = new Rng(21);
  const state = new FeatureState(3, 3, [
    { id: 'a', genres: [] },
    { id: 'b', genres: [] },
    { id: 'c', genres: [] },
  ]);
  const half = 14 * DAY_MS;
  const times: number[][] = [[], [], []];
  for (let e = 0; e < 300; e++) {
    const i = e % 2;
    // arrivals out of order, some before every earlier one (the running sums' base moves)
    const t = T0 + (e % 7 === 3 ? -rng.int(100) : rng.int(400)) * DAY_MS + rng.int(DAY_MS);
    state.applyEvent(0, i, t, 1);
    times[i]!.push(t);
  }
  // item c: more than 1000 half-lives between its events (the walk serves it)
  for (const t of [T0 - 1100 * half, T0, T0 + DAY_MS]) {
    state.applyEvent(1, 2, t, 1);
    times[2]!.push(t);
  }
  const walk = (i: number, t: number) =>
    times[i]!.filter((ti) => ti < t && ti >= t - 20 * half).reduce((s, ti) => s + 2 ** (-(t - ti) / half), 0);
  for (let i = 0; i < 3; i++)
    for (const t of [
      T0 - 50 * DAY_MS,
      T0,
      T0 + 3 * DAY_MS,
      T0 + 200 * DAY_MS,
      T0 + 400 * DAY_MS,
      T0 + 900 * DAY_MS,
    ]) {
      const want = walk(i, t);
      const got = state.itemDecayed(i, t, half);
      assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, want), `item ${i} at ${t}: ${got} vs ${want}`);
      // another half-life walks the events
      const w7 = times[i]!.filter((ti) => ti < t && ti >= t - 20 * 7 * DAY_MS).reduce(
        (s, ti) => s + 2 ** (-(t - ti) / (7 * DAY_MS)),
        0,
      );
      assert.ok(Math.abs(state.itemDecayed(i, t, 7 * DAY_MS) - w7) <= 1e-12 * Math.max(1, w7));
    }
});

test('windowed item counts equal a count over the events, asked again at the same time after new events', () => {
  const rng = new Rng(8);
  const state = new FeatureState(2, 2, [
    { id: 'a', genres: [] },
    { id: 'b', genres: [] },
  ]);
  const times: number[][] = [[], []];
  const count = (i: number, from: number, t: number) => times[i]!.filter((x) => x >= from && x < t).length;
  const t = T0 + 60 * DAY_MS;
  for (let e = 0; e < 400; e++) {
    const i = rng.int(2);
    const at = T0 + rng.int(90 * DAY_MS);
    state.applyEvent(0, i, at, 1);
    times[i]!.push(at);
    // the same (item, t) as the last question, the state moved since: the answer moves with it
    for (const from of [t - 7 * DAY_MS, t - 30 * DAY_MS, T0 - DAY_MS]) {
      assert.equal(state.itemCountIn(i, from, t), count(i, from, t));
      assert.equal(state.itemCountIn(1 - i, from, t), count(1 - i, from, t));
    }
    assert.equal(state.itemCountBefore(i, t), count(i, Number.NEGATIVE_INFINITY, t));
  }
});

test('item clock: item columns as of t rounded down to it, the rest as of t; the cache holds across later events, not earlier ones', () => {
  const state = FeatureState.fromLog(log, items, { weights: interactionWeights() });
  const spec = featureSpec(state, ['a', 'b']);
  const q = 7 * DAY_MS;
  const t = T0 + 29.5 * DAY_MS;
  const tItem = Math.floor(t / q) * q;
  const clocked = new FeatureBuilder(state, spec);
  clocked.itemClockMs = q;
  const exactAtT = new FeatureBuilder(state, spec).build(1, t, cands([0, 1, 2, 3], 1));
  const exactAtTItem = new FeatureBuilder(state, spec).build(1, tItem, cands([0, 1, 2, 3], 1));
  const got = clocked.build(1, t, cands([0, 1, 2, 3], 1));
  const W = clocked.width;
  let differs = false;
  for (let r = 0; r < 4; r++)
    clocked.columns.forEach((c, k) => {
      const want = c.def.scope === 'item' ? exactAtTItem[r * W + k]! : exactAtT[r * W + k]!;
      assert.ok(Object.is(got[r * W + k], want), `${c.name} row ${r}`);
      if (c.def.scope === 'item' && !Object.is(exactAtT[r * W + k], want)) differs = true;
    });
  assert.ok(differs, 'the clock changed some item feature (else the test proves nothing)');
  // a live event after the clock's time: the item cache stays
  const v0 = clocked.itemCacheVersion;
  state.applyNamedEvent(2, 3, 'click', 1, t - 1000);
  clocked.build(1, t + 2000, cands([0, 1, 2, 3], 1));
  assert.equal(clocked.itemCacheVersion, v0);
  // an event from before it: renewed, and the rows count it
  state.applyNamedEvent(2, 3, 'click', 1, tItem - DAY_MS);
  const after = clocked.build(1, t + 2000, cands([0, 1, 2, 3], 1));
  assert.equal(clocked.itemCacheVersion, v0 + 1);
  const fresh = new FeatureBuilder(state, spec);
  fresh.itemClockMs = q;
  assert.deepEqual(Array.from(after), Array.from(fresh.build(1, t + 2000, cands([0, 1, 2, 3], 1))));
});
