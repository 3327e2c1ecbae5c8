/**
 * Per-feature binning as LightGBM's BinMapper (src/io/bin.cpp, FindBin / GreedyFindBin /
 * FindBinWithZeroAsOneBin / ValueToBin): numerical bin upper bounds from the distinct sample values and
 * their counts (equal-count greedy bins, zero kept in a bin of its own, a last bin for NaN when the
 * feature has missing values), and categorical bins ordered by frequency with bin 0 for NaN / rare /
 * negative categories.
 */
import { K_ZERO_THRESHOLD } from '../meta.js';
import { MISSING_NAN, MISSING_NONE, MISSING_ZERO } from '../model.js';
import { formatG } from './format-number.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/** std::nextafter(a, +inf): the next double up (one unit in the last place). */
export function nextUp(a: number): number {
  if (Number.isNaN(a) || a === Number.POSITIVE_INFINITY) return a;
  if (a === 0) return Number.MIN_VALUE;
  f64[0] = a;
  if (a > 0) {
    // Magnitude up: add one to the 64-bit pattern.
    if (u32[LO] === 0xffffffff) {
      u32[LO] = 0;
      u32[HI]!++;
    } else u32[LO]!++;
  } else if (u32[LO] === 0) {
    // Magnitude down: subtract one.
    u32[LO] = 0xffffffff;
    u32[HI]!--;
  } else u32[LO]!--;
  return f64[0]!;
}

/** LightGBM Common::CheckDoubleEqualOrdered: b <= nextafter(a, +inf). */
function equalOrdered(a: number, b: number): boolean {
  return b <= a || b <= nextUp(a);
}

/** Equal-count bins over sorted distinct values (GreedyFindBin); returns upper bounds, last = +inf. */
export function greedyFindBin(
  distinct: ArrayLike<number>,
  counts: ArrayLike<number>,
  start: number,
  num: number,
  maxBin: number,
  totalCnt: number,
  minDataInBin: number,
): number[] {
  const bounds: number[] = [];
  if (num <= maxBin) {
    let cur = 0;
    for (let i = 0; i < num - 1; i++) {
      cur += counts[start + i]!;
      if (cur >= minDataInBin) {
        const val = nextUp((distinct[start + i]! + distinct[start + i + 1]!) / 2);
        if (bounds.length === 0 || !equalOrdered(bounds[bounds.length - 1]!, val)) {
          bounds.push(val);
          cur = 0;
        }
      }
    }
    bounds.push(Number.POSITIVE_INFINITY);
    return bounds;
  }
  if (minDataInBin > 0) {
    maxBin = Math.min(maxBin, Math.trunc(totalCnt / minDataInBin));
    maxBin = Math.max(maxBin, 1);
  }
  let meanBinSize = totalCnt / maxBin;
  let restBinCnt = maxBin;
  let restSampleCnt = totalCnt;
  const isBig = new Uint8Array(num);
  for (let i = 0; i < num; i++) {
    if (counts[start + i]! >= meanBinSize) {
      isBig[i] = 1;
      restBinCnt--;
      restSampleCnt -= counts[start + i]!;
    }
  }
  meanBinSize = restSampleCnt / restBinCnt;
  const upper = new Float64Array(maxBin).fill(Number.POSITIVE_INFINITY);
  const lower = new Float64Array(maxBin).fill(Number.POSITIVE_INFINITY);
  let binCnt = 0;
  lower[0] = distinct[start]!;
  let cur = 0;
  // LightGBM compares against `mean_bin_size * 0.5f`, a float product.
  for (let i = 0; i < num - 1; i++) {
    if (!isBig[i]) restSampleCnt -= counts[start + i]!;
    cur += counts[start + i]!;
    if (isBig[i] || cur >= meanBinSize || (isBig[i + 1] && cur >= Math.max(1, meanBinSize * 0.5))) {
      upper[binCnt] = distinct[start + i]!;
      binCnt++;
      lower[binCnt] = distinct[start + i + 1]!;
      if (binCnt >= maxBin - 1) break;
      cur = 0;
      if (!isBig[i]) {
        restBinCnt--;
        meanBinSize = restSampleCnt / restBinCnt;
      }
    }
  }
  binCnt++;
  for (let i = 0; i < binCnt - 1; i++) {
    const val = nextUp((upper[i]! + lower[i + 1]!) / 2);
    if (bounds.length === 0 || !equalOrdered(bounds[bounds.length - 1]!, val)) bounds.push(val);
  }
  bounds.push(Number.POSITIVE_INFINITY);
  return bounds;
}

