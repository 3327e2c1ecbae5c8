/**
 * Content-based recommendations: TF-IDF item vectors over metadata tokens (Salton & Buckley 1988; Lops,
 * de Gemmis & Semeraro, "Content-based Recommender Systems", RecSys Handbook 2011), a user profile that is
 * the weighted mean of his items' vectors, and cosine scores. Needs no events: new items are reachable.
 *
 * Tokens of an item (lower-cased): `g:<genre>`, `t:<tag>`, `w:<title word>` (runs of letters/digits of
 * length >= 2), and per attribute `a:<key>:<word>` for string values (split into words like titles),
 * `a:<key>:<element>` for arrays of strings, `a:<key>` for `true`; numbers are not text and are skipped.
 * Weight of a token = count x field weight x idf, idf = ln(N / df) over the N items (tokens in fewer than
 * `minDf` items are dropped); vectors are L2-normalised.
 *
 * Profile = sum_i w_i v_i / sum_i |w_i| over the profile's items (dislikes subtract), plus the onboarding
 * genres (UserProfile.genres) as one more item of weight 1 whose tokens are those genres.
 * Score_j = cos(profile, v_j). Unknown users: the profile is built from items and genres alone; an empty
 * profile scores zeros.
 */

import { type Params, resolveParams } from '../core/param-spec.js';
import { selectTopN } from '../core/top-n.js';
import { RecoError } from '../errors.js';
import type { Csr, ItemRecord, TopN } from '../types.js';
import { notFitted, savedArray, scoreBuffer, topNFromScores } from './base.js';
import type { FitData, Recommender, RecommendOptions, SavedModel, UserProfile } from './recommender.js';

export const CONTENT_PARAMS = {
  genreWeight: { type: 'number', default: 1, min: 0, doc: 'field weight of genre tokens' },
  tagWeight: { type: 'number', default: 1, min: 0, doc: 'field weight of tag tokens' },
  titleWeight: { type: 'number', default: 1, min: 0, doc: 'field weight of title words' },
  attributeWeight: { type: 'number', default: 1, min: 0, doc: 'field weight of text attributes' },
  minDf: { type: 'int', default: 1, min: 1, doc: 'drop tokens found in fewer items' },
} as const;

const WORD = /[\p{L}\p{N}]{2,}/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** The tokens of an item with their field weights (a token may repeat: counts add up). */
export function itemTokens(item: ItemRecord, p: Params<typeof CONTENT_PARAMS>): [string, number][] {
  const out: [string, number][] = [];
  if (p.genreWeight > 0) for (const g of item.genres ?? []) out.push([`g:${g.toLowerCase()}`, p.genreWeight]);
  if (p.tagWeight > 0) for (const t of item.tags ?? []) out.push([`t:${t.toLowerCase()}`, p.tagWeight]);
  if (p.titleWeight > 0 && item.title) for (const w of words(item.title)) out.push([`w:${w}`, p.titleWeight]);
  if (p.attributeWeight > 0 && item.attributes) {
    for (const [key, v] of Object.entries(item.attributes)) {
      const k = key.toLowerCase();
      if (typeof v === 'string') for (const w of words(v)) out.push([`a:${k}:${w}`, p.attributeWeight]);
      else if (Array.isArray(v)) {
        for (const e of v)
          if (typeof e === 'string') out.push([`a:${k}:${e.toLowerCase()}`, p.attributeWeight]);
      } else if (v === true) out.push([`a:${k}`, p.attributeWeight]);
    }
  }
  return out;
}

export class ContentRecommender implements Recommender {
  readonly name = 'content' as const;
  readonly params: Params<typeof CONTENT_PARAMS>;
  /** items x features, rows L2-normalised. */
  private V?: Csr;
  private features: string[] = [];
  private featureIndex = new Map<string, number>();
  /** idf per feature (for the onboarding-genre pseudo item). */
  private idf?: Float32Array;

  constructor(params?: Record<string, unknown>) {
    this.params = resolveParams('content', CONTENT_PARAMS, params);
  }

  fit(data: FitData): void {
    const nItems = Math.max(data.items.length, data.interactions.cols);
    const tokens = data.items.map((it) => itemTokens(it, this.params));
    const df = new Map<string, number>();
    for (const list of tokens)
      for (const t of new Set(list.map(([tok]) => tok))) df.set(t, (df.get(t) ?? 0) + 1);
    const features = [...df.keys()].filter((t) => df.get(t)! >= this.params.minDf).sort();
    const index = new Map(features.map((f, i) => [f, i]));
    const idf = new Float32Array(features.length);
    features.forEach((f, i) => {
      idf[i] = Math.log(nItems / df.get(f)!);
    });
    const indptr = new Int32Array(nItems + 1);
    const cols: number[] = [];
    const vals: number[] = [];
    const acc = new Float64Array(features.length);
    for (let i = 0; i < nItems; i++) {
      const touched: number[] = [];
      for (const [tok, w] of tokens[i] ?? []) {
        const f = index.get(tok);
        if (f === undefined) continue;
        if (acc[f] === 0) touched.push(f);
        acc[f]! += w;
      }
      touched.sort((a, b) => a - b);
      let norm = 0;
      for (const f of touched) {
        acc[f] = acc[f]! * idf[f]!;
        norm += acc[f]! * acc[f]!;
      }
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (const f of touched) {
        if (acc[f] !== 0) {
          cols.push(f);
          vals.push(acc[f]! * inv);
        }
        acc[f] = 0;
      }
      indptr[i + 1] = cols.length;
    }
    this.V = {
      rows: nItems,
      cols: features.length,
      indptr,
      indices: Int32Array.from(cols),
      values: Float32Array.from(vals),
    };
    this.setFeatures(features, idf);
  }

