/**
 * Top-N selection: the n best entries of a score vector with a small typed-array min-heap (O(len log n),
 * no object per entry). Every ranked list in reco is cut by it: a recommender's top items, the ranker's
 * best candidates, early exit's survivors.
 */
import type { TopN } from '../types.js';

/**
 * The heap, kept between calls (selection never re-enters itself): each entry's score, index and tie key.
 * Entry a is worse than entry b when its score is lower, or equal with a higher tie key; the comparisons are
 * written out in place (no comparator function: one called through a parameter costs a serving request
 * several per cent).
 */
let heapItemsBuffer = new Int32Array(0);
let heapKeysBuffer = new Int32Array(0);
let heapScoresBuffer = new Float64Array(0);

/** Puts (v, i, key) at the root of the heap of `size` entries in place of its root and sifts it down. */
function siftDown(
  heapScores: Float64Array,
  heapItems: Int32Array,
  heapKeys: Int32Array,
  size: number,
  v: number,
  i: number,
  key: number,
): void {
  let j = 0;
  for (;;) {
    const l = 2 * j + 1;
    if (l >= size) break;
    const r = l + 1;
    const sl = heapScores[l]!;
    const sr = r < size ? heapScores[r]! : Number.NaN;
    const c = r < size && (sr < sl || (sr === sl && heapKeys[r]! > heapKeys[l]!)) ? r : l;
    const sc = heapScores[c]!;
    if (!(sc < v || (sc === v && heapKeys[c]! > key))) break;
    heapScores[j] = sc;
    heapItems[j] = heapItems[c]!;
    heapKeys[j] = heapKeys[c]!;
    j = c;
  }
  heapScores[j] = v;
  heapItems[j] = i;
  heapKeys[j] = key;
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
    heapKeysBuffer = new Int32Array(n);
    heapScoresBuffer = new Float64Array(n);
  }
  const heapItems = heapItemsBuffer;
  const heapKeys = heapKeysBuffer;
  const heapScores = heapScoresBuffer;
  let size = 0;
  let s = 0;
  const skipLen = skip ? skip.length : 0;
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
      const key = tie ? tie[i]! : i;
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        const sp = heapScores[p]!;
        if (!(v < sp || (v === sp && key > heapKeys[p]!))) break;
        heapScores[j] = sp;
        heapItems[j] = heapItems[p]!;
        heapKeys[j] = heapKeys[p]!;
        j = p;
      }
      heapScores[j] = v;
      heapItems[j] = i;
      heapKeys[j] = key;
    } else {
      const s0 = heapScores[0]!;
      if (s0 < v || (s0 === v && heapKeys[0]! > (tie ? tie[i]! : i)))
        siftDown(heapScores, heapItems, heapKeys, size, v, i, tie ? tie[i]! : i);
    }
  }
  // heapsort in place: the root (the worst left) goes to the slot the heap frees at its end, so the
  // buffers end best first
  for (let k = size - 1; k > 0; k--) {
    const rootS = heapScores[0]!;
    const rootI = heapItems[0]!;
    const rootK = heapKeys[0]!;
    siftDown(heapScores, heapItems, heapKeys, k, heapScores[k]!, heapItems[k]!, heapKeys[k]!);
    heapScores[k] = rootS;
    heapItems[k] = rootI;
    heapKeys[k] = rootK;
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
