/**
 * Best split of one feature from its histogram, as LightGBM's FeatureHistogram
 * (src/treelearner/feature_histogram.hpp): numerical thresholds scanned in both directions so that missing
 * values (the NaN bin, or the zero bin with zero_as_missing) try both sides (FindBestThresholdSequentially),
 * and categorical splits either one category against the rest (few categories, max_cat_to_onehot) or a
 * prefix of the categories sorted by sum_grad / (sum_hess + cat_smooth) from either end
 * (FindBestThresholdCategoricalInner). Gains and leaf outputs follow LightGBM's L1/L2-regularised formulas.
 */
import { K_EPSILON, K_MIN_SCORE } from '../meta.js';
import { MISSING_NAN, MISSING_NONE, MISSING_ZERO } from '../model.js';

export interface SplitConfig {
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  lambdaL1: number;
  lambdaL2: number;
  minGainToSplit: number;
  maxCatToOnehot: number;
  catSmooth: number;
  catL2: number;
  maxCatThreshold: number;
  minDataPerGroup: number;
}

/** What split finding needs to know about a feature's bins. */
export interface FeatureMeta {
  numBin: number;
  /** 1 when bin 0 is the most frequent bin, which LightGBM leaves out of histograms; else 0. */
  offset: number;
  /** The most frequent bin; when > 0 its histogram entry is the leaf total minus the other bins. */
  mostFreqBin: number;
  missingType: number;
  defaultBin: number;
  categorical: boolean;
}

/** The best split found for a leaf (LightGBM's SplitInfo). */
export class SplitInfo {
  /** Inner feature index; -1 when there is no split. */
  feature = -1;
  gain = K_MIN_SCORE;
  /** Numerical: bins <= threshold go left. */
  threshold = 0;
  defaultLeft = true;
  leftSumGradient = 0;
  leftSumHessian = 0;
  leftCount = 0;
  leftOutput = 0;
  rightSumGradient = 0;
  rightSumHessian = 0;
  rightCount = 0;
  rightOutput = 0;
  /** Categorical: the bins that go left; null for numerical. */
  catBins: number[] | null = null;

  reset(): void {
    this.feature = -1;
    this.gain = K_MIN_SCORE;
    this.catBins = null;
  }

  copyFrom(o: SplitInfo): void {
    this.feature = o.feature;
    this.gain = o.gain;
    this.threshold = o.threshold;
    this.defaultLeft = o.defaultLeft;
    this.leftSumGradient = o.leftSumGradient;
    this.leftSumHessian = o.leftSumHessian;
    this.leftCount = o.leftCount;
    this.leftOutput = o.leftOutput;
    this.rightSumGradient = o.rightSumGradient;
    this.rightSumHessian = o.rightSumHessian;
    this.rightCount = o.rightCount;
    this.rightOutput = o.rightOutput;
    this.catBins = o.catBins;
  }

  /** LightGBM's SplitInfo::operator>: larger gain, ties to the smaller feature index. */
  betterThan(o: SplitInfo): boolean {
    const a = Number.isNaN(this.gain) ? K_MIN_SCORE : this.gain;
    const b = Number.isNaN(o.gain) ? K_MIN_SCORE : o.gain;
    if (a !== b) return a > b;
    const fa = this.feature === -1 ? 0x7fffffff : this.feature;
    const fb = o.feature === -1 ? 0x7fffffff : o.feature;
    return fa < fb;
  }
}

function thresholdL1(s: number, l1: number): number {
  const reg = Math.max(0, Math.abs(s) - l1);
  return s > 0 ? reg : s < 0 ? -reg : 0;
}

/** Leaf output -ThresholdL1(G, l1) / (H + l2). */
export function leafOutput(g: number, h: number, l1: number, l2: number): number {
  return -thresholdL1(g, l1) / (h + l2);
}

/** Leaf gain ThresholdL1(G, l1)^2 / (H + l2) (GetLeafGain without max_delta_step or path smoothing). */
export function leafGain(g: number, h: number, l1: number, l2: number): number {
  const t = thresholdL1(g, l1);
  return (t * t) / (h + l2);
}

