/**
 * Gradient histograms, as LightGBM's Dataset::ConstructHistograms / DenseBin::ConstructHistogram and
 * FeatureHistogram::Subtract: for each feature, the sums of gradients and hessians of a leaf's rows per bin,
 * stored interleaved (grad, hess) in one Float64Array for all features (feature f's bin b at
 * 2 * (binOffsets[f] + b)). The sibling of the smaller child is never built: it is parent - smaller.
 */
import type { BinColumn } from '../io/dataset.js';

/**
 * Gathers the gradients/hessians of rows[begin..end) into `ordered` (interleaved), so that histogram
 * building reads them sequentially (LightGBM's ordered_gradients).
 */
export function gatherGradients(
  gh: Float64Array,
  rows: Int32Array,
  begin: number,
  end: number,
  ordered: Float64Array,
): void {
  for (let i = begin, j = 0; i < end; i++, j += 2) {
    const r = rows[i]! << 1;
    ordered[j] = gh[r]!;
    ordered[j + 1] = gh[r + 1]!;
  }
}

/** Histogram of one 8-bit feature column over rows[begin..end) with ordered gradients. */
export function histogramRows8(
  col: Uint8Array,
  rows: Int32Array,
  begin: number,
  end: number,
  ordered: Float64Array,
  hist: Float64Array,
  off: number,
): void {
  const o2 = off << 1;
  let j = 0;
  for (let i = begin; i < end; i++, j += 2) {
    const b = o2 + (col[rows[i]!]! << 1);
    hist[b] += ordered[j]!;
    hist[b + 1] += ordered[j + 1]!;
  }
}

/** Histogram of one 16-bit feature column over rows[begin..end) with ordered gradients. */
export function histogramRows16(
  col: Uint16Array,
  rows: Int32Array,
  begin: number,
  end: number,
  ordered: Float64Array,
  hist: Float64Array,
  off: number,
): void {
  const o2 = off << 1;
  let j = 0;
  for (let i = begin; i < end; i++, j += 2) {
    const b = o2 + (col[rows[i]!]! << 1);
    hist[b] += ordered[j]!;
    hist[b + 1] += ordered[j + 1]!;
  }
}

/** Histogram of one 8-bit feature column over all rows 0..n-1 (the root without bagging). */
export function histogramAll8(
  col: Uint8Array,
  n: number,
  gh: Float64Array,
  hist: Float64Array,
  off: number,
): void {
  const o2 = off << 1;
  for (let r = 0, j = 0; r < n; r++, j += 2) {
    const b = o2 + (col[r]! << 1);
    hist[b] += gh[j]!;
    hist[b + 1] += gh[j + 1]!;
  }
}

/** Histogram of one 16-bit feature column over all rows 0..n-1. */
export function histogramAll16(
  col: Uint16Array,
  n: number,
  gh: Float64Array,
  hist: Float64Array,
  off: number,
): void {
  const o2 = off << 1;
  for (let r = 0, j = 0; r < n; r++, j += 2) {
    const b = o2 + (col[r]! << 1);
    hist[b] += gh[j]!;
    hist[b + 1] += gh[j + 1]!;
  }
}

/**
 * Histograms of four 8-bit feature columns in one pass over rows[begin..end) (ordered gradients): the row
 * index and the gradient pair are loaded once for the four, which is about twice as fast as four passes.
 * o0..o3 are the features' bin offsets times 2.
 */
