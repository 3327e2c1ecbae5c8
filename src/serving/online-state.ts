/**
 * The live state behind the API: the store (durable events), the model slot in use, and what moves with
 * every event between trainings:
 * - each user's profile (his row of the interaction matrix under the bundle's event weights), updated in
 *   place by his events, so the next answer excludes the item and folds him in afresh (a user with events
 *   since the models were fitted is served from his profile: ALS solves his factors by fold-in);
 * - his most recent items (whose neighbours join the ranked strategy's candidates);
 * - per-item counters (events, last event time);
 * - an LRU of answers keyed by user, parameters, model version and the user's generation (bumped by each
 *   of his events, which thereby invalidates his cached answers).
 *
 * Ingestion order is: validate, store in one transaction (durable when it returns: SQLite WAL), then apply
 * here, then answer. Hot swap (`swap`) builds the new slot completely before one assignment replaces the
 * old; a fault while loading keeps the old slot and is reported in `lastLoadError` (and /health).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csrRow } from '../core/csr.js';
import { lowerBound, sortedHas, sortedIndexOf } from '../core/search.js';
import { selectTopN } from '../core/top-n.js';
import {
  buildInteractions,
  eventWeight,
  type InteractionWeights,
  interactionWeights,
  sameWeights,
} from '../data/interactions.js';

import { listVersions } from '../models/bundle.js';
import { fittedRow } from '../models/profiles.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';
import type { EventColumns, Store } from '../store/store.js';
import type { Csr, EventRecord, ItemRecord, ModelName, TopN } from '../types.js';
import { gatherCandidates } from './candidates.js';
import { badRequest, HttpError, notFound } from './http-error.js';
import { Lru } from './lru.js';
import { loadSlot, type ModelSlot } from './model-slot.js';
import { NewItems } from './new-items.js';
import { RankPool } from './rank-pool.js';
import { type FeatureContribution, rankWithLiveProfile } from './ranker.js';

export interface RecommendedItem {
  id: string;
  score: number;
  title?: string;
  sources?: string[];
  features?: FeatureContribution[];
}

export interface RecommendationAnswer {
  user: string;
  /** The model that ordered the list (honest: the fallback's name when `ranked` is not available). */
  model: string;
  version: string;
  /** The strategy asked for. */
  strategy: string;
  items: RecommendedItem[];
  /** Why the model differs from the strategy, when it does. */
  note?: string;
}

export interface RecommendRequest {
  userId: string;
  k: number;
  strategy?: string;
  excludeSeen?: boolean;
  genre?: string;
  explain?: boolean;
}

export interface SimilarAnswer {
  item: string;
  model: string | null;
  version: string;
  items: RecommendedItem[];
  note?: string;
}

export interface OnlineOptions {
  modelsDir: string;
  /** Answers kept in the per-user LRU (0 turns caching off). Default 50,000. */
  cacheSize?: number;
  /** Create unknown items named by events instead of answering 404. Default false. */
  autoCreateItems?: boolean;
  /** Recent items kept per user. Default 10. */
  recentItems?: number;
  /** Candidates for the ranked strategy. Default 300. */
  candidates?: number;
  /** Worker threads that compute ranked answers (./rank-pool.ts); 0 computes them on the main thread. Default 0. */
  rankThreads?: number;
}

export interface LoadError {
  message: string;
  at: string;
  version?: string;
}

export interface NewUser {
  id: string;
  attributes?: Record<string, unknown>;
  preferences?: { genres?: string[]; items?: string[] };
}

const EMPTY_ITEMS = new Int32Array(0);
/** Recent distinct recommendation requests remembered for re-warming the cache after a swap. */
const RECENT_REQUESTS = 10_000;
const EMPTY_WEIGHTS = new Float32Array(0);

function readCurrentPointer(modelsDir: string): string | undefined {
  const p = join(modelsDir, 'current');
  return existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined;
}

