/**
 * The plug point for the learning-to-rank stage (`ranked`, src/ranking/). The server's `ranked` strategy
 * gathers about 300 candidates from the bundle's candidate generators, the neighbours of the user's recent
 * items and the popular items (./candidates.ts), then orders them with a Ranker. The ranking code registers
 * a loader once (`registerRankerLoader`); every bundle the server loads is offered to it, and a bundle for
 * which it returns a Ranker serves `ranked` with it. Until then `ranked` orders the candidates by the
 * bundle's best candidate generator, and the answer names that model.
 */
import type { ModelBundle } from '../models/bundle.js';
import type { UserProfile } from '../recommenders/recommender.js';
import type { ModelSlot } from './model-slot.js';

/** What a ranker sees about one request. */
export interface RankContext {
  userId: string;
  /** The user's live profile (items the fitted models know, weights under the bundle's event weights). */
  profile: UserProfile;
  /** His most recent items, newest first (dense indices). */
  recent: Int32Array;
  /** The slot (bundle, fitted models) the request is served from. */
  slot: ModelSlot;
  /** Candidates (dense item indices) and, per candidate, a bitmask of sources (bit s = slot.sourceNames[s]). */
  candidates: Int32Array;
  sources: Uint8Array;
  /** Per candidate generator, its score of each candidate (aligned with `candidates`), when computed. */
  generatorScores: Map<string, Float32Array>;
  now: number;
}

export interface FeatureContribution {
  name: string;
  value: number;
  /** The feature's share of the score (e.g. SHAP / LightGBM pred_contrib), when the ranker knows it. */
  contribution?: number;
}

export interface Ranker {
  /** The bundle version or model id the ranker came from (reported in /v1/models). */
  readonly id: string;
  /** Writes a score per candidate into `out` (length ctx.candidates.length); higher is better. */
  score(ctx: RankContext, out: Float32Array): void;
  /** The features that weighed most in candidate `c`'s score (explain=true). */
  topFeatures?(ctx: RankContext, c: number, n: number): FeatureContribution[];
}

export type RankerLoader = (bundle: ModelBundle, slot: ModelSlot) => Ranker | undefined;

let loader: RankerLoader | undefined;

/** Registers the function that builds a Ranker from a bundle (the ranking stage calls this once). */
export function registerRankerLoader(fn: RankerLoader | undefined): void {
  loader = fn;
}

export function rankerLoader(): RankerLoader | undefined {
  return loader;
}