export function histogramRows8x4(
  c0: Uint8Array,
  c1: Uint8Array,
  c2: Uint8Array,
  c3: Uint8Array,
  rows: Int32Array,
  begin: number,
  end: number,
  ordered: Float64Array,
  hist: Float64Array,
  o0: number,
  o1: number,
  o2: number,
  o3: number,
): void {
  let j = 0;
  for (let i = begin; i < end; i++, j += 2) {
    const r = rows[i]!;
    const g = ordered[j]!;
    const h = ordered[j + 1]!;
    let b = o0 + (c0[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = o1 + (c1[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = o2 + (c2[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = o3 + (c3[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
  }
}

/** histogramRows8x4 over all rows 0..n-1 (the root without bagging). */
export function histogramAll8x4(
  c0: Uint8Array,
  c1: Uint8Array,
  c2: Uint8Array,
  c3: Uint8Array,
  n: number,
  gh: Float64Array,
  hist: Float64Array,
  o0: number,
  o1: number,
  o2: number,
  o3: number,
): void {
  for (let r = 0, j = 0; r < n; r++, j += 2) {
    const g = gh[j]!;
    const h = gh[j + 1]!;
    let b = o0 + (c0[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = o1 + (c1[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = o2 + (c2[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = o3 + (c3[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
  }
}

/**
 * Builds (zeroing first) the histograms of the listed inner features `feats[0..count)` over rows[begin..end)
 * (or all rows 0..end-1 when rows is null): 8-bit columns four at a time, the rest one by one.
 */
export function buildHistograms(
  feats: Int32Array,
  count: number,
  bins: readonly BinColumn[],
  binOffsets: Int32Array,
  rows: Int32Array | null,
  begin: number,
  end: number,
  gh: Float64Array,
  ordered: Float64Array,
  hist: Float64Array,
  quad: Int32Array,
): void {
  let q = 0;
  for (let k = 0; k < count; k++) {
    const f = feats[k]!;
    hist.fill(0, binOffsets[f]! << 1, binOffsets[f + 1]! << 1);
    const col = bins[f]!;
    if (col instanceof Uint8Array) {
      quad[q++] = f;
      if (q === 4) {
        const a = quad[0]!;
        const b = quad[1]!;
        const c = quad[2]!;
        const d = quad[3]!;
        if (rows === null)
          histogramAll8x4(
            bins[a] as Uint8Array,
            bins[b] as Uint8Array,
            bins[c] as Uint8Array,
            bins[d] as Uint8Array,
            end,
            gh,
            hist,
            binOffsets[a]! << 1,
            binOffsets[b]! << 1,
            binOffsets[c]! << 1,
            binOffsets[d]! << 1,
          );
        else
          histogramRows8x4(
            bins[a] as Uint8Array,
            bins[b] as Uint8Array,
            bins[c] as Uint8Array,
            bins[d] as Uint8Array,
            rows,
            begin,
            end,
            ordered,
            hist,
            binOffsets[a]! << 1,
            binOffsets[b]! << 1,
            binOffsets[c]! << 1,
            binOffsets[d]! << 1,
          );
        q = 0;
      }
    } else if (rows === null) histogramAll16(col, end, gh, hist, binOffsets[f]!);
    else histogramRows16(col, rows, begin, end, ordered, hist, binOffsets[f]!);
  }
  for (let k = 0; k < q; k++) {
    const f = quad[k]!;
    if (rows === null) histogramAll8(bins[f] as Uint8Array, end, gh, hist, binOffsets[f]!);
    else histogramRows8(bins[f] as Uint8Array, rows, begin, end, ordered, hist, binOffsets[f]!);
  }
}

/** parent[from..to) -= child[from..to) (bin ranges in units of bins). */
export function subtractHistogram(
  parent: Float64Array,
  child: Float64Array,
  fromBin: number,
  toBin: number,
): void {
  for (let i = fromBin << 1, e = toBin << 1; i < e; i++) parent[i] -= child[i]!;
}

/**
 * LightGBM does not accumulate a feature's most frequent bin (its rows are not stored in the bin data);
 * Dataset::FixHistogram sets it to the leaf totals minus the other bins. Done the same way here so that
 * the sums, and the row counts estimated from them, round as LightGBM's do.
 */
export function fixHistogram(
  hist: Float64Array,
  off: number,
  numBin: number,
  mostFreqBin: number,
  sumG: number,
  sumH: number,
): void {
  let g = sumG;
  let h = sumH;
  for (let b = 0; b < numBin; b++) {
    if (b === mostFreqBin) continue;
    g -= hist[(off + b) * 2]!;
    h -= hist[(off + b) * 2 + 1]!;
  }
  hist[(off + mostFreqBin) * 2] = g;
  hist[(off + mostFreqBin) * 2 + 1] = h;
}