/** Bins negatives and positives separately with zero in a bin of its own (FindBinWithZeroAsOneBin). */
export function findBinWithZeroAsOneBin(
  distinct: ArrayLike<number>,
  counts: ArrayLike<number>,
  num: number,
  maxBin: number,
  totalSampleCnt: number,
  minDataInBin: number,
): number[] {
  let bounds: number[] = [];
  let leftCntData = 0;
  let cntZero = 0;
  let rightCntData = 0;
  for (let i = 0; i < num; i++) {
    const v = distinct[i]!;
    if (v <= -K_ZERO_THRESHOLD) leftCntData += counts[i]!;
    else if (v > K_ZERO_THRESHOLD) rightCntData += counts[i]!;
    else cntZero += counts[i]!;
  }
  let leftCnt = -1;
  for (let i = 0; i < num; i++) {
    if (distinct[i]! > -K_ZERO_THRESHOLD) {
      leftCnt = i;
      break;
    }
  }
  if (leftCnt < 0) leftCnt = num;
  if (leftCnt > 0 && maxBin > 1) {
    let leftMaxBin = Math.trunc((leftCntData / (totalSampleCnt - cntZero)) * (maxBin - 1));
    leftMaxBin = Math.max(1, leftMaxBin);
    bounds = greedyFindBin(distinct, counts, 0, leftCnt, leftMaxBin, leftCntData, minDataInBin);
    if (bounds.length > 0) bounds[bounds.length - 1] = -K_ZERO_THRESHOLD;
  }
  let rightStart = -1;
  for (let i = leftCnt; i < num; i++) {
    if (distinct[i]! > K_ZERO_THRESHOLD) {
      rightStart = i;
      break;
    }
  }
  const rightMaxBin = maxBin - 1 - bounds.length;
  if (rightStart >= 0 && rightMaxBin > 0) {
    const right = greedyFindBin(
      distinct,
      counts,
      rightStart,
      num - rightStart,
      rightMaxBin,
      rightCntData,
      minDataInBin,
    );
    bounds.push(K_ZERO_THRESHOLD, ...right);
  } else {
    bounds.push(Number.POSITIVE_INFINITY);
  }
  return bounds;
}

export interface FindBinOptions {
  maxBin: number;
  minDataInBin: number;
  /** min_data_in_leaf scaled to the sample: a feature that cannot give two such sides is trivial. */
  minSplitData: number;
  preFilter: boolean;
  categorical: boolean;
  useMissing: boolean;
  zeroAsMissing: boolean;
}

/** The bins of one feature. */
export class BinMapper {
  numBin = 1;
  missingType = MISSING_NONE;
  categorical = false;
  /** A feature with a single bin (or no usable split): never used for splits. */
  trivial = true;
  /** Numerical: upper bound of each bin (the last real bin is +inf; the NaN bin, when present, is NaN). */
  upperBounds: Float64Array = new Float64Array(0);
  /** Categorical: category of each bin (bin 0 = -1, the NaN / other bin). */
  bin2Category: Int32Array = new Int32Array(0);
  private cat2Bin = new Map<number, number>();
  defaultBin = 0;
  mostFreqBin = 0;
  minVal = 0;
  maxVal = 0;

  /**
   * Finds the bins from sampled values. `values` holds the sample's non-zero entries (|v| > 1e-35) and NaNs;
   * the other `totalSampleCnt - values.length` sampled rows are zeros. `values` is sorted in place.
   */
  static find(values: Float64Array, totalSampleCnt: number, o: FindBinOptions): BinMapper {
    const m = new BinMapper();
    m.categorical = o.categorical;
    let n = 0;
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) values[n++] = values[i]!;
    let naCnt = 0;
    if (!o.useMissing) m.missingType = MISSING_NONE;
    else if (o.zeroAsMissing) m.missingType = MISSING_ZERO;
    else if (n === values.length) m.missingType = MISSING_NONE;
    else {
      m.missingType = MISSING_NAN;
      naCnt = values.length - n;
    }
    const vals = values.subarray(0, n).sort();
    const zeroCnt = totalSampleCnt - n - naCnt;

