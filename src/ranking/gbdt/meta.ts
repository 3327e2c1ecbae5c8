/**
 * Constants shared across the trainer and the predictor, as LightGBM's include/LightGBM/meta.h (the DCG
 * calculator's kMaxPosition and discount table are the one NDCG's, ../../core/ndcg.ts). LightGBM declares
 * some of them as float (score_t) or from a float literal (`1e-35f`); they are rounded to float32 here
 * (Math.fround) so that comparisons agree with LightGBM's.
 */

/** kEpsilon = 1e-15f: the smallest hessian sum added to a side of a split, and the clip of probabilities. */
export const K_EPSILON = Math.fround(1e-15);

/** kMinScore = -inf: the gain of "no split" and the start of any best-score search. */
export const K_MIN_SCORE = Number.NEGATIVE_INFINITY;

/** kZeroThreshold = 1e-35f: |x| <= kZeroThreshold counts as zero (data reading, binning, splits, leaf values). */
export const K_ZERO_THRESHOLD = Math.fround(1e-35);
