/**
 * The data page's figures: the statistics of `reco stats` (../../data/stats.ts) and two distributions to
 * plot, item popularity (events per item, most popular first: the long tail) and events per user (a
 * histogram over powers of two). Computed from the whole event log, so kept until the store has moved on
 * by 1% of its events or a minute has passed.
 */
import { computeStats, type DatasetStats } from '../../data/stats.js';
import { storeWeights } from '../../store/event-types.js';
import type { Store } from '../../store/store.js';

export interface DatasetView {
  stats: DatasetStats;
  /** Events of the items by rank (rank 1 = most popular), thinned to at most 400 points. */
  longTail: { rank: number[]; events: number[] };
  /** Users by events: bins [2^k, 2^(k+1)). */
  perUser: { from: number; to: number; users: number }[];
  position: number;
  computedAt: number;
}

export class DatasetInsights {
  private cached?: DatasetView;

  constructor(private readonly store: Store) {}

  async view(now = Date.now()): Promise<DatasetView> {
    const position = await this.store.eventPosition();
    const c = this.cached;
    if (c && (position - c.position) * 100 <= Math.max(c.position, 1) && now - c.computedAt < 60_000)
      return c;
    const log = await this.store.loadEventLog();
    const stats = computeStats(log, await this.store.listItems(), storeWeights(this.store));
    const perItem = new Float64Array(log.itemIds.length);
    const perUserCount = new Float64Array(log.userIds.length);
    for (let k = 0; k < log.length; k++) {
      perItem[log.item[k]!]!++;
      perUserCount[log.user[k]!]!++;
    }
    const sorted = Array.from(perItem).sort((a, b) => b - a);
    const step = Math.max(1, Math.ceil(sorted.length / 400));
    const longTail = { rank: [] as number[], events: [] as number[] };
    for (let r = 0; r < sorted.length; r += step) {
      longTail.rank.push(r + 1);
      longTail.events.push(sorted[r]!);
    }
    const bins = new Map<number, number>();
    for (const n of perUserCount) {
      if (n === 0) continue;
      const k = Math.floor(Math.log2(n));
      bins.set(k, (bins.get(k) ?? 0) + 1);
    }
    const perUser = [...bins.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, users]) => ({ from: 2 ** k, to: 2 ** (k + 1) - 1, users }));
    this.cached = { stats, longTail, perUser, position, computedAt: now };
    return this.cached;
  }
}