    // Distinct values with counts, zero inserted where it belongs.
    const distinct: number[] = [];
    const counts: number[] = [];
    if (n === 0 || (vals[0]! > 0 && zeroCnt > 0)) {
      distinct.push(0);
      counts.push(zeroCnt);
    }
    if (n > 0) {
      distinct.push(vals[0]!);
      counts.push(1);
    }
    for (let i = 1; i < n; i++) {
      if (!equalOrdered(vals[i - 1]!, vals[i]!)) {
        if (vals[i - 1]! < 0 && vals[i]! > 0) {
          distinct.push(0);
          counts.push(zeroCnt);
        }
        distinct.push(vals[i]!);
        counts.push(1);
      } else {
        distinct[distinct.length - 1] = vals[i]!;
        counts[counts.length - 1]!++;
      }
    }
    if (n > 0 && vals[n - 1]! < 0 && zeroCnt > 0) {
      distinct.push(0);
      counts.push(zeroCnt);
    }
    m.minVal = distinct[0]!;
    m.maxVal = distinct[distinct.length - 1]!;

    let cntInBin: number[] = [];
    if (!o.categorical) {
      let bounds: number[];
      if (m.missingType === MISSING_ZERO) {
        bounds = findBinWithZeroAsOneBin(
          distinct,
          counts,
          distinct.length,
          o.maxBin,
          totalSampleCnt,
          o.minDataInBin,
        );
        if (bounds.length === 2) m.missingType = MISSING_NONE;
      } else if (m.missingType === MISSING_NONE) {
        bounds = findBinWithZeroAsOneBin(
          distinct,
          counts,
          distinct.length,
          o.maxBin,
          totalSampleCnt,
          o.minDataInBin,
        );
      } else {
        bounds = findBinWithZeroAsOneBin(
          distinct,
          counts,
          distinct.length,
          o.maxBin - 1,
          totalSampleCnt - naCnt,
          o.minDataInBin,
        );
        bounds.push(Number.NaN);
      }
      m.upperBounds = Float64Array.from(bounds);
      m.numBin = bounds.length;
      cntInBin = new Array<number>(m.numBin).fill(0);
      let b = 0;
      for (let i = 0; i < distinct.length; i++) {
        while (distinct[i]! > bounds[b]! && b < m.numBin - 1) b++;
        cntInBin[b]! += counts[i]!;
      }
      if (m.missingType === MISSING_NAN) cntInBin[m.numBin - 1] = naCnt;
    } else {
      // Integer categories; negatives count as NaN.
      const catVals: number[] = [];
      const catCnts: number[] = [];
      for (let i = 0; i < distinct.length; i++) {
        const v = Math.trunc(distinct[i]!);
        if (v < 0) naCnt += counts[i]!;
        else if (catVals.length === 0 || v !== catVals[catVals.length - 1]) {
          catVals.push(v);
          catCnts.push(counts[i]!);
        } else catCnts[catCnts.length - 1]! += counts[i]!;
      }
      const rest = totalSampleCnt - naCnt;
      const bin2Cat: number[] = [-1];
      m.cat2Bin.clear();
      m.cat2Bin.set(-1, 0);
      cntInBin = [0];
      m.numBin = 1;
      if (rest > 0) {
        // Most frequent first; ties keep ascending category order (stable sort).
        const order = catVals.map((_, i) => i).sort((a, b) => catCnts[b]! - catCnts[a]! || a - b);
        const cutCnt = Math.round(Math.fround(Math.fround(totalSampleCnt - naCnt) * Math.fround(0.99)));
        let distinctCnt = catVals.length;
        if (naCnt > 0) distinctCnt++;
        const maxBin = Math.min(distinctCnt, o.maxBin);
        let used = 0;
        let cur = 0;
        while (cur < order.length && (used < cutCnt || m.numBin < maxBin)) {
          const c = catCnts[order[cur]!]!;
          if (c < o.minDataInBin && cur > 1) break;
          bin2Cat.push(catVals[order[cur]!]!);
          m.cat2Bin.set(catVals[order[cur]!]!, m.numBin);
          used += c;
          cntInBin.push(c);
          m.numBin++;
          cur++;
        }
        m.missingType = cur === order.length && naCnt === 0 ? MISSING_NONE : MISSING_NAN;
        cntInBin[0] = totalSampleCnt - used;
      }
      m.bin2Category = Int32Array.from(bin2Cat);
    }

