/**
 * NDCG, the one definition every part uses (Jarvelin & Kekalainen, "Cumulated gain-based evaluation of IR
 * techniques", 2002): discount 1 / log2(rank + 2) for rank from 0; binary NDCG@k (every relevant item gains
 * 1; the ideal list puts min(k, nRelevant) relevant items first), graded NDCG@k with linear gains, and the
 * mean NDCG@k of groups of scored rows (the ranker's validation users). Offline evaluation
 * (../evaluation/evaluate.ts) and the ranker's blend search use these; the booster's LightGBM metric
 * (../ranking/gbdt/metric/) shares the discount and keeps LightGBM's own conventions (label gains, a query
 * without positives scoring 1) so that its output matches LightGBM's.
 */

/** The gains of one ranked list, best first: gains[r] is the grade of the item at rank r (0: not relevant). */
type Gains = ArrayLike<number>;

/** Ranks with a precomputed discount (LightGBM's DCGCalculator::kMaxPosition). */
export const MAX_POSITION = 10000;
const DISCOUNT = new Float64Array(MAX_POSITION);
for (let i = 0; i < MAX_POSITION; i++) DISCOUNT[i] = 1 / Math.log2(2 + i);

/** 1 / log2(2 + rank), rank from 0. */
export function discount(rank: number): number {
  return rank < MAX_POSITION ? DISCOUNT[rank]! : 1 / Math.log2(2 + rank);
}

/** Discounted cumulative gain over the top k with linear gains: sum gains[r] / log2(r + 2). */
export function dcgAtK(gains: Gains, k: number): number {
  const n = Math.min(k, gains.length);
  let s = 0;
  for (let r = 0; r < n; r++) if (gains[r]! > 0) s += gains[r]! / Math.log2(r + 2);
  return s;
}

/**
 * Binary NDCG@k: every relevant item (gains[r] > 0) has gain 1; the ideal list puts min(k, nRelevant)
 * relevant items first. 0 when there is none.
 */
export function ndcgAtK(gains: Gains, k: number, nRelevant: number): number {
  const m = Math.min(k, nRelevant);
  if (m <= 0) return 0;
  let dcg = 0;
  const n = Math.min(k, gains.length);
  for (let r = 0; r < n; r++) if (gains[r]! > 0) dcg += discount(r);
  let idcg = 0;
  for (let r = 0; r < m; r++) idcg += discount(r);
  return dcg / idcg;
}

/**
 * Graded NDCG@k with linear gains (gain = grade, e.g. the rating). `idealGrades` are the user's relevant
 * grades sorted in descending order; the ideal DCG takes the first min(k, length) of them.
 */
export function gradedNdcgAtK(gains: Gains, k: number, idealGrades: Gains): number {
  const idcg = dcgAtK(idealGrades, Math.min(k, idealGrades.length));
  return idcg > 0 ? dcgAtK(gains, k) / idcg : 0;
}

/**
 * Mean binary NDCG@k over consecutive groups of rows (groups[g] rows each; labels > 0 relevant), each
 * ordered by `score` descending, ties in row order. NaN without groups.
 */
export function groupNdcg(
  labels: Float32Array,
  groups: Int32Array | undefined,
  score: ArrayLike<number>,
  k: number,
): number {
  if (!groups) return Number.NaN;
  let sum = 0;
  let start = 0;
  const hits = new Uint8Array(k);
  for (const m of groups) {
    const idx = Array.from({ length: m }, (_, j) => start + j);
    idx.sort((a, b) => score[b]! - score[a]! || a - b);
    let pos = 0;
    for (let j = 0; j < m; j++) if (labels[start + j]! > 0) pos++;
    const n = Math.min(k, m);
    for (let j = 0; j < n; j++) hits[j] = labels[idx[j]!]! > 0 ? 1 : 0;
    sum += ndcgAtK(hits.subarray(0, n), k, pos);
    start += m;
  }
  return sum / Math.max(1, groups.length);
}
