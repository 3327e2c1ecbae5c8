/**
 * EASE: Steck, "Embarrassingly Shallow Autoencoders for Sparse Data" (WWW 2019). Closed form:
 * G = X^T X + lambda I, P = G^-1, B_ij = -P_ij / P_jj, B_jj = 0; a user's scores are x_u B.
 * Dense: n^2 doubles for G/P and n^2 floats for B, O(n^3 / 2) for the inversion, so catalogues above
 * `maxItems` are refused (20k items need ~4.8 GB and minutes).
 *
 * X is used as given (negative weights such as dislikes push the item's neighbours down).
 * Unknown users: scores come from the profile's items alone (x B), so fresh events count at once.
 */
import { availableParallelism } from 'node:os';
import { invertSpdInPlace } from '../core/dense.js';
import { invertSpdInPlaceParallel, sharedFloat64 } from '../core/dense-parallel.js';
import { type Params, resolveParams } from '../core/param-spec.js';
import { selectTopN } from '../core/top-n.js';
import { RecoError } from '../errors.js';
import type { TopN } from '../types.js';
import { notFitted, savedArray, savedNumber, scoreBuffer, topNFromScores } from './base.js';
import type { FitData, Recommender, RecommendOptions, SavedModel, UserProfile } from './recommender.js';

export const EASE_PARAMS = {
  lambda: {
    type: 'number',
    default: 500,
    min: 0,
    exclusiveMin: true,
    doc: 'L2 regularisation added to the Gram diagonal (500 tuned on MovieLens 100K)',
  },
  maxItems: {
    type: 'int',
    default: 20000,
    min: 1,
    doc: 'largest catalogue EASE accepts (dense n x n matrices: ~12 bytes x n^2 of memory)',
  },
  threads: {
    type: 'int',
    default: 0,
    min: 0,
    max: 2,
    doc: 'threads for the inversion: 1 = this thread, 2 = plus one worker, 0 = 2 from 1000 items on',
  },
} as const;

/** G = X^T X as a dense n x n upper triangle (Float64Array, row-major), from the CSR rows. */
export function gramUpper(
  X: { rows: number; cols: number; indptr: Int32Array; indices: Int32Array; values: Float32Array },
  out: Float64Array = new Float64Array(X.cols * X.cols),
): Float64Array {
  const n = X.cols;
  for (let u = 0; u < X.rows; u++) {
    const a = X.indptr[u]!;
    const b = X.indptr[u + 1]!;
    for (let p = a; p < b; p++) {
      const i = X.indices[p]!;
      const vi = X.values[p]!;
      const row = i * n;
      // Columns are sorted, so q >= p gives j >= i: the upper triangle.
      for (let q = p; q < b; q++) out[row + X.indices[q]!]! += vi * X.values[q]!;
    }
  }
  return out;
}

export class EaseRecommender implements Recommender {
  readonly name = 'ease' as const;
  readonly params: Params<typeof EASE_PARAMS>;
  private B?: Float32Array;
  /** scoreAll's double-precision sums, kept between calls. */
  private acc = new Float64Array(0);
  private n = 0;

  constructor(params?: Record<string, unknown>) {
    this.params = resolveParams('ease', EASE_PARAMS, params);
  }

  fit(data: FitData): void {
    const X = data.interactions;
    const n = X.cols;
    const { lambda, maxItems } = this.params;
    if (n > maxItems)
      throw new RecoError(
        `ease: the catalogue has ${n} items, above maxItems = ${maxItems} (EASE inverts a dense n x n matrix); ` +
          'raise the parameter maxItems if memory allows (~12 bytes x n^2), or use itemknn or als',
      );
    const threads =
      this.params.threads === 0 ? (n >= 1000 && availableParallelism() > 1 ? 2 : 1) : this.params.threads;
    const G = gramUpper(X, threads > 1 ? sharedFloat64(n * n) : new Float64Array(n * n));
    for (let i = 0; i < n; i++) G[i * n + i]! += lambda;
    // G becomes P = (X^T X + lambda I)^-1
    if (threads > 1) invertSpdInPlaceParallel(G, n);
    else invertSpdInPlace(G, n);
    const B = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) B[row + j] = i === j ? 0 : -G[row + j]! / G[j * n + j]!;
    }
    this.B = B;
    this.n = n;
  }

  /** The learned item-item weights B (n x n, row-major; row i = how item i votes for each item). */
  weights(): Float32Array {
    if (!this.B) throw notFitted(this.name);
    return this.B;
  }

  scoreAll(profile: UserProfile, out?: Float32Array): Float32Array {
    const B = this.weights();
    const n = this.n;
    // the sums in double precision, in a buffer of the model's (scoreAll is never re-entered)
    if (this.acc.length !== n) this.acc = new Float64Array(n);
    const acc = this.acc;
    acc.fill(0);
    const { items, weights } = profile;
    // four rows of B a pass over acc (a quarter of the loads and stores of acc; ~1.9x faster measured)
    let p = 0;
    const rows = new Int32Array(4);
    const w = new Float64Array(4);
    while (p < items.length) {
      let k = 0;
      for (; k < 4 && p < items.length; p++) {
        const i = items[p]!;
        if (i < 0 || i >= n) continue;
        rows[k] = i * n;
        w[k++] = weights[p]!;
      }
      if (k === 4) {
        const r0 = rows[0]!;
        const r1 = rows[1]!;
        const r2 = rows[2]!;
        const r3 = rows[3]!;
        const w0 = w[0]!;
        const w1 = w[1]!;
        const w2 = w[2]!;
        const w3 = w[3]!;
        for (let j = 0; j < n; j++)
          acc[j]! += w0 * B[r0 + j]! + w1 * B[r1 + j]! + w2 * B[r2 + j]! + w3 * B[r3 + j]!;
      } else
        for (let q = 0; q < k; q++) {
          const r = rows[q]!;
          const wq = w[q]!;
          for (let j = 0; j < n; j++) acc[j]! += wq * B[r + j]!;
        }
    }
    const o = scoreBuffer(out, n);
    o.set(acc);
    return o;
  }

  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN {
    return topNFromScores(this.scoreAll(profile), profile, n, options);
  }

  /** Items ranked by B_ij (how much item i's presence predicts j), excluding i. */
  similarItems(item: number, n: number): TopN {
    const B = this.weights();
    if (item < 0 || item >= this.n)
      throw new RecoError(`ease: item index ${item} out of range 0..${this.n - 1}`);
    return selectTopN(B.subarray(item * this.n, (item + 1) * this.n), n, Int32Array.of(item));
  }

  save(): SavedModel {
    return {
      meta: { name: this.name, params: { ...this.params }, nItems: this.n },
      arrays: { B: this.weights() },
    };
  }

  static load(saved: SavedModel): EaseRecommender {
    const m = new EaseRecommender(saved.meta.params);
    m.n = savedNumber(saved, 'nItems');
    m.B = savedArray(saved, 'B', Float32Array);
    return m;
  }
}