    m.trivial = m.numBin <= 1;
    if (!m.trivial && o.preFilter && needFilter(cntInBin, totalSampleCnt, o.minSplitData, o.categorical)) {
      m.trivial = true;
    }
    if (!m.trivial) {
      m.defaultBin = m.valueToBin(0);
      let arg = 0;
      for (let i = 1; i < cntInBin.length; i++) if (cntInBin[i]! > cntInBin[arg]!) arg = i;
      m.mostFreqBin = arg;
      if (arg !== m.defaultBin && cntInBin[arg]! / totalSampleCnt < 0.7) m.mostFreqBin = m.defaultBin;
    }
    return m;
  }

  /** The bin of a raw value (ValueToBin). */
  valueToBin(value: number): number {
    if (Number.isNaN(value)) {
      if (this.categorical) return 0;
      if (this.missingType === MISSING_NAN) return this.numBin - 1;
      value = 0;
    }
    if (!this.categorical) {
      const ub = this.upperBounds;
      let l = 0;
      let r = this.numBin - 1;
      if (this.missingType === MISSING_NAN) r--;
      while (l < r) {
        const m = (r + l - 1) >> 1;
        if (value <= ub[m]!) r = m;
        else l = m + 1;
      }
      return l;
    }
    const v = Math.trunc(value);
    if (v < 0) return 0;
    return this.cat2Bin.get(v) ?? 0;
  }

  /** Bins of all `values` into `out` (valueToBin, with the numerical search inlined). */
  binAll(values: Float64Array, out: Uint8Array | Uint16Array): void {
    if (this.categorical) {
      for (let i = 0; i < values.length; i++) out[i] = this.valueToBin(values[i]!);
      return;
    }
    const ub = this.upperBounds;
    const nan = this.missingType === MISSING_NAN;
    // Bins 0..last hold the real values and ub[last] is +inf: the bin is the first i with v <= ub[i]
    // (lower bound), found with a branch-free halving search.
    const count = this.numBin - (nan ? 1 : 0);
    for (let i = 0; i < values.length; i++) {
      let v = values[i]!;
      if (Number.isNaN(v)) {
        if (nan) {
          out[i] = this.numBin - 1;
          continue;
        }
        v = 0;
      }
      let base = 0;
      let len = count;
      while (len > 1) {
        const half = len >> 1;
        base = ub[base + half - 1]! < v ? base + half : base;
        len -= half;
      }
      out[i] = base;
    }
  }

  /** The raw threshold LightGBM writes for a numerical split at bin `bin` (RealThreshold). */
  binToValue(bin: number): number {
    return this.categorical ? this.bin2Category[bin]! : this.upperBounds[bin]!;
  }

  /** LightGBM's feature_infos entry: "[min:max]", the category list "a:b:c", or "none" when trivial. */
  infoString(): string {
    if (this.trivial) return 'none';
    if (this.categorical) return Array.from(this.bin2Category).join(':');
    return `[${formatG(this.minVal, 17)}:${formatG(this.maxVal, 17)}]`;
  }
}

/** True when no split of the bins leaves `filterCnt` sampled rows on both sides (NeedFilter). */
function needFilter(cntInBin: number[], total: number, filterCnt: number, categorical: boolean): boolean {
  if (!categorical) {
    let left = 0;
    for (let i = 0; i < cntInBin.length - 1; i++) {
      left += cntInBin[i]!;
      if (left >= filterCnt && total - left >= filterCnt) return false;
    }
    return true;
  }
  if (cntInBin.length <= 2) {
    for (let i = 0; i < cntInBin.length - 1; i++) {
      const left = cntInBin[i]!;
      if (left >= filterCnt && total - left >= filterCnt) return false;
    }
    return true;
  }
  return false;
}
