/**
 * Hybrid: a weighted blend of the components' normalised scores (Burke, "Hybrid Recommender Systems:
 * Survey and Experiments", 2002, "weighted" hybrid): score_j = sum_c weight_c * norm(scoreAll_c)_j, where
 * norm is min-max to [0, 1] or the z-score over all items (a constant score vector normalises to 0).
 *
 * Cold start, through UserProfile:
 * - a known user: every component scores him as usual;
 * - a new user with onboarding preferences (a few liked items and/or genres, no `user`): item-kNN and EASE
 *   score from his items, ALS folds him in, content scores from items and genres; components with nothing
 *   to go on give zeros, so the blend is content + kNN (+ popularity as a tie-breaker);
 * - an empty profile (no items, no genres): the popularity list.
 * A new item without events is reachable through the content component.
 */

import {
  modelNameOf,
  objectEntries,
  type Params,
  paramsByModel,
  refuse,
  resolveParamValues,
} from '../core/param-spec.js';
import { selectTopN } from '../core/top-n.js';
import { RecoError, UsageError } from '../errors.js';
import { fitModels } from '../training/fit-models.js';
import type { ModelName, TopN } from '../types.js';
import { notFitted, scoreBuffer, topNFromScores } from './base.js';
import { PopularityRecommender } from './popularity.js';
import type { FitData, Recommender, RecommendOptions, SavedModel, UserProfile } from './recommender.js';

/** A component of the blend: a model of the registry and its weight. */
export interface HybridComponent {
  name: ModelName;
  weight: number;
}

/** The components parameter, {model: weight}, in its order. */
function parseComponents(v: unknown): HybridComponent[] {
  const parts = objectEntries(v, 'an object {model: weight}').map(([k, w]) => {
    const name = modelNameOf(k, ['hybrid', 'ranked']);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      refuse(`weight of '${k}' must be a number >= 0`);
    return { name, weight: w };
  });
  if (parts.length === 0) refuse('needs at least one component');
  return parts;
}

export const HYBRID_PARAMS = {
  components: {
    type: 'json',
    default: { als: 1, itemknn: 0.3, content: 0.1, popularity: 0.05 },
    doc: 'components and their blend weights, {model: weight}',
    parse: parseComponents,
  },
  componentParams: {
    type: 'json',
    default: {},
    doc: 'parameters per component, {model: {param: value}}',
    parse: (v: unknown) => paramsByModel(v, ['hybrid', 'ranked']),
  },
  normalize: { type: 'enum', default: 'minmax', values: ['minmax', 'zscore'], doc: 'score normalisation' },
} as const;

/** How the hybrid builds and reloads its components (the registry, injected to avoid an import cycle). */
export interface ComponentFactory {
  create(name: ModelName, params?: Record<string, unknown>): Recommender;
  load(name: ModelName, saved: SavedModel): Recommender;
}

/**
 * The normalisation of `s` as (v - shift) / scale: min-max (shift the minimum, scale the range) or
 * z-score (the mean, the standard deviation); scale 0 (a constant vector) normalises every v to 0.
 */
