/**
 * A model bundle loaded and checked, ready to serve: every model rebuilt and tried once, so that a corrupt
 * bundle fails here (and the previous slot keeps serving) rather than inside a request. A slot is
 * immutable once built; a hot swap replaces the whole slot with one assignment, and a request that started
 * on the old slot finishes on it.
 */
import { RecoError } from '../errors.js';
import { type ModelBundle, openBundle } from '../models/bundle.js';
import type { FittedSizes } from '../models/profiles.js';
import { PopularityRecommender } from '../recommenders/popularity.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';
import type { ModelName } from '../types.js';
import { type Ranker, rankerLoader } from './ranker.js';

/** Models that answer "items similar to i", best first. */
const SIMILAR_ORDER: ModelName[] = ['itemknn', 'ease', 'als', 'content', 'hybrid'];
/** Candidate generators for the ranked strategy, in order of preference. */
const GENERATOR_ORDER: ModelName[] = ['ease', 'als', 'itemknn', 'hybrid', 'content'];
/** The model that orders `ranked` without a ranker when the bundle holds no metrics. */
const BEST_ORDER: ModelName[] = ['hybrid', 'ease', 'als', 'itemknn', 'content', 'popularity'];

export const SOURCE_RECENT = 'recent-neighbours';
export const SOURCE_POPULAR = 'popular';

export class ModelSlot {
  readonly loadedAt = new Date();
  readonly models = new Map<ModelName, Recommender>();
  readonly fitted: FittedSizes;
  /** The best candidate generator (the bundle's default, `ranked` aside). */
  readonly bestModel: ModelName;
  /** The model answering similar-items, if any has similarItems. */
  readonly similarModel?: ModelName;
  /** Candidate generators of the ranked strategy (every model but popularity). */
  readonly generators: ModelName[];
  /** Bit s of a candidate's sources = sourceNames[s]: the generators, then recent neighbours, then popular. */
  readonly sourceNames: string[];
  readonly popularity?: PopularityRecommender;
  ranker?: Ranker;
  /** Why a ranker was not loaded although the bundle names one. */
  rankerNote?: string;

  constructor(readonly bundle: ModelBundle) {
    const { users, items } = bundle.manifest.data;
    this.fitted = { users, items };
    const empty: UserProfile = { items: new Int32Array(0), weights: new Float32Array(0) };
    for (const name of bundle.modelNames()) {
      if (name === 'ranked') continue;
      const model = bundle.model(name);
      // one trial answer: a bundle that loads but cannot answer fails here, not in a request
      const top = model.recommend(empty, 1);
      if (top.items.length > 0 && !(top.items[0]! >= 0 && top.items[0]! < items))
        throw new RecoError(`bundle ${bundle.version}: model ${name} answers an item out of range`);
      this.models.set(name, model);
    }
    if (this.models.size === 0) throw new RecoError(`bundle ${bundle.version} holds no candidate generator`);
    const pop = this.models.get('popularity');
    if (pop instanceof PopularityRecommender) this.popularity = pop;
    // the bundle's default (best stored NDCG) when it was evaluated, else the first of BEST_ORDER present
    const def = bundle.manifest.metrics ? bundle.defaultModel() : undefined;
    this.bestModel =
      def !== undefined && def !== 'ranked' && this.models.has(def)
        ? def
        : (BEST_ORDER.find((m) => this.models.has(m)) ?? [...this.models.keys()][0]!);
    this.similarModel = SIMILAR_ORDER.find((m) => this.models.get(m)?.similarItems !== undefined);
    this.generators = GENERATOR_ORDER.filter((m) => this.models.has(m));
    this.sourceNames = [...this.generators, SOURCE_RECENT, SOURCE_POPULAR];
    if (this.sourceNames.length > 8) throw new RecoError('too many candidate sources for a byte mask');
    const load = rankerLoader();
    if (bundle.has('ranked')) {
      if (load) this.ranker = load(bundle, this);
      if (!this.ranker)
        this.rankerNote = `bundle ${bundle.version} has a ranked model but no ranker loader is registered`;
    } else if (load) this.ranker = load(bundle, this);
  }

  get version(): string {
    return this.bundle.version;
  }

  model(name: ModelName): Recommender | undefined {
    return this.models.get(name);
  }
}

/** Opens and checks a bundle (the `current` one unless `version` is given); throws on any fault. */
export function loadSlot(modelsDir: string, version?: string): ModelSlot {
  return new ModelSlot(openBundle(modelsDir, version));
}
