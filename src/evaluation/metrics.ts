/**
 * Offline ranking metrics on typed arrays.
 *
 * Accuracy metrics take the *gain vector* of one user's ranked list: gains[r] is the relevance grade of the
 * item at rank r (0 = not relevant), for r < k. Binary metrics count gains[r] > 0 as a hit. `nRelevant` is
 * the number of relevant items the user has on the test side (those the list could have found).
 * Definitions follow the usual IR texts (Manning, Raghavan & Schuetze 2008, ch. 8; Jarvelin & Kekalainen 2002
 * for DCG). Beyond-accuracy metrics follow Castells, Hurley & Vargas, "Novelty and diversity in recommender
 * systems" (Recommender Systems Handbook, 2015) and Abdollahpouri et al. 2019 for popularity bias (ARP).
 */
import type { Csr } from '../types.js';

// NDCG (binary and graded) is in ../core/ndcg.ts, shared with the ranker's validation.

type Gains = ArrayLike<number>;

const hitsAt = (gains: Gains, k: number): number => {
  let h = 0;
  const n = Math.min(k, gains.length);
  for (let r = 0; r < n; r++) if (gains[r]! > 0) h++;
  return h;
};

/** Relevant items in the top k, over k (a short list still divides by k). */
export function precisionAtK(gains: Gains, k: number): number {
  return k > 0 ? hitsAt(gains, k) / k : 0;
}

/** Relevant items in the top k, over all the user's relevant items. */
export function recallAtK(gains: Gains, k: number, nRelevant: number): number {
  return nRelevant > 0 ? hitsAt(gains, k) / nRelevant : 0;
}

/** 1 when at least one relevant item is in the top k. */
export function hitRateAtK(gains: Gains, k: number): number {
  return hitsAt(gains, k) > 0 ? 1 : 0;
}

/** 1 / rank of the first relevant item within the top k (ranks from 1), 0 when none. */
export function reciprocalRankAtK(gains: Gains, k: number): number {
  const n = Math.min(k, gains.length);
  for (let r = 0; r < n; r++) if (gains[r]! > 0) return 1 / (r + 1);
  return 0;
}

/**
 * Average precision at k: the sum of precision@r over the ranks r <= k holding a relevant item, divided by
 * min(k, nRelevant) (the best a list of k can reach), so a perfect list scores 1.
 */
export function averagePrecisionAtK(gains: Gains, k: number, nRelevant: number): number {
  const denom = Math.min(k, nRelevant);
  if (denom <= 0) return 0;
  const n = Math.min(k, gains.length);
  let hits = 0;
  let sum = 0;
  for (let r = 0; r < n; r++) {
    if (gains[r]! > 0) {
      hits++;
      sum += hits / (r + 1);
    }
  }
  return sum / denom;
}

/**
 * Per-user AUC: the probability that a random relevant item scores above a random non-relevant one, among
 * the candidate items (those with excluded[i] === 0, i.e. not seen in training). Ties count one half
 * (Mann-Whitney U with mid-ranks). Returns NaN when there is no positive or no negative candidate.
 * `order` is scratch space of at least scores.length entries.
 */
