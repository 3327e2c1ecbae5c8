/**
 * The ranked strategy's model as serving sees it: the bundle's `ranked` (src/ranking/ranker.ts, a
 * Recommender that gathers its own candidates, builds point-in-time features and scores them with
 * LambdaMART trees), through the few extra methods serving uses, duck-typed so that serving does not depend
 * on the ranking internals:
 * - `featureState().applyEvent(...)`: each ingested event moves the user's and the item's features live
 *   (and a rank thread reads its users' events to warm up);
 * - `explainMany(profile, items)`: candidate sources and feature contributions (TreeSHAP) for explain=true,
 *   one candidate set and one feature build for all the items (`explain` for one item); and the same in two
 *   steps, `prepareExplanations` (what is read of the state now) and `explainPrepared` (TreeSHAP of one
 *   prepared item), so that the main thread can explain in slices between other work;
 * - `setItemClock(ms)`: item features on a clock of `ms` (ITEM_CLOCK_MS below).
 * A bundle without `ranked` serves the strategy with its candidates ordered by the bundle's best model
 * (./services/strategies/ranked-fallback.ts).
 */
import type { Recommender, RecommendOptions, UserProfile } from '../recommenders/recommender.js';
import type { TopN } from '../types.js';
import type { ItemExplanation } from './answers.js';

/** The ranker's feature state (../features/state.ts) as serving uses it. */
export interface LiveFeatureState {
  applyEvent(user: number, item: number, time: number, weight: number, rating?: number): void;
  /** Users it knows. */
  readonly nUsers: number;
  /** How many of user u's events are before t; they are userEvent(u, 0..n-1), oldest first. */
  userCountBefore(u: number, t: number): number;
  userEvent(u: number, k: number): number;
  eventItem(e: number): number;
}

export interface RankerExplanation {
  sources: { name: string; rank: number; score: number }[];
  contributions: { feature: string; value: number; contribution: number }[];
}

/** Explanations prepared for later (../ranking/explain.ts PreparedExplanations), opaque to serving. */
export interface PreparedExplanations {
  readonly items: Int32Array;
}

export interface ServingRanker extends Recommender {
  featureState(): LiveFeatureState;
  explain(profile: UserProfile, item: number): RankerExplanation;
  explainMany(profile: UserProfile, items: Int32Array): RankerExplanation[];
  prepareExplanations(profile: UserProfile, items: Int32Array): PreparedExplanations;
  explainPrepared(prepared: PreparedExplanations, j: number): RankerExplanation;
  setItemClock(ms: number): void;
}

/**
 * The item clock of serving (../ranking/ranker.ts setItemClock): item features as of the serving time
 * rounded down to a second, so that the live events of a second do not make every request recompute its
 * candidates' item features (each event moves the serving time); user and user-item features stay exact.
 */
export const ITEM_CLOCK_MS = 1000;

/**
 * Items of a ranked answer that come with reasons (explain=true): the first EXPLAIN_CAP (the default of
 * serving's option `explainCap`); the others come without, and the answer's note says so. Each explained
 * item costs TreeSHAP over every tree of both views: k=1000 explained in full held a thread for seconds.
 */
export const EXPLAIN_CAP = 100;

/** The note of an explained answer of k items when only the first `cap` come with reasons. */
export function explainCapNote(k: number, cap: number): string | undefined {
  return k > cap ? `reasons (explain=true) for the first ${cap} items only` : undefined;
}

/**
 * An explanation as an answer's item carries it: its candidate sources and its five largest feature
 * contributions (a feature the user or item lacks, NaN, is named without a value).
 */
export function itemReasons(e: RankerExplanation): ItemExplanation {
  return {
    sources: e.sources.map((s) => s.name),
    features: e.contributions.slice(0, 5).map((c) => ({
      name: c.feature,
      ...(Number.isFinite(c.value) ? { value: c.value } : {}),
      contribution: c.contribution,
    })),
  };
}

/**
 * The ranker's top k for a live profile (./services/strategies/ranked-model.ts, ./rank-worker.ts): the user index stays on the profile (his
 * features), also for a user with fresh events (whom the online profile leaves without it so that ALS
 * folds him in); a user the ranker's feature state does not know yet (events between its training and
 * the swap) is ranked without his user features. Returns the profile that ranked.
 */
export function rankWithLiveProfile(
  ranker: ServingRanker,
  profile: UserProfile,
  u: number | undefined,
  k: number,
  options: RecommendOptions,
): { top: TopN; profile: UserProfile } {
  const withUser: UserProfile =
    u !== undefined && profile.user === undefined ? { ...profile, user: u } : profile;
  try {
    return { top: ranker.recommend(withUser, k, options), profile: withUser };
  } catch {
    const without: UserProfile = {
      items: profile.items,
      weights: profile.weights,
      ...(profile.genres ? { genres: profile.genres } : {}),
    };
    return { top: ranker.recommend(without, k, options), profile: without };
  }
}
