/**
 * Makes 'ranked' a model of the recommender registry, so that `reco train`, `reco evaluate --models ...,ranked`,
 * `reco recommend --model ranked` and bundles build and load it like any model. The registry
 * (src/recommenders/index.ts) cannot import the ranking stage (it would be a cyclic import), so the ranking
 * stage registers itself through the registry's `registerRecommender(name, entry)` hook; until that hook
 * exists this module does nothing (see the pipeline report). Imported for its effect by the CLI.
 */
import * as registry from '../recommenders/index.js';
import type { ParamSpec } from '../recommenders/params.js';
import type { Recommender, SavedModel } from '../recommenders/recommender.js';
import type { ModelName } from '../types.js';
import { RANKED_PARAMS, RankedRecommender } from './ranker.js';

interface RegistryEntry {
  spec: ParamSpec;
  create(params?: Record<string, unknown>): Recommender;
  load(saved: SavedModel): Recommender;
}

type Register = (name: ModelName, entry: RegistryEntry) => void;

const register = (registry as unknown as { registerRecommender?: Register }).registerRecommender;

/** Whether 'ranked' is in the registry (false until the registry exposes its hook). */
export const rankedRegistered: boolean = typeof register === 'function';

if (register)
  register('ranked', {
    spec: RANKED_PARAMS as unknown as ParamSpec,
    create: (p) => new RankedRecommender(p),
    load: (s) => RankedRecommender.load(s),
  });
