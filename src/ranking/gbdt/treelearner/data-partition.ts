/**
 * Which rows are in which leaf, as LightGBM's DataPartition (src/treelearner/data_partition.hpp): one
 * Int32Array of row indices where each leaf owns a contiguous range; a split reorders its leaf's range
 * into left rows then right rows (each in their previous order) and the right part becomes the new leaf.
 */
import type { BinColumn } from '../io/dataset.js';
import { MISSING_NAN, MISSING_ZERO } from '../model.js';

export class DataPartition {
  readonly indices: Int32Array;
  readonly leafBegin: Int32Array;
  readonly leafCount: Int32Array;
  private readonly tmp: Int32Array;

  /** With `shared`, the row indices live in a SharedArrayBuffer (read by a histogram worker thread). */
  constructor(numRows: number, maxLeaves: number, shared = false) {
    this.indices = new Int32Array(shared ? new SharedArrayBuffer(4 * numRows) : new ArrayBuffer(4 * numRows));
    this.tmp = new Int32Array(numRows);
    this.leafBegin = new Int32Array(maxLeaves);
    this.leafCount = new Int32Array(maxLeaves);
  }

  /** All rows (or the bagged ones, in order) in leaf 0. */
  init(numRows: number, bag: Int32Array | null, bagCount: number): void {
    this.leafBegin.fill(0);
    this.leafCount.fill(0);
    if (bag === null) {
      for (let i = 0; i < numRows; i++) this.indices[i] = i;
      this.leafCount[0] = numRows;
    } else {
      this.indices.set(bag.subarray(0, bagCount));
      this.leafCount[0] = bagCount;
    }
  }

  /**
   * Numerical split of `leaf`: bins <= threshold go left, except the missing bin (the zero bin for
   * MISSING_ZERO, the last bin for MISSING_NAN) which goes to the default side. Returns the left count.
   */
  splitNumerical(
    leaf: number,
    newLeaf: number,
    col: BinColumn,
    threshold: number,
    defaultLeft: boolean,
    missingType: number,
    missingBin: number,
  ): number {
    const idx = this.indices;
    const tmp = this.tmp;
    const begin = this.leafBegin[leaf]!;
    const end = begin + this.leafCount[leaf]!;
    let l = begin;
    let r = 0;
    // Branch-free: every row is written to both sides and only the side it belongs to advances (the
    // in-place left write never passes the read position).
    if (missingType === MISSING_NAN || missingType === MISSING_ZERO) {
      const dl = defaultLeft ? 1 : 0;
      for (let i = begin; i < end; i++) {
        const row = idx[i]!;
        const b = col[row]!;
        const le = b <= threshold ? 1 : 0;
        const left = b === missingBin ? dl : le;
        idx[l] = row;
        tmp[r] = row;
        l += left;
        r += 1 - left;
      }
    } else {
      for (let i = begin; i < end; i++) {
        const row = idx[i]!;
        const left = col[row]! <= threshold ? 1 : 0;
        idx[l] = row;
        tmp[r] = row;
        l += left;
        r += 1 - left;
      }
    }
    return this.finish(leaf, newLeaf, l, r);
  }

  /** Categorical split of `leaf`: rows whose bin is in `leftBins` (membership by bin) go left. */
  splitCategorical(leaf: number, newLeaf: number, col: BinColumn, leftBins: Uint8Array): number {
    const idx = this.indices;
    const tmp = this.tmp;
    const begin = this.leafBegin[leaf]!;
    const end = begin + this.leafCount[leaf]!;
    let l = begin;
    let r = 0;
    for (let i = begin; i < end; i++) {
      const row = idx[i]!;
      if (leftBins[col[row]!] === 1) idx[l++] = row;
      else tmp[r++] = row;
    }
    return this.finish(leaf, newLeaf, l, r);
  }

  private finish(leaf: number, newLeaf: number, l: number, r: number): number {
    const begin = this.leafBegin[leaf]!;
    this.indices.set(this.tmp.subarray(0, r), l);
    this.leafCount[leaf] = l - begin;
    this.leafBegin[newLeaf] = l;
    this.leafCount[newLeaf] = r;
    return l - begin;
  }
}