export function aucFromScores(
  scores: ArrayLike<number>,
  positive: Uint8Array,
  excluded: Uint8Array | undefined,
  order: Int32Array = new Int32Array(scores.length),
): number {
  let n = 0;
  for (let i = 0; i < scores.length; i++) if (!excluded || excluded[i] === 0) order[n++] = i;
  const cand = order.subarray(0, n);
  cand.sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  let rankSumPos = 0;
  let r = 0;
  while (r < n) {
    // a block of tied scores shares the mid-rank
    let e = r + 1;
    const s = scores[cand[r]!]!;
    while (e < n && scores[cand[e]!]! === s) e++;
    const midRank = (r + 1 + e) / 2; // ranks are 1-based: (r+1 .. e) averaged
    for (let j = r; j < e; j++) {
      if (positive[cand[j]!] !== 0) {
        nPos++;
        rankSumPos += midRank;
      }
    }
    r = e;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Share of the catalogue that appears in at least one list: distinct recommended items / nItems. */
export function catalogueCoverage(lists: Int32Array[], nItems: number): number {
  if (nItems <= 0) return 0;
  const seen = new Uint8Array(nItems);
  let distinct = 0;
  for (const list of lists) {
    for (let r = 0; r < list.length; r++) {
      const i = list[r]!;
      if (seen[i] === 0) {
        seen[i] = 1;
        distinct++;
      }
    }
  }
  return distinct / nItems;
}

/**
 * Item popularity as the number of distinct users with a positive interaction on each item (positive
 * entries per column of a users x items matrix).
 */
export function itemUserCounts(interactions: Csr): Int32Array {
  const counts = new Int32Array(interactions.cols);
  for (let k = 0; k < interactions.indptr[interactions.rows]!; k++)
    if (interactions.values[k]! > 0) counts[interactions.indices[k]!]!++;
  return counts;
}

/**
 * Novelty: the mean self-information -log2 p(i) of the recommended items, p(i) = users who interacted with
 * i / all users. An item nobody interacted with counts as one user (so its novelty is log2 nUsers, finite).
 * Averaged over every recommended item of every list.
 */
export function novelty(lists: Int32Array[], userCounts: Int32Array, nUsers: number): number {
  let sum = 0;
  let n = 0;
  for (const list of lists) {
    for (let r = 0; r < list.length; r++) {
      const c = Math.max(1, userCounts[list[r]!]!);
      sum += -Math.log2(c / nUsers);
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

/**
 * Popularity percentile of every item: the share of items strictly less popular, plus half the ties
 * (mid-rank), so the most popular item is near 1 and the least near 0.
 */
export function popularityPercentiles(userCounts: Int32Array): Float64Array {
  const n = userCounts.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => userCounts[a]! - userCounts[b]!);
  const pct = new Float64Array(n);
  let r = 0;
  while (r < n) {
    let e = r + 1;
    while (e < n && userCounts[order[e]!] === userCounts[order[r]!]) e++;
    const below = r + (e - r - 1) / 2; // items strictly below plus half of the other ties
    for (let j = r; j < e; j++) pct[order[j]!] = n > 1 ? below / (n - 1) : 0.5;
    r = e;
  }
  return pct;
}

/** Mean of a per-item value over every recommended item of every list (ARP when the value is a count). */
export function meanItemValue(lists: Int32Array[], perItem: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (const list of lists) {
    for (let r = 0; r < list.length; r++) {
      sum += perItem[list[r]!]!;
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

/**
 * Average recommendation popularity (Abdollahpouri et al. 2019): the mean over lists of the mean user
 * count of the list's items.
 */
export function averageRecommendationPopularity(lists: Int32Array[], userCounts: Int32Array): number {
  let sum = 0;
  let n = 0;
  for (const list of lists) {
    if (list.length === 0) continue;
    let s = 0;
    for (let r = 0; r < list.length; r++) s += userCounts[list[r]!]!;
    sum += s / list.length;
    n++;
  }
  return n > 0 ? sum / n : 0;
}

/** Euclidean norms of the rows of a sparse matrix (item vectors). */
export function rowNorms(m: Csr): Float64Array {
  const norms = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) s += m.values[k]! * m.values[k]!;
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

/** Cosine similarity of rows a and b of a CSR matrix with sorted column indices (0 when either is empty). */
export function rowCosine(m: Csr, norms: Float64Array, a: number, b: number): number {
  const na = norms[a]!;
  const nb = norms[b]!;
  if (na === 0 || nb === 0) return 0;
  let i = m.indptr[a]!;
  let j = m.indptr[b]!;
  const ie = m.indptr[a + 1]!;
  const je = m.indptr[b + 1]!;
  let dot = 0;
  while (i < ie && j < je) {
    const ci = m.indices[i]!;
    const cj = m.indices[j]!;
    if (ci === cj) dot += m.values[i++]! * m.values[j++]!;
    else if (ci < cj) i++;
    else j++;
  }
  return dot / (na * nb);
}

/**
 * Intra-list diversity of one list: 1 - the mean cosine similarity over all pairs of its items, with items
 * as rows of `vectors` (genre indicators, or item columns of the interaction matrix). 0 for lists of < 2.
 */
export function intraListDiversity(list: Int32Array, vectors: Csr, norms: Float64Array): number {
  const n = list.length;
  if (n < 2) return 0;
  let sum = 0;
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) sum += rowCosine(vectors, norms, list[a]!, list[b]!);
  return 1 - sum / ((n * (n - 1)) / 2);
}
