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

/** Builds feature f's histogram (zeroing it first) from rows[begin..end), or all rows when rows is null. */
export function buildFeatureHistogram(
  col: BinColumn,
  rows: Int32Array | null,
  begin: number,
  end: number,
  gh: Float64Array,
  ordered: Float64Array,
  hist: Float64Array,
  off: number,
  numBin: number,
): void {
  hist.fill(0, off << 1, (off + numBin) << 1);
  if (rows === null) {
    if (col instanceof Uint8Array) histogramAll8(col, end, gh, hist, off);
    else histogramAll16(col, end, gh, hist, off);
  } else if (col instanceof Uint8Array) histogramRows8(col, rows, begin, end, ordered, hist, off);
  else histogramRows16(col, rows, begin, end, ordered, hist, off);
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
