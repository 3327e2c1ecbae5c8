/**
 * The one interface every recommender (candidate generator) implements, after implicit's
 * `recommend` / `similar_items`: fit on a user x item interaction matrix, then answer for a user known by
 * index or given as a list of items (cold start, fresh events), and for similar items where the method allows.
 *
 * Unknown users: a profile without `user` (or with a user the model was not fitted on) is served from its
 * items (and onboarding genres where the model uses them); see each model's header for how. An empty
 * profile gets the model's fallback (popularity for the hybrid, zeros elsewhere).
 *
 * Persistence: `save()` returns plain JSON-able `meta` plus named typed arrays; `loadRecommender(name, saved)`
 * in ./index.ts rebuilds a fitted model from them (the `reco train` bundle writes both).
 */
import type { Csr, EventLog, ItemRecord, ModelName, TopN } from '../types.js';

/**
 * Receives a model's training curve as it fits: the value of metric `key` (e.g. `loss`) at iteration
 * `step` (1-based). Tracked runs record it (../tracking/run-recorder.ts); reporting must not change the fit.
 */
export type MetricSink = (key: string, value: number, step: number) => void;

/** What a recommender fits on: one side of a split, or the whole store. */
export interface FitData {
  /** Users x items implicit-feedback weights (event types weighted and summed; see ../data/interactions.ts). */
  interactions: Csr;
  /**
   * The raw events behind it (time decay, recency), same dense indices. It may hold more events than the
   * interactions (e.g. the whole log beside one side of a split): models only use events whose
   * (user, item) pair is in `interactions`.
   */
  log: EventLog;
  /** Item metadata in dense-index order (content features, genres). */
  items: ItemRecord[];
  /** Reference time for time decay, ms since the epoch (default: the last event's time). */
  now?: number;
  /**
   * Models already fitted on exactly this data (same interactions, log, items and now; or, for a model
   * that reads no events such as content, the same items): a model built of others (hybrid, ranked) uses
   * one instead of fitting its own copy when the copy would have the same parameters.
   */
  fitted?: ReadonlyMap<ModelName, Recommender>;
  /**
   * Where the model reports its training curve, if anywhere (ALS its loss per iteration). fitModels
   * (../training/fit-models.ts) gives each model its own, its keys prefixed by the model's name.
   */
  metrics?: MetricSink;
}

/** A user as the recommender sees him: his items with weights (ascending item index, no duplicates). */
export interface UserProfile {
  /** Dense user index when the user was in the fitted data (lets models use learned user factors). */
  user?: number;
  items: Int32Array;
  weights: Float32Array;
  /** Onboarding preferences: genre names the user picked (cold start). Used by content and hybrid. */
  genres?: string[];
  /**
   * The time (ms) the recommendation is for, when not the model's now: e.g. the end of the user's own
   * history in offline evaluation. Models with point-in-time features (ranked) compute them as of it.
   */
  at?: number;
}

export interface RecommendOptions {
  /** Drop items in the profile (default true). */
  excludeSeen?: boolean;
  /** When given, only items with allowed[item] !== 0 are returned (genre filters, candidate pools). */
  allowed?: Uint8Array;
}

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** A fitted model as data: `meta` is JSON-able (name, parameters, sizes), `arrays` the learned numbers. */
export interface SavedModel {
  meta: { name: ModelName; params: Record<string, unknown> } & Record<string, unknown>;
  arrays: Record<string, TypedArray>;
}

export interface Recommender {
  readonly name: ModelName;
  fit(data: FitData): void | Promise<void>;
  /** Top n items for a user, best first. */
  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN;
  /**
   * Scores of every item for a user (length = number of items); used by rankers and hybrids. With `out`
   * of that length, the scores overwrite it and it is returned (a hot path's buffer, reused); otherwise
   * a new array.
   */
  scoreAll(profile: UserProfile, out?: Float32Array): Float32Array;
  /** Items most similar to `item`, best first, excluding the item itself; absent where the method has none. */
  similarItems?(item: number, n: number): TopN;
  /** The fitted model as data (see SavedModel); throws if not fitted. */
  save(): SavedModel;
}