/**
 * Scans the numerical bins of one feature (histogram `hist` at bin offset `off`) in one direction.
 * REVERSE: right side accumulates from the top bin down, bins skipped go left (default_left = true).
 * Returns whether any threshold passed min_gain_shift; improves `out` when better than out.gain.
 */
function scanNumerical(
  hist: Float64Array,
  off: number,
  meta: FeatureMeta,
  sumG: number,
  sumH: number,
  numData: number,
  cfg: SplitConfig,
  minGainShift: number,
  reverse: boolean,
  skipDefaultBin: boolean,
  naAsMissing: boolean,
  out: SplitInfo,
): boolean {
  const l1 = cfg.lambdaL1;
  const l2 = cfg.lambdaL2;
  const minData = cfg.minDataInLeaf;
  const minHess = cfg.minSumHessianInLeaf;
  const cntFactor = numData / sumH;
  const defaultBin = meta.defaultBin;
  let bestGain = K_MIN_SCORE;
  let bestLeftG = Number.NaN;
  let bestLeftH = Number.NaN;
  let bestLeftCount = 0;
  let bestThreshold = meta.numBin;
  let splittable = false;
  // LightGBM's histogram index t is bin t + offset (offset 1 when bin 0 is the most frequent bin and is
  // not stored); the arithmetic below follows it index for index.
  const offset = meta.offset;
  const base = off + offset;
  if (reverse) {
    let rightG = 0;
    let rightH = K_EPSILON;
    let rightCount = 0;
    for (let t = meta.numBin - 1 - offset - (naAsMissing ? 1 : 0); t >= 1 - offset; t--) {
      if (skipDefaultBin && t + offset === defaultBin) continue;
      const i = (base + t) * 2;
      const h = hist[i + 1]!;
      rightG += hist[i]!;
      rightH += h;
      rightCount += (h * cntFactor + 0.5) | 0;
      if (rightCount < minData || rightH < minHess) continue;
      const leftCount = numData - rightCount;
      if (leftCount < minData) break;
      const leftH = sumH - rightH;
      if (leftH < minHess) break;
      const leftG = sumG - rightG;
      const gain = leafGain(leftG, leftH, l1, l2) + leafGain(rightG, rightH, l1, l2);
      if (gain <= minGainShift) continue;
      splittable = true;
      if (gain > bestGain) {
        bestLeftCount = leftCount;
        bestLeftG = leftG;
        bestLeftH = leftH;
        bestThreshold = t - 1 + offset;
        bestGain = gain;
      }
    }
  } else {
    let leftG = 0;
    let leftH = K_EPSILON;
    let leftCount = 0;
    let t = 0;
    const tEnd = meta.numBin - 2 - offset;
    if (naAsMissing && offset === 1) {
      // Left starts as the unstored bin 0: everything minus the stored bins.
      leftG = sumG;
      leftH = sumH - K_EPSILON;
      leftCount = numData;
      for (let k = 0; k < meta.numBin - offset; k++) {
        const i = (base + k) * 2;
        const h = hist[i + 1]!;
        leftG -= hist[i]!;
        leftH -= h;
        leftCount -= (h * cntFactor + 0.5) | 0;
      }
      t = -1;
    }
    for (; t <= tEnd; t++) {
      if (skipDefaultBin && t + offset === defaultBin) continue;
      if (t >= 0) {
        const i = (base + t) * 2;
        const h = hist[i + 1]!;
        leftG += hist[i]!;
        leftH += h;
        leftCount += (h * cntFactor + 0.5) | 0;
      }
      if (leftCount < minData || leftH < minHess) continue;
      const rightCount = numData - leftCount;
      if (rightCount < minData) break;
      const rightH = sumH - leftH;
      if (rightH < minHess) break;
      const rightG = sumG - leftG;
      const gain = leafGain(leftG, leftH, l1, l2) + leafGain(rightG, rightH, l1, l2);
      if (gain <= minGainShift) continue;
      splittable = true;
      if (gain > bestGain) {
        bestLeftCount = leftCount;
        bestLeftG = leftG;
        bestLeftH = leftH;
        bestThreshold = t + offset;
        bestGain = gain;
      }
    }
  }
  if (splittable && bestGain > out.gain + minGainShift) {
    out.threshold = bestThreshold;
    out.leftOutput = leafOutput(bestLeftG, bestLeftH, l1, l2);
    out.leftCount = bestLeftCount;
    out.leftSumGradient = bestLeftG;
    out.leftSumHessian = bestLeftH - K_EPSILON;
    out.rightOutput = leafOutput(sumG - bestLeftG, sumH - bestLeftH, l1, l2);
    out.rightCount = numData - bestLeftCount;
    out.rightSumGradient = sumG - bestLeftG;
    out.rightSumHessian = sumH - bestLeftH - K_EPSILON;
    out.gain = bestGain - minGainShift;
    out.defaultLeft = reverse;
    out.catBins = null;
  }
  return splittable;
}

