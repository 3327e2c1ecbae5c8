/**
 * Event ingestion: validate (every event names a known item, unless auto-creation is on), store in one
 * transaction (durable when it returns: SQLite WAL, PostgreSQL's commit), apply to the live state, then
 * answer. Applying moves the live rows, recent items and counters, live popularity, the serving ranker's
 * feature state and the rank threads' copies of it. `ingestGrouped` commits the batches of one event-loop
 * turn together. On a replica (a store with a feed), the events applied after a write are the log's up to
 * its end, in log order: those of the other replicas stored before, then these (./log-follower.ts).
 */
import { eventWeight } from '../../data/interactions.js';
import { idProblem, timeProblem, valueProblem } from '../../data/valid.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { eventColumns } from '../../store/event-columns.js';
import type { EventColumns, Store } from '../../store/store.js';
import type { EventRecord } from '../../types.js';
import type { Catalogue } from './catalogue.js';
import type { LiveInteractions } from './live-interactions.js';
import type { LivePopularity } from './live-popularity.js';
import type { ModelHolder } from './model-holder.js';
import { putEvent, type RankThreads } from './rank-threads.js';

interface Pending {
  events: EventRecord[];
  resolve: (n: number) => void;
  reject: (err: unknown) => void;
}

/** A replica's log follower (./log-follower.ts), as the ingestor calls it after a write. */
export interface LogCatchUp {
  /**
   * Applies the events of the log up to its end, `written` (just stored by this replica) among them:
   * applied as given when nothing else was stored since the last applied event, else read from the log.
   */
  afterWrite(written: readonly EventRecord[][]): Promise<void>;
}

export class EventIngestor {
  eventsIngested = 0;
  /** A replica's log follower: the events applied after a write are the log's (set by it). */
  log: LogCatchUp | undefined;
  private pending: Pending[] = [];
  private flushScheduled = false;

  constructor(
    private readonly store: Store,
    private readonly catalogue: Catalogue,
    private readonly interactions: LiveInteractions,
    private readonly popularity: LivePopularity,
    private readonly models: ModelHolder,
    private readonly rankThreads: RankThreads,
    /** Create unknown items named by events instead of refusing them. */
    readonly autoCreateItems = false,
  ) {}

  /** Validates, stores (one transaction, durable on return) and applies events; returns how many. */
  async ingest(events: EventRecord[]): Promise<number> {
    await this.checkKnown(events);
    return this.models.holdingEvents(async () => {
      const n = await this.store.insertEvents(events, {
        createUsers: true,
        createItems: this.autoCreateItems,
        createTypes: false,
      });
      await this.applyStored([events]);
      return n;
    });
  }

  /**
   * Applies events just stored (while holding the events): on a replica, every event of the log up to its
   * end, in log order; else these.
   */
  async applyStored(groups: readonly EventRecord[][]): Promise<void> {
    if (this.log) await this.log.afterWrite(groups);
    else for (const events of groups) this.apply(events);
  }

  /** Runs fn with the events held (./model-holder.ts holdingEvents): a write and its apply, together. */
  holdingEvents<T>(fn: () => Promise<T>): Promise<T> {
    return this.models.holdingEvents(fn);
  }

