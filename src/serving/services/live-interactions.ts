/**
 * Live interactions: what moves with every event between trainings, from every stored event:
 * - each user's row of the interaction matrix under the bundle's event weights (./live-row.ts), changed in
 *   place by his events, and his profile for a slot (a user with events since the models were fitted is
 *   "fresh": served from his items, ALS folds him in);
 * - his most recent items (whose neighbours join the ranked fallback's candidates), his event count and
 *   his generation (bumped by each of his events: it keys his cached answers);
 * - per-item counters (events, last event time);
 * - onboarding genre preferences.
 */
import { csrRow } from '../../core/csr.js';
import { grown } from '../../core/grow.js';
import { sortedHas } from '../../core/search.js';
import {
  buildInteractions,
  type InteractionWeights,
  interactionWeights,
  sameWeights,
} from '../../data/interactions.js';
import { type FittedSizes, fittedRow } from '../../models/profiles.js';
import type { UserProfile } from '../../recommenders/recommender.js';
import type { Store } from '../../store/store.js';
import type { Csr, EventLog, UserRecord } from '../../types.js';
import { LiveRow, type Row } from './live-row.js';

const EMPTY_ITEMS = new Int32Array(0);
const EMPTY_WEIGHTS = new Float32Array(0);
const EMPTY_ROW: Row = { items: EMPTY_ITEMS, weights: EMPTY_WEIGHTS };

export class LiveInteractions {
  /** The event weights of the rows (the serving bundle's). */
  weights: InteractionWeights = interactionWeights();
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
  private recent = new Int32Array(0);
  private readonly recentSize: number;
  private userGen = new Int32Array(0);
  private userEventCount = new Int32Array(0);
  /** Live item counters. */
  private itemEvents = new Float64Array(0);
  private itemLastEvent = new Float64Array(0);
  private readonly prefs = new Map<number, string[]>();

  private constructor(
    private readonly store: Store,
    /** Recent items kept per user. Default 10. */
    recentItems = 10,
  ) {
    this.recentSize = Math.max(1, recentItems);
  }

  /** The live state of every stored event and user preference. */
  /** The live state of the stored events (up to the position `upTo` when given: a replica's start). */
  static async open(store: Store, recentItems = 10, upTo?: number): Promise<LiveInteractions> {
    const live = new LiveInteractions(store, recentItems);
    await live.loadPreferences();
    live.rebuild(await store.loadEventLog(upTo === undefined ? {} : { upTo }));
    return live;
  }

  /**
   * Takes a bundle's event weights; the rows are rebuilt from the stored events (up to the position `upTo`
   * on a replica) when they differ (returns whether they were). Run it while no event is being stored (../model-holder.ts holdingEvents).
   */
  async useWeights(w: InteractionWeights, upTo?: number): Promise<boolean> {
    const rebuild = !sameWeights(w, this.weights);
    if (rebuild) {
      const log = await this.store.loadEventLog(upTo === undefined ? {} : { upTo });
      this.weights = w;
      this.rebuild(log);
    }
    return rebuild;
  }

  /** Rows, recent items and counters from every stored event (startup, or new event weights). */
  private rebuild(log: EventLog): void {
    this.base = buildInteractions(log, this.weights);
    this.overrides.clear();
    const nUsers = log.userIds.length;
    const nItems = log.itemIds.length;
    this.recent = new Int32Array(Math.max(16, nUsers) * this.recentSize).fill(-1);
    this.userGen = grown(this.userGen, nUsers);
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
  }

  private async loadPreferences(): Promise<void> {
    for (const u of await this.store.listUsers()) this.takePreferences(u);
  }

  /**
   * Reads the onboarding genres of users changed by another replica (`ids`, or every user), with the ids
   * created meanwhile; their answers are computed again.
   */
  async refreshPreferences(ids?: readonly string[]): Promise<void> {
    await this.store.feed?.refreshIds();
    const users = ids
      ? await Promise.all(ids.map((id) => this.store.getUser(id)))
      : await this.store.listUsers();
    for (const u of users) {
      const idx = u && this.takePreferences(u);
      if (idx !== undefined) {
        this.ensureUsers(idx + 1);
        this.touch(idx);
      }
    }
  }