/**
 * Best numerical split of a feature for a leaf with sums (sumG, sumH) over numData rows. `out` is reset
 * and filled (gain is K_MIN_SCORE when nothing passes). Returns is_splittable.
 */
export function findBestThresholdNumerical(
  hist: Float64Array,
  off: number,
  meta: FeatureMeta,
  sumG: number,
  sumHLeaf: number,
  numData: number,
  cfg: SplitConfig,
  out: SplitInfo,
): boolean {
  out.defaultLeft = true;
  out.gain = K_MIN_SCORE;
  const sumH = sumHLeaf + 2 * K_EPSILON;
  const minGainShift = leafGain(sumG, sumH, cfg.lambdaL1, cfg.lambdaL2) + cfg.minGainToSplit;
  let s = false;
  if (meta.numBin > 2 && meta.missingType !== MISSING_NONE) {
    if (meta.missingType === MISSING_ZERO) {
      s = scanNumerical(hist, off, meta, sumG, sumH, numData, cfg, minGainShift, true, true, false, out);
      s =
        scanNumerical(hist, off, meta, sumG, sumH, numData, cfg, minGainShift, false, true, false, out) || s;
    } else {
      s = scanNumerical(hist, off, meta, sumG, sumH, numData, cfg, minGainShift, true, false, true, out);
      s =
        scanNumerical(hist, off, meta, sumG, sumH, numData, cfg, minGainShift, false, false, true, out) || s;
    }
  } else if (meta.missingType !== MISSING_NAN) {
    s = scanNumerical(hist, off, meta, sumG, sumH, numData, cfg, minGainShift, true, false, false, out);
  } else {
    s = scanNumerical(hist, off, meta, sumG, sumH, numData, cfg, minGainShift, true, false, true, out);
    out.defaultLeft = false;
  }
  return s;
}

