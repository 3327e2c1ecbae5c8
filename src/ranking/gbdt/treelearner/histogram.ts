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
 * Histograms of eight 8-bit feature columns in one pass over rows[begin..end) (ordered gradients);
 * cols and o2 (bin offsets times 2) hold the eight columns and offsets.
 */
export function histogramRows8x8(
  cols: Uint8Array[],
  o2: Int32Array,
  rows: Int32Array,
  begin: number,
  end: number,
  ordered: Float64Array,
  hist: Float64Array,
): void {
  const c0 = cols[0]!;
  const c1 = cols[1]!;
  const c2 = cols[2]!;
  const c3 = cols[3]!;
  const c4 = cols[4]!;
  const c5 = cols[5]!;
  const c6 = cols[6]!;
  const c7 = cols[7]!;
  const a0 = o2[0]!;
  const a1 = o2[1]!;
  const a2 = o2[2]!;
  const a3 = o2[3]!;
  const a4 = o2[4]!;
  const a5 = o2[5]!;
  const a6 = o2[6]!;
  const a7 = o2[7]!;
  let j = 0;
  for (let i = begin; i < end; i++, j += 2) {
    const r = rows[i]!;
    const g = ordered[j]!;
    const h = ordered[j + 1]!;
    let b = a0 + (c0[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a1 + (c1[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a2 + (c2[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a3 + (c3[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a4 + (c4[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a5 + (c5[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a6 + (c6[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a7 + (c7[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
  }
}

/** histogramRows8x8 over all rows 0..n-1 (the root without bagging). */
export function histogramAll8x8(
  cols: Uint8Array[],
  o2: Int32Array,
  n: number,
  gh: Float64Array,
  hist: Float64Array,
): void {
  const c0 = cols[0]!;
  const c1 = cols[1]!;
  const c2 = cols[2]!;
  const c3 = cols[3]!;
  const c4 = cols[4]!;
  const c5 = cols[5]!;
  const c6 = cols[6]!;
  const c7 = cols[7]!;
  const a0 = o2[0]!;
  const a1 = o2[1]!;
  const a2 = o2[2]!;
  const a3 = o2[3]!;
  const a4 = o2[4]!;
  const a5 = o2[5]!;
  const a6 = o2[6]!;
  const a7 = o2[7]!;
  for (let r = 0, j = 0; r < n; r++, j += 2) {
    const g = gh[j]!;
    const h = gh[j + 1]!;
    let b = a0 + (c0[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a1 + (c1[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a2 + (c2[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a3 + (c3[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a4 + (c4[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a5 + (c5[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a6 + (c6[r]! << 1);
    hist[b] += g;
    hist[b + 1] += h;
    b = a7 + (c7[r]! << 1);
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
  scratch: HistogramScratch,
): void {
  const group = scratch.cols;
  const o2 = scratch.o2;
  let q = 0;
  for (let k = 0; k < count; k++) {
    const f = feats[k]!;
    hist.fill(0, binOffsets[f]! << 1, binOffsets[f + 1]! << 1);
    const col = bins[f]!;
    if (col instanceof Uint8Array) {
      group[q] = col;
      o2[q++] = binOffsets[f]! << 1;
      if (q === 8) {
        if (rows === null) histogramAll8x8(group, o2, end, gh, hist);
        else histogramRows8x8(group, o2, rows, begin, end, ordered, hist);
        q = 0;
      }
    } else if (rows === null) histogramAll16(col, end, gh, hist, binOffsets[f]!);
    else histogramRows16(col, rows, begin, end, ordered, hist, binOffsets[f]!);
  }
  let k = 0;
  if (q >= 4) {
    const [c0, c1, c2, c3] = group as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    if (rows === null) histogramAll8x4(c0, c1, c2, c3, end, gh, hist, o2[0]!, o2[1]!, o2[2]!, o2[3]!);
    else histogramRows8x4(c0, c1, c2, c3, rows, begin, end, ordered, hist, o2[0]!, o2[1]!, o2[2]!, o2[3]!);
    k = 4;
  }
  for (; k < q; k++) {
    if (rows === null) histogramAll8(group[k]!, end, gh, hist, o2[k]! >> 1);
    else histogramRows8(group[k]!, rows, begin, end, ordered, hist, o2[k]! >> 1);
  }
}

/** Reusable scratch for buildHistograms (one per thread). */
export class HistogramScratch {
  readonly cols: Uint8Array[] = new Array<Uint8Array>(8).fill(new Uint8Array(0));
  readonly o2 = new Int32Array(8);
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
