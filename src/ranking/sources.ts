/**
 * Stage 1 as the ranker builds it from its parameters: the candidate sources fitted on some events (inside
 * training on each view's feature side, then on every event for serving), their candidate generator, and
 * the feature builder over a state with the item-item matrices of the sources that have them.
 */
import { type CandidateRows, FeatureBuilder, type FeatureSpec } from '../features/build.js';
import type { FeatureState } from '../features/state.js';
import { EaseRecommender } from '../recommenders/ease.js';
import { createRecommender } from '../recommenders/index.js';
import { ItemKnnRecommender } from '../recommenders/item-knn.js';
import type { FitData, Recommender } from '../recommenders/recommender.js';
import { fitModels } from '../training/fit-models.js';
import type { ModelName } from '../types.js';
import { CandidateGenerator, type CandidateSet } from './candidates.js';
import type { RankedParams } from './params.js';

/**
 * The candidate sources fitted on `data` (../training/fit-models.ts: those with default parameters taken
 * from `data.fitted` when there), in the order of `sources`.
 */
export async function fitSources(data: FitData, params: RankedParams): Promise<Recommender[]> {
  const names = params.sources.map((s) => s.name);
  const models = await fitModels(data, names, { create: createRecommender, params: params.sourceParams });
  return names.map((n) => models.get(n)!);
}

/**
 * Models whose fit reads no events (content: item metadata only). Fitted on every event they hold no label,
 * so each label view reuses them (the lent ones of `fitted`) instead of refitting them on its feature side:
 * only the models that learn from events are refitted per view, where leakage demands it.
 */
const EVENT_FREE: ReadonlySet<ModelName> = new Set(['content']);

/** The models of `fitted` that a label view may reuse (they read no events). */
export function eventFreeModels(fitted: FitData['fitted']): Map<ModelName, Recommender> {
  const out = new Map<ModelName, Recommender>();
  for (const [name, model] of fitted ?? []) if (EVENT_FREE.has(name)) out.set(name, model);
  return out;
}

/** Stage 1 over fitted sources (in the order of `sources`): each one's top `count`, deduplicated. */
export function candidateGenerator(
  models: Recommender[],
  params: RankedParams,
  nItems: number,
): CandidateGenerator {
  return new CandidateGenerator(
    models.map((model, s) => ({ model, n: params.sources[s]!.count })),
    nItems,
  );
}

/** The feature builder over a state, with the item-item matrices of the sources that have them. */
export function featureBuilder(
  state: FeatureState,
  spec: FeatureSpec,
  models: Recommender[],
): FeatureBuilder {
  const knn = models.find((m) => m instanceof ItemKnnRecommender);
  const ease = models.find((m) => m instanceof EaseRecommender);
  return new FeatureBuilder(state, spec, knn?.neighbourMatrix(), ease?.itemWeights());
}

/**
 * Rows for `items` (outside a user's candidates) with every source's score for them from the
 * candidates' full score vectors, and no source rank.
 */
export function rowsOutside(cands: CandidateSet, items: ArrayLike<number>): CandidateRows {
  const S = cands.sources.length;
  const m = items.length;
  const scores = new Float32Array(m * S);
  for (let r = 0; r < m; r++) for (let s = 0; s < S; s++) scores[r * S + s] = cands.full[s]![items[r]!]!;
  return { items: Int32Array.from(items), scores, ranks: new Float32Array(m * S).fill(Number.NaN) };
}
