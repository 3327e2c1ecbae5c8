/**
 * Implicit-feedback ALS: Hu, Koren & Volinsky, "Collaborative Filtering for Implicit Feedback Datasets"
 * (ICDM 2008). Minimises sum_ui c_ui (p_ui - x_u . y_i)^2 + reg (|X|^2 + |Y|^2) with p_ui = 1 for a positive
 * interaction (0 otherwise) and confidence c_ui = 1 + alpha |w_ui| (1 for unobserved pairs); a negative
 * weight (dislike) gives p_ui = 0 with that confidence.
 *
 * Each half-step solves, per user, (Y^T Y + reg I + Y^T (C_u - I) Y) x_u = Y^T C_u p_u, using only the
 * user's observed items (the Y^T Y trick). Solver 'cg' runs `cgSteps` conjugate-gradient steps from the
 * previous factors, as implicit's `least_squares_cg` (Takacs, Pilaszy & Tikk, "Applications of the
 * conjugate gradient method for implicit feedback collaborative filtering", RecSys 2011); 'exact' forms the
 * k x k system and solves it by Cholesky. Factors are Float32Array, the per-user algebra Float64Array.
 *
 * Fold-in: for a user not in the fitted data (or on request, for fresh events), x_u is the exact solve of
 * the same system against the final item factors (Y^T Y + reg I is kept), then scores are x_u . Y.
 * Unknown users: folded in from the profile's items; an empty profile scores zeros.
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { transpose } from '../core/csr.js';
import { type Params, resolveParams } from '../core/param-spec.js';
import { Rng } from '../core/random.js';
import { WORKER_START_MS, waitReady } from '../core/threads.js';
import { selectTopN } from '../core/top-n.js';
import { RecoError } from '../errors.js';
import type { Csr, TopN } from '../types.js';
import {
  type Scratch,
  type SideArrays,
  type SolveSettings,
  scratch,
  solveExact,
  solveRows,
} from './als-solve.js';
import type { AlsWorkerData } from './als-worker.js';
import { notFitted, savedArray, savedNumber, scoreBuffer, topNFromScores } from './base.js';
import type { FitData, Recommender, RecommendOptions, SavedModel, UserProfile } from './recommender.js';

export const ALS_PARAMS = {
  factors: { type: 'int', default: 64, min: 1, max: 1024, doc: 'latent factors (k)' },
  regularization: { type: 'number', default: 30, min: 0, doc: 'L2 regularisation (reg)' },
  alpha: { type: 'number', default: 3, min: 0, doc: 'confidence slope: c = 1 + alpha |w|' },
  iterations: { type: 'int', default: 15, min: 1, doc: 'alternating sweeps (users then items)' },
  solver: {
    type: 'enum',
    default: 'cg',
    values: ['cg', 'exact'],
    doc: "'cg' (implicit's) or 'exact' (Cholesky)",
  },
  cgSteps: { type: 'int', default: 3, min: 1, doc: 'conjugate-gradient steps per solve (solver cg)' },
  foldInKnown: {
    type: 'boolean',
    default: false,
    doc: 'fold in known users from their profile too (fresh events) instead of using their trained factors',
  },
  seed: { type: 'int', default: 42, min: 0, doc: 'seed of the random initial factors' },
  threads: {
    type: 'int',
    default: 0,
    min: 0,
    max: 2,
    doc: 'threads for the fit: 1 = this thread only, 2 = plus one worker, 0 = 2 when there are >= 20k interactions',
  },
} as const;

/** YtY + reg I (k x k, Float64Array) of the n x k factors Y. */
export function gramPlusReg(Y: Float32Array, n: number, k: number, reg: number): Float64Array {
  const G = new Float64Array(k * k);
  for (let i = 0; i < n; i++) {
    const yi = i * k;
    for (let a = 0; a < k; a++) {
      const va = Y[yi + a]!;
      if (va === 0) continue;
      const ga = a * k;
      for (let b = a; b < k; b++) G[ga + b]! += va * Y[yi + b]!;
    }
  }
  for (let a = 0; a < k; a++) {
    G[a * k + a]! += reg;
    for (let b = a + 1; b < k; b++) G[b * k + a] = G[a * k + b]!;
  }
  return G;
}

/**
 * The objective above at factors X (users x k) and Y (items x k), cheaply enough to report after every
 * sweep: every pair counted as unobserved, sum_ab (X^T X)_ab (Y^T Y)_ab, then corrected on the observed
 * pairs by c (p - s)^2 - s^2 (s = x_u . y_i), plus reg (|X|^2 + |Y|^2); O(nnz k + (users + items) k^2)
 * instead of the full sum's O(users items k) (`loss` below). Reads the factors only.
 */