/** Best categorical split (one-vs-rest or sorted-prefix); see the module comment. Returns is_splittable. */
export function findBestThresholdCategorical(
  hist: Float64Array,
  off: number,
  meta: FeatureMeta,
  sumG: number,
  sumHLeaf: number,
  numData: number,
  cfg: SplitConfig,
  out: SplitInfo,
): boolean {
  out.defaultLeft = false;
  out.gain = K_MIN_SCORE;
  const sumH = sumHLeaf + 2 * K_EPSILON;
  const l1 = cfg.lambdaL1;
  let l2 = cfg.lambdaL2;
  const minData = cfg.minDataInLeaf;
  const minHess = cfg.minSumHessianInLeaf;
  const minGainShift = leafGain(sumG, sumH, l1, l2) + cfg.minGainToSplit;
  const numBin = meta.numBin;
  const useOnehot = numBin <= cfg.maxCatToOnehot;
  const cntFactor = numData / sumH;
  let bestGain = K_MIN_SCORE;
  let bestLeftCount = 0;
  let bestLeftG = 0;
  let bestLeftH = 0;
  let bestThreshold = -1;
  let bestDir = 1;
  let splittable = false;
  let sorted: number[] = [];
  if (useOnehot) {
    for (let t = 1; t < numBin; t++) {
      const g = hist[(off + t) * 2]!;
      const h = hist[(off + t) * 2 + 1]!;
      const cnt = (h * cntFactor + 0.5) | 0;
      if (cnt < minData || h < minHess) continue;
      const otherCount = numData - cnt;
      if (otherCount < minData) continue;
      const otherH = sumH - h - K_EPSILON;
      if (otherH < minHess) continue;
      const otherG = sumG - g;
      const gain = leafGain(otherG, otherH, l1, l2) + leafGain(g, h + K_EPSILON, l1, l2);
      if (gain <= minGainShift) continue;
      splittable = true;
      if (gain > bestGain) {
        bestThreshold = t;
        bestLeftG = g;
        bestLeftH = h + K_EPSILON;
        bestLeftCount = cnt;
        bestGain = gain;
      }
    }
  } else {
    for (let t = 1; t < numBin; t++) {
      if (((hist[(off + t) * 2 + 1]! * cntFactor + 0.5) | 0) >= cfg.catSmooth) sorted.push(t);
    }
    const usedBin = sorted.length;
    l2 += cfg.catL2;
    const smooth = cfg.catSmooth;
    const ctr = (t: number) => hist[(off + t) * 2]! / (hist[(off + t) * 2 + 1]! + smooth);
    const keys = new Map<number, number>();
    for (const t of sorted) keys.set(t, ctr(t));
    // Stable: Array.prototype.sort is stable.
    sorted = sorted.sort((a, b) => {
      const ka = keys.get(a)!;
      const kb = keys.get(b)!;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    const maxNumCat = Math.min(cfg.maxCatThreshold, Math.trunc((usedBin + 1) / 2));
    for (const dir of [1, -1]) {
      let pos = dir === 1 ? 0 : usedBin - 1;
      let cntCurGroup = 0;
      let leftG = 0;
      let leftH = K_EPSILON;
      let leftCount = 0;
      for (let i = 0; i < usedBin && i < maxNumCat; i++) {
        const t = sorted[pos]!;
        pos += dir;
        const g = hist[(off + t) * 2]!;
        const h = hist[(off + t) * 2 + 1]!;
        const cnt = (h * cntFactor + 0.5) | 0;
        leftG += g;
        leftH += h;
        leftCount += cnt;
        cntCurGroup += cnt;
        if (leftCount < minData || leftH < minHess) continue;
        const rightCount = numData - leftCount;
        if (rightCount < minData || rightCount < cfg.minDataPerGroup) break;
        const rightH = sumH - leftH;
        if (rightH < minHess) break;
        if (cntCurGroup < cfg.minDataPerGroup) continue;
        cntCurGroup = 0;
        const rightG = sumG - leftG;
        const gain = leafGain(leftG, leftH, l1, l2) + leafGain(rightG, rightH, l1, l2);
        if (gain <= minGainShift) continue;
        splittable = true;
        if (gain > bestGain) {
          bestLeftCount = leftCount;
          bestLeftG = leftG;
          bestLeftH = leftH;
          bestThreshold = i;
          bestGain = gain;
          bestDir = dir;
        }
      }
    }
  }
  if (splittable) {
    out.leftOutput = leafOutput(bestLeftG, bestLeftH, l1, l2);
    out.leftCount = bestLeftCount;
    out.leftSumGradient = bestLeftG;
    out.leftSumHessian = bestLeftH - K_EPSILON;
    out.rightOutput = leafOutput(sumG - bestLeftG, sumH - bestLeftH, l1, l2);
    out.rightCount = numData - bestLeftCount;
    out.rightSumGradient = sumG - bestLeftG;
    out.rightSumHessian = sumH - bestLeftH - K_EPSILON;
    out.gain = bestGain - minGainShift;
    if (useOnehot) out.catBins = [bestThreshold];
    else {
      const n = bestThreshold + 1;
      const bins: number[] = [];
      for (let i = 0; i < n; i++) bins.push(bestDir === 1 ? sorted[i]! : sorted[sorted.length - 1 - i]!);
      out.catBins = bins;
    }
  }
  return splittable;
}
