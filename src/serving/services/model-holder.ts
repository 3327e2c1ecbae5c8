/**
 * The model slot in use (../model-slot.ts) and its replacement: hot swap (a new slot built and checked
 * completely, then one assignment), swap at startup (falling back to older bundles), the replay of the events
 * stored after the new bundle's training, the last load error (for /health), and the rank threads of each
 * slot. Others follow swaps through `onSwap` (the answer cache re-warms).
 */

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Serial } from '../../core/serial.js';
import { eventWeight, type InteractionWeights } from '../../data/interactions.js';
import { BundleLoadError, UnavailableError } from '../../errors.js';
import { type BundleManifest, listVersions } from '../../models/bundle.js';
import type { EventColumns, Store } from '../../store/store.js';
import { loadSlot, loadSlotInSteps, type ModelSlot } from '../model-slot.js';
import type { ServingRanker } from '../ranker.js';
import type { LiveInteractions } from './live-interactions.js';
import type { LivePopularity } from './live-popularity.js';
import { putEvent, type RankThreads, type ThreadsEntry } from './rank-threads.js';

export interface LoadFault {
  message: string;
  at: string;
  version?: string;
}

/** A bundle on disk, as GET /v1/models lists it. */
export type BundleSummary =
  | {
      version: string;
      createdAt: string;
      models: { name: string; params: Record<string, unknown>; fitSeconds: number }[];
      data: BundleManifest['data'];
      metrics: BundleManifest['metrics'] | null;
    }
  | { version: string; error: string };

function readCurrentPointer(modelsDir: string): string | undefined {
  const p = join(modelsDir, 'current');
  return existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined;
}

export class ModelHolder {
  slot?: ModelSlot;
  lastLoadError?: LoadFault;
  swaps = 0;
  private readonly listeners: ((slot: ModelSlot, rowsRebuilt: boolean) => void)[] = [];
  /** swapAsync runs one swap at a time. */
  private readonly swapQueue = new Serial();
  /** The steps that hold the events (`holdingEvents`), one at a time. */
  private readonly eventSteps = new Serial();
  /**
   * The events sent to the rank threads of the slot in use since its training, kept while its ranked
   * model is not loaded on the main thread: the main thread replays them when it loads it (catchUp).
   */
  private lazyTail: { slot: ModelSlot; chunks: Float64Array[]; events: number } | undefined;
  /**
   * A replica's log position applied to the live state (./log-follower.ts): swaps replay the stored
   * events up to it and no further (the follower applies the rest, to the new slot). Undefined on a
   * single server, whose every stored event is applied.
   */
  appliedPosition: (() => number) | undefined;

  constructor(
    private readonly store: Store,
    readonly modelsDir: string,
    private readonly interactions: LiveInteractions,
    private readonly popularity: LivePopularity,
    private readonly rankThreads: RankThreads,
  ) {}

  /**
   * Bundles serving beside the one in use (experiment variants, ./experiment-serving.ts) whose ranked model
   * follows the events: brought up to date when they load (follow), fed every event after (followers).
   */
  private readonly following = new Set<ModelSlot>();

  /**
   * Keeps `slot`'s ranked model (loaded on the main thread) up to date as the slot in use is kept: every
   * event stored after its training goes into its feature state now, in one turn, with its own bundle's
   * event weights, and the event ingestor gives it every event from then on.
   */
  follow(slot: ModelSlot): Promise<void> {
    return this.holdingEvents(async () => {
      const ranked = slot.loadedRanked;
      if (ranked) {
        const features = ranked.featureState();
        const tail = await this.eventsAfter(trainedPosition(slot));
        const weights = slot.bundle.manifest.weights;
        forEachWeighted(tail, 0, tail.length, this.store.eventTypeNames(), weights, (_, u, i, t, w, r) =>
          features.applyEvent(u, i, t, w, r),
        );
      }
      this.following.add(slot);
    });
  }

  /**
   * Runs `fn` while no other such step runs: the event ingestor stores and applies each group of events
   * in one, and a swap reads the last events and swaps in another, so that no event is stored after the
   * swap's read and applied only to the slot it replaces.
   */
  holdingEvents<T>(fn: () => Promise<T>): Promise<T> {
    return this.eventSteps.run(fn);
  }

