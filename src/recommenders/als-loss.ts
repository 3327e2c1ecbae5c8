/**
 * The implicit-ALS objective (./als.ts) of given factors, cheaply enough to report after every iteration:
 *   sum_ui c_ui (p_ui - x_u . y_i)^2 + reg (|X|^2 + |Y|^2)
 * = sum_ab (X^T X)_ab (Y^T Y)_ab                     (every pair as unobserved: c = 1, p = 0)
 *   + sum_(u,i) observed [c_ui (p_ui - s_ui)^2 - s_ui^2]   (s_ui = x_u . y_i)
 *   + reg (|X|^2 + |Y|^2)
 * in O(nnz k + (users + items) k^2) instead of the full sum's O(users items k). Reads the factors only.
 */
import type { Csr } from '../types.js';

/** X^T X of the n x k factors (upper triangle filled, Float64Array). */
function gram(F: Float32Array, n: number, k: number): Float64Array {
  const G = new Float64Array(k * k);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    for (let a = 0; a < k; a++) {
      const va = F[o + a]!;
      if (va === 0) continue;
      const ga = a * k;
      for (let b = a; b < k; b++) G[ga + b]! += va * F[o + b]!;
    }
  }
  return G;
}

/** The objective of users x items weights `C` (rows users) at factors X (users x k) and Y (items x k). */
export function alsObjective(
  C: Csr,
  X: Float32Array,
  Y: Float32Array,
  k: number,
  alpha: number,
  regularization: number,
): number {
  const GX = gram(X, C.rows, k);
  const GY = gram(Y, C.cols, k);
  let total = 0;
  for (let a = 0; a < k; a++) {
    total += GX[a * k + a]! * GY[a * k + a]!;
    for (let b = a + 1; b < k; b++) total += 2 * GX[a * k + b]! * GY[a * k + b]!;
  }
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
