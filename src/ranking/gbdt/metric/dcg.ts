/**
 * DCG helpers, as LightGBM's DCGCalculator (src/metric/dcg_calculator.cpp): discount 1 / log2(2 + rank),
 * label gains (default 2^label - 1), the maximum DCG@k of a query from its label counts, and DCG@k of a
 * query ranked by score (stable sort, descending).
 */
import { discount } from '../../../core/ndcg.js';
import { InputError } from '../../../errors.js';

/** Checks that every label is an integer with a gain (LightGBM's CheckLabel). */
export function checkRankLabels(labels: Float32Array, labelGain: number[], what: string): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= labelGain.length)
      throw new InputError(
        `ranking labels must be integers in 0..${labelGain.length - 1} (label_gain), row ${i + 1} has ${y}`,
        what,
      );
  }
}

/** Maximum DCG@k of the labels[begin..end) (CalMaxDCGAtK). */
export function maxDcgAtK(
  k: number,
  labels: Float32Array,
  begin: number,
  end: number,
  gain: number[],
): number {
  const cnt = new Int32Array(gain.length);
  for (let i = begin; i < end; i++) cnt[labels[i]!]!++;
  let top = gain.length - 1;
  const n = end - begin;
  if (k > n) k = n;
  let ret = 0;
  for (let j = 0; j < k; j++) {
    while (top > 0 && cnt[top]! <= 0) top--;
    if (top < 0) break;
    ret += discount(j) * gain[top]!;
    cnt[top]!--;
  }
  return ret;
}

/**
 * Indices 0..n-1 of rows begin..begin+n-1 sorted by score descending, ties in row order (as std::stable_sort
 * with `score[a] > score[b]`): insertion sort on runs of 16, then bottom-up merges. Writes into `out`
 * (length >= n) and returns it; `tmp` is scratch of the same length.
 */
export function sortByScoreDesc(
  score: Float64Array,
  begin: number,
  n: number,
  out: Int32Array,
  tmp: Int32Array = new Int32Array(n),
): Int32Array {
  const RUN = 16;
  for (let i = 0; i < n; i++) out[i] = i;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = out[i]!;
      const sv = score[begin + v]!;
      let j = i - 1;
      while (j >= lo && score[begin + out[j]!]! < sv) {
        out[j + 1] = out[j]!;
        j--;
      }
      out[j + 1] = v;
    }
  }
  let src = out;
  let dst = tmp;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // Take from the right run only when strictly greater: keeps ties in order.
        if (score[begin + src[j]!]! > score[begin + src[i]!]!) dst[k++] = src[j++]!;
        else dst[k++] = src[i++]!;
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== out) out.set(src.subarray(0, n));
  return out;
}