  /**
   * The same with group commit: the batches of every request that arrives in one turn of the event loop
   * are stored in one transaction (a commit writes each dirty page once, so larger transactions store
   * several times more events per second), then applied, then each request is answered. A batch that
   * makes the group fail is retried alone, so one request's fault fails only that request.
   */
  async ingestGrouped(events: EventRecord[]): Promise<number> {
    await this.checkKnown(events);
    return new Promise((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.models.holdingEvents(() => this.flush()));
      }
    });
  }

  /**
   * `check`, after reading the ids created by the other replicas when an event names an item this one
   * does not know yet (a replica's store has a feed).
   */
  private async checkKnown(events: EventRecord[]): Promise<void> {
    const feed = this.store.feed;
    if (feed && !this.autoCreateItems && events.some((e) => this.store.itemIndex(e.item) === undefined))
      await feed.refreshIds();
    this.check(events);
  }

  /**
   * Each event as ../../data/valid.ts accepts it (ids, value, time), of a declared type (clients do not
   * create types: an admin declares them), naming an item the store knows unless auto-creation is on;
   * faults name the event's `index` and field.
   */
  private check(events: EventRecord[]): void {
    const declared = new Set(this.store.eventTypeNames());
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      const fault = (field: string, problem: string | undefined) => {
        if (problem !== undefined) throw new InvalidInputError(field, problem, { index: k });
      };
      fault('user', idProblem(e.user));
      fault('item', idProblem(e.item));
      fault('type', idProblem(e.type));
      if (e.value !== undefined) fault('value', valueProblem(e.value));
      fault('timestamp', timeProblem(e.timestamp));
      if (e.request !== undefined) fault('request', idProblem(e.request));
      if (!declared.has(e.type))
        throw new InvalidInputError('type', `unknown event type "${e.type}" (${this.describeTypes()})`, {
          index: k,
        });
      if (!this.autoCreateItems && this.store.itemIndex(e.item) === undefined)
        throw new NotFoundError(`unknown item "${e.item}"`, 'item', { index: k, fieldInMessage: true });
    }
  }

  /** The declared types, for a message: at most a few names (the list is bounded, the message too). */
  private describeTypes(): string {
    const names = this.store.eventTypeNames();
    const shown = names.slice(0, 12).join(', ');
    return `declared: ${shown}${names.length > 12 ? `, and ${names.length - 12} more` : ''}; an admin declares others: PUT /v1/event-types/{name}`;
  }

  /** Stores and applies the pending groups (run while the events are held: ./model-holder.ts). */
  private async flush(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    const options = { createUsers: true, createItems: this.autoCreateItems, createTypes: false };
    let stored = group;
    try {
      await this.store.transaction(async () => {
        for (const p of group) await this.store.insertEvents(p.events, options);
      });
    } catch {
      stored = [];
      for (const p of group) {
        try {
          await this.store.insertEvents(p.events, options);
          stored.push(p);
        } catch (err) {
          p.reject(err);
        }
      }
    }
    try {
      await this.applyStored(stored.map((p) => p.events));
    } catch (err) {
      for (const p of stored) p.reject(err);
      return;
    }
    for (const p of stored) p.resolve(p.events.length);
  }

  /** Applies stored events to the live state. */
  apply(events: EventRecord[]): void {
    // each id looked up once, into the columns the log's reads give
    const cols = eventColumns(events.length);
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      cols.user[k] = this.store.userIndex(e.user)!;
      cols.item[k] = this.store.itemIndex(e.item)!;
      cols.type[k] = this.store.typeCode(e.type)!;
      cols.value[k] = e.value ?? 1;
      cols.timestamp[k] = e.timestamp;
    }
    this.applyColumns(cols);
    this.eventsIngested += events.length;
  }

  /**
   * Applies stored events, given by dense index and type code, to the live state (a replica's log
   * follower gives those of the log; `apply` those of a write).
   */
  applyColumns(cols: EventColumns): void {
    const { user: users, item: items, length: n } = cols;
    let maxU = -1;
    let maxI = -1;
    for (let k = 0; k < n; k++) {
      if (users[k]! > maxU) maxU = users[k]!;
      if (items[k]! > maxI) maxI = items[k]!;
    }
    const names = this.store.eventTypeNames();
    this.catalogue.ensureItems(maxI + 1); // items created by events (auto-creation)
    this.interactions.ensureUsers(maxU + 1);
    this.interactions.ensureItems(this.catalogue.count);
    this.popularity.ensureItems(this.catalogue.count);
    const slot = this.models.slot;
    // the main thread's ranker when it is loaded (with rank threads it is loaded on first use only, and
    // then replays the stored events itself: ../model-slot.ts)
    const features = slot?.loadedRanked?.featureState();
    const forThreads =
      slot?.hasRanked && this.rankThreads.follows(slot) ? new Float64Array(n * 5) : undefined;
    const weights = this.interactions.weights;
    // the ranked models of experiment variants' bundles follow the same events, with their own bundle's
    // event weights
    const followers = [...this.models.followers()].flatMap((other) => {
      const state = other.loadedRanked?.featureState();
      return state ? [{ state, weights: other.bundle.manifest.weights }] : [];
    });
    this.popularity.beforeEvents();
    for (let k = 0; k < n; k++) {
      const type = names[cols.type[k]!]!;
      const u = users[k]!;
      const i = items[k]!;
      const value = cols.value[k]!;
      const t = cols.timestamp[k]!;
      const w = eventWeight(weights, type, value);
      const then = this.interactions.apply(u, i, w, t);
      this.popularity.applied(i, then, w);
      const rating = type === 'rating' ? value : Number.NaN;
      features?.applyEvent(u, i, t, w, rating);
      if (forThreads) putEvent(forThreads, k, u, i, t, w, rating);
      for (const f of followers) f.state.applyEvent(u, i, t, eventWeight(f.weights, type, value), rating);
    }
    // the same (user, item, time, weight, rating) to the rank threads' copies of the ranker
    if (forThreads) {
      this.rankThreads.forward(forThreads);
      if (slot && !slot.loadedRanked) this.models.keepForLazyRanked(slot, forThreads);
    }
    for (let k = 0; k < n; k++) this.interactions.touch(users[k]!);
  }
}
