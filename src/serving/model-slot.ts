/**
 * A model bundle loaded and checked, ready to serve: every model rebuilt and tried once, so that a corrupt
 * bundle fails here (and the previous slot keeps serving) rather than inside a request. A slot is
 * immutable once built; a hot swap replaces the whole slot with one assignment, and a request that started
 * on the old slot finishes on it.
 */
import { RecoError } from '../errors.js';
import { type ModelBundle, openBundle } from '../models/bundle.js';
import type { FittedSizes } from '../models/profiles.js';
import { addBlendTerm, HybridRecommender } from '../recommenders/hybrid.js';
import { PopularityRecommender } from '../recommenders/popularity.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';
import type { ModelName } from '../types.js';
import { ITEM_CLOCK_MS, type ServingRanker } from './ranker.js';

/** Models that answer "items similar to i", best first. */
const SIMILAR_ORDER: ModelName[] = ['itemknn', 'ease', 'als', 'content', 'hybrid'];
/** Candidate generators for the ranked strategy, in order of preference. */
const GENERATOR_ORDER: ModelName[] = ['ease', 'als', 'itemknn', 'hybrid', 'content'];
/** The model that orders `ranked` without a ranker when the bundle holds no metrics. */
const BEST_ORDER: ModelName[] = ['hybrid', 'ease', 'als', 'itemknn', 'content', 'popularity'];

/** Score vectors by source name (the candidate generator's sources and full vectors of a request). */
export interface GeneratorScores {
  sources: readonly string[];
  full: readonly Float32Array[];
}

function scoresOf(g: GeneratorScores, name: string): Float32Array | undefined {
  const s = g.sources.indexOf(name);
  return s < 0 ? undefined : g.full[s];
}

export class ModelSlot {
  readonly loadedAt = new Date();
  readonly models = new Map<ModelName, Recommender>();
  readonly fitted: FittedSizes;
  /** The best candidate generator (the bundle's default, `ranked` aside). */
  readonly bestModel: ModelName;
  /** The model answering similar-items, if any has similarItems. */
  readonly similarModel?: ModelName;
  /** Candidate generators of the ranked fallback (see the constructor). */
  generators: ModelName[];
  readonly popularity?: PopularityRecommender;
  /**
   * Whether the bundle has a learning-to-rank model that loaded (or, lazy, is left to the rank threads
   * until the main thread needs it).
   */
  readonly hasRanked: boolean;
  private rankedModel?: ServingRanker;
  /** Whether the ranked model is still to be loaded on first use (option `lazyRanked`). */
  private rankedPending: boolean;
  /**
   * When the best model is a hybrid whose components are this slot's generators (same model, same
   * parameters), its blend recomputed from their score vectors (checked against hybrid.scoreAll at load).
   */
  private readonly blend?: {
    how: 'minmax' | 'zscore';
    parts: { name: ModelName; weight: number; model: Recommender; reuse: boolean }[];
  };
  /** Why the bundle's ranked model is not used although it has one. */
  rankerNote?: string;

  /**
   * `lazyRanked`: the ranked model is loaded on first use of `ranked` (then `onRankedLoad` brings it up to
   * date), not here: a server whose rank threads rank does not load it on the main thread at a swap (about
   * a second and a half of parsing, tree compilation and warm-up that would hold every request).
   */
  constructor(
    readonly bundle: ModelBundle,
    private readonly options: { lazyRanked?: boolean; onRankedLoad?: (ranker: ServingRanker) => void } = {},
  ) {
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
    // Without a ranked model the candidates are ordered by the best model, so the generators are the ones
    // whose scores that order needs anyway: a hybrid's components (their vectors are reused for its blend),
    // else the best model alone. With a ranked model, the ranker gathers its own candidates.
    const gens = GENERATOR_ORDER.filter((m) => this.models.has(m) && m !== 'hybrid');
    this.generators = gens;
    this.blend = this.reusableBlend();
    if (this.blend) this.generators = this.blend.parts.filter((p) => p.reuse).map((p) => p.name);
    else if (this.bestModel !== 'popularity') this.generators = [this.bestModel];
    this.rankedPending = bundle.has('ranked');
    if (!options.lazyRanked) this.loadRanked();
    this.hasRanked = bundle.has('ranked') && (options.lazyRanked === true || this.rankedModel !== undefined);
  }