export function alsObjective(
  C: Csr,
  X: Float32Array,
  Y: Float32Array,
  k: number,
  alpha: number,
  regularization: number,
): number {
  const GX = gramPlusReg(X, C.rows, k, 0);
  const GY = gramPlusReg(Y, C.cols, k, 0);
  let total = 0;
  for (let t = 0; t < k * k; t++) total += GX[t]! * GY[t]!;
  for (let u = 0; u < C.rows; u++) {
    const xo = u * k;
    for (let q = C.indptr[u]!; q < C.indptr[u + 1]!; q++) {
      const yo = C.indices[q]! * k;
      let s = 0;
      for (let f = 0; f < k; f++) s += X[xo + f]! * Y[yo + f]!;
      const w = C.values[q]!;
      const d = (w > 0 ? 1 : 0) - s;
      total += (1 + alpha * Math.abs(w)) * d * d - s * s;
    }
  }
  let norms = 0;
  for (let a = 0; a < k; a++) norms += GX[a * k + a]! + GY[a * k + a]!;
  return total + regularization * norms;
}

export class AlsRecommender implements Recommender {
  readonly name = 'als' as const;
  readonly params: Params<typeof ALS_PARAMS>;
  private X?: Float32Array;
  private Y?: Float32Array;
  private YtY?: Float64Array;
  /** The item factors as doubles (fold-in reads them). */
  private Yd?: Float64Array;
  private nUsers = 0;
  private nItems = 0;
  private readonly s: Scratch;

  constructor(params?: Record<string, unknown>) {
    this.params = resolveParams('als', ALS_PARAMS, params);
    this.s = scratch(this.params.factors);
  }

  /** Runs `iterations` sweeps; `onIteration` (tests, progress) sees the factors after each. */
  fit(data: FitData, onIteration?: (iteration: number) => void): void {
    const Cui = data.interactions;
    const Ciu = transpose(Cui);
    const { factors: k, iterations, regularization, seed, alpha, solver, cgSteps } = this.params;
    const nnz = Cui.indptr[Cui.rows]!;
    const threads =
      this.params.threads === 0
        ? nnz >= 20_000
          ? Math.min(2, availableParallelism())
          : 1
        : this.params.threads;
    const pool = threads > 1 ? new SharedPool(Cui, Ciu, k, { k, alpha, solver, cgSteps }) : undefined;
    try {
      const rng = new Rng(seed);
      const rand = () => rng.float();
      const X = pool ? pool.outs[0] : new Float32Array(Cui.rows * k);
      const Y = pool ? pool.outs[1] : new Float32Array(Cui.cols * k);
      for (let t = 0; t < X.length; t++) X[t] = rand() * 0.01;
      for (let t = 0; t < Y.length; t++) Y[t] = rand() * 0.01;
      this.X = X;
      this.Y = Y;
      this.nUsers = Cui.rows;
      this.nItems = Cui.cols;
      const settings: SolveSettings = { k, alpha, solver, cgSteps };
      const sides = [Cui, Ciu] as const;
      const outs = [X, Y] as const;
      for (let it = 0; it < iterations; it++) {
        for (const side of [0, 1] as const) {
          const C = sides[side];
          const other = outs[1 - side]!;
          const G = gramPlusReg(other, C.cols, k, regularization);
          if (pool) pool.run(side, C, G, other, this.s);
          else solveRows(C, 0, C.rows, G, Float64Array.from(other), outs[side], settings, this.s);
        }
        // the training curve, when asked for (FitData.metrics): the objective after each sweep
        data.metrics?.('loss', alsObjective(Cui, X, Y, k, alpha, regularization), it + 1);
        onIteration?.(it);
      }
      // Own (non-shared) copies for the fitted model.
      this.X = pool ? X.slice() : X;
      this.Y = pool ? Y.slice() : Y;
    } finally {
      pool?.close();
    }
    this.YtY = gramPlusReg(this.Y, this.nItems, k, regularization);
    this.Yd = Float64Array.from(this.Y);
  }

