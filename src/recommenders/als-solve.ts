/**
 * The per-row solves of implicit ALS (see ./als.ts), shared by the main thread and the worker
 * (./als-worker.ts): implicit's conjugate-gradient update (least_squares_cg, Takacs et al. 2011) and an
 * exact Cholesky solve, on Float64Array scratch with no allocation per row.
 */

import { choleskySolveInPlace } from '../core/dense.js';
import { RecoError } from '../errors.js';

/** a[o..o+k) . v, unrolled by 4 (independent sums for the CPU's pipelines). */
function dot(a: Float64Array, o: number, v: Float64Array, k: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let f = 0;
  for (; f + 3 < k; f += 4) {
    s0 += a[o + f]! * v[f]!;
    s1 += a[o + f + 1]! * v[f + 1]!;
    s2 += a[o + f + 2]! * v[f + 2]!;
    s3 += a[o + f + 3]! * v[f + 3]!;
  }
  for (; f < k; f++) s0 += a[o + f]! * v[f]!;
  return s0 + s1 + s2 + s3;
}

/** out += c * a[o..o+k). */
function axpy(c: number, a: Float64Array, o: number, out: Float64Array, k: number): void {
  let f = 0;
  for (; f + 3 < k; f += 4) {
    out[f]! += c * a[o + f]!;
    out[f + 1]! += c * a[o + f + 1]!;
    out[f + 2]! += c * a[o + f + 2]!;
    out[f + 3]! += c * a[o + f + 3]!;
  }
  for (; f < k; f++) out[f]! += c * a[o + f]!;
}

/** Scratch vectors of one solver, reused across users (no allocation per user). */
export interface Scratch {
  x: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
  A: Float64Array;
}

export function scratch(k: number): Scratch {
  return {
    x: new Float64Array(k),
    r: new Float64Array(k),
    p: new Float64Array(k),
    ap: new Float64Array(k),
    A: new Float64Array(k * k),
  };
}

/**
 * implicit's least_squares_cg for one row: starts from out[o..o+k), runs up to `steps` CG steps on
 * (YtY + Y^T (C - I) Y) x = Y^T C p, writes the result back.
 */
export function solveCg(
  YtY: Float64Array,
  Y: Float64Array,
  k: number,
  items: Int32Array,
  weights: Float32Array,
  a0: number,
  a1: number,
  alpha: number,
  steps: number,
  out: Float32Array,
  o: number,
  s: Scratch,
): void {
  const { x, r, p, ap } = s;
  for (let f = 0; f < k; f++) x[f] = out[o + f]!;
  // r = b - A x = Y^T C p - YtY x - sum_i (c_i - 1) (y_i . x) y_i
  for (let a = 0; a < k; a++) r[a] = -dot(YtY, a * k, x, k);
  for (let q = a0; q < a1; q++) {
    const w = weights[q]!;
    const c = 1 + alpha * Math.abs(w);
    const yi = items[q]! * k;
    const coef = (w > 0 ? c : 0) - (c - 1) * dot(Y, yi, x, k);
    axpy(coef, Y, yi, r, k);
  }
  let rsold = 0;
  for (let f = 0; f < k; f++) {
    p[f] = r[f]!;
    rsold += r[f]! * r[f]!;
  }
  if (rsold < 1e-20) return;
  for (let it = 0; it < steps; it++) {
    // ap = A p without forming A
    for (let a = 0; a < k; a++) ap[a] = dot(YtY, a * k, p, k);
    for (let q = a0; q < a1; q++) {
      const c = 1 + alpha * Math.abs(weights[q]!);
      const yi = items[q]! * k;
      const coef = (c - 1) * dot(Y, yi, p, k);
      axpy(coef, Y, yi, ap, k);
    }
    let pap = 0;
    for (let f = 0; f < k; f++) pap += p[f]! * ap[f]!;
    const step = rsold / pap;
    let rsnew = 0;
    for (let f = 0; f < k; f++) {
      x[f]! += step * p[f]!;
      r[f]! -= step * ap[f]!;
      rsnew += r[f]! * r[f]!;
    }
    if (rsnew < 1e-20) break;
    const beta = rsnew / rsold;
    for (let f = 0; f < k; f++) p[f] = r[f]! + beta * p[f]!;
    rsold = rsnew;
  }
  for (let f = 0; f < k; f++) out[o + f] = x[f]!;
}

/** The exact solve of the same system by Cholesky; writes out[o..o+k). */
export function solveExact(
  YtY: Float64Array,
  Y: Float64Array,
  k: number,
  items: Int32Array,
  weights: Float32Array,
  a0: number,
  a1: number,
  alpha: number,
  out: Float32Array,
  o: number,
  s: Scratch,
): void {
  const { A, x, p: y } = s;
  A.set(YtY);
  x.fill(0);
  for (let q = a0; q < a1; q++) {
    const w = weights[q]!;
    const c = 1 + alpha * Math.abs(w);
    const yi = items[q]! * k;
    const cm1 = c - 1;
    for (let a = 0; a < k; a++) y[a] = Y[yi + a]!;
    if (w > 0) axpy(c, y, 0, x, k);
    // Lower triangle only: the Cholesky solve reads nothing else.
    for (let a = 0; a < k; a++) {
      const t = cm1 * y[a]!;
      const ga = a * k;
      for (let b = 0; b <= a; b++) A[ga + b]! += t * y[b]!;
    }
  }
  if (!choleskySolveInPlace(A, x, k))
    throw new RecoError('als: system not positive definite (regularization 0?)');
  for (let f = 0; f < k; f++) out[o + f] = x[f]!;
}

/** The CSR arrays of one side (users x items or items x users). */
export interface SideArrays {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

export interface SolveSettings {
  k: number;
  alpha: number;
  solver: 'cg' | 'exact';
  cgSteps: number;
}

/** Solves rows [start, end) of `out` given G = other^T other + reg I and the other side's factors. */
export function solveRows(
  C: SideArrays,
  start: number,
  end: number,
  G: Float64Array,
  other: Float64Array,
  out: Float32Array,
  cfg: SolveSettings,
  s: Scratch,
): void {
  const { k, alpha, solver, cgSteps } = cfg;
  for (let r = start; r < end; r++) {
    const a0 = C.indptr[r]!;
    const a1 = C.indptr[r + 1]!;
    // no interactions: the system's right-hand side is 0, so is its exact solution (no CG steps spent)
    if (a1 === a0) out.fill(0, r * k, (r + 1) * k);
    else if (solver === 'cg')
      solveCg(G, other, k, C.indices, C.values, a0, a1, alpha, cgSteps, out, r * k, s);
    else solveExact(G, other, k, C.indices, C.values, a0, a1, alpha, out, r * k, s);
  }
}
