/**
 * Ranked scoring on worker threads, so that the main thread only parses, answers and ingests while the
 * candidates, features and trees of uncached requests are computed on the other cores. Each worker
 * (./rank-worker.ts) loads the slot's bundle and its ranked model once more (memory: one model per
 * worker) and receives every event the main thread applies, in the same order before any later request
 * (a worker's messages are handled in order), so that its features are the main thread's and its answers
 * are those the main thread would give. Requests go to the worker with the fewest in flight.
 */
import { Worker } from 'node:worker_threads';
import type { UserProfile } from '../recommenders/recommender.js';
import type { TopN } from '../types.js';
import type { ItemExplanation } from './answers.js';

/** What the main thread posts to a rank worker. */
export type RankMessage =
  | {
      kind: 'rank';
      id: number;
      items: Int32Array;
      weights: Float32Array;
      genres?: string[];
      user: number | undefined;
      k: number;
      excludeSeen: boolean;
      allowed?: Uint8Array;
      /** How many of the top items to explain (explain=true: at most EXPLAIN_CAP), 0 for none. */
      explain: number;
      /** Instead of ranking: explain these items (the reply's items; scores empty). */
      targets?: Int32Array;
    }
  /** Events as (user, item, time, weight, rating) quintuples, as FeatureState.applyEvent takes them. */
  | { kind: 'events'; events: Float64Array };

export type RankReply =
  | { id: number; items: Int32Array; scores: Float32Array; reasons?: ItemExplanation[] }
  | { id: number; error: string };

/** A rank thread's answer: the top k, and the reasons of the first items when asked. */
export type RankedTop = TopN & { reasons?: ItemExplanation[] };

interface Pending {
  resolve: (top: RankedTop) => void;
  reject: (err: Error) => void;
}

class RankWorker {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  inFlight = 0;

  constructor(
    modelsDir: string,
    version: string,
    pending: Map<number, Pending>,
    onFault: (err: Error) => void,
    onIdle: (w: RankWorker) => void,
  ) {
    this.worker = new Worker(new URL('./rank-worker.js', import.meta.url), {
      workerData: { modelsDir, version },
    });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('message', () => resolve());
    });
    this.ready.then(
      () => {
        this.worker.on('message', (m: RankReply) => {
          this.inFlight--;
          const p = pending.get(m.id);
          pending.delete(m.id);
          if (p) {
            if ('error' in m) p.reject(new Error(m.error));
            else
              p.resolve({ items: m.items, scores: m.scores, ...(m.reasons ? { reasons: m.reasons } : {}) });
          }
          onIdle(this);
        });
        this.worker.on('error', onFault);
      },
      (err: Error) => onFault(err),
    );
  }
}

/**
 * The array itself when it spans its whole buffer, else a copy of its part. A message clones a typed
 * array's whole buffer, and a profile's items are a row of the interaction matrix: posted as they are,
 * each request copied the matrix's every index and weight (~0.8 MB at MovieLens 100K) to a rank thread.
 */
export function compact<T extends Int32Array | Float32Array | Uint8Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

/**
 * Requests a thread holds at most: the one it computes and the next, waiting in its port so that it starts
 * without a round trip. The others wait in one queue on the main thread and go to whichever thread frees
 * first (one queue for both threads: a request no longer waits behind a slow one while the other thread
 * idles, as it could with a queue per thread).
 */
const HELD_PER_THREAD = 2;

export class RankPool {
  private readonly workers: RankWorker[];
  private readonly pending = new Map<number, Pending>();
  /** Requests no thread holds yet, oldest first. */
  private queue: RankMessage[] = [];
  private nextId = 0;
  /** Set once a worker failed: the caller ranks on the main thread instead. */
  fault?: Error;

  constructor(modelsDir: string, version: string, threads: number) {
    const onFault = (err: Error) => {
      this.fault ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.queue = [];
    };
    const onIdle = (w: RankWorker) => {
      const next = this.queue.shift();
      if (next) this.send(w, next);
    };
    this.workers = Array.from(
      { length: threads },
      () => new RankWorker(modelsDir, version, this.pending, onFault, onIdle),
    );
  }

  /** Resolves when every worker has loaded the model. */
  async whenReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ready));
  }

  /**
   * Top k of the ranked model for a live profile (see ranker.ts rankWithLiveProfile), with the reasons of
   * the first `explain` items (the ranker's explainMany: one feature build for them all).
   */
  rank(
    profile: UserProfile,
    user: number | undefined,
    k: number,
    options: { excludeSeen: boolean; allowed?: Uint8Array },
    explain = 0,
  ): Promise<RankedTop> {
    return this.post(profile, user, k, options, explain);
  }

  private post(
    profile: UserProfile,
    user: number | undefined,
    k: number,
    options: { excludeSeen: boolean; allowed?: Uint8Array },
    explain: number,
    targets?: Int32Array,
  ): Promise<RankedTop> {
    let w = this.workers[0]!;
    for (const x of this.workers) if (x.inFlight < w.inFlight) w = x;
    const id = this.nextId++;
    const m: RankMessage = {
      kind: 'rank',
      id,
      items: compact(profile.items),
      weights: compact(profile.weights),
      ...(profile.genres ? { genres: profile.genres } : {}),
      user,
      k,
      excludeSeen: options.excludeSeen,
      ...(options.allowed ? { allowed: compact(options.allowed) } : {}),
      explain,
      ...(targets ? { targets } : {}),
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (w.inFlight < HELD_PER_THREAD) this.send(w, m);
      else this.queue.push(m);
    });
  }

  /**
   * The reasons of `items` for a live profile, as the main thread's ranker would explain them for that
   * profile (its `user` as given: the web app's card reasons).
   */
  async explain(profile: UserProfile, items: Int32Array): Promise<ItemExplanation[]> {
    const top = await this.post(
      profile,
      profile.user,
      0,
      { excludeSeen: true },
      items.length,
      Int32Array.from(items),
    );
    return top.reasons ?? [];
  }

  private send(w: RankWorker, m: RankMessage): void {
    w.inFlight++;
    w.worker.postMessage(m);
  }

  /** Forwards applied events (user, item, time, weight, rating quintuples) to every worker. */
  applyEvents(events: Float64Array): void {
    const m: RankMessage = { kind: 'events', events };
    for (const w of this.workers) w.worker.postMessage(m);
  }

  /** Stops the workers once the requests in flight are answered. */
  async close(): Promise<void> {
    while (this.pending.size > 0 && !this.fault) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
