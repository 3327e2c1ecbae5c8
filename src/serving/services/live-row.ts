/**
 * A user's row changed live: items ascending with their weights (float32, as the interaction matrix stores
 * them), with room to grow, so that an event costs a binary search and at most one shift of the row's tail
 * (no new arrays per event). Views handed out (`view`) are read before the next event is applied.
 */
import { lowerBound, sortedIndexOf } from '../../core/search.js';

export interface Row {
  items: Int32Array;
  weights: Float32Array;
}

/** The weight of `item` in row `r` (0 when absent). */
export function rowWeight(r: Row, item: number): number {
  const k = sortedIndexOf(r.items, item);
  return k < 0 ? 0 : r.weights[k]!;
}

export class LiveRow {
  items: Int32Array;
  weights: Float32Array;
  length: number;

  constructor(from: Row) {
    this.length = from.items.length;
    const capacity = Math.max(8, this.length * 2);
    this.items = new Int32Array(capacity);
    this.weights = new Float32Array(capacity);
    this.items.set(from.items);
    this.weights.set(from.weights);
  }

  view(): Row {
    return { items: this.items.subarray(0, this.length), weights: this.weights.subarray(0, this.length) };
  }

  /** Adds `w` to the item's weight and returns the weight before (0 when absent); a zero sum is dropped. */
  add(item: number, w: number): number {
    const lo = lowerBound(this.items, this.length, item);
    if (lo < this.length && this.items[lo] === item) {
      const before = this.weights[lo]!;
      this.weights[lo] = before + w;
      if (this.weights[lo] === 0) {
        this.items.copyWithin(lo, lo + 1, this.length);
        this.weights.copyWithin(lo, lo + 1, this.length);
        this.length--;
      }
      return before;
    }
    if (w === 0) return 0;
    if (this.length === this.items.length) {
      const items = new Int32Array(this.length * 2);
      const weights = new Float32Array(this.length * 2);
      items.set(this.items);
      weights.set(this.weights);
      this.items = items;
      this.weights = weights;
    }
    this.items.copyWithin(lo + 1, lo, this.length);
    this.weights.copyWithin(lo + 1, lo, this.length);
    this.items[lo] = item;
    this.weights[lo] = w;
    this.length++;
    return 0;
  }
}
