/**
 * The answer cache: an LRU of recommendation and similar-items answers under typed keys (each key's string
 * is built here and nowhere else). A recommendation's key holds the request, the bundle version and the
 * answer's freshness (the user's event generation; for an unknown user, the popularity version), so that
 * his events and a swap invalidate it. The recently asked requests are remembered (without version and
 * freshness) so that after a swap they are recomputed in the background (`rewarm`).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RecommendationAnswer, SimilarAnswer } from '../answers.js';
import { Lru } from '../lru.js';

/** A recommendation request as a client asks it. */
export interface RecommendRequest {
  userId: string;
  k: number;
  strategy?: string;
  excludeSeen?: boolean;
  genre?: string;
  explain?: boolean;
}

/** Recent distinct recommendation requests remembered for re-warming the cache after a swap. */
const RECENT_REQUESTS = 10_000;

/** A recommendation answer's cache key. */
export class RecommendKey {
  /** The request's part: what a re-warm recomputes. */
  readonly request: string;
  /** The LRU key: the request, the bundle and the freshness. */
  readonly id: string;

  constructor(
    fields: {
      userId: string;
      strategy: string;
      k: number;
      excludeSeen: boolean;
      genre: string | undefined;
      explain: boolean;
    },
    version: string,
    freshness: { user: number } | { popularity: number },
  ) {
    const { userId, strategy, k, excludeSeen, genre, explain } = fields;
    this.request = `${userId}\u0000${strategy}\u0000${k}\u0000${excludeSeen ? 1 : 0}\u0000${genre ?? ''}\u0000${explain ? 1 : 0}`;
    const fresh = 'user' in freshness ? `${freshness.user}` : `p${freshness.popularity}`;
    this.id = `${this.request}\u0000${version}\u0000${fresh}`;
  }
}

/** A similar-items answer's cache key. */
export class SimilarKey {
  readonly id: string;
  constructor(item: string, k: number, version: string) {
    this.id = `\u0001similar\u0000${item}\u0000${k}\u0000${version}`;
  }
}

export class AnswerCache {
  private readonly lru: Lru<string, RecommendationAnswer | SimilarAnswer>;
  private readonly recent = new Map<string, RecommendRequest>();

  constructor(
    /** Answers kept (0 turns caching off). */
    capacity: number,
  ) {
    this.lru = new Lru(capacity);
  }

  get hits(): number {
    return this.lru.hits;
  }

  get misses(): number {
    return this.lru.misses;
  }

  recommendation(key: RecommendKey): RecommendationAnswer | undefined {
    return this.lru.get(key.id) as RecommendationAnswer | undefined;
  }

  /** Keeps an answer, and remembers its request for re-warming after a swap. */
  keepRecommendation(key: RecommendKey, request: RecommendRequest, answer: RecommendationAnswer): void {
    this.lru.set(key.id, answer);
    if (this.lru.capacity <= 0) return;
    this.recent.delete(key.request);
    this.recent.set(key.request, request);
    if (this.recent.size > RECENT_REQUESTS) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
  }

  similar(key: SimilarKey): SimilarAnswer | undefined {
    return this.lru.get(key.id) as SimilarAnswer | undefined;
  }

  keepSimilar(key: SimilarKey, answer: SimilarAnswer): void {
    this.lru.set(key.id, answer);
  }

  clear(): void {
    this.lru.clear();
  }

  /**
   * After a swap, recomputes the recently asked answers (`recompute` keeps them) in the background, newest
   * first, one at a time with a turn of the event loop between them (a ranked answer is computed on a rank
   * thread when there are some), so that the cache is warm again soon and the swap does not show as a
   * latency spike. Explained answers are left to be asked again (each costs TreeSHAP over its items: a
   * re-warm of k=1000 explained answers held the main thread for seconds). Stops once `current` is false
   * (a newer swap).
   */
  rewarm(current: () => boolean, recompute: (request: RecommendRequest) => Promise<unknown>): void {
    const queue = [...this.recent.values()].reverse().filter((r) => !r.explain);
    if (queue.length === 0) return;
    void (async () => {
      for (const request of queue) {
        await nextTurn();
        if (!current()) return;
        try {
          await recompute(request);
        } catch {
          // a request that no longer answers (e.g. a strategy the new bundle lacks) is simply dropped
        }
      }
    })();
  }
}
