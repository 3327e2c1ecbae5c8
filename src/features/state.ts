/**
 * The point-in-time aggregate state every feature is computed from: the events seen so far, indexed per
 * user and per item in time order, so that any aggregate "as of time t" (events strictly before t) is a
 * binary search plus a short walk. The same state answers training rows (as of each row's cutoff, t in the
 * past) and serving rows (as of now), which is what keeps offline and online features equal
 * (the feature-store "point-in-time correctness" idea; e.g. Uber's Michelangelo palette, Feast).
 *
 * Layout (typed arrays, no object per event):
 * - events: columnar user, item, time, interaction weight, rating (NaN when the event is no rating);
 * - per user: the indices of his events sorted by time (one growable Int32Array per user);
 * - per item: his event times sorted, with cumulative rating sums and counts alongside (one growable
 *   Float64Array each), so counts over any window and the mean rating as of t are two binary searches.
 *
 * `applyEvent` adds one event (any order; kept sorted by insertion), so a server can keep the state live.
 */

import { lowerBound, lowerBoundBy, lowerBoundFromEnd } from '../core/search.js';
import { eventWeights, type InteractionWeights, interactionWeights } from '../data/interactions.js';
import { RecoError } from '../errors.js';
import type { EventLog, ItemRecord } from '../types.js';

export const DAY_MS = 86_400_000;

/**
 * The half-life whose decayed item counts the state keeps as running sums (i_pop_decayed and the like), so
 * that one is two binary searches instead of a walk over the item's events.
 */
export const DECAY_HALF_LIFE_MS = 14 * DAY_MS;
/** Beyond this many half-lives between an item's first and last event, its running sums would overflow. */
const DECAY_SPAN_LIMIT = 1000;