  /** The loss the fit minimises (full sum over all user-item pairs, O(users items k); tests, small data). */
  loss(interactions: Csr): number {
    const X = this.userFactors();
    const Y = this.itemFactors();
    const { factors: k, alpha, regularization } = this.params;
    let total = 0;
    for (let u = 0; u < interactions.rows; u++) {
      let q = interactions.indptr[u]!;
      const end = interactions.indptr[u + 1]!;
      for (let i = 0; i < interactions.cols; i++) {
        let w = 0;
        if (q < end && interactions.indices[q] === i) w = interactions.values[q++]!;
        const c = 1 + alpha * Math.abs(w);
        let d = w > 0 ? 1 : 0;
        for (let f = 0; f < k; f++) d -= X[u * k + f]! * Y[i * k + f]!;
        total += c * d * d;
      }
    }
    let norms = 0;
    for (const v of X) norms += v * v;
    for (const v of Y) norms += v * v;
    return total + regularization * norms;
  }

  userFactors(): Float32Array {
    if (!this.X) throw notFitted(this.name);
    return this.X;
  }

  itemFactors(): Float32Array {
    if (!this.Y) throw notFitted(this.name);
    return this.Y;
  }

  /** A user's factors from his items alone (exact solve against the fitted item factors). */
  foldIn(profile: UserProfile, out = new Float32Array(this.params.factors)): Float32Array {
    this.itemFactors();
    const k = this.params.factors;
    let items = profile.items;
    let weights = profile.weights;
    // Items the model has not seen (added after fitting) carry no factors: leave them out.
    let known = 0;
    for (let p = 0; p < items.length; p++) if (items[p]! >= 0 && items[p]! < this.nItems) known++;
    if (known < items.length) {
      const ki = new Int32Array(known);
      const kw = new Float32Array(known);
      let t = 0;
      for (let p = 0; p < items.length; p++) {
        if (items[p]! >= 0 && items[p]! < this.nItems) {
          ki[t] = items[p]!;
          kw[t++] = weights[p]!;
        }
      }
      items = ki;
      weights = kw;
    }
    if (items.length === 0) return out.fill(0);
    solveExact(this.YtY!, this.Yd!, k, items, weights, 0, items.length, this.params.alpha, out, 0, this.s);
    return out;
  }

  /** The factors used for a profile: trained ones for a known user, else folded in. */
  private factorsFor(profile: UserProfile): Float32Array {
    const u = profile.user;
    const k = this.params.factors;
    if (u !== undefined && u >= 0 && u < this.nUsers && !this.params.foldInKnown)
      return this.userFactors().subarray(u * k, (u + 1) * k);
    return this.foldIn(profile);
  }

  scoreAll(profile: UserProfile, into?: Float32Array): Float32Array {
    const Y = this.itemFactors();
    const x = this.factorsFor(profile);
    const k = this.params.factors;
    const out = scoreBuffer(into, this.nItems);
    // four partial sums: no single chain of dependent additions (~2x faster measured)
    const k4 = k - (k % 4);
    for (let i = 0; i < this.nItems; i++) {
      const yi = i * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let f = 0;
      for (; f < k4; f += 4) {
        s0 += x[f]! * Y[yi + f]!;
        s1 += x[f + 1]! * Y[yi + f + 1]!;
        s2 += x[f + 2]! * Y[yi + f + 2]!;
        s3 += x[f + 3]! * Y[yi + f + 3]!;
      }
      for (; f < k; f++) s0 += x[f]! * Y[yi + f]!;
      out[i] = s0 + s1 + (s2 + s3);
    }
    return out;
  }

  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN {
    return topNFromScores(this.scoreAll(profile), profile, n, options);
  }

  /** Cosine of item factors, as implicit's similar_items. */
  similarItems(item: number, n: number): TopN {
    const Y = this.itemFactors();
    const k = this.params.factors;
    if (item < 0 || item >= this.nItems)
      throw new RecoError(`als: item index ${item} out of range 0..${this.nItems - 1}`);
    const norms = new Float64Array(this.nItems);
    for (let i = 0; i < this.nItems; i++) {
      let s = 0;
      for (let f = 0; f < k; f++) s += Y[i * k + f]! * Y[i * k + f]!;
      norms[i] = Math.sqrt(s);
    }
    const scores = new Float32Array(this.nItems);
    const q = item * k;
    for (let i = 0; i < this.nItems; i++) {
      let s = 0;
      for (let f = 0; f < k; f++) s += Y[q + f]! * Y[i * k + f]!;
      const d = norms[i]! * norms[item]!;
      scores[i] = d > 0 ? s / d : 0;
    }
    return selectTopN(scores, n, Int32Array.of(item));
  }

