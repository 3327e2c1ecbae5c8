/**
 * Top-N selection: the n best entries of a score vector with a small typed-array min-heap (O(len log n),
 * no object per entry). Every ranked list in reco is cut by it: a recommender's top items, the ranker's
 * best candidates, early exit's survivors.
 */
import type { TopN } from '../types.js';

/** The heap, kept between calls (selection never re-enters itself). */
let heapItemsBuffer = new Int32Array(0);
let heapScoresBuffer = new Float64Array(0);

type Worse = (sa: number, ia: number, sb: number, ib: number) => boolean;

/** Puts (v, i) at the root of the heap of `size` entries in place of its root and sifts it down. */
function siftDown(
  heapScores: Float64Array,
  heapItems: Int32Array,
  size: number,
  v: number,
  i: number,
  worse: Worse,
): void {
  let j = 0;
  for (;;) {
    const l = 2 * j + 1;
    if (l >= size) break;
    const r = l + 1;
    const c = r < size && worse(heapScores[r]!, heapItems[r]!, heapScores[l]!, heapItems[l]!) ? r : l;
    if (!worse(heapScores[c]!, heapItems[c]!, v, i)) break;
    heapScores[j] = heapScores[c]!;
    heapItems[j] = heapItems[c]!;
    j = c;
  }
  heapScores[j] = v;
  heapItems[j] = i;
}

/**
 * Leaves the n best indices of scores[0..length) in the heap buffers' first `size` slots, best first, and
 * returns size. Order: score descending, then tie key ascending (tie[i], or i itself). `skip` (ascending
 * indices) and `allowed` (allowed[i] === 0 drops i) filter; NaN scores are never selected.
 */
function selectInto(
  scores: ArrayLike<number>,
  n: number,
  skip: ArrayLike<number> | undefined,
  allowed: Uint8Array | undefined,
  length: number,
  tie: Int32Array | undefined,
): number {
  n = Math.max(0, Math.min(n, length));
  if (heapItemsBuffer.length < n) {
    heapItemsBuffer = new Int32Array(n);
    heapScoresBuffer = new Float64Array(n);
  }
  const heapItems = heapItemsBuffer;
  const heapScores = heapScoresBuffer;
  let size = 0;
  let s = 0;
  const skipLen = skip ? skip.length : 0;
  // "a is worse than b": lower score, or same score and higher tie key
  const worse: Worse = tie
    ? (sa: number, ia: number, sb: number, ib: number): boolean =>
        sa < sb || (sa === sb && tie[ia]! > tie[ib]!)
    : (sa: number, ia: number, sb: number, ib: number): boolean => sa < sb || (sa === sb && ia > ib);
  for (let i = 0; i < length && n > 0; i++) {
    if (skip) {
      while (s < skipLen && skip[s]! < i) s++;
      if (s < skipLen && skip[s] === i) continue;
    }
    if (allowed && allowed[i] === 0) continue;
    const v = scores[i]!;
    if (Number.isNaN(v)) continue;
    if (size < n) {
      // sift up
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!worse(v, i, heapScores[p]!, heapItems[p]!)) break;
        heapScores[j] = heapScores[p]!;
        heapItems[j] = heapItems[p]!;
        j = p;
      }
      heapScores[j] = v;
      heapItems[j] = i;
    } else if (worse(heapScores[0]!, heapItems[0]!, v, i)) siftDown(heapScores, heapItems, size, v, i, worse);
  }
  // heapsort in place: the root (the worst left) goes to the slot the heap frees at its end, so the
  // buffers end best first
  for (let k = size - 1; k > 0; k--) {
    const rootS = heapScores[0]!;
    const rootI = heapItems[0]!;
    siftDown(heapScores, heapItems, k, heapScores[k]!, heapItems[k]!, worse);
    heapScores[k] = rootS;
    heapItems[k] = rootI;
  }
  return size;
}

/**
 * The n best entries of `scores`, best first (ties: lower index first), with their scores in float32.
 * `skip` (ascending indices) and `allowed` (allowed[i] === 0 drops i) filter; NaN scores are never returned.
 */
export function selectTopN(
  scores: ArrayLike<number>,
  n: number,
  skip?: ArrayLike<number>,
  allowed?: Uint8Array,
  length = scores.length,
): TopN {
  const size = selectInto(scores, n, skip, allowed, length, undefined);
  return {
    items: heapItemsBuffer.slice(0, size),
    scores: Float32Array.from(heapScoresBuffer.subarray(0, size)),
  };
}

/**
 * Indices of the k best rows of `scores`, best first: score descending, then `tie[row]` ascending (e.g. the
 * rows' item indices, so that equal scores order as the items do). NaN rows are never returned.
 */
export function bestRows(scores: ArrayLike<number>, k: number, tie: Int32Array): Int32Array {
  const size = selectInto(scores, k, undefined, undefined, scores.length, tie);
  return heapItemsBuffer.slice(0, size);
}