  private setFeatures(features: string[], idf: Float32Array): void {
    this.features = features;
    this.featureIndex = new Map(features.map((f, i) => [f, i]));
    this.idf = idf;
  }

  /** The item vectors (items x features, rows L2-normalised) and the feature names. */
  itemVectors(): { vectors: Csr; features: string[] } {
    if (!this.V) throw notFitted(this.name);
    return { vectors: this.V, features: this.features };
  }

  /** The profile vector (dense over features) of a user. */
  profileVector(profile: UserProfile): Float64Array {
    const V = this.itemVectors().vectors;
    const pv = new Float64Array(V.cols);
    let total = 0;
    for (let p = 0; p < profile.items.length; p++) {
      const i = profile.items[p]!;
      if (i < 0 || i >= V.rows) continue;
      const w = profile.weights[p]!;
      total += Math.abs(w);
      for (let k = V.indptr[i]!; k < V.indptr[i + 1]!; k++) pv[V.indices[k]!]! += w * V.values[k]!;
    }
    if (profile.genres && profile.genres.length > 0) {
      // The onboarding genres as one pseudo item: its TF-IDF vector, normalised.
      const fs: number[] = [];
      for (const g of profile.genres) {
        const f = this.featureIndex.get(`g:${g.toLowerCase()}`);
        if (f !== undefined && !fs.includes(f)) fs.push(f);
      }
      let norm = 0;
      for (const f of fs) norm += this.idf![f]! ** 2;
      if (norm > 0) {
        for (const f of fs) pv[f]! += this.idf![f]! / Math.sqrt(norm);
        total += 1;
      }
    }
    if (total > 0) for (let f = 0; f < pv.length; f++) pv[f] = pv[f]! / total;
    return pv;
  }

  /** Cosine of every item vector with `pv` (into `into` when it fits). */
  private cosines(pv: Float64Array, into?: Float32Array): Float32Array {
    const V = this.itemVectors().vectors;
    let norm = 0;
    for (let f = 0; f < pv.length; f++) norm += pv[f]! * pv[f]!;
    const out = scoreBuffer(into, V.rows);
    if (norm === 0) return out.fill(0);
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < V.rows; j++) {
      let s = 0;
      for (let k = V.indptr[j]!; k < V.indptr[j + 1]!; k++) s += pv[V.indices[k]!]! * V.values[k]!;
      out[j] = s * inv;
    }
    return out;
  }

  scoreAll(profile: UserProfile, out?: Float32Array): Float32Array {
    return this.cosines(this.profileVector(profile), out);
  }

  /**
   * The vector of an item the model was not fitted on (an item added since), as fit() builds one: tokens
   * weighted by field and the fitted idf, L2-normalised; tokens the fitted items did not have are left out.
   * Sparse: feature indices ascending, with values.
   */
  vectorOf(item: ItemRecord): { indices: Int32Array; values: Float32Array } {
    const acc = new Map<number, number>();
    for (const [tok, w] of itemTokens(item, this.params)) {
      const f = this.featureIndex.get(tok);
      if (f !== undefined) acc.set(f, (acc.get(f) ?? 0) + w);
    }
    const indices = Int32Array.from([...acc.keys()].sort((a, b) => a - b));
    const values = new Float32Array(indices.length);
    let norm = 0;
    indices.forEach((f, k) => {
      values[k] = acc.get(f)! * this.idf![f]!;
      norm += values[k]! * values[k]!;
    });
    if (norm > 0) for (let k = 0; k < values.length; k++) values[k] = values[k]! / Math.sqrt(norm);
    return { indices, values };
  }

  /** Cosine of every fitted item with a sparse unit vector (from vectorOf). */
  cosinesWith(v: { indices: Int32Array; values: Float32Array }): Float32Array {
    const pv = new Float64Array(this.itemVectors().vectors.cols);
    for (let k = 0; k < v.indices.length; k++) pv[v.indices[k]!] = v.values[k]!;
    return this.cosines(pv);
  }

  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN {
    return topNFromScores(this.scoreAll(profile), profile, n, options);
  }

  similarItems(item: number, n: number): TopN {
    const V = this.itemVectors().vectors;
    if (item < 0 || item >= V.rows)
      throw new RecoError(`content: item index ${item} out of range 0..${V.rows - 1}`);
    const pv = new Float64Array(V.cols);
    for (let k = V.indptr[item]!; k < V.indptr[item + 1]!; k++) pv[V.indices[k]!] = V.values[k]!;
    return selectTopN(this.cosines(pv), n, Int32Array.of(item));
  }

  save(): SavedModel {
    const V = this.itemVectors().vectors;
    return {
      meta: { name: this.name, params: { ...this.params }, nItems: V.rows, features: this.features },
      arrays: { indptr: V.indptr, indices: V.indices, values: V.values, idf: this.idf! },
    };
  }

  static load(saved: SavedModel): ContentRecommender {
    const m = new ContentRecommender(saved.meta.params);
    const features = saved.meta['features'];
    if (!Array.isArray(features)) throw new RecoError("content: saved model lacks meta 'features'");
    const indptr = savedArray(saved, 'indptr', Int32Array);
    m.V = {
      rows: indptr.length - 1,
      cols: features.length,
      indptr,
      indices: savedArray(saved, 'indices', Int32Array),
      values: savedArray(saved, 'values', Float32Array),
    };
    m.setFeatures(features as string[], savedArray(saved, 'idf', Float32Array));
    return m;
  }
}