  /** The bundle's learning-to-rank model, when it has one that loads (loaded now if it was left lazy). */
  get ranked(): ServingRanker | undefined {
    if (this.rankedPending) this.loadRanked();
    return this.rankedModel;
  }

  /** The ranked model if it is loaded already (never loads it). */
  get loadedRanked(): ServingRanker | undefined {
    return this.rankedModel;
  }

  private loadRanked(): void {
    if (!this.rankedPending) return;
    this.rankedPending = false;
    // a ranked model that does not load leaves the strategy to the fallback (noted in answers and /health)
    try {
      const ranked = this.bundle.model('ranked') as ServingRanker;
      ranked.setItemClock(ITEM_CLOCK_MS);
      this.options.onRankedLoad?.(ranked);
      this.rankedModel = ranked;
    } catch (err) {
      this.rankerNote = `its ranked model did not load: ${(err as Error).message}`;
    }
  }

  private reusableBlend(): ModelSlot['blend'] {
    const hybrid = this.models.get(this.bestModel);
    if (!(hybrid instanceof HybridRecommender)) return undefined;
    const paramsOf = (m: Recommender) =>
      JSON.stringify((m as unknown as { params?: unknown }).params ?? null);
    const parts = hybrid.components().map((c) => {
      const own = this.models.get(c.name);
      const reuse =
        own !== undefined && this.generators.includes(c.name) && paramsOf(own) === paramsOf(c.model);
      return { name: c.name, weight: c.weight, model: c.model, reuse };
    });
    if (!parts.some((p) => p.reuse)) return undefined;
    const blend = { how: hybrid.params.normalize as 'minmax' | 'zscore', parts };
    // check on a few profiles that the recomputed blend is the hybrid's own
    const probes: UserProfile[] = [];
    for (const u of [0, 1, Math.floor(this.fitted.users / 2)]) {
      if (u >= this.fitted.users) continue;
      const items = Int32Array.from(
        { length: Math.min(5, this.fitted.items) },
        (_, k) => (u * 7 + k * 13) % this.fitted.items,
      ).sort();
      probes.push({
        user: u,
        items: Int32Array.from(new Set(items)),
        weights: new Float32Array(new Set(items).size).fill(1),
      });
    }
    for (const p of probes) {
      const want = hybrid.scoreAll(p);
      const got = this.blendScores(blend, p, {
        sources: this.generators,
        full: this.generators.map((g) => this.models.get(g)!.scoreAll(p)),
      });
      for (let i = 0; i < want.length; i++)
        if (Math.abs(want[i]! - got[i]!) > 1e-4 * (1 + Math.abs(want[i]!))) return undefined;
    }
    return blend;
  }

  private blendScores(
    blend: NonNullable<ModelSlot['blend']>,
    profile: UserProfile,
    generatorScores: GeneratorScores,
  ): Float32Array {
    const out = new Float32Array(this.fitted.items);
    for (const p of blend.parts) {
      if (p.weight === 0) continue;
      const own = p.reuse ? scoresOf(generatorScores, p.name) : undefined;
      addBlendTerm(out, own ?? p.model.scoreAll(profile), p.weight, blend.how);
    }
    return out;
  }

  /**
   * The best model's scores of every item for a profile with items, reusing the generators' vectors of
   * this request (the candidates' sources) where they are the same computation.
   */
  scoreBest(profile: UserProfile, generatorScores: GeneratorScores): Float32Array {
    const own = scoresOf(generatorScores, this.bestModel);
    if (own) return own;
    if (this.blend && profile.items.length > 0) return this.blendScores(this.blend, profile, generatorScores);
    return this.models.get(this.bestModel)!.scoreAll(profile);
  }

  /** Whether the best model's scores are recomputed from the generators' (tests, diagnostics). */
  get blendReused(): boolean {
    return this.blend !== undefined;
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

/**
 * `loadSlot` in steps, awaiting `pause()` (a turn of the event loop) before each model and before the
 * checks, so that requests are answered in between; the ranked model is left lazy when `lazyRanked`.
 */
export async function loadSlotInSteps(
  modelsDir: string,
  version: string | undefined,
  options: ConstructorParameters<typeof ModelSlot>[1],
  pause: () => Promise<void>,
): Promise<ModelSlot> {
  const bundle = openBundle(modelsDir, version);
  for (const name of bundle.modelNames()) {
    if (name === 'ranked' && options?.lazyRanked) continue;
    await pause();
    await bundle.modelAsync(name);
  }
  await pause();
  return new ModelSlot(bundle, options);
}
