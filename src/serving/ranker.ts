/**
 * The ranked strategy's model as serving sees it: the bundle's `ranked` (src/ranking/ranker.ts, a
 * Recommender that gathers its own candidates, builds point-in-time features and scores them with
 * LambdaMART trees), through the few extra methods serving uses, duck-typed so that serving does not depend
 * on the ranking internals:
 * - `featureState().applyEvent(...)`: each ingested event moves the user's and the item's features live
 *   (and a rank thread reads its users' events to warm up);
 * - `explain(profile, item)`: candidate sources and feature contributions (TreeSHAP) for explain=true;
 * - `setItemClock(ms)`: item features on a clock of `ms` (ITEM_CLOCK_MS below).
 * A bundle without `ranked` serves the strategy with its candidates ordered by the bundle's best model
 * (./services/strategies/ranked-fallback.ts).
 */
import type { Recommender, RecommendOptions, UserProfile } from '../recommenders/recommender.js';
import type { TopN } from '../types.js';

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

export interface ServingRanker extends Recommender {
  featureState?(): LiveFeatureState;
  explain?(profile: UserProfile, item: number): RankerExplanation;
  setItemClock?(ms: number): void;
}

/**
 * The item clock of serving (../ranking/ranker.ts setItemClock): item features as of the serving time
 * rounded down to a second, so that the live events of a second do not make every request recompute its
 * candidates' item features (each event moves the serving time); user and user-item features stay exact.
 */
export const ITEM_CLOCK_MS = 1000;

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