  /**
   * Events applied to the slot in use, as sent to its rank threads: kept for its ranked model while the
   * main thread has not loaded it. Past LAZY_TAIL_CAP events the main thread loads it now instead (it
   * replays what was kept), so that the memory kept is bounded.
   */
  keepForLazyRanked(slot: ModelSlot, events: Float64Array): void {
    const tail = this.lazyTail;
    if (tail === undefined || tail.slot !== slot) return;
    tail.chunks.push(events);
    tail.events += events.length / 5;
    if (tail.events > LAZY_TAIL_CAP) void slot.ranked;
  }

  /** The slots that follow the events besides the one in use. */
  followers(): Iterable<ModelSlot> {
    return this.following;
  }

  /** Called after each swap, with whether the live rows were rebuilt (new event weights). */
  onSwap(listener: (slot: ModelSlot, rowsRebuilt: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** The slot in use; none is unavailability. */
  require(): ModelSlot {
    const slot = this.slot;
    if (!slot)
      throw new UnavailableError(
        `no model bundle loaded${this.lastLoadError ? `: ${this.lastLoadError.message}` : ''}; train one (reco train or POST /v1/models/retrain)`,
      );
    return slot;
  }

  /**
   * Loads the bundle `version` (default: the current one) and swaps it in, all at once (startup, tests:
   * `swapAsync` is the server's). On any fault the slot in use stays, the error is kept for /health, and
   * it is rethrown.
   */
  swap(version?: string): Promise<ModelSlot> {
    return this.holdingEvents(async () => {
      let next: ModelSlot;
      let tail: EventColumns;
      try {
        next = loadSlot(this.modelsDir, version);
        tail = await this.tailOf(next);
      } catch (err) {
        throw this.fault(err, version);
      }
      const replay = this.startReplay(next, tail.length);
      this.replayRange(next, tail, 0, tail.length, replay);
      const entry = this.rankThreads.create(next, replay.forThreads);
      await this.cutOver(next, replay, entry);
      return next;
    });
  }

  /**
   * The same without holding the event loop (admin reloads, retraining, a new `current`): the models
   * are loaded one a turn (with rank threads, the main thread leaves the ranked model to them and loads
   * it only if it is ever needed: ../model-slot.ts), the stored events after the bundle's are replayed in
   * slices, the new slot's rank threads load and warm up while the old slot serves on, and only then,
   * in one turn, the events stored meanwhile are replayed and the slot swapped in. Swaps run one at a time.
   */
  swapAsync(version?: string): Promise<ModelSlot> {
    return this.swapQueue.run(() => this.swapInSteps(version));
  }

  private async swapInSteps(version: string | undefined): Promise<ModelSlot> {
    const lazy = this.rankThreads.threads > 0;
    let next: ModelSlot | undefined;
    let position: number;
    try {
      const options = lazy
        ? { lazyRanked: true, onRankedLoad: (r: ServingRanker) => this.catchUp(next!, r) }
        : {};
      next = await loadSlotInSteps(this.modelsDir, version, options, nextTurn);
      next.bundle.fittedSizes(await this.store.counts(), 'the store');
      position = trainedPosition(next);
    } catch (err) {
      throw this.fault(err, version);
    }
    // the events stored after the bundle's, read and replayed a slice a turn (a server that ran for days
    // since the training may have a million), gathered for the rank threads in the same order
    const replay = this.startReplay(next, 0);
    const forThreads: Float64Array[] = [];
    for (;;) {
      await nextTurn();
      let slice: EventColumns & { position: number };
      try {
        slice = await this.eventsAfter(position, REPLAY_SLICE);
      } catch (err) {
        throw this.fault(err, version);
      }
      if (slice.length === 0) break;
      const part = this.startReplay(next, slice.length, replay);
      this.replayRange(next, slice, 0, slice.length, part);
      if (part.forThreads) forThreads.push(part.forThreads);
      position = slice.position;
    }
    const entry = this.rankThreads.create(next);
    if (entry) for (const events of forThreads) entry.pool.applyEvents(events);
    await this.rankThreads.settled(entry);
    const slot = next;
    // with the events held from here: those stored while the threads warmed up, then the swap
    return this.holdingEvents(async () => {
      try {
        const rest = await this.eventsAfter(position);
        if (rest.length > 0) {
          const more = this.startReplay(slot, rest.length, replay);
          this.replayRange(slot, rest, 0, rest.length, more);
          if (entry && more.forThreads) entry.pool.applyEvents(more.forThreads);
          if (more.forThreads) forThreads.push(more.forThreads);
        }
      } catch (err) {
        if (entry) void entry.pool.close();
        throw this.fault(err, version);
      }
      this.lazyTail =
        lazy && slot.hasRanked && !slot.loadedRanked
          ? { slot, chunks: forThreads, events: forThreads.reduce((n, c) => n + c.length / 5, 0) }
          : undefined;
      await this.cutOver(slot, replay, entry);
      return slot;
    });
  }

  /** The events stored after those `next` was trained on, once it is checked against the store. */
  private async tailOf(next: ModelSlot): Promise<EventColumns & { position: number }> {
    next.bundle.fittedSizes(await this.store.counts(), 'the store');
    return this.eventsAfter(trainedPosition(next));
  }

  /**
   * The events stored after `position` (at most `limit`) that the live state holds: all of them on a
   * single server, those up to the applied position on a replica.
   */
  private eventsAfter(
    position: number,
    limit = Number.MAX_SAFE_INTEGER,
  ): Promise<EventColumns & { position: number }> {
    const applied = this.appliedPosition?.();
    return this.store.eventsSince(
      position,
      applied === undefined ? limit : Math.max(0, Math.min(limit, applied - position)),
    );
  }

  /** Keeps a load fault for /health (without paths) and returns it to throw. */
  private fault(err: unknown, version: string | undefined): unknown {
    this.lastLoadError = {
      message: this.withoutPaths((err as Error).message),
      at: new Date().toISOString(),
      ...(version ? { version } : {}),
    };
    return err;
  }

  /** The swap itself, in one turn: the live state set for `next`, its threads in use, listeners told. */
  private async cutOver(next: ModelSlot, replay: Replay, entry: ThreadsEntry | undefined): Promise<void> {
    const rebuilt = await this.interactions.useWeights(
      next.bundle.manifest.weights,
      this.appliedPosition?.(),
    );
    // from here to the end in one turn
    this.popularity.reset(next, replay.pairs);
    this.interactions.setFresh(replay.fresh);
    this.slot = next;
    this.lastLoadError = undefined;
    this.swaps++;
    this.rankThreads.activate(entry);
    for (const listener of this.listeners) listener(next, rebuilt);
  }

  /**
   * A ranked model loaded on the main thread after its slot was swapped in lazily: the events its rank
   * threads received since its training (kept in `lazyTail`) go into its feature state, in their order.
   */
  private catchUp(slot: ModelSlot, ranked: ServingRanker): void {
    const tail = this.lazyTail;
    if (tail === undefined || tail.slot !== slot) return;
    this.lazyTail = undefined;
    const features = ranked.featureState();
    for (const e of tail.chunks)
      for (let k = 0; k < e.length; k += 5)
        features.applyEvent(e[k]!, e[k + 1]!, e[k + 2]!, e[k + 3]!, e[k + 4]!);
  }

  /**
   * A load fault as answers and /health say it: the models folder named `models/`, not by its path on the
   * server (the log keeps the whole message).
   */
  private withoutPaths(message: string): string {
    return message.split(this.modelsDir).join('models');
  }

  /** `swapAsync` for the API: a bundle that does not load is the request's fault, and the old slot serves on. */
  async reload(version?: string): Promise<ModelSlot> {
    try {
      return await this.swapAsync(version);
    } catch (err) {
      const message = this.withoutPaths((err as Error).message);
      throw new BundleLoadError(
        `bundle not loaded, ${this.slot ? `${this.slot.version} keeps serving` : 'none serving'}: ${message}`,
        undefined,
        {
          log: `model bundle ${version ?? '(current)'} not loaded, the previous one keeps serving: ${message}`,
        },
      );
    }
  }

  /**
   * At startup: the current bundle (`version` when given, else the models folder's `current`), else (it is missing or does not load) the newest older version that
   * loads, with the fault kept in `lastLoadError` (/health says degraded). Throws when none loads.
   */
  async swapAtStartup(version?: string): Promise<ModelSlot> {
    try {
      return await this.swap(version);
    } catch (err) {
      const fault = this.lastLoadError;
      const current = version ?? readCurrentPointer(this.modelsDir);
      for (const v of listVersions(this.modelsDir).reverse()) {
        if (v === current) continue;
        try {
          const slot = await this.swap(v);
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
   * Every bundle on disk with its manifest's summary (or why it does not read); the store it was trained
   * on by its file name, not its path on the server.
   */
  bundles(): BundleSummary[] {
    return listVersions(this.modelsDir).map((version) => {
      try {
        const m = JSON.parse(
          readFileSync(join(this.modelsDir, version, 'manifest.json'), 'utf8'),
        ) as BundleManifest;
        return {
          version,
          createdAt: m.createdAt,
          models: m.models.map((x) => ({ name: x.name, params: x.params, fitSeconds: x.fitSeconds })),
          data: { ...m.data, db: basename(m.data.db) },
          metrics: m.metrics ?? null,
        };
      } catch (err) {
        return { version, error: this.withoutPaths((err as Error).message) };
      }
    });
  }

  /** Stops the rank threads. */
  async close(): Promise<void> {
    await this.rankThreads.close();
  }

  /** A replay of `n` events into `slot` (adding to `into`'s users and pairs when given). */
  private startReplay(slot: ModelSlot, n: number, into?: Replay): Replay {
    return {
      fresh: into?.fresh ?? new Set<number>(),
      ...(slot.popularity ? { pairs: into?.pairs ?? new Map<number, Map<number, number>>() } : {}),
      // the same events for the rank threads' copies of the ranker (they load the bundle as saved)
      ...(slot.hasRanked ? { forThreads: new Float64Array(n * 5) } : {}),
    };
  }

  /**
   * Brings a slot about to serve up to date with events [from, to) of those stored after the ones it was
   * trained on (`tail`): they go into its ranked model's feature state when the main thread loaded it
   * (and into the rank threads' quintuples), their users are the ones served by fold-in (the others have
   * current trained factors), and the (user, item) weights they changed are gathered for the popularity
   * scores. The live rows, recent items and item counters are the server's own and already hold every
   * stored event.
   */
  private replayRange(slot: ModelSlot, tail: EventColumns, from: number, to: number, r: Replay): void {
    const features = slot.loadedRanked?.featureState();
    const { fresh, pairs, forThreads } = r;
    // the weights the slot serves with (the live rows take them at the swap)
    const weights = slot.bundle.manifest.weights;
    forEachWeighted(tail, from, to, this.store.eventTypeNames(), weights, (e, u, i, t, weight, rating) => {
      features?.applyEvent(u, i, t, weight, rating);
      if (forThreads) putEvent(forThreads, e, u, i, t, weight, rating);
      fresh.add(u);
      if (pairs) {
        let d = pairs.get(u);
        if (!d) pairs.set(u, (d = new Map()));
        d.set(i, (d.get(i) ?? 0) + weight);
      }
    });
  }
}

/**
 * Calls `fn` for events [from, to) of `tail` with each one's (user, item, time), its weight under
 * `weights` and its rating (NaN unless a rating), in the store's order.
 */
function forEachWeighted(
  tail: EventColumns,
  from: number,
  to: number,
  names: readonly string[],
  weights: InteractionWeights,
  fn: (e: number, u: number, i: number, t: number, weight: number, rating: number) => void,
): void {
  for (let e = from; e < to; e++) {
    const type = names[tail.type[e]!]!;
    const value = tail.value[e]!;
    fn(
      e,
      tail.user[e]!,
      tail.item[e]!,
      tail.timestamp[e]!,
      eventWeight(weights, type, value),
      type === 'rating' ? value : Number.NaN,
    );
  }
}

/**
 * The position in the store's event sequence of the last event `slot`'s bundle was trained on (the events
 * after it are replayed: stored during a retraining, or since the training when the server starts); bundles
 * older than `position` ended at event `events`.
 */
function trainedPosition(slot: ModelSlot): number {
  const data = slot.bundle.manifest.data;
  return data.position ?? data.events;
}

/** A replay's gatherings (ModelHolder.replayRange). */
interface Replay {
  fresh: Set<number>;
  pairs?: Map<number, Map<number, number>>;
  forThreads?: Float64Array;
}

/** Events replayed in one turn of the event loop by swapAsync. */
const REPLAY_SLICE = 20_000;

/** Events kept for a ranked model not yet loaded on the main thread (40 bytes each) before it is loaded. */
const LAZY_TAIL_CAP = 1_000_000;