  /** A user's onboarding genres from his attributes, kept by dense index (returned, when he has one). */
  private takePreferences(u: UserRecord): number | undefined {
    const idx = this.store.userIndex(u.id);
    if (idx === undefined) return undefined;
    const p = (u.attributes?.['preferences'] as { genres?: unknown } | undefined)?.genres;
    if (Array.isArray(p) && p.every((g) => typeof g === 'string')) this.prefs.set(idx, p as string[]);
    return idx;
  }

  /** Room for users 0..n-1. */
  ensureUsers(n: number): void {
    const R = this.recentSize;
    if (this.recent.length < n * R) {
      const r = new Int32Array(Math.max(n, (this.recent.length / R) * 2) * R).fill(-1);
      r.set(this.recent);
      this.recent = r;
    }
    this.userGen = grown(this.userGen, n);
    this.userEventCount = grown(this.userEventCount, n);
  }

  /** Room for items 0..n-1. */
  ensureItems(n: number): void {
    this.itemEvents = grown(this.itemEvents, n);
    this.itemLastEvent = grown(this.itemLastEvent, n);
  }

  /**
   * Applies one stored event (dense indices, its weight under `weights`) to the user's row, his recent
   * items and counters, and the item's counters; returns the (user, item) weight before it.
   */
  apply(u: number, i: number, w: number, timestamp: number): number {
    let row = this.overrides.get(u);
    if (!row) this.overrides.set(u, (row = new LiveRow(this.row(u))));
    const then = row.add(i, w);
    this.pushRecent(u, i);
    this.userEventCount[u]!++;
    this.itemEvents[i]!++;
    if (timestamp > this.itemLastEvent[i]!) this.itemLastEvent[i] = timestamp;
    return then;
  }

  /** User u has changed (events, preferences): his trained factors are stale, his cached answers too. */
  touch(u: number): void {
    this.fresh.add(u);
    this.userGen[u]!++;
  }

  /** The users served by fold-in, after a swap (those with events since the new bundle's training). */
  setFresh(users: Set<number>): void {
    this.fresh = users;
  }

  setPreferences(u: number, genres: string[]): void {
    this.prefs.set(u, genres);
  }

  preferences(u: number): string[] | undefined {
    return this.prefs.get(u);
  }

  private pushRecent(u: number, i: number): void {
    const R = this.recentSize;
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

  /** User u's live row (a view). */
  row(u: number): Row {
    const o = this.overrides.get(u);
    if (o) return o.view();
    if (u < this.base.rows) return csrRow(this.base, u);
    return EMPTY_ROW;
  }

  /** User u's profile for a slot: items the fitted models know; `user` set only if his trained factors are current. */
  profile(u: number, slot: { fitted: FittedSizes }): UserProfile {
    const r = this.row(u);
    const profile: UserProfile = fittedRow(r.items, r.weights, slot.fitted.items);
    if (u < slot.fitted.users && !this.fresh.has(u)) profile.user = u;
    const g = this.prefs.get(u);
    if (g) profile.genres = g;
    return profile;
  }

  /** Whether the user's live row includes `item` (tests, explain). */
  profileHas(u: number, item: number): boolean {
    return sortedHas(this.row(u).items, item);
  }

  /** Bumped by each of his events (part of his answers' cache key). */
  generation(u: number): number {
    return this.userGen[u]!;
  }

  eventCount(u: number): number {
    return this.userEventCount[u] ?? 0;
  }

  itemCounters(i: number): { events: number; lastEvent: number } {
    return { events: this.itemEvents[i] ?? 0, lastEvent: this.itemLastEvent[i] ?? 0 };
  }

  /** The live event counts of items 0..n-1 (popularity without a popularity model). */
  itemEventCounts(n: number): Float32Array {
    return Float32Array.from(this.itemEvents.subarray(0, n));
  }
}