function normalization(s: Float32Array, how: 'minmax' | 'zscore'): { shift: number; scale: number } {
  const n = s.length;
  if (n === 0) return { shift: 0, scale: 0 };
  if (how === 'minmax') {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (s[i]! < lo) lo = s[i]!;
      if (s[i]! > hi) hi = s[i]!;
    }
    return { shift: lo, scale: Math.max(hi - lo, 0) };
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += s[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (s[i]! - mean) ** 2;
  const sd = Math.sqrt(v / n);
  return { shift: mean, scale: Math.max(sd, 0) };
}

/** Normalises `s` in place: min-max to [0, 1] or z-score; a constant vector becomes 0. */
export function normalizeScores(s: Float32Array, how: 'minmax' | 'zscore'): Float32Array {
  const { shift, scale } = normalization(s, how);
  for (let i = 0; i < s.length; i++) s[i] = scale > 0 ? (s[i]! - shift) / scale : 0;
  return s;
}

/**
 * The blend's term of one component: adds weight x norm(s) to `out` (over their common length), each
 * normalised value rounded to float as normalizeScores stores it. `s` is left as it is. The hybrid's
 * scoreAll is the sum of its components' terms; serving's model slot recomputes it from score vectors it
 * already has (../serving/model-slot.ts).
 */
export function addBlendTerm(
  out: Float32Array,
  s: Float32Array,
  weight: number,
  how: 'minmax' | 'zscore',
): void {
  const { shift, scale } = normalization(s, how);
  const n = Math.min(s.length, out.length);
  for (let j = 0; j < n; j++) out[j]! += weight * (scale > 0 ? Math.fround((s[j]! - shift) / scale) : 0);
}

/** Whether two saved models hold the same parameters and the same learned numbers. */
function sameSavedModel(a: SavedModel, b: SavedModel): boolean {
  if (JSON.stringify(a.meta) !== JSON.stringify(b.meta)) return false;
  const keys = Object.keys(a.arrays);
  if (keys.length !== Object.keys(b.arrays).length) return false;
  for (const k of keys) {
    const x = a.arrays[k]!;
    const y = b.arrays[k];
    if (!y || x.constructor !== y.constructor || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  return true;
}

export class HybridRecommender implements Recommender {
  readonly name = 'hybrid' as const;
  readonly params: Params<typeof HYBRID_PARAMS>;
  /** The parameters as given (what save() stores). */
  private readonly paramValues: Record<string, unknown>;
  private parts: { name: ModelName; weight: number; model: Recommender }[] = [];
  private fallback?: Recommender;
  private nItems = 0;
  /** Per component, its score vector of the last scoreAll (kept: see componentScores). */
  private scratch: (Float32Array | undefined)[] = [];
  /** The profile of the last scoreAll that scored the components. */
  private scoredProfile?: UserProfile;

  constructor(
    params: Record<string, unknown> | undefined,
    private readonly factory: ComponentFactory,
  ) {
    ({ params: this.params, values: this.paramValues } = resolveParamValues('hybrid', HYBRID_PARAMS, params));
    for (const name of Object.keys(this.params.componentParams))
      if (!this.params.components.some((c) => c.name === name))
        throw new UsageError(
          `hybrid: parameter 'componentParams' names '${name}', which is not in 'components'`,
        );
  }

  async fit(data: FitData): Promise<void> {
    // components with default parameters lent by data.fitted are taken as they are (../training/fit-models.ts)
    const models = await fitModels(
      data,
      this.params.components.map((c) => c.name),
      { create: (name, params) => this.factory.create(name, params), params: this.params.componentParams },
    );
    const parts = this.params.components.map(({ name, weight }) => ({
      name,
      weight,
      model: models.get(name)!,
    }));
    this.parts = parts;
    const pop = parts.find((p) => p.name === 'popularity')?.model;
    if (pop) this.fallback = pop;
    else {
      this.fallback = new PopularityRecommender();
      await this.fallback.fit(data);
    }
    this.nItems = Math.max(data.interactions.cols, data.items.length);
  }

  /** The fitted components. */
  components(): readonly { name: ModelName; weight: number; model: Recommender }[] {
    if (!this.fallback) throw notFitted(this.name);
    return this.parts;
  }

  scoreAll(profile: UserProfile, into?: Float32Array): Float32Array {
    this.components();
    const out = scoreBuffer(into, this.nItems);
    out.fill(0);
    if (
      profile.items.length === 0 &&
      !(profile.genres && profile.genres.length > 0) &&
      profile.user === undefined
    ) {
      out.set(this.fallback!.scoreAll(profile).subarray(0, this.nItems));
      return out;
    }
    const how = this.params.normalize;
    this.scoredProfile = undefined;
    for (let c = 0; c < this.parts.length; c++) {
      const { weight, model } = this.parts[c]!;
      if (weight === 0) continue;
      // each component's scores in a buffer of the hybrid's, kept as they are (normalised on the fly)
      this.scratch[c] = model.scoreAll(profile, this.scratch[c]);
      addBlendTerm(out, this.scratch[c]!, weight, how);
    }
    this.scoredProfile = profile;
    return out;
  }

  /**
   * The scores `model` gave `profile` in this hybrid's last scoreAll, when the model is one of its
   * components and that call was for this same profile: a candidate generator with the component among
   * its sources too takes them instead of scoring again (valid until the next scoreAll).
   */
  componentScores(model: Recommender, profile: UserProfile): Float32Array | undefined {
    if (profile !== this.scoredProfile) return undefined;
    const c = this.parts.findIndex((p) => p.model === model && p.weight > 0);
    return c >= 0 ? this.scratch[c] : undefined;
  }

  /**
   * Takes each of `models` that is one of its components loaded a second time (same name, parameters
   * and learned arrays) as that component: a ranker whose sources include the hybrid and some of its
   * components then holds and scores each once.
   */
  shareComponents(models: readonly Recommender[]): void {
    for (const part of this.parts) {
      const same = models.find(
        (m) => m !== part.model && m.name === part.name && sameSavedModel(m.save(), part.model.save()),
      );
      if (!same) continue;
      if (this.fallback === part.model) this.fallback = same;
      part.model = same;
    }
  }

  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN {
    return topNFromScores(this.scoreAll(profile), profile, n, options);
  }

  /**
   * Similar items: each component that has similarItems proposes its top 3n; each list is min-max
   * normalised and blended with the component weights (an item missing from a list gets 0 from it).
   */
  similarItems(item: number, n: number): TopN {
    const parts = this.components().filter((p) => p.weight > 0 && p.model.similarItems);
    if (parts.length === 0) throw new RecoError('hybrid: no component offers similar items');
    const blended = new Float32Array(this.nItems).fill(Number.NaN);
    for (const { weight, model } of parts) {
      const list = model.similarItems!(item, 3 * n);
      const s = normalizeScores(Float32Array.from(list.scores), 'minmax');
      for (let r = 0; r < list.items.length; r++) {
        const j = list.items[r]!;
        if (j >= blended.length) continue;
        blended[j] = (Number.isNaN(blended[j]!) ? 0 : blended[j]!) + weight * s[r]!;
      }
    }
    return selectTopN(blended, n, Int32Array.of(item));
  }

  save(): SavedModel {
    this.components();
    const arrays: SavedModel['arrays'] = {};
    const components: { name: ModelName; meta: SavedModel['meta'] }[] = [];
    const all = [...this.parts.map((p) => ({ key: p.name as string, model: p.model }))];
    if (!this.parts.some((p) => p.name === 'popularity'))
      all.push({ key: 'fallback', model: this.fallback! });
    for (const { key, model } of all) {
      const saved = model.save();
      components.push({ name: key as ModelName, meta: saved.meta });
      for (const [k, a] of Object.entries(saved.arrays)) arrays[`${key}.${k}`] = a;
    }
    return {
      meta: { name: this.name, params: { ...this.paramValues }, nItems: this.nItems, components },
      arrays,
    };
  }

  static load(saved: SavedModel, factory: ComponentFactory): HybridRecommender {
    const m = new HybridRecommender(saved.meta.params, factory);
    const comps = saved.meta['components'];
    if (!Array.isArray(comps)) throw new RecoError("hybrid: saved model lacks meta 'components'");
    const loaded = new Map<string, Recommender>();
    for (const c of comps as { name: string; meta: SavedModel['meta'] }[]) {
      const prefix = `${c.name}.`;
      const arrays: SavedModel['arrays'] = {};
      for (const [k, a] of Object.entries(saved.arrays))
        if (k.startsWith(prefix)) arrays[k.slice(prefix.length)] = a;
      loaded.set(c.name, factory.load(c.meta.name, { meta: c.meta, arrays }));
    }
    m.parts = m.params.components.map(({ name, weight }) => {
      const model = loaded.get(name);
      if (!model) throw new RecoError(`hybrid: saved model lacks component '${name}'`);
      return { name, weight, model };
    });
    m.fallback = loaded.get('popularity') ?? loaded.get('fallback');
    if (!m.fallback) throw new RecoError('hybrid: saved model lacks its popularity fallback');
    m.nItems = typeof saved.meta['nItems'] === 'number' ? saved.meta['nItems'] : 0;
    return m;
  }
}
