/**
 * Every model the product knows by name, the same names everywhere (CLI, config, API): the recommender
 * registry's candidate generators (../recommenders/index.ts) and the ranking stage `ranked`
 * (../ranking/ranker.ts), which sits above the registry because it is built from its models.
 */
import { RankedRecommender } from '../ranking/ranker.js';
import { createRecommender, loadRecommender, recommenderNames } from '../recommenders/index.js';
import type { Recommender, SavedModel } from '../recommenders/recommender.js';
import type { ModelName } from '../types.js';

/** Candidate generators first, then `ranked`. */
export function modelNames(): ModelName[] {
  return [...recommenderNames(), 'ranked'];
}

/** A new, unfitted model with its defaults overridden by `params`. */
export function createModel(name: ModelName, params?: Record<string, unknown>): Recommender {
  return name === 'ranked' ? new RankedRecommender(params) : createRecommender(name, params);
}

/** A fitted model rebuilt from its `save()` output. */
export function loadModel(name: ModelName, saved: SavedModel): Recommender {
  return name === 'ranked' ? RankedRecommender.load(saved) : loadRecommender(name, saved);
}
