/**
 * Popularity: each item scores the number of users with a positive interaction on it, optionally with
 * exponential time decay (each user's contribution weighs 2^-(age / halfLife), age measured from his last
 * event on the item to `now`), plus per-genre top lists. The baseline every paper reports (e.g.
 * Cremonesi, Koren & Turrin 2010, "TopPop").
 *
 * Unknown users: the same list for everyone (the profile only removes seen items). The fallback for
 * empty profiles in the hybrid.
 */

import { csrFind } from '../core/csr.js';
import { type Params, resolveParams } from '../core/param-spec.js';
import { selectTopN } from '../core/top-n.js';
import { RecoError } from '../errors.js';
import type { ItemRecord, TopN } from '../types.js';
import { notFitted, savedArray, scoreBuffer, topNFromScores } from './base.js';
import type { FitData, Recommender, RecommendOptions, SavedModel, UserProfile } from './recommender.js';

export const POPULARITY_PARAMS = {
  halfLifeDays: {
    type: 'number',
    default: 0,
    min: 0,
    doc: 'half-life of the exponential time decay in days; 0 = no decay (plain counts)',
  },
  weighted: {
    type: 'boolean',
    default: false,
    doc: 'sum interaction weights instead of counting users with a positive interaction',
  },
} as const;

const DAY_MS = 86_400_000;

export class PopularityRecommender implements Recommender {
  readonly name = 'popularity' as const;
  readonly params: Params<typeof POPULARITY_PARAMS>;
  private scores?: Float32Array;
  private genreOf?: Map<string, Uint8Array>;

  constructor(params?: Record<string, unknown>) {
    this.params = resolveParams('popularity', POPULARITY_PARAMS, params);
  }

  fit(data: FitData): void {
    const X = data.interactions;
    const { halfLifeDays, weighted } = this.params;
    const scores = new Float64Array(X.cols);
    if (halfLifeDays === 0) {
      for (let k = 0; k < X.indptr[X.rows]!; k++) {
        const v = X.values[k]!;
        if (v > 0) scores[X.indices[k]!]! += weighted ? v : 1;
      }
    } else {
      // Last event time per (user, item) pair of X, aligned with X's entries.
      const last = new Float64Array(X.indptr[X.rows]!).fill(Number.NEGATIVE_INFINITY);
      const log = data.log;
      let maxT = Number.NEGATIVE_INFINITY;
      for (let e = 0; e < log.length; e++) {
        const u = log.user[e]!;
        if (u >= X.rows) continue;
        const k = csrFind(X, u, log.item[e]!);
        if (k < 0) continue;
        const t = log.timestamp[e]!;
        if (t > last[k]!) last[k] = t;
        if (t > maxT) maxT = t;
      }
      const now = data.now ?? maxT;
      const rate = Math.LN2 / (halfLifeDays * DAY_MS);
      for (let k = 0; k < last.length; k++) {
        const v = X.values[k]!;
        if (!(v > 0)) continue;
        // Pairs without events in the log count as fresh.
        const age = last[k] === Number.NEGATIVE_INFINITY ? 0 : Math.max(0, now - last[k]!);
        scores[X.indices[k]!]! += (weighted ? v : 1) * Math.exp(-rate * age);
      }
    }
    this.scores = Float32Array.from(scores);
    this.genreOf = genreMasks(data.items, X.cols);
  }

  /** The item scores (counts or decayed counts). */
  itemScores(): Float32Array {
    if (!this.scores) throw notFitted(this.name);
    return this.scores;
  }

  scoreAll(_profile: UserProfile, out?: Float32Array): Float32Array {
    const s = this.itemScores();
    const o = scoreBuffer(out, s.length);
    o.set(s);
    return o;
  }

  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN {
    return topNFromScores(this.itemScores(), profile, n, options);
  }

  /** The n most popular items of a genre (exact genre name as in the items' metadata). */
  topByGenre(genre: string, n: number): TopN {
    const scores = this.itemScores();
    const mask = this.genreOf?.get(genre);
    if (!mask) throw new RecoError(`popularity: unknown genre '${genre}'`);
    return selectTopN(scores, n, undefined, mask);
  }

  /** Genres known from the fitted items. */
  genres(): string[] {
    return [...(this.genreOf?.keys() ?? [])].sort();
  }

  save(): SavedModel {
    const scores = this.itemScores();
    const genres = this.genres();
    const arrays: SavedModel['arrays'] = { scores };
    genres.forEach((g, i) => {
      arrays[`genre.${i}`] = this.genreOf!.get(g)!;
    });
    return { meta: { name: this.name, params: { ...this.params }, genres }, arrays };
  }

  static load(saved: SavedModel): PopularityRecommender {
    const m = new PopularityRecommender(saved.meta.params);
    m.scores = savedArray(saved, 'scores', Float32Array);
    const genres = (saved.meta['genres'] as string[] | undefined) ?? [];
    m.genreOf = new Map(genres.map((g, i) => [g, savedArray(saved, `genre.${i}`, Uint8Array)]));
    return m;
  }
}

/** For each genre, a 0/1 mask over items. */
export function genreMasks(items: ItemRecord[], nItems: number): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const n = Math.min(items.length, nItems);
  for (let i = 0; i < n; i++) {
    for (const g of items[i]!.genres ?? []) {
      let m = out.get(g);
      if (!m) out.set(g, (m = new Uint8Array(nItems)));
      m[i] = 1;
    }
  }
  return out;
}