function grow<T extends Int32Array | Float32Array | Float64Array>(a: T, n: number, fill = 0): T {
  if (a.length >= n) return a;
  const Ctor = a.constructor as new (n: number) => T;
  const b = new Ctor(Math.max(n, a.length * 2, 16));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

interface Row {
  items: Int32Array;
  weights: Float32Array;
}

/** Writes event k as the (user, item, time, weight, rating) quintuple the rank threads apply. */
function putEvent(
  q: Float64Array,
  k: number,
  u: number,
  i: number,
  t: number,
  w: number,
  rating: number,
): void {
  q[5 * k] = u;
  q[5 * k + 1] = i;
  q[5 * k + 2] = t;
  q[5 * k + 3] = w;
  q[5 * k + 4] = rating;
}

/** The ranked model's part of an answer, for a rank thread. */
interface RankJob {
  profile: UserProfile;
  u: number | undefined;
  options: { excludeSeen: boolean; allowed?: Uint8Array };
  base: { user: string; version: string; strategy: string };
}

/** The weight of `item` in row `r` (0 when absent). */
function rowWeight(r: Row, item: number): number {
  const k = sortedIndexOf(r.items, item);
  return k < 0 ? 0 : r.weights[k]!;
}

/**
 * What one (user, item) weight adds to the item's popularity score as ../recommenders/popularity.ts counts
 * it: 1 for a positive weight (the weight itself when `weighted`). With a time-decayed popularity model a
 * pair changed live counts as fresh (age 0) until the next training.
 */
function popularityShare(w: number, weighted: boolean): number {
  return w > 0 ? (weighted ? w : 1) : 0;
}

/**
 * A user's row changed live: items ascending with their weights (float32, as the interaction matrix stores
 * them), with room to grow, so that an event costs a binary search and at most one shift of the row's tail
 * (no new arrays per event). Views handed out (`view`) are read before the next event is applied.
 */
class LiveRow {
  items: Int32Array;
  weights: Float32Array;
  length: number;

  constructor(from: Row) {
    this.length = from.items.length;
    const capacity = Math.max(8, this.length * 2);
    this.items = new Int32Array(capacity);
    this.weights = new Float32Array(capacity);
    this.items.set(from.items);
    this.weights.set(from.weights);
  }

  view(): Row {
    return { items: this.items.subarray(0, this.length), weights: this.weights.subarray(0, this.length) };
  }

  /** Adds `w` to the item's weight and returns the weight before (0 when absent); a zero sum is dropped. */
  add(item: number, w: number): number {
    const lo = lowerBound(this.items, this.length, item);
    if (lo < this.length && this.items[lo] === item) {
      const before = this.weights[lo]!;
      this.weights[lo] = before + w;
      if (this.weights[lo] === 0) {
        this.items.copyWithin(lo, lo + 1, this.length);
        this.weights.copyWithin(lo, lo + 1, this.length);
        this.length--;
      }
      return before;
    }
    if (w === 0) return 0;
    if (this.length === this.items.length) {
      const items = new Int32Array(this.length * 2);
      const weights = new Float32Array(this.length * 2);
      items.set(this.items);
      weights.set(this.weights);
      this.items = items;
      this.weights = weights;
    }
    this.items.copyWithin(lo + 1, lo, this.length);
    this.weights.copyWithin(lo + 1, lo, this.length);
    this.items[lo] = item;
    this.weights[lo] = w;
    this.length++;
    return 0;
  }
}

export class OnlineState {
  slot?: ModelSlot;
  lastLoadError?: LoadError;
  readonly cache: Lru<string, RecommendationAnswer | SimilarAnswer>;
  readonly autoCreateItems: boolean;
  private weights: InteractionWeights = interactionWeights();
  private base: Csr = {
    rows: 0,
    cols: 0,
    indptr: new Int32Array(1),
    indices: EMPTY_ITEMS,
    values: EMPTY_WEIGHTS,
  };
  private readonly overrides = new Map<number, LiveRow>();
  /** Users with events since the fitted models saw them: served from their profile (fold-in). */
  private fresh = new Set<number>();
  /**
   * The popularity model's item scores moved live (over every item, new ones too): each event that makes a
   * (user, item) weight positive adds the user, one that makes it non-positive removes him (`weighted`:
   * the weight itself). Undefined when the bundle has no popularity model (the event counters serve).
   */
  private livePopularity?: Float32Array;
  /** Items added since the slot's training, compared by content (made on first use per slot). */
  private newItemsOf?: NewItems;
  /** Bumped whenever the popularity scores move (the cache key of unknown users' answers). */
  private popularityVersion = 0;
  private recent: Int32Array = new Int32Array(0);
  private readonly recentSize: number;
  private userGen: Int32Array = new Int32Array(0);
  private userEventCount: Int32Array = new Int32Array(0);
  /** Live item counters. */
  itemEvents: Float64Array = new Float64Array(0);
  itemLastEvent: Float64Array = new Float64Array(0);
  private titles: (string | undefined)[] = [];
  private itemGenres: (string[] | undefined)[] = [];
  private genreMasks = new Map<string, Uint8Array>();
  private readonly prefs = new Map<number, string[]>();
  private readonly candidateCount: number;
  private readonly recentRequests = new Map<string, RecommendRequest>();
  /** Rank threads of the slot in use (option rankThreads), ready once every worker loaded the model. */
  private pool?: { slot: ModelSlot; pool: RankPool; ready: boolean };
  eventsIngested = 0;
  swaps = 0;

  constructor(
    readonly store: Store,
    readonly options: OnlineOptions,
  ) {
    this.cache = new Lru(options.cacheSize ?? 50_000);
    this.autoCreateItems = options.autoCreateItems ?? false;
    this.recentSize = Math.max(1, options.recentItems ?? 10);
    this.candidateCount = options.candidates ?? 300;
    this.loadItems();
    this.loadPreferences();
    this.rebuildProfiles();
  }

  get modelsDir(): string {
    return this.options.modelsDir;
  }

  // ---------------------------------------------------------------- loading and hot swap

  /**
   * Loads the bundle `version` (default: the current one) and swaps it in. On any fault the slot in use
   * stays, the error is kept for /health, and it is rethrown.
   */
  swap(version?: string): ModelSlot {
    let next: ModelSlot;
    let tail: EventColumns;
    try {
      next = loadSlot(this.options.modelsDir, version);
      next.bundle.fittedSizes(this.store.counts(), 'the store');
      // the events stored after those the bundle was trained on (e.g. during a retraining, or since the
      // training when the server starts): bundles older than `position` ended at event `events`
      const data = next.bundle.manifest.data;
      tail = this.store.eventsSince(data.position ?? data.events);
    } catch (err) {
      this.lastLoadError = {
        message: (err as Error).message,
        at: new Date().toISOString(),
        ...(version ? { version } : {}),
      };
      throw err;
    }
    const w = next.bundle.manifest.weights;
    const rebuild = !sameWeights(w, this.weights);
    this.weights = w;
    if (rebuild) this.rebuildProfiles();
    const replayed = this.replay(next, tail);
    this.fresh = replayed.fresh;
    this.livePopularity = replayed.popularity;
    this.slot = next;
    this.lastLoadError = undefined;
    this.swaps++;
    this.startRankThreads(next);
    if (replayed.forThreads && this.pool) this.pool.pool.applyEvents(replayed.forThreads);
    this.rewarm(next);
    return next;
  }

  /** Rank threads for a new slot; the previous ones stop once their requests are answered. */
  private startRankThreads(slot: ModelSlot): void {
    const old = this.pool;
    this.pool = undefined;
    if (old) void old.pool.close();
    const threads = this.options.rankThreads ?? 0;
    if (threads <= 0 || !slot.ranked) return;
    const entry = { slot, pool: new RankPool(this.options.modelsDir, slot.version, threads), ready: false };
    this.pool = entry;
    entry.pool.whenReady().then(
      () => {
        entry.ready = true;
      },
      () => {
        // a worker that does not load leaves ranking on the main thread (pool.fault is set)
      },
    );
  }

  /** Resolves once the rank threads of the slot in use answer (at once without any). */
  async rankThreadsReady(): Promise<void> {
    await this.pool?.pool.whenReady();
  }

  /** Stops the rank threads. */
  async close(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    if (p) await p.pool.close();
  }

  /**
   * At startup: the current bundle, else (it is missing or does not load) the newest older version that
   * loads, with the fault kept in `lastLoadError` (/health says degraded). Throws when none loads.
   */
  swapAtStartup(): ModelSlot {
    try {
      return this.swap();
    } catch (err) {
      const fault = this.lastLoadError;
      const current = readCurrentPointer(this.options.modelsDir);
      for (const v of listVersions(this.options.modelsDir).reverse()) {
        if (v === current) continue;
        try {
          const slot = this.swap(v);
          this.lastLoadError = fault && {
            ...fault,
            message: `${fault.message} (serving the previous bundle ${v} instead)`,
          };
          return slot;
        } catch {
          // try the next older one
        }
      }
      this.lastLoadError = fault;
      throw err;
    }
  }

  /**
   * Brings a slot about to serve up to date with the events stored after those it was trained on (`tail`):
   * they go into its ranked model's feature state, their users are the ones served by fold-in (the others
   * have current trained factors), and the popularity scores move by the (user, item) pairs they changed.
   * The profiles, recent items and item counters are the server's own and already hold every stored event.
   */
  private replay(
    slot: ModelSlot,
    tail: EventColumns,
  ): { fresh: Set<number>; popularity?: Float32Array; forThreads?: Float64Array } {
    const names = this.store.eventTypeNames();
    const features = slot.ranked?.featureState?.();
    // the same events for the rank threads' copies of the ranker (they load the bundle as saved)
    const forThreads = features ? new Float64Array(tail.length * 5) : undefined;
    const fresh = new Set<number>();
    const pairs = slot.popularity ? new Map<number, Map<number, number>>() : undefined;
    for (let e = 0; e < tail.length; e++) {
      const u = tail.user[e]!;
      const i = tail.item[e]!;
      const type = names[tail.type[e]!]!;
      const value = tail.value[e]!;
      const weight = eventWeight(this.weights, type, value);
      const rating = type === 'rating' ? value : Number.NaN;
      features?.applyEvent(u, i, tail.timestamp[e]!, weight, rating);
      if (forThreads) putEvent(forThreads, e, u, i, tail.timestamp[e]!, weight, rating);
      fresh.add(u);
      if (pairs) {
        let d = pairs.get(u);
        if (!d) pairs.set(u, (d = new Map()));
        d.set(i, (d.get(i) ?? 0) + weight);
      }
    }
    if (!slot.popularity || !pairs) return { fresh, ...(forThreads ? { forThreads } : {}) };
    const fitted = slot.popularity.itemScores();
    const popularity = new Float32Array(Math.max(16, this.titles.length, fitted.length));
    popularity.set(fitted);
    const weighted = slot.popularity.params.weighted;
    for (const [u, d] of pairs) {
      const row = this.row(u);
      for (const [i, added] of d) {
        const now = rowWeight(row, i);
        // the pair's weight when the bundle was trained (a sum of float32 weights: near zero is zero)
        let then = now - added;
        if (Math.abs(then) < 1e-4 * Math.max(1, Math.abs(now))) then = 0;
        popularity[i]! += popularityShare(now, weighted) - popularityShare(then, weighted);
      }
    }
    return { fresh, popularity, ...(forThreads ? { forThreads } : {}) };
  }

  /** Profiles, recent items and counters from every stored event (startup, or new event weights). */
  private rebuildProfiles(): void {
    const log = this.store.loadEventLog();
    this.base = buildInteractions(log, this.weights);
    this.overrides.clear();
    const nUsers = log.userIds.length;
    const nItems = log.itemIds.length;
    const R = this.recentSize;
    this.recent = new Int32Array(Math.max(16, nUsers) * R).fill(-1);
    this.userGen = grow(this.userGen, nUsers);
    this.userEventCount = new Int32Array(Math.max(16, nUsers));
    this.itemEvents = new Float64Array(Math.max(16, nItems));
    this.itemLastEvent = new Float64Array(Math.max(16, nItems));
    for (let e = 0; e < log.length; e++) {
      const u = log.user[e]!;
      const i = log.item[e]!;
      this.pushRecent(u, i);
      this.userEventCount[u]!++;
      this.itemEvents[i]!++;
      if (log.timestamp[e]! > this.itemLastEvent[i]!) this.itemLastEvent[i] = log.timestamp[e]!;
    }
    this.cache.clear();
  }

  private loadItems(): void {
    const items = this.store.listItems();
    this.titles = items.map((i) => i.title);
    this.itemGenres = items.map((i) => i.genres);
    this.rebuildGenreMasks();
  }

  private rebuildGenreMasks(): void {
    const n = this.itemGenres.length;
    const masks = new Map<string, Uint8Array>();
    for (let i = 0; i < n; i++) {
      for (const g of this.itemGenres[i] ?? []) {
        let m = masks.get(g);
        if (!m) masks.set(g, (m = new Uint8Array(n)));
        m[i] = 1;
      }
    }
    this.genreMasks = masks;
  }

  private loadPreferences(): void {
    for (const u of this.store.listUsers()) {
      const p = (u.attributes?.['preferences'] as { genres?: unknown } | undefined)?.genres;
      if (Array.isArray(p) && p.every((g) => typeof g === 'string')) {
        const idx = this.store.userIndex(u.id);
        if (idx !== undefined) this.prefs.set(idx, p as string[]);
      }
    }
  }

  genres(): string[] {
    return [...this.genreMasks.keys()].sort();
  }

  // ---------------------------------------------------------------- per-user live data

  private ensureUserCapacity(n: number): void {
    const R = this.recentSize;
    if (this.recent.length < n * R) {
      const r = new Int32Array(Math.max(n, (this.recent.length / R) * 2) * R).fill(-1);
      r.set(this.recent);
      this.recent = r;
    }
    this.userGen = grow(this.userGen, n);
    this.userEventCount = grow(this.userEventCount, n);
  }

  private ensureItemCapacity(n: number): void {
    this.itemEvents = grow(this.itemEvents, n);
    this.itemLastEvent = grow(this.itemLastEvent, n);
    if (this.livePopularity) this.livePopularity = grow(this.livePopularity, n);
  }

  private pushRecent(u: number, i: number): void {
    const R = this.recentSize;
    if (R === 0) return;
    const o = u * R;
    // move i to the front (drop an older copy of it, else the oldest)
    let at = R - 1;
    for (let s = 0; s < R; s++) {
      if (this.recent[o + s] === i) {
        at = s;
        break;
      }
    }
    for (let s = at; s > 0; s--) this.recent[o + s] = this.recent[o + s - 1]!;
    this.recent[o] = i;
  }

  /** A user's recent items, newest first (a view; copy before keeping). */
  recentItems(u: number): Int32Array {
    const R = this.recentSize;
    const o = u * R;
    let n = 0;
    while (n < R && this.recent[o + n]! >= 0) n++;
    return this.recent.subarray(o, o + n);
  }

  private row(u: number): Row {
    const o = this.overrides.get(u);
    if (o) return o.view();
    if (u < this.base.rows) return csrRow(this.base, u);
    return { items: EMPTY_ITEMS, weights: EMPTY_WEIGHTS };
  }

  /** User u's profile for `slot`: items the fitted models know; `user` set only if his trained factors are current. */
  profile(u: number, slot: ModelSlot): UserProfile {
    const r = this.row(u);
    const profile: UserProfile = fittedRow(r.items, r.weights, slot.fitted.items);
    if (u < slot.fitted.users && !this.fresh.has(u)) profile.user = u;
    const g = this.prefs.get(u);
    if (g) profile.genres = g;
    return profile;
  }

  userStats(u: number): {
    events: number;
    items: number;
    recent: string[];
    preferences?: { genres: string[] };
  } {
    const recent = Array.from(this.recentItems(u), (i) => this.itemId(i));
    const g = this.prefs.get(u);
    return {
      events: this.userEventCount[u] ?? 0,
      items: this.row(u).items.length,
      recent,
      ...(g ? { preferences: { genres: g } } : {}),
    };
  }

  private itemIdCache: string[] = [];
  private itemId(i: number): string {
    if (i >= this.itemIdCache.length) this.itemIdCache = this.store.itemIds();
    return this.itemIdCache[i]!;
  }

  // ---------------------------------------------------------------- writes

  /**
   * Validates, stores (one transaction, durable on return) and applies events. Unknown items answer 404
   * naming the event unless auto-creation is on; nothing is stored then. `field` prefixes field names.
   */
  ingest(events: EventRecord[], field: (k: number, name: string) => string): number {
    this.checkItems(events, field);
    const n = this.store.insertEvents(events, { createUsers: true, createItems: this.autoCreateItems });
    this.apply(events);
    return n;
  }

  private checkItems(events: EventRecord[], field: (k: number, name: string) => string): void {
    if (this.autoCreateItems) return;
    for (let k = 0; k < events.length; k++) {
      if (this.store.itemIndex(events[k]!.item) === undefined)
        throw notFound(`${field(k, 'item')}: unknown item "${events[k]!.item}"`, field(k, 'item'));
    }
  }

  /**
   * The same with group commit: the batches of every request that arrives in one turn of the event loop
   * are stored in one transaction (a commit writes each dirty page once, so larger transactions store
   * several times more events per second), then applied, then each request is answered. A batch that
   * makes the group fail is retried alone, so one request's fault fails only that request.
   */
  ingestGrouped(events: EventRecord[], field: (k: number, name: string) => string): Promise<number> {
    this.checkItems(events, field);
    return new Promise((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private pending: { events: EventRecord[]; resolve: (n: number) => void; reject: (err: unknown) => void }[] =
    [];
  private flushScheduled = false;

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    const options = { createUsers: true, createItems: this.autoCreateItems };
    let stored = group;
    try {
      this.store.transaction(() => {
        for (const p of group) this.store.insertEvents(p.events, options);
      });
    } catch {
      stored = [];
      for (const p of group) {
        try {
          this.store.insertEvents(p.events, options);
          stored.push(p);
        } catch (err) {
          p.reject(err);
        }
      }
    }
    for (const p of stored) {
      try {
        this.apply(p.events);
        p.resolve(p.events.length);
      } catch (err) {
        p.reject(err);
      }
    }
  }

  /** Applies stored events to the live state. */
  private apply(events: EventRecord[]): void {
    // each id looked up once
    const users = new Int32Array(events.length);
    const items = new Int32Array(events.length);
    let maxU = -1;
    let maxI = -1;
    for (let k = 0; k < events.length; k++) {
      const u = this.store.userIndex(events[k]!.user)!;
      const i = this.store.itemIndex(events[k]!.item)!;
      users[k] = u;
      items[k] = i;
      if (u > maxU) maxU = u;
      if (i > maxI) maxI = i;
    }
    if (maxI >= this.titles.length) {
      // items created by events (auto-creation)
      while (this.titles.length <= maxI) {
        this.titles.push(undefined);
        this.itemGenres.push(undefined);
      }
      this.itemIdCache = [];
      this.rebuildGenreMasks(); // masks cover every item (a new one is in no genre)
    }
    this.ensureUserCapacity(maxU + 1);
    this.ensureItemCapacity(this.titles.length);
    const features = this.slot?.ranked?.featureState?.();
    const forThreads =
      features && this.pool && this.pool.slot === this.slot ? new Float64Array(events.length * 5) : undefined;
    const pop = this.livePopularity;
    const weighted = this.slot?.popularity?.params.weighted ?? false;
    if (!pop) this.popularityVersion++; // the event counters are the popularity scores
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      const u = users[k]!;
      const i = items[k]!;
      const value = e.value ?? 1;
      const w = eventWeight(this.weights, e.type, value);
      let row = this.overrides.get(u);
      if (!row) this.overrides.set(u, (row = new LiveRow(this.row(u))));
      const then = row.add(i, w);
      if (pop) {
        const change = popularityShare(Math.fround(then + w), weighted) - popularityShare(then, weighted);
        if (change !== 0) {
          pop[i]! += change;
          this.popularityVersion++;
        }
      }
      this.pushRecent(u, i);
      this.userEventCount[u]!++;
      this.itemEvents[i]!++;
      if (e.timestamp > this.itemLastEvent[i]!) this.itemLastEvent[i] = e.timestamp;
      const rating = e.type === 'rating' ? Math.fround(value) : Number.NaN;
      features?.applyEvent(u, i, e.timestamp, w, rating);
      if (forThreads) putEvent(forThreads, k, u, i, e.timestamp, w, rating);
    }
    // the same (user, item, time, weight, rating) to the rank threads' copies of the ranker
    if (forThreads) this.pool!.pool.applyEvents(forThreads);
    for (const u of users) {
      this.fresh.add(u);
      this.userGen[u]!++;
    }
    this.eventsIngested += events.length;
  }

  /** Creates a user with onboarding preferences (genres, liked items stored as `like` events). */
  createUser(user: NewUser): { id: string; likes: number } {
    if (this.store.userIndex(user.id) !== undefined)
      throw new HttpError(409, `user "${user.id}" already exists`, 'id');
    const genres = user.preferences?.genres ?? [];
    genres.forEach((g, j) => {
      if (!this.genreMasks.has(g))
        throw badRequest(
          `preferences.genres[${j}]`,
          `unknown genre "${g}" (known: ${this.genres().join(', ')})`,
        );
    });
    const liked = user.preferences?.items ?? [];
    liked.forEach((id, j) => {
      if (this.store.itemIndex(id) === undefined)
        throw notFound(`preferences.items[${j}]: unknown item "${id}"`, `preferences.items[${j}]`);
    });
    const now = Date.now();
    const attributes = {
      ...(user.attributes ?? {}),
      ...(genres.length > 0 ? { preferences: { genres } } : {}),
    };
    const events: EventRecord[] = liked.map((item) => ({
      user: user.id,
      item,
      type: 'like',
      value: 1,
      timestamp: now,
    }));
    this.store.transaction(() => {
      this.store.upsertUsers([{ id: user.id, attributes, createdAt: now }]);
      if (events.length > 0) this.store.insertEvents(events, { createUsers: false, createItems: false });
    });
    const u = this.store.userIndex(user.id)!;
    this.ensureUserCapacity(u + 1);
    if (genres.length > 0) this.prefs.set(u, genres);
    if (events.length > 0) this.apply(events);
    this.fresh.add(u);
    this.userGen[u]!++;
    return { id: user.id, likes: events.length };
  }

  /** Inserts or updates items; new ones are known to the models after the next training. */
  upsertItems(items: ItemRecord[]): { created: number; updated: number } {
    let created = 0;
    for (const it of items) if (this.store.itemIndex(it.id) === undefined) created++;
    this.store.upsertItems(items);
    for (const it of items) {
      const i = this.store.itemIndex(it.id)!;
      while (this.titles.length <= i) {
        this.titles.push(undefined);
        this.itemGenres.push(undefined);
      }
      if (it.title !== undefined) this.titles[i] = it.title;
      if (it.genres !== undefined) this.itemGenres[i] = it.genres;
    }
    this.itemIdCache = [];
    this.ensureItemCapacity(this.titles.length);
    this.rebuildGenreMasks();
    this.newItemsOf = undefined; // their content vectors are made again from the records
    this.cache.clear();
    return { created, updated: items.length - created };
  }

  // ---------------------------------------------------------------- reads

  private requireSlot(): ModelSlot {
    const slot = this.slot;
    if (!slot)
      throw new HttpError(
        503,
        `no model bundle loaded${this.lastLoadError ? `: ${this.lastLoadError.message}` : ''}; train one (reco train or POST /v1/models/retrain)`,
      );
    return slot;
  }

  private genreMask(genre: string | undefined, field = 'genre'): Uint8Array | undefined {
    if (genre === undefined) return undefined;
    const m = this.genreMasks.get(genre);
    if (!m) throw badRequest(field, `unknown genre "${genre}" (known: ${this.genres().join(', ')})`);
    return m;
  }

  /**
   * Popularity scores of every item (new ones too): the bundle's popularity model moved by the events
   * since its training, else the live event counters.
   */
  private popularScores(): Float32Array {
    const n = this.titles.length;
    if (this.livePopularity) return this.livePopularity.subarray(0, n);
    return Float32Array.from(this.itemEvents.subarray(0, n));
  }

  /** The k most popular items (every item, new ones too), minus what user u has seen when asked. */
  private popularTop(u: number | undefined, k: number, excludeSeen: boolean, allowed?: Uint8Array): TopN {
    const seen = excludeSeen && u !== undefined ? this.row(u).items : undefined;
    return selectTopN(this.popularScores(), k, seen, allowed);
  }

  recommend(req: RecommendRequest): RecommendationAnswer {
    const q = this.prepare(req);
    const hit = this.cache.get(q.key);
    if (hit) return hit as RecommendationAnswer;
    const answer = this.compute(q.slot, req, q.strategy, q.u, q.excludeSeen, q.explain, q.allowed, false);
    this.remember(q.key, req, answer as RecommendationAnswer, q.u);
    return answer as RecommendationAnswer;
  }

  /**
   * The same answer as `recommend`; with rank threads (option rankThreads) ready, the ranked model's part
   * of an uncached answer is computed on a worker (explanations stay on the main thread).
   */
  async recommendAsync(req: RecommendRequest): Promise<RecommendationAnswer> {
    const pool = this.pool;
    if (!pool?.ready || pool.pool.fault || pool.slot !== this.slot) return this.recommend(req);
    const q = this.prepare(req);
    const hit = this.cache.get(q.key);
    if (hit) return hit as RecommendationAnswer;
    const out = this.compute(q.slot, req, q.strategy, q.u, q.excludeSeen, q.explain, q.allowed, true);
    if (!('job' in out)) {
      this.remember(q.key, req, out, q.u);
      return out;
    }
    const { job } = out;
    let top: TopN;
    try {
      top = await pool.pool.rank(job.profile, job.u, req.k, job.options);
    } catch {
      // a worker that failed (or a request it could not answer): the main thread answers, or says why not
      return this.recommend(req);
    }
    const answer: RecommendationAnswer = {
      ...job.base,
      model: 'ranked',
      items: this.items(top.items, top.scores),
    };
    this.remember(q.key, req, answer, q.u);
    return answer;
  }

  /** A request checked against the slot in use, and its cache key. */
  private prepare(req: RecommendRequest) {
    const slot = this.requireSlot();
    const strategy = req.strategy ?? 'ranked';
    const excludeSeen = req.excludeSeen ?? true;
    const explain = req.explain ?? false;
    if (strategy !== 'ranked' && !slot.models.has(strategy as ModelName))
      throw badRequest(
        'strategy',
        `model "${strategy}" is not in bundle ${slot.version} (it has: ranked, ${[...slot.models.keys()].join(', ')})`,
      );
    const allowed = this.genreMask(req.genre);
    const u = this.store.userIndex(req.userId);
    // an unknown user's answer (popularity) is as fresh as the popularity scores; a user's as his events
    const gen = u === undefined ? `p${this.popularityVersion}` : this.userGen[u]!;
    const key = `${req.userId}\u0000${strategy}\u0000${req.k}\u0000${excludeSeen ? 1 : 0}\u0000${req.genre ?? ''}\u0000${explain ? 1 : 0}\u0000${slot.version}\u0000${gen}`;
    return { slot, strategy, excludeSeen, explain, allowed, u, key };
  }

  private remember(key: string, req: RecommendRequest, answer: RecommendationAnswer, u?: number): void {
    // a known user's popularity answer changes with everyone's events: computed each time (it is cheap)
    if (u !== undefined && answer.model === 'popularity') return;
    this.cache.set(key, answer);
    if (this.cache.capacity > 0) {
      // remembered (without the bundle version) so that a hot swap can recompute it in the background
      const rkey = key.slice(0, key.lastIndexOf('\u0000', key.lastIndexOf('\u0000') - 1));
      this.recentRequests.delete(rkey);
      this.recentRequests.set(rkey, req);
      if (this.recentRequests.size > RECENT_REQUESTS) {
        const oldest = this.recentRequests.keys().next();
        if (!oldest.done) this.recentRequests.delete(oldest.value);
      }
    }
  }

  /**
   * After a swap, recomputes the recently asked answers under the new bundle in the background, in slices
   * of a few milliseconds between requests, newest first, so that the cache is warm again soon and the
   * swap does not show as a latency spike. A newer swap stops it.
   */
  private rewarm(slot: ModelSlot): void {
    const queue = [...this.recentRequests.values()].reverse();
    let next = 0;
    const slice = () => {
      if (this.slot !== slot) return;
      const until = performance.now() + 4;
      while (next < queue.length && performance.now() < until) {
        try {
          this.recommend(queue[next++]!);
        } catch {
          // a request that no longer answers (e.g. a strategy the new bundle lacks) is simply dropped
        }
      }
      if (next < queue.length) setImmediate(slice);
    };
    if (queue.length > 0) setImmediate(slice);
  }

  private compute(
    slot: ModelSlot,
    req: RecommendRequest,
    strategy: string,
    u: number | undefined,
    excludeSeen: boolean,
    explain: boolean,
    allowed: Uint8Array | undefined,
    deferRanked: boolean,
  ): RecommendationAnswer | { job: RankJob } {
    const base = { user: req.userId, version: slot.version, strategy };
    const profile: UserProfile =
      u === undefined ? { items: EMPTY_ITEMS, weights: EMPTY_WEIGHTS } : this.profile(u, slot);
    if (profile.items.length === 0 && profile.genres && strategy === 'ranked') {
      // onboarding genres only: a model that scores genres answers (hybrid, else content)
      const byGenres = (['hybrid', 'content'] as const).find((m) => slot.models.has(m));
      if (byGenres) {
        const top =
          (byGenres === 'content'
            ? this.contentTop(slot, profile, u, req.k, excludeSeen, allowed)
            : undefined) ??
          slot.model(byGenres)!.recommend(profile, req.k, { excludeSeen, ...(allowed ? { allowed } : {}) });
        return {
          ...base,
          model: byGenres,
          items: this.items(top.items, top.scores, explain ? () => ({ sources: [byGenres] }) : undefined),
          note: `new user with onboarding genres only: served by ${byGenres}`,
        };
      }
    }
    const usesGenres = strategy === 'content' || strategy === 'hybrid';
    if (profile.items.length === 0 && !(usesGenres && profile.genres)) {
      // unknown user, or no usable history: popularity (within his onboarding genres when he chose some)
      let mask = allowed;
      if (profile.genres && profile.genres.length > 0) mask = this.unionMask(profile.genres, allowed);
      const top = this.popularTop(u, req.k, excludeSeen, mask);
      const note =
        u === undefined
          ? 'unknown user: most popular items'
          : profile.genres
            ? 'new user: most popular items of his onboarding genres'
            : 'no history the models know: most popular items';
      return {
        ...base,
        model: 'popularity',
        items: this.items(top.items, top.scores, explain ? () => ({ sources: [`popularity`] }) : undefined),
        note,
      };
    }
    if (strategy === 'popularity') {
      // live: the bundle's counts moved by every event since, new items included
      const top = this.popularTop(u, req.k, excludeSeen, allowed);
      return {
        ...base,
        model: strategy,
        items: this.items(
          top.items,
          top.scores,
          explain
            ? (r) => ({ sources: [strategy], features: [{ name: 'popularity', value: top.scores[r]! }] })
            : undefined,
        ),
      };
    }
    if (strategy !== 'ranked') {
      const model = slot.model(strategy as ModelName)!;
      const top =
        (strategy === 'content'
          ? this.contentTop(slot, profile, u, req.k, excludeSeen, allowed)
          : undefined) ?? model.recommend(profile, req.k, { excludeSeen, ...(allowed ? { allowed } : {}) });
      return {
        ...base,
        model: strategy,
        items: this.items(
          top.items,
          top.scores,
          explain
            ? (r) => ({
                sources: [strategy],
                features: [{ name: `${strategy}_score`, value: top.scores[r]! }],
              })
            : undefined,
        ),
      };
    }
    if (deferRanked && slot.ranked && !explain) {
      // copies: a view would post its whole buffer to the worker
      // (the user index travels as `u`: rankWithLiveProfile puts it on the profile)
      const own: UserProfile = {
        items: profile.items.slice(),
        weights: profile.weights.slice(),
        ...(profile.genres ? { genres: profile.genres } : {}),
      };
      return { job: { profile: own, u, options: { excludeSeen, ...(allowed ? { allowed } : {}) }, base } };
    }
    return this.ranked(slot, req, profile, u, excludeSeen, explain, allowed, base);
  }

  private ranked(
    slot: ModelSlot,
    req: RecommendRequest,
    profile: UserProfile,
    u: number | undefined,
    excludeSeen: boolean,
    explain: boolean,
    allowed: Uint8Array | undefined,
    base: { user: string; version: string; strategy: string },
  ): RecommendationAnswer {
    const ranker = slot.ranked;
    if (ranker) {
      // the bundle's learning-to-rank model: its own candidates and features, over the live profile
      const options = { excludeSeen, ...(allowed ? { allowed } : {}) };
      const { top, profile: rankProfile } = rankWithLiveProfile(ranker, profile, u, req.k, options);
      const describe =
        explain && ranker.explain
          ? (r: number) => {
              const e = ranker.explain!(rankProfile, top.items[r]!);
              return {
                sources: e.sources.map((s) => s.name),
                features: e.contributions
                  .slice(0, 5)
                  .map((c) => ({ name: c.feature, value: c.value, contribution: c.contribution })),
              };
            }
          : undefined;
      return { ...base, model: 'ranked', items: this.items(top.items, top.scores, describe) };
    }
    // no ranked model: about 300 candidates (every generator, recent-item neighbours, popular items)
    // ordered by the bundle's best model, and the answer says so
    const recent = u === undefined ? EMPTY_ITEMS : this.recentItems(u);
    const popular = this.popularScores();
    const cands = gatherCandidates(slot, profile, recent, popular, {
      total: this.candidateCount,
      excludeSeen,
      ...(allowed ? { allowed } : {}),
    });
    const n = cands.items.length;
    const scores = new Float32Array(n);
    const model = slot.bestModel;
    const all = slot.scoreBest(profile, cands.generatorScores);
    for (let c = 0; c < n; c++) scores[c] = all[cands.items[c]!]!;
    const note = `no ranked model in bundle ${slot.version}${slot.rankerNote ? ` (${slot.rankerNote})` : ''}: ${n} candidates ordered by ${model}, the bundle's best model`;
    const top = selectTopN(scores, req.k);
    const items = new Int32Array(top.items.length);
    for (let r = 0; r < items.length; r++) items[r] = cands.items[top.items[r]!]!;
    const describe = explain
      ? (r: number) => {
          const c = top.items[r]!;
          const i = cands.items[c]!;
          const sources: string[] = [];
          for (let s = 0; s < slot.sourceNames.length; s++)
            if (cands.sources[c]! & (1 << s)) sources.push(slot.sourceNames[s]!);
          const features: FeatureContribution[] = [...cands.generatorScores].map(([g, s]) => ({
            name: `${g}_score`,
            value: s[i]!,
          }));
          features.push({ name: 'popularity', value: popular[i]! });
          return { sources, features };
        }
      : undefined;
    return { ...base, model, items: this.items(items, top.scores, describe), note };
  }

  private unionMask(genres: string[], allowed: Uint8Array | undefined): Uint8Array {
    const n = this.titles.length;
    const out = new Uint8Array(n);
    for (const g of genres) {
      const m = this.genreMasks.get(g);
      if (m) for (let i = 0; i < m.length; i++) out[i]! |= m[i]!;
    }
    if (allowed) for (let i = 0; i < n; i++) out[i]! &= allowed[i] ?? 0;
    return out;
  }

  private items(
    items: Int32Array,
    scores: Float32Array,
    describe?: (r: number) => Pick<RecommendedItem, 'sources' | 'features'>,
  ): RecommendedItem[] {
    const out: RecommendedItem[] = new Array(items.length);
    for (let r = 0; r < items.length; r++) {
      const i = items[r]!;
      const it: RecommendedItem = { id: this.itemId(i), score: scores[r]! };
      const t = this.titles[i];
      if (t !== undefined) it.title = t;
      if (describe) Object.assign(it, describe(r));
      out[r] = it;
    }
    return out;
  }

  similar(itemId: string, k: number): SimilarAnswer {
    const slot = this.requireSlot();
    const i = this.store.itemIndex(itemId);
    if (i === undefined) throw notFound(`unknown item "${itemId}"`, 'id');
    const key = `\u0001similar\u0000${itemId}\u0000${k}\u0000${slot.version}`;
    const hit = this.cache.get(key);
    if (hit) return hit as SimilarAnswer;
    let answer: SimilarAnswer;
    const name = slot.similarModel;
    if (i >= slot.fitted.items) answer = this.similarNew(slot, itemId, i, k);
    else if (!name)
      answer = {
        item: itemId,
        model: null,
        version: slot.version,
        items: [],
        note: 'no model in the bundle answers similar items (train itemknn, ease or als)',
      };
    else {
      const model = slot.model(name) as Recommender & Required<Pick<Recommender, 'similarItems'>>;
      const top = model.similarItems(i, k);
      answer = { item: itemId, model: name, version: slot.version, items: this.items(top.items, top.scores) };
    }
    this.cache.set(key, answer);
    return answer;
  }

  /** Items added since the slot's training (./new-items.ts). */
  private newItems(slot: ModelSlot): NewItems {
    if (this.newItemsOf?.slot !== slot)
      this.newItemsOf = new NewItems(slot, {
        count: () => this.titles.length,
        record: (i) => this.store.getItem(this.itemId(i)),
        genres: (i) => this.itemGenres[i],
      });
    return this.newItemsOf;
  }

  /** Similar items of an item added after the slot's training: by content until the next training. */
  private similarNew(slot: ModelSlot, itemId: string, i: number, k: number): SimilarAnswer {
    const news = this.newItems(slot);
    const scores = news.similarScores(i);
    if (!scores)
      return {
        item: itemId,
        model: null,
        version: slot.version,
        items: [],
        note: 'item added after the models were trained, with no metadata (genres, tags, title) to compare by: similar items after the next training',
      };
    const top = selectTopN(scores, k);
    return {
      item: itemId,
      model: news.model,
      version: slot.version,
      items: this.items(top.items, top.scores),
      note: `item added after the models were trained: similar by ${news.model === 'content' ? 'content (TF-IDF of genres, tags, title)' : 'shared genres'} until the next training`,
    };
  }

  /**
   * The content model's top k with the items added since its training scored alongside, or undefined
   * when there are none (or no content model): the model answers alone then.
   */
  private contentTop(
    slot: ModelSlot,
    profile: UserProfile,
    u: number | undefined,
    k: number,
    excludeSeen: boolean,
    allowed: Uint8Array | undefined,
  ): TopN | undefined {
    if (this.titles.length <= slot.fitted.items) return undefined;
    const scores = this.newItems(slot).contentScores(profile);
    if (!scores) return undefined;
    const seen = excludeSeen ? (u === undefined ? profile.items : this.row(u).items) : undefined;
    return selectTopN(scores, k, seen, allowed);
  }

  /** Item record with live counters. */
  item(itemId: string): (ItemRecord & { stats: { events: number; lastEvent: string | null } }) | undefined {
    const rec = this.store.getItem(itemId);
    if (!rec) return undefined;
    const i = this.store.itemIndex(itemId)!;
    const last = this.itemLastEvent[i] ?? 0;
    return {
      ...rec,
      stats: { events: this.itemEvents[i] ?? 0, lastEvent: last > 0 ? new Date(last).toISOString() : null },
    };
  }

  /** Whether the user has a live profile entry that includes `item` (tests, explain). */
  profileHas(u: number, item: number): boolean {
    return sortedHas(this.row(u).items, item);
  }
}
