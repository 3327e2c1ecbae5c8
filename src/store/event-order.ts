/**
 * Orderings of columnar events, O(n) where it can be: a stable LSD radix sort on timestamps (three
 * 11-bit passes over whole seconds, or milliseconds, since the first event), and a stable counting sort by
 * user on top of it for (user, time) order. No per-event objects.
 */
import type { EventLog } from '../types.js';
import type { EventColumns } from './store.js';

const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;

/** Positions 0..n-1 sorted by timestamp, ties in their original order. */
export function timeOrder(timestamp: Float64Array, n = timestamp.length): Int32Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let wholeSeconds = true;
  let sorted = true;
  for (let k = 0; k < n; k++) {
    const t = timestamp[k]!;
    if (t < min) min = t;
    if (t > max) max = t;
    if (wholeSeconds && t % 1000 !== 0) wholeSeconds = false;
    if (k > 0 && t < timestamp[k - 1]!) sorted = false;
  }
  const identity = new Int32Array(n);
  for (let k = 0; k < n; k++) identity[k] = k;
  if (sorted || n < 2) return identity;
  const unit = wholeSeconds ? 1000 : 1;
  const span = (max - min) / unit;
  if (!Number.isInteger(span) || span >= 2 ** (3 * BITS)) {
    // sub-millisecond or very long spans: a comparator sort (stable by position)
    return identity.sort((a, b) => timestamp[a]! - timestamp[b]! || a - b);
  }
  // Keys travel with the positions so that every pass reads sequentially.
  let keySrc = new Float64Array(n);
  let keyDst = new Float64Array(n);
  let src = identity;
  let dst = new Int32Array(n);
  for (let k = 0; k < n; k++) keySrc[k] = (timestamp[k]! - min) / unit;
  const count = new Int32Array(RADIX + 1);
  for (let pass = 0; pass < 3; pass++) {
    const div = 2 ** (pass * BITS);
    count.fill(0);
    for (let k = 0; k < n; k++) count[(Math.floor(keySrc[k]! / div) & MASK) + 1]!++;
    for (let b = 0; b < RADIX; b++) count[b + 1]! += count[b]!;
    for (let k = 0; k < n; k++) {
      const key = keySrc[k]!;
      const pos = count[Math.floor(key / div) & MASK]!++;
      keyDst[pos] = key;
      dst[pos] = src[k]!;
    }
    [src, dst] = [dst, src];
    [keySrc, keyDst] = [keyDst, keySrc];
  }
  return src;
}

/** Positions sorted by (user, timestamp), stable: a counting sort by user over the time order. */
export function userTimeOrder(
  user: Int32Array,
  timestamp: Float64Array,
  nUsers: number,
  n = user.length,
): Int32Array {
  const byTime = timeOrder(timestamp, n);
  const start = new Int32Array(nUsers + 1);
  for (let k = 0; k < n; k++) start[user[k]! + 1]!++;
  for (let u = 0; u < nUsers; u++) start[u + 1]! += start[u]!;
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const e = byTime[k]!;
    out[start[user[e]!]!++] = e;
  }
  return out;
}

/** The events reordered by `order` (new arrays). */
export function permuteEvents(c: EventColumns, order: Int32Array): EventColumns {
  const n = order.length;
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const type = new Uint8Array(n);
  const value = new Float32Array(n);
  const timestamp = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const o = order[k]!;
    user[k] = c.user[o]!;
    item[k] = c.item[o]!;
    type[k] = c.type[o]!;
    value[k] = c.value[o]!;
    timestamp[k] = c.timestamp[o]!;
  }
  return { user, item, type, value, timestamp, length: n };
}

/** A copy of the log sorted by timestamp (stable: ties keep insertion order). */
export function sortEventLogByTime(log: EventLog): EventLog {
  return { ...log, ...permuteEvents(log, timeOrder(log.timestamp, log.length)) };
}
