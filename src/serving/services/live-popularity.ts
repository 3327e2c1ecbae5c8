/**
 * Live popularity: the bundle's popularity scores (users with a positive interaction per item, or their
 * weights when `weighted`) moved by each event that makes a (user, item) weight positive or not positive any
 * more, over every item (new ones too); without a popularity model in the bundle, the live event counters.
 * With a time-decayed popularity model a pair changed live counts as fresh (age 0) until the next training.
 * `version` moves whenever the scores do (the cache key of unknown users' answers).
 */
import { grown } from '../../core/grow.js';
import { selectTopN } from '../../core/top-n.js';
import type { TopN } from '../../types.js';
import type { ModelSlot } from '../model-slot.js';
import type { Catalogue } from './catalogue.js';
import type { LiveInteractions } from './live-interactions.js';
import { rowWeight } from './live-row.js';

/** What one (user, item) weight adds to the item's popularity score (see the header). */
function share(w: number, weighted: boolean): number {
  return w > 0 ? (weighted ? w : 1) : 0;
}

export class LivePopularity {
  /** The popularity model's scores moved live; undefined without one (the event counters serve). */
  private live?: Float32Array;
  private weighted = false;
  version = 0;

  constructor(
    private readonly interactions: LiveInteractions,
    private readonly catalogue: Catalogue,
  ) {}

  /**
   * For a slot about to serve: its popularity model's scores, moved by the weight each (user, item) pair
   * gained from the events replayed since its training (`added`, by user then item).
   */
  reset(slot: ModelSlot, added: Map<number, Map<number, number>> | undefined): void {
    if (!slot.popularity || !added) {
      this.live = undefined;
      return;
    }
    const fitted = slot.popularity.itemScores();
    const popularity = new Float32Array(Math.max(16, this.catalogue.count, fitted.length));
    popularity.set(fitted);
    const weighted = slot.popularity.params.weighted;
    for (const [u, d] of added) {
      const row = this.interactions.row(u);
      for (const [i, gained] of d) {
        const now = rowWeight(row, i);
        // the pair's weight when the bundle was trained (a sum of float32 weights: near zero is zero)
        let then = now - gained;
        if (Math.abs(then) < 1e-4 * Math.max(1, Math.abs(now))) then = 0;
        popularity[i]! += share(now, weighted) - share(then, weighted);
      }
    }
    this.live = popularity;
    this.weighted = weighted;
  }

  ensureItems(n: number): void {
    if (this.live) this.live = grown(this.live, n);
  }

  /** Events are about to be applied: without a popularity model their counts are the scores. */
  beforeEvents(): void {
    if (!this.live) this.version++;
  }

  /** An applied event took item i's pair weight from `then` to `then + w`. */
  applied(i: number, then: number, w: number): void {
    const pop = this.live;
    if (!pop) return;
    const change = share(Math.fround(then + w), this.weighted) - share(then, this.weighted);
    if (change !== 0) {
      pop[i]! += change;
      this.version++;
    }
  }

  /** Popularity scores of every item (new ones too). */
  scores(): Float32Array {
    const n = this.catalogue.count;
    return this.live ? this.live.subarray(0, n) : this.interactions.itemEventCounts(n);
  }

  /** The k most popular items (every item, new ones too), minus what user u has seen when asked. */
  top(u: number | undefined, k: number, excludeSeen: boolean, allowed?: Uint8Array): TopN {
    const seen = excludeSeen && u !== undefined ? this.interactions.row(u).items : undefined;
    return selectTopN(this.scores(), k, seen, allowed);
  }
}
