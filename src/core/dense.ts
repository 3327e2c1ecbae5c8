/**
 * Dense linear algebra on Float64Array, row-major: in-place inversion of a symmetric positive-definite
 * matrix (the sweep operator, Goodnight 1979, on the upper triangle, pivots taken in blocks so each pass
 * over the matrix applies several rank-1 updates), and a Cholesky solve for small systems (ALS).
 */

/**
 * Inverts the symmetric positive-definite n x n matrix `a` in place (only the upper triangle is read; the
 * full symmetric inverse is written). Sweeping every pivot of A yields -A^-1 (Goodnight 1979): for pivot k
 * with d = a_kk and r = row k, a_ij -= r_i r_j / d (i, j != k), a_kj = r_j / d, a_kk = -1 / d.
 * Pivots go in blocks of `block`: the block's rows are swept among themselves first, then the rest of the
 * matrix receives the block's rank-`block` update in one pass (an eighth of the memory traffic of one
 * pass per pivot). Throws if a pivot is not positive (the matrix is not positive definite).
 *
 * The steps are exported for the two-thread version (./dense-parallel.ts).
 */
export function invertSpdInPlace(a: Float64Array, n: number, block = 8): void {
  const ctx = createSweepContext(n, block);
  for (let k0 = 0; k0 < n; k0 += block) {
    const kb = Math.min(block, n - k0);
    prepareBlock(a, n, k0, kb, ctx);
    updateRows(a, n, k0, kb, ctx, 0, n);
    finishBlock(a, n, k0, kb, ctx);
  }
  negateAndMirror(a, n, 0, n);
}

/** Scratch of the blocked sweep: the block's swept rows u_t (length n each) and pivots d_t. */
export interface SweepContext {
  u: Float64Array; // block x n
  d: Float64Array; // block
}

export function createSweepContext(n: number, block: number): SweepContext {
  return { u: new Float64Array(block * n), d: new Float64Array(block) };
}

/** Reads a_ij from the upper triangle. */
function upper(a: Float64Array, n: number, i: number, j: number): number {
  return i <= j ? a[i * n + j]! : a[j * n + i]!;
}

/**
 * Sweeps the pivots k0..k0+kb-1 among themselves: afterwards u_t holds pivot k0+t's row as it is at the
 * moment it is swept (r_t, with entries at the block's earlier pivots included), d_t its pivot. The rows
 * outside the block are updated by `updateRows`: a_ij -= sum_t u_t[i] u_t[j] / d_t.
 */
export function prepareBlock(a: Float64Array, n: number, k0: number, kb: number, ctx: SweepContext): void {
  const { u, d } = ctx;
  for (let t = 0; t < kb; t++) {
    const k = k0 + t;
    const ut = t * n;
    // Row k as the original matrix has it ...
    for (let j = 0; j < n; j++) u[ut + j] = upper(a, n, k, j);
    // ... after the earlier pivots s < t of this block were swept.
    for (let s = 0; s < t; s++) {
      const us = s * n;
      const ks = k0 + s;
      const f = u[us + k]! / d[s]!; // r_s[k] / d_s
      for (let j = 0; j < n; j++) u[ut + j]! -= f * u[us + j]!;
      // The entry at swept pivot ks is r_s[k] / d_s (it was not a rank-1 update target).
      u[ut + ks] = f;
    }
    const dk = u[ut + k]!;
    if (!(dk > 0)) throw new Error(`matrix is not positive definite (pivot ${k} = ${dk})`);
    d[t] = dk;
  }
}

/**
 * The block's update on the upper triangle of rows [rowStart, rowEnd), skipping the block's own rows and
 * columns (written by finishBlock). Entries at already-swept pivot columns follow the same formula.
 */
