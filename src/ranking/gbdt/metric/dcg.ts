/**
 * DCG helpers, as LightGBM's DCGCalculator (src/metric/dcg_calculator.cpp): discount 1 / log2(2 + rank),
 * label gains (default 2^label - 1), the maximum DCG@k of a query from its label counts, and DCG@k of a
 * query ranked by score (stable sort, descending).
 */
import { InputError } from '../../../errors.js';

const MAX_POSITION = 10000;
const DISCOUNT = new Float64Array(MAX_POSITION);
for (let i = 0; i < MAX_POSITION; i++) DISCOUNT[i] = 1 / Math.log2(2 + i);

/** 1 / log2(2 + rank), rank from 0. */
export function discount(rank: number): number {
  return rank < MAX_POSITION ? DISCOUNT[rank]! : 1 / Math.log2(2 + rank);
}

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
 * Indices 0..n-1 of rows begin..begin+n-1 sorted by score descending, ties in row order (std::stable_sort).
 * Writes into `out` (length >= n) and returns it.
 */
export function sortByScoreDesc(score: Float64Array, begin: number, n: number, out: Int32Array): Int32Array {
  const idx = out.subarray(0, n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => {
    const sa = score[begin + a]!;
    const sb = score[begin + b]!;
    return sa > sb ? -1 : sa < sb ? 1 : a - b;
  });
  return idx;
}
