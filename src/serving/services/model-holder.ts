/**
 * The model slot in use (../model-slot.ts) and its replacement: hot swap (a new slot built and checked
 * completely, then one assignment), swap at startup (falling back to older bundles), the replay of the events
 * stored after the new bundle's training, the last load error (for /health), and the rank threads of each
 * slot. Others follow swaps through `onSwap` (the answer cache re-warms).
 */

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
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
  /** The swap running (swapAsync runs one at a time). */
  private swapping: Promise<void> = Promise.resolve();

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
  follow(slot: ModelSlot): void {
    const ranked = slot.loadedRanked;
    if (ranked) this.catchUp(slot, ranked, slot.bundle.manifest.weights);
    this.following.add(slot);
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
  swap(version?: string): ModelSlot {
    let next: ModelSlot;
    let tail: EventColumns;
    try {
      next = loadSlot(this.modelsDir, version);
      tail = this.tailOf(next);
    } catch (err) {
      throw this.fault(err, version);
    }
    const replay = this.startReplay(next, tail.length);
    this.replayRange(next, tail, 0, tail.length, replay);
    const entry = this.rankThreads.create(next, replay.forThreads);
    this.cutOver(next, replay, entry);
    return next;
  }

  /**
   * The same without holding the event loop (admin reloads, retraining, a new `current`): the models
   * are loaded one a turn (with rank threads, the main thread leaves the ranked model to them and loads
   * it only if it is ever needed: ../model-slot.ts), the stored events after the bundle's are replayed in
   * slices, the new slot's rank threads load and warm up while the old slot serves on, and only then,
   * in one turn, the events stored meanwhile are replayed and the slot swapped in. Swaps run one at a time.
   */
  swapAsync(version?: string): Promise<ModelSlot> {
    const run = this.swapping.then(() => this.swapInSteps(version));
    this.swapping = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
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
      next.bundle.fittedSizes(this.store.counts(), 'the store');
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
        slice = this.store.eventsSince(position, REPLAY_SLICE);
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
    try {
      // one turn from here: the events stored while the threads warmed up, then the swap
      const rest = this.store.eventsSince(position);
      if (rest.length > 0) {
        const more = this.startReplay(next, rest.length, replay);
        this.replayRange(next, rest, 0, rest.length, more);
        if (entry && more.forThreads) entry.pool.applyEvents(more.forThreads);
      }
    } catch (err) {
      if (entry) void entry.pool.close();
      throw this.fault(err, version);
    }
    this.cutOver(next, replay, entry);
    return next;
  }

  /** The events stored after those `next` was trained on, once it is checked against the store. */
  private tailOf(next: ModelSlot): EventColumns & { position: number } {
    next.bundle.fittedSizes(this.store.counts(), 'the store');
    return this.store.eventsSince(trainedPosition(next));
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
  private cutOver(next: ModelSlot, replay: Replay, entry: ThreadsEntry | undefined): void {
    const rebuilt = this.interactions.useWeights(next.bundle.manifest.weights);
    this.popularity.reset(next, replay.pairs);
    this.interactions.setFresh(replay.fresh);
    this.slot = next;
    this.lastLoadError = undefined;
    this.swaps++;
    this.rankThreads.activate(entry);
    for (const listener of this.listeners) listener(next, rebuilt);
  }

  /**
   * A ranked model loaded on the main thread after its slot was swapped in lazily: every event stored
   * after its training goes into its feature state, in the store's order (the order the rank threads
   * received them), with the event weights serving uses now.
   */
  private catchUp(slot: ModelSlot, ranked: ServingRanker, weights = this.interactions.weights): void {
    const features = ranked.featureState();
    const tail = this.store.eventsSince(trainedPosition(slot));
    forEachWeighted(tail, 0, tail.length, this.store.eventTypeNames(), weights, (_, u, i, t, w, r) =>
      features.applyEvent(u, i, t, w, r),
    );
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
   * At startup: the current bundle, else (it is missing or does not load) the newest older version that
   * loads, with the fault kept in `lastLoadError` (/health says degraded). Throws when none loads.
   */
  swapAtStartup(): ModelSlot {
    try {
      return this.swap();
    } catch (err) {
      const fault = this.lastLoadError;
      const current = readCurrentPointer(this.modelsDir);
      for (const v of listVersions(this.modelsDir).reverse()) {
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