export function updateRows(
  a: Float64Array,
  n: number,
  k0: number,
  kb: number,
  ctx: SweepContext,
  rowStart: number,
  rowEnd: number,
): void {
  const { u, d } = ctx;
  const kEnd = k0 + kb;
  // The block columns get overwritten in finishBlock; zero them in u copies to keep the loop simple.
  // Per-row factors f_t = u_t[i] / d_t; for t >= 1 the row vector of pivot t must exclude the effect of
  // the earlier block pivots on column k0+s, which prepareBlock already folded in.
  if (kb === 8) {
    const d0 = d[0]!;
    const d1 = d[1]!;
    const d2 = d[2]!;
    const d3 = d[3]!;
    const d4 = d[4]!;
    const d5 = d[5]!;
    const d6 = d[6]!;
    const d7 = d[7]!;
    const u1 = n;
    const u2 = 2 * n;
    const u3 = 3 * n;
    const u4 = 4 * n;
    const u5 = 5 * n;
    const u6 = 6 * n;
    const u7 = 7 * n;
    for (let i = rowStart; i < rowEnd; i++) {
      if (i >= k0 && i < kEnd) continue;
      const f0 = u[i]! / d0;
      const f1 = u[u1 + i]! / d1;
      const f2 = u[u2 + i]! / d2;
      const f3 = u[u3 + i]! / d3;
      const f4 = u[u4 + i]! / d4;
      const f5 = u[u5 + i]! / d5;
      const f6 = u[u6 + i]! / d6;
      const f7 = u[u7 + i]! / d7;
      const row = i * n;
      for (let j = i; j < n; j++) {
        a[row + j] =
          a[row + j]! -
          f0 * u[j]! -
          f1 * u[u1 + j]! -
          f2 * u[u2 + j]! -
          f3 * u[u3 + j]! -
          f4 * u[u4 + j]! -
          f5 * u[u5 + j]! -
          f6 * u[u6 + j]! -
          f7 * u[u7 + j]!;
      }
    }
    return;
  }
  if (kb === 4) {
    const u0 = 0;
    const u1 = n;
    const u2 = 2 * n;
    const u3 = 3 * n;
    const d0 = d[0]!;
    const d1 = d[1]!;
    const d2 = d[2]!;
    const d3 = d[3]!;
    for (let i = rowStart; i < rowEnd; i++) {
      if (i >= k0 && i < kEnd) continue;
      const f0 = u[u0 + i]! / d0;
      const f1 = u[u1 + i]! / d1;
      const f2 = u[u2 + i]! / d2;
      const f3 = u[u3 + i]! / d3;
      const row = i * n;
      for (let j = i; j < n; j++) {
        a[row + j] = a[row + j]! - f0 * u[u0 + j]! - f1 * u[u1 + j]! - f2 * u[u2 + j]! - f3 * u[u3 + j]!;
      }
    }
    return;
  }
  for (let i = rowStart; i < rowEnd; i++) {
    if (i >= k0 && i < kEnd) continue;
    const row = i * n;
    for (let t = 0; t < kb; t++) {
      const ut = t * n;
      const f = u[ut + i]! / d[t]!;
      if (f === 0) continue;
      for (let j = i; j < n; j++) a[row + j]! -= f * u[ut + j]!;
    }
  }
}

/**
 * Writes the block's rows and columns: the state after sweeping all of k0..k0+kb-1. Row k = k0+t after
 * its own sweep is u_t / d_t (pivot -1/d_t), then the later block pivots s > t update it like any row.
 */
export function finishBlock(a: Float64Array, n: number, k0: number, kb: number, ctx: SweepContext): void {
  const { u, d } = ctx;
  const row = new Float64Array(n);
  for (let t = 0; t < kb; t++) {
    const k = k0 + t;
    const ut = t * n;
    for (let j = 0; j < n; j++) row[j] = u[ut + j]! / d[t]!;
    row[k] = -1 / d[t]!;
    for (let s = t + 1; s < kb; s++) {
      const us = s * n;
      const ks = k0 + s;
      const f = u[us + k]! / d[s]!;
      for (let j = 0; j < n; j++) row[j]! -= f * u[us + j]!;
      row[ks] = f;
    }
    // Store into the upper triangle (row k right of the diagonal, column k above it).
    for (let j = 0; j < k; j++) a[j * n + k] = row[j]!;
    for (let j = k; j < n; j++) a[k * n + j] = row[j]!;
  }
}

/** After a full sweep: a = -(upper part), mirrored into the lower triangle, for rows [rowStart, rowEnd). */
export function negateAndMirror(a: Float64Array, n: number, rowStart: number, rowEnd: number): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const row = i * n;
    for (let j = i; j < n; j++) {
      const v = -a[row + j]!;
      a[row + j] = v;
      a[j * n + i] = v;
    }
  }
}

/**
 * Solves A x = b for a symmetric positive-definite k x k A given by its lower triangle (Cholesky, A
 * overwritten by its factor L in the lower triangle), x written into `b`. Returns false if A is not positive definite.
 */
export function choleskySolveInPlace(a: Float64Array, b: Float64Array, k: number): boolean {
  for (let j = 0; j < k; j++) {
    const rj = j * k;
    let s = a[rj + j]!;
    for (let p = 0; p < j; p++) s -= a[rj + p]! * a[rj + p]!;
    if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    a[rj + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      const ri = i * k;
      let t = a[ri + j]!;
      for (let p = 0; p < j; p++) t -= a[ri + p]! * a[rj + p]!;
      a[ri + j] = t / ljj;
    }
  }
  // L y = b
  for (let i = 0; i < k; i++) {
    const ri = i * k;
    let t = b[i]!;
    for (let p = 0; p < i; p++) t -= a[ri + p]! * b[p]!;
    b[i] = t / a[ri + i]!;
  }
  // L^T x = y
  for (let i = k - 1; i >= 0; i--) {
    let t = b[i]!;
    for (let p = i + 1; p < k; p++) t -= a[p * k + i]! * b[p]!;
    b[i] = t / a[i * k + i]!;
  }
  return true;
}
