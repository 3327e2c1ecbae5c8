/**
 * Searches in sorted runs of typed arrays: the one binary search every part uses (event times per item in
 * the feature state, a user's sorted item row, a CSR row).
 */

/** Sorted numbers as the searches read them (a typed array; a run of it is given by bounds). */
export type SortedArray = Int32Array | Float64Array;

/**
 * The first position in sorted a[from..to) whose entry is not below x (to when all are): the number of
 * entries of a[0..to) strictly below x when a[0..from) are known to be.
 */
export function lowerBound(a: SortedArray, to: number, x: number, from = 0): number {
  // past the last entry: a server's item features ask at now, after all of an item's events
  if (to > from && a[to - 1]! < x) return to;
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * lowerBound(a, n, x) searching back from the end (galloping: Bentley & Yao, "An almost optimal algorithm
 * for unbounded searching", 1976): log(n - answer) steps near a[n - 1], whose cache lines the caller has
 * just read, for the start of a recent window.
 */
export function lowerBoundFromEnd(a: SortedArray, n: number, x: number): number {
  let step = 1;
  let hi = n;
  while (hi > 0 && a[hi - 1]! >= x) {
    const next = Math.max(0, hi - step);
    if (a[next]! < x) return lowerBound(a, hi, x, next);
    hi = next;
    step *= 2;
  }
  return hi;
}

/** The position of x in sorted a[from..to), or -1. */
export function sortedIndexOf(a: SortedArray, x: number, from = 0, to = a.length): number {
  const k = lowerBound(a, to, x, from);
  return k < to && a[k] === x ? k : -1;
}

/** Whether sorted `a` holds x. */
export function sortedHas(a: SortedArray, x: number): boolean {
  return sortedIndexOf(a, x) >= 0;
}

/**
 * lowerBound over keys read through an order: the first position k in order[0..n) with
 * keys[order[k]] >= x, the order sorting those keys (a user's events, sorted by their times).
 */
export function lowerBoundBy(order: Int32Array, n: number, keys: Float64Array, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[order[mid]!]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
