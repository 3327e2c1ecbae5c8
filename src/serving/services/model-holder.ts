/**
 * The model slot in use (../model-slot.ts) and its replacement: hot swap (a new slot built and checked
 * completely, then one assignment), swap at startup (falling back to older bundles), the replay of the events
 * stored after the new bundle's training, the last load error (for /health), and the rank threads of each
 * slot. Others follow swaps through `onSwap` (the answer cache re-warms).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { eventWeight } from '../../data/interactions.js';
import { BundleLoadError, UnavailableError } from '../../errors.js';
import { type BundleManifest, listVersions } from '../../models/bundle.js';
import type { EventColumns, Store } from '../../store/store.js';
import { loadSlot, type ModelSlot } from '../model-slot.js';
import type { LiveInteractions } from './live-interactions.js';
import type { LivePopularity } from './live-popularity.js';
import { putEvent, type RankThreads } from './rank-threads.js';

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

  constructor(
    private readonly store: Store,
    readonly modelsDir: string,
    private readonly interactions: LiveInteractions,
    private readonly popularity: LivePopularity,
    private readonly rankThreads: RankThreads,
  ) {}

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
   * Loads the bundle `version` (default: the current one) and swaps it in. On any fault the slot in use
   * stays, the error is kept for /health, and it is rethrown.
   */
  swap(version?: string): ModelSlot {
    let next: ModelSlot;
    let tail: EventColumns;
    try {
      next = loadSlot(this.modelsDir, version);
      next.bundle.fittedSizes(this.store.counts(), 'the store');
      // the events stored after those the bundle was trained on (e.g. during a retraining, or since the
      // training when the server starts): bundles older than `position` ended at event `events`
      const data = next.bundle.manifest.data;
      tail = this.store.eventsSince(data.position ?? data.events);
    } catch (err) {
      this.lastLoadError = {
        message: this.withoutPaths((err as Error).message),
        at: new Date().toISOString(),
        ...(version ? { version } : {}),
      };
      throw err;
    }
    const rebuilt = this.interactions.useWeights(next.bundle.manifest.weights);
    const replayed = this.replay(next, tail);
    this.popularity.reset(next, replayed.pairs);
    this.interactions.setFresh(replayed.fresh);
    this.slot = next;
    this.lastLoadError = undefined;
    this.swaps++;
    this.rankThreads.start(next);
    if (replayed.forThreads) this.rankThreads.forward(replayed.forThreads);
    for (const listener of this.listeners) listener(next, rebuilt);
    return next;
  }

  /**
   * A load fault as answers and /health say it: the models folder named `models/`, not by its path on the
   * server (the log keeps the whole message).
   */
  private withoutPaths(message: string): string {
    return message.split(this.modelsDir).join('models');
  }

  /** `swap` for the API: a bundle that does not load is the request's fault, and the old slot serves on. */
  reload(version?: string): ModelSlot {
    try {
      return this.swap(version);
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

  /**
   * Brings a slot about to serve up to date with the events stored after those it was trained on (`tail`):
   * they go into its ranked model's feature state (and the rank threads' copies), their users are the ones
   * served by fold-in (the others have current trained factors), and the (user, item) weights they changed
   * are returned for the popularity scores. The live rows, recent items and item counters are the
   * server's own and already hold every stored event.
   */
  private replay(
    slot: ModelSlot,
    tail: EventColumns,
  ): { fresh: Set<number>; pairs?: Map<number, Map<number, number>>; forThreads?: Float64Array } {
    const names = this.store.eventTypeNames();
    const features = slot.ranked?.featureState?.();
    // the same events for the rank threads' copies of the ranker (they load the bundle as saved)
    const forThreads = features ? new Float64Array(tail.length * 5) : undefined;
    const fresh = new Set<number>();
    const pairs = slot.popularity ? new Map<number, Map<number, number>>() : undefined;
    const weights = this.interactions.weights;
    for (let e = 0; e < tail.length; e++) {
      const u = tail.user[e]!;
      const i = tail.item[e]!;
      const type = names[tail.type[e]!]!;
      const value = tail.value[e]!;
      const weight = eventWeight(weights, type, value);
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
    return { fresh, ...(pairs ? { pairs } : {}), ...(forThreads ? { forThreads } : {}) };
  }
}
