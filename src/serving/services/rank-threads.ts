/**
 * The rank threads' lifecycle (../rank-pool.ts): a pool for each slot that has a ranked model (option
 * rankThreads), started at its swap, ready once every worker has loaded the model and warmed up, stopped
 * once the next slot replaces it; and the events applied to the slot's ranker, forwarded to the threads'
 * copies in the same order.
 */

import type { ModelSlot } from '../model-slot.js';
import { RankPool } from '../rank-pool.js';

/** Writes event k as the (user, item, time, weight, rating) quintuple the rank threads apply. */
export function putEvent(
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

/** A slot's rank threads. */
export interface ThreadsEntry {
  slot: ModelSlot;
  pool: RankPool;
  ready: boolean;
}

export class RankThreads {
  private entry?: ThreadsEntry;

  constructor(
    private readonly modelsDir: string,
    /** Worker threads per slot; 0 ranks on the main thread. */
    readonly threads: number,
  ) {}

  /**
   * Rank threads for a slot that is not serving yet (none without threads or a ranked model): they load
   * the model and warm up meanwhile; `events` (putEvent quintuples) are applied first.
   */
  create(slot: ModelSlot, events?: Float64Array): ThreadsEntry | undefined {
    if (this.threads <= 0 || !slot.hasRanked) return undefined;
    const entry: ThreadsEntry = {
      slot,
      pool: new RankPool(this.modelsDir, slot.version, this.threads),
      ready: false,
    };
    if (events) entry.pool.applyEvents(events);
    entry.pool.whenReady().then(
      () => {
        entry.ready = true;
      },
      () => {
        // a worker that does not load leaves ranking on the main thread (pool.fault is set)
      },
    );
    return entry;
  }

  /** Resolves once the entry's threads answer or failed (at once without any). */
  async settled(entry: ThreadsEntry | undefined): Promise<void> {
    await entry?.pool.whenReady().catch(() => {});
  }

  /** Makes `entry` the threads in use; the previous ones stop once their requests are answered. */
  activate(entry: ThreadsEntry | undefined): void {
    const old = this.entry;
    this.entry = entry;
    if (old && old !== entry) void old.pool.close();
  }

  /** Resolves once the threads of the slot in use answer (at once without any). */
  async ready(): Promise<void> {
    await this.entry?.pool.whenReady();
  }

  /** The pool that ranks for `slot` now (ready, no worker failed), if any. */
  poolFor(slot: ModelSlot | undefined): RankPool | undefined {
    const e = this.entry;
    return e?.ready && !e.pool.fault && e.slot === slot ? e.pool : undefined;
  }

  /** Whether threads follow `slot`: the events applied to its ranker must be forwarded. */
  follows(slot: ModelSlot | undefined): boolean {
    return this.entry !== undefined && this.entry.slot === slot;
  }

  /** Forwards applied events (putEvent quintuples) to the threads. */
  forward(events: Float64Array): void {
    this.entry?.pool.applyEvents(events);
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    const e = this.entry;
    this.entry = undefined;
    if (e) await e.pool.close();
  }
}