  save(): SavedModel {
    return {
      meta: { name: this.name, params: { ...this.params }, nUsers: this.nUsers, nItems: this.nItems },
      arrays: { userFactors: this.userFactors(), itemFactors: this.itemFactors() },
    };
  }

  static load(saved: SavedModel): AlsRecommender {
    const m = new AlsRecommender(saved.meta.params);
    m.nUsers = savedNumber(saved, 'nUsers');
    m.nItems = savedNumber(saved, 'nItems');
    m.X = savedArray(saved, 'userFactors', Float32Array);
    m.Y = savedArray(saved, 'itemFactors', Float32Array);
    m.YtY = gramPlusReg(m.Y, m.nItems, m.params.factors, m.params.regularization);
    m.Yd = Float64Array.from(m.Y);
    return m;
  }
}

/** A shared-memory copy of a CSR side (the worker reads it). */
function sharedSide(C: Csr): SideArrays {
  const copy = <T extends Int32Array | Float32Array>(a: T, ctor: new (b: SharedArrayBuffer) => T): T => {
    const out = new ctor(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return {
    indptr: copy(C.indptr, Int32Array),
    indices: copy(C.indices, Int32Array),
    values: copy(C.values, Float32Array),
  };
}

/**
 * One worker beside the main thread, both solving rows of the same half-step in shared memory: the main
 * thread takes the first rows, the worker the rest, split where the estimated work (k + 2 nnz per row)
 * halves. Synchronised with Atomics (the fit stays synchronous).
 */
class SharedPool {
  readonly outs: [Float32Array, Float32Array];
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(6 * 4));
  private readonly other: Float64Array;
  private readonly G: Float64Array;
  private readonly worker: Worker;
  private readonly splits: [number, number];
  private generation = 0;

  constructor(
    Cui: Csr,
    Ciu: Csr,
    k: number,
    private readonly settings: SolveSettings,
  ) {
    this.outs = [
      new Float32Array(new SharedArrayBuffer(Cui.rows * k * 4)),
      new Float32Array(new SharedArrayBuffer(Cui.cols * k * 4)),
    ];
    this.other = new Float64Array(new SharedArrayBuffer(Math.max(Cui.rows, Cui.cols) * k * 8));
    this.G = new Float64Array(new SharedArrayBuffer(k * k * 8));
    this.splits = [balancedSplit(Cui, k), balancedSplit(Ciu, k)];
    const workerData: AlsWorkerData = {
      ctrl: this.ctrl,
      sides: [sharedSide(Cui), sharedSide(Ciu)],
      outs: this.outs,
      other: this.other,
      G: this.G,
      settings,
    };
    this.worker = new Worker(new URL('./als-worker.js', import.meta.url), { workerData });
    this.worker.unref();
    this.ready = waitReady(this.ctrl, 5, WORKER_START_MS);
  }

  /** False when the worker did not start in time: run() then solves every row on this thread. */
  readonly ready: boolean;

  /** Solves all rows of side `side` (0 users, 1 items) given the other side's factors. */
  run(side: 0 | 1, C: Csr, G: Float64Array, other: Float32Array, s: Scratch): void {
    this.G.set(G);
    for (let t = 0; t < other.length; t++) this.other[t] = other[t]!;
    if (!this.ready) {
      solveRows(C, 0, C.rows, this.G, this.other, this.outs[side], this.settings, s);
      return;
    }
    const split = this.splits[side];
    const gen = ++this.generation;
    this.ctrl[1] = side;
    this.ctrl[2] = split;
    this.ctrl[3] = C.rows;
    Atomics.store(this.ctrl, 0, gen);
    Atomics.notify(this.ctrl, 0);
    solveRows(C, 0, split, this.G, this.other, this.outs[side], this.settings, s);
    for (;;) {
      const done = Atomics.load(this.ctrl, 4);
      if (done === gen) break;
      if (Atomics.wait(this.ctrl, 4, done, 120_000) === 'timed-out')
        throw new RecoError('als: the worker thread did not answer within 2 minutes (set threads = 1)');
    }
  }

  close(): void {
    this.ctrl[1] = -1;
    Atomics.store(this.ctrl, 0, ++this.generation);
    Atomics.notify(this.ctrl, 0);
    void this.worker.terminate();
  }
}

/** The row where the cumulative work k + 2 nnz(row) reaches half the total. */
function balancedSplit(C: Csr, k: number): number {
  const total = C.rows * k + 2 * C.indptr[C.rows]!;
  for (let r = 0; r < C.rows; r++) if (r * k + 2 * C.indptr[r]! >= total / 2) return r;
  return C.rows;
}