/** A growable typed array. */
class Grow64 {
  data: Float64Array;
  length = 0;
  constructor(capacity = 4) {
    this.data = new Float64Array(Math.max(1, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
}

class Grow32 {
  data: Int32Array;
  length = 0;
  constructor(capacity = 4) {
    this.data = new Int32Array(Math.max(1, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
}

const NO_GENRES = new Int32Array(0);

/** Item genres as a CSR of genre indices, and the genre names (first-seen order over items). */
export interface GenreTable {
  names: string[];
  indptr: Int32Array;
  indices: Int32Array;
}

export function genreTable(items: ItemRecord[], nItems: number): GenreTable {
  const index = new Map<string, number>();
  const names: string[] = [];
  const indptr = new Int32Array(nItems + 1);
  const cols: number[] = [];
  for (let i = 0; i < nItems; i++) {
    const seen = new Set<number>();
    for (const g of items[i]?.genres ?? []) {
      let c = index.get(g);
      if (c === undefined) {
        c = names.length;
        index.set(g, c);
        names.push(g);
      }
      seen.add(c);
    }
    cols.push(...[...seen].sort((a, b) => a - b));
    indptr[i + 1] = cols.length;
  }
  return { names, indptr, indices: Int32Array.from(cols) };
}

/** The events of the state as columns (what `save` writes and `fromColumns` reads). */
export interface StateColumns {
  user: Int32Array;
  item: Int32Array;
  time: Float64Array;
  weight: Float32Array;
  rating: Float32Array;
}

export class FeatureState {
  nUsers: number;
  nItems: number;
  readonly genres: GenreTable;
  /** Release time per item (ms), NaN when unknown. */
  readonly release: Float64Array;
  // events, columnar
  private evUser = new Grow32(1024);
  private evItem = new Grow32(1024);
  private evTime = new Grow64(1024);
  private evWeight: Float32Array = new Float32Array(1024);
  private evRating: Float32Array = new Float32Array(1024);
  // per user: event indices sorted by time
  private userEv: Grow32[] = [];
  // per item: times sorted, cumulative rating sum and count (aligned with times)
  private itemTime: Grow64[] = [];
  private itemRatingSum: Grow64[] = [];
  private itemRatingCount: Grow64[] = [];
  /**
   * Per item, aligned with its times: the running sum of 2^((t_j - t_0) / DECAY_HALF_LIFE_MS) over its
   * events j <= k (t_0 its first event time); NaN in entry 0 when the span exceeds DECAY_SPAN_LIMIT.
   */
  private itemDecayCum: Grow64[] = [];
  private genreViews: (Int32Array | undefined)[] = [];
  // every event time, sorted (totals as of t)
  private allTime = new Grow64(1024);
  /** itemCountBefore's last question (item, t) and answer; item -1 when none holds. */
  private lastItem = -1;
  private lastItemT = 0;
  private lastItemCount = 0;
  /** Latest event time seen (-Infinity when empty). */
  lastTime = Number.NEGATIVE_INFINITY;

  constructor(nUsers: number, nItems: number, items: ItemRecord[]) {
    this.nUsers = 0;
    this.nItems = 0;
    this.genres = genreTable(items, nItems);
    this.release = new Float64Array(nItems).fill(Number.NaN);
    for (let i = 0; i < nItems; i++) {
      const c = items[i]?.createdAt;
      if (c !== undefined && Number.isFinite(c)) this.release[i] = c;
    }
    this.ensureUser(nUsers - 1);
    this.ensureItem(nItems - 1);
  }

  /**
   * The state of `log` (events before `until` when given) under the interaction weights; `items` give
   * genres and release times in dense-index order.
   */
  static fromLog(
    log: EventLog,
    items: ItemRecord[],
    options: { until?: number; weights?: InteractionWeights } = {},
  ): FeatureState {
    const s = new FeatureState(log.userIds.length, log.itemIds.length, items);
    const w = eventWeights(log, options.weights ?? interactionWeights());
    const ratingCode = log.typeNames.indexOf('rating');
    const until = options.until ?? Number.POSITIVE_INFINITY;
    for (let e = 0; e < log.length; e++) {
      const t = log.timestamp[e]!;
      if (t >= until) continue;
      const rating = log.type[e] === ratingCode ? log.value[e]! : Number.NaN;
      s.add(log.user[e]!, log.item[e]!, t, w[e]!, rating);
    }
    return s;
  }

  /** Rebuilds a state from saved columns. */
  static fromColumns(c: StateColumns, nUsers: number, nItems: number, items: ItemRecord[]): FeatureState {
    const s = new FeatureState(nUsers, nItems, items);
    for (let e = 0; e < c.user.length; e++)
      s.add(c.user[e]!, c.item[e]!, c.time[e]!, c.weight[e]!, c.rating[e]!);
    return s;
  }

  /** The events as columns, in insertion order. */
  columns(): StateColumns {
    const n = this.evUser.length;
    return {
      user: this.evUser.data.slice(0, n),
      item: this.evItem.data.slice(0, n),
      time: this.evTime.data.slice(0, n),
      weight: this.evWeight.slice(0, n),
      rating: this.evRating.slice(0, n),
    };
  }

  get events(): number {
    return this.evUser.length;
  }

  /** The earliest time among the events applied from the `from`-th on (in application order); +inf if none. */
  earliestFrom(from: number): number {
    const times = this.evTime.data;
    let m = Number.POSITIVE_INFINITY;
    for (let e = Math.max(0, from); e < this.evTime.length; e++) if (times[e]! < m) m = times[e]!;
    return m;
  }

  private ensureUser(u: number): void {
    while (this.userEv.length <= u) this.userEv.push(new Grow32(8));
    this.nUsers = Math.max(this.nUsers, u + 1);
  }

  private ensureItem(i: number): void {
    while (this.itemTime.length <= i) {
      this.itemTime.push(new Grow64(4));
      this.itemRatingSum.push(new Grow64(4));
      this.itemRatingCount.push(new Grow64(4));
      this.itemDecayCum.push(new Grow64(4));
    }
    this.nItems = Math.max(this.nItems, i + 1);
  }

  /**
   * Adds one event: user and item by dense index (new ones grow the state), time in ms, its interaction
   * weight (../data/interactions.ts) and its rating (NaN when not a rating).
   */
  applyEvent(user: number, item: number, time: number, weight: number, rating = Number.NaN): void {
    if (!(Number.isInteger(user) && user >= 0 && Number.isInteger(item) && item >= 0))
      throw new RecoError(`feature state: bad user/item index ${user}/${item}`);
    if (!Number.isFinite(time)) throw new RecoError(`feature state: event time must be finite, got ${time}`);
    this.add(user, item, time, weight, rating);
  }

  /**
   * Adds one event given by type name and value (a rating's stars, else a count), weighted exactly as
   * `fromLog` weighs it (../data/interactions.ts): what a server calls per incoming event.
   */
  applyNamedEvent(
    user: number,
    item: number,
    type: string,
    value: number,
    time: number,
    weights: InteractionWeights = interactionWeights(),
  ): void {
    const one: EventLog = {
      userIds: [''],
      itemIds: [''],
      typeNames: [type],
      user: new Int32Array(1),
      item: new Int32Array(1),
      type: new Uint8Array(1),
      value: Float32Array.of(value),
      timestamp: Float64Array.of(time),
      length: 1,
    };
    const w = eventWeights(one, weights)[0]!;
    this.applyEvent(user, item, time, w, type === 'rating' ? Math.fround(value) : Number.NaN);
  }

  private add(u: number, i: number, t: number, weight: number, rating: number): void {
    this.lastItem = -1; // itemCountBefore's kept answer
    this.ensureUser(u);
    this.ensureItem(i);
    const e = this.evUser.length;
    this.evUser.push(u);
    this.evItem.push(i);
    this.evTime.push(t);
    if (e === this.evWeight.length) {
      const w = new Float32Array(e * 2);
      w.set(this.evWeight);
      this.evWeight = w;
      const r = new Float32Array(e * 2);
      r.set(this.evRating);
      this.evRating = r;
    }
    this.evWeight[e] = weight;
    this.evRating[e] = rating;
    if (t > this.lastTime) this.lastTime = t;
    // user list, kept sorted by time (stable: equal times keep arrival order)
    const ul = this.userEv[u]!;
    ul.push(e);
    const times = this.evTime.data;
    for (let k = ul.length - 1; k > 0 && times[ul.data[k - 1]!]! > t; k--) {
      ul.data[k] = ul.data[k - 1]!;
      ul.data[k - 1] = e;
    }
    const at = this.allTime;
    at.push(t);
    for (let k = at.length - 1; k > 0 && at.data[k - 1]! > t; k--) {
      at.data[k] = at.data[k - 1]!;
      at.data[k - 1] = t;
    }
    // item lists, sorted by time, cumulative rating sums recomputed from the insertion point
    const it = this.itemTime[i]!;
    const rs = this.itemRatingSum[i]!;
    const rc = this.itemRatingCount[i]!;
    it.push(t);
    rs.push(0);
    rc.push(0);
    let k = it.length - 1;
    while (k > 0 && it.data[k - 1]! > t) {
      it.data[k] = it.data[k - 1]!;
      k--;
    }
    it.data[k] = t;
    // shift cumulative arrays: entries after k get this rating added
    const hasRating = Number.isNaN(rating) ? 0 : 1;
    const r = hasRating ? rating : 0;
    for (let j = it.length - 1; j > k; j--) {
      rs.data[j] = rs.data[j - 1]! + r;
      rc.data[j] = rc.data[j - 1]! + hasRating;
    }
    rs.data[k] = (k > 0 ? rs.data[k - 1]! : 0) + r;
    rc.data[k] = (k > 0 ? rc.data[k - 1]! : 0) + hasRating;
    this.addDecayed(i, k);
  }

  /** Updates item i's decayed running sums for the event just inserted at position k of its times. */
  private addDecayed(i: number, k: number): void {
    const it = this.itemTime[i]!;
    const cum = this.itemDecayCum[i]!;
    cum.push(0);
    const base = it.data[0]!;
    const n = it.length;
    if ((it.data[n - 1]! - base) / DECAY_HALF_LIFE_MS > DECAY_SPAN_LIMIT) {
      cum.data[0] = Number.NaN; // itemDecayed walks the events instead
      return;
    }
    if (k === 0) {
      // a new first event moves the base: recompute the sums
      let s = 0;
      for (let j = 0; j < n; j++) {
        s += 2 ** ((it.data[j]! - base) / DECAY_HALF_LIFE_MS);
        cum.data[j] = s;
      }
      return;
    }
    const v = 2 ** ((it.data[k]! - base) / DECAY_HALF_LIFE_MS);
    for (let j = n - 1; j > k; j--) cum.data[j] = cum.data[j - 1]! + v;
    cum.data[k] = cum.data[k - 1]! + v;
  }

  // ---- per-user queries (events strictly before t) ----

  /** How many of user u's events are before t; his events are userEvent(u, 0..n-1), oldest first. */
  userCountBefore(u: number, t: number): number {
    if (u < 0 || u >= this.userEv.length) return 0;
    const ul = this.userEv[u]!;
    return lowerBoundBy(ul.data, ul.length, this.evTime.data, t);
  }

  /** Index (into the event columns) of user u's k-th event, oldest first. */
  userEvent(u: number, k: number): number {
    return this.userEv[u]!.data[k]!;
  }

  eventItem(e: number): number {
    return this.evItem.data[e]!;
  }
  eventTime(e: number): number {
    return this.evTime.data[e]!;
  }
  eventWeight(e: number): number {
    return this.evWeight[e]!;
  }
  eventRating(e: number): number {
    return this.evRating[e]!;
  }

  /** All events before t. */
  countBefore(t: number): number {
    return lowerBound(this.allTime.data, this.allTime.length, t);
  }

  // ---- per-item queries (events strictly before t) ----

  /**
   * Item i's events before t. The last answer is kept: a candidate's features ask the same (item, t)
   * several times in a row (its counts, decayed count, mean rating and windows all start there).
   */
  itemCountBefore(i: number, t: number): number {
    if (i < 0 || i >= this.itemTime.length) return 0;
    if (i === this.lastItem && t === this.lastItemT) return this.lastItemCount;
    const it = this.itemTime[i]!;
    const k = lowerBound(it.data, it.length, t);
    this.lastItem = i;
    this.lastItemT = t;
    this.lastItemCount = k;
    return k;
  }

  /** Item i's events in [from, t). */
  itemCountIn(i: number, from: number, t: number): number {
    if (i < 0 || i >= this.itemTime.length) return 0;
    const it = this.itemTime[i]!;
    if (it.length === 0) return 0;
    const k = this.itemCountBefore(i, t);
    // a window's start is near its end: searched back from there
    return k - (it.data[0]! >= from ? 0 : lowerBoundFromEnd(it.data, k, from));
  }

  /** Time of item i's first event (NaN when none before t). */
  itemFirstTime(i: number, t: number): number {
    if (i < 0 || i >= this.itemTime.length) return Number.NaN;
    const it = this.itemTime[i]!;
    return it.length > 0 && it.data[0]! < t ? it.data[0]! : Number.NaN;
  }

  /** Mean rating of item i over ratings before t (NaN without any). */
  itemMeanRating(i: number, t: number): number {
    if (i < 0 || i >= this.itemTime.length) return Number.NaN;
    const k = this.itemCountBefore(i, t);
    if (k === 0) return Number.NaN;
    const c = this.itemRatingCount[i]!.data[k - 1]!;
    return c > 0 ? this.itemRatingSum[i]!.data[k - 1]! / c : Number.NaN;
  }

  /**
   * Exponentially decayed event count of item i at t: sum over events before t of 2^-(age / halfLife);
   * events older than 20 half-lives (weight < 1e-6) are left out.
   */
  itemDecayed(i: number, t: number, halfLifeMs: number): number {
    if (i < 0 || i >= this.itemTime.length) return 0;
    const it = this.itemTime[i]!;
    const horizon = t - 20 * halfLifeMs;
    const k = this.itemCountBefore(i, t);
    if (k === 0) return 0;
    const cum = this.itemDecayCum[i]!.data;
    if (halfLifeMs === DECAY_HALF_LIFE_MS && !Number.isNaN(cum[0]!)) {
      // sum_j 2^((t_j - t_0) / h) over the window, times 2^((t_0 - t) / h)
      // (the first event inside the horizon, as in data spanning under 20 half-lives: no search through
      // the item's old events, whose cache lines a server's request would wait for)
      const h = it.data[0]! >= horizon ? 0 : lowerBound(it.data, k, horizon);
      if (h >= k) return 0;
      const sum = cum[k - 1]! - (h > 0 ? cum[h - 1]! : 0);
      return sum * 2 ** ((it.data[0]! - t) / halfLifeMs);
    }
    const rate = Math.LN2 / halfLifeMs;
    let s = 0;
    for (let j = k - 1; j >= 0; j--) {
      const ti = it.data[j]!;
      if (ti < horizon) break;
      s += Math.exp(-(t - ti) * rate);
    }
    return s;
  }

  /** Number of genres; genre indices of item i. */
  get genreCount(): number {
    return this.genres.names.length;
  }

  /** Genre indices of item i (a view made once per item: the features read it per row). */
  itemGenres(i: number): Int32Array {
    const g = this.genres;
    if (i < 0 || i + 1 >= g.indptr.length) return NO_GENRES;
    let v = this.genreViews[i];
    if (v === undefined) {
      v = g.indices.subarray(g.indptr[i]!, g.indptr[i + 1]!);
      this.genreViews[i] = v;
    }
    return v;
  }
}
