/**
 * The recommender registry: `createRecommender(name, params)` builds a model with its documented, tuned
 * defaults (each model's *_PARAMS spec; unknown or bad parameters raise a UsageError naming the parameter),
 * and `loadRecommender(name, saved)` rebuilds a fitted model from its `save()` output.
 *
 * Defaults tuned once on MovieLens 100K (random per-user 75/25 split, seed 42, NDCG@10; bench/recommenders.ts)
 * and documented in each model's *_PARAMS:
 * - popularity: plain counts of users (halfLifeDays 0);
 * - itemknn: cosine, 100 neighbours per target item;
 * - als: 64 factors, regularization 30, alpha 3 (c = 1 + 3w), 15 iterations, CG with 3 steps;
 * - ease: lambda 500, maxItems 2500 (the most active items of a larger catalogue);
 * - content: all fields weight 1, minDf 1;
 * - hybrid: als 1, itemknn 0.3, content 0.1, popularity 0.05, min-max (0.492 there; ALS alone 0.489; with
 *   EASE 0.493, left out so the hybrid has no catalogue limit).
 * ALS and EASE take `threads` (0 = auto: one worker thread beside the caller on large inputs); results are
 * identical either way.
 * Interaction weights (event types, ratings) are not model parameters: see ../data/interactions.ts.
 */

import type { ParamSpec } from '../core/param-spec.js';
import { UsageError } from '../errors.js';
import type { ModelName } from '../types.js';
import { ALS_PARAMS, AlsRecommender } from './als.js';
import { CONTENT_PARAMS, ContentRecommender } from './content.js';
import { EASE_PARAMS, EaseRecommender } from './ease.js';
import { type ComponentFactory, HYBRID_PARAMS, HybridRecommender } from './hybrid.js';
import { ITEMKNN_PARAMS, ItemKnnRecommender } from './item-knn.js';
import { POPULARITY_PARAMS, PopularityRecommender } from './popularity.js';
import type { Recommender, SavedModel } from './recommender.js';

interface Entry {
  spec: ParamSpec;
  create(params?: Record<string, unknown>): Recommender;
  load(saved: SavedModel): Recommender;
}

const REGISTRY: Partial<Record<ModelName, Entry>> = {
  popularity: {
    spec: POPULARITY_PARAMS,
    create: (p) => new PopularityRecommender(p),
    load: (s) => PopularityRecommender.load(s),
  },
  itemknn: {
    spec: ITEMKNN_PARAMS,
    create: (p) => new ItemKnnRecommender(p),
    load: (s) => ItemKnnRecommender.load(s),
  },
  als: { spec: ALS_PARAMS, create: (p) => new AlsRecommender(p), load: (s) => AlsRecommender.load(s) },
  ease: { spec: EASE_PARAMS, create: (p) => new EaseRecommender(p), load: (s) => EaseRecommender.load(s) },
  content: {
    spec: CONTENT_PARAMS,
    create: (p) => new ContentRecommender(p),
    load: (s) => ContentRecommender.load(s),
  },
  hybrid: {
    spec: HYBRID_PARAMS,
    create: (p) => new HybridRecommender(p, factory),
    load: (s) => HybridRecommender.load(s, factory),
  },
};

const factory: ComponentFactory = {
  create: (name, params) => createRecommender(name, params),
  load: (name, saved) => loadRecommender(name, saved),
};

function entry(name: string): Entry {
  const e = REGISTRY[name as ModelName];
  if (!e) {
    const known = Object.keys(REGISTRY).join(', ');
    throw new UsageError(
      name === 'ranked'
        ? `'ranked' is not a candidate generator (it is the ranking stage, src/ranking/); use one of ${known}`
        : `unknown model '${name}' (known: ${known})`,
    );
  }
  return e;
}

/** Names of the candidate generators the registry builds. */
export function recommenderNames(): ModelName[] {
  return Object.keys(REGISTRY) as ModelName[];
}

/** The parameter spec (types, defaults, docs) of a model. */
export function recommenderParams(name: ModelName): ParamSpec {
  return entry(name).spec;
}

/** A new, unfitted model with the tuned defaults overridden by `params`. */
export function createRecommender(name: ModelName, params?: Record<string, unknown>): Recommender {
  return entry(name).create(params);
}

/** A fitted model rebuilt from `save()` output. */
export function loadRecommender(name: ModelName, saved: SavedModel): Recommender {
  if (saved.meta.name !== name)
    throw new UsageError(`saved model is '${String(saved.meta.name)}', not '${name}'`);
  return entry(name).load(saved);
}
