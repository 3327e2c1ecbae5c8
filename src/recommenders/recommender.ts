/**
 * The one interface every recommender (candidate generator) implements, after implicit's
 * `recommend` / `similar_items`: fit on a user x item interaction matrix, then answer for a user known by
 * index or given as a list of items (cold start, fresh events), and for similar items where the method allows.
 */
import type { Csr, EventLog, ItemRecord, ModelName, TopN } from '../types.js';

/** What a recommender fits on: one side of a split, or the whole store. */
export interface FitData {
  /** Users x items implicit-feedback weights (event types weighted and summed; see ./interactions.ts). */
  interactions: Csr;
  /** The raw events behind it (time decay, recency), same dense indices. */
  log: EventLog;
  /** Item metadata in dense-index order (content features, genres). */
  items: ItemRecord[];
  /** Reference time for time decay, ms since the epoch (default: the last event's time). */
  now?: number;
}

/** A user as the recommender sees him: his items with weights (ascending item index, no duplicates). */
export interface UserProfile {
  /** Dense user index when the user was in the fitted data (lets models use learned user factors). */
  user?: number;
  items: Int32Array;
  weights: Float32Array;
}

export interface RecommendOptions {
  /** Drop items in the profile (default true). */
  excludeSeen?: boolean;
  /** When given, only items with allowed[item] !== 0 are returned (genre filters, candidate pools). */
  allowed?: Uint8Array;
}

export interface Recommender {
  readonly name: ModelName;
  fit(data: FitData): void | Promise<void>;
  /** Top n items for a user, best first. */
  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN;
  /** Scores of every item for a user (length = number of items); used by rankers and hybrids. */
  scoreAll(profile: UserProfile): Float32Array;
  /** Items most similar to `item`, best first, excluding the item itself; absent where the method has none. */
  similarItems?(item: number, n: number): TopN;
}
