/**
 * CSR utilities on typed arrays (no object per entry): build from coordinates (duplicates summed, columns
 * sorted), transpose, row lookup.
 */
import type { Csr } from '../types.js';
import { sortedIndexOf } from './search.js';

/** An empty rows x cols matrix. */
export function emptyCsr(rows: number, cols: number): Csr {
  return {
    rows,
    cols,
    indptr: new Int32Array(rows + 1),
    indices: new Int32Array(0),
    values: new Float32Array(0),
  };
}

/**
 * Builds a CSR matrix from `length` coordinates (row[k], col[k], value[k]), summing duplicates and sorting
 * each row's columns. Entries whose sum is exactly 0 are dropped. Counting sort by row, then by column
 * within a row through a dense `last position` marker: O(nnz + rows + cols).
 */
export function csrFromCoo(
  rows: number,
  cols: number,
  row: Int32Array,
  col: Int32Array,
  value: ArrayLike<number>,
  length = row.length,
): Csr {
  // Bucket by column first (counting sort), then stable-bucket by row: rows come out with sorted columns.
  const colCount = new Int32Array(cols + 1);
  for (let k = 0; k < length; k++) colCount[col[k]! + 1]!++;
  for (let c = 0; c < cols; c++) colCount[c + 1]! += colCount[c]!;
  const byCol = new Int32Array(length);
  const cursor = colCount.slice(0, cols);
  for (let k = 0; k < length; k++) byCol[cursor[col[k]!]!++] = k;

  const rowCount = new Int32Array(rows + 1);
  for (let k = 0; k < length; k++) rowCount[row[k]! + 1]!++;
  for (let r = 0; r < rows; r++) rowCount[r + 1]! += rowCount[r]!;
  const rowCursor = rowCount.slice(0, rows);
  const sortedIdx = new Int32Array(length);
  for (let t = 0; t < length; t++) {
    const k = byCol[t]!;
    sortedIdx[rowCursor[row[k]!]!++] = k;
  }

  // Merge duplicates (adjacent now) and drop zero sums.
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(length);
  const values = new Float64Array(length);
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    const start = nnz;
    for (let t = rowCount[r]!; t < rowCount[r + 1]!; t++) {
      const k = sortedIdx[t]!;
      const c = col[k]!;
      if (nnz > start && indices[nnz - 1] === c) values[nnz - 1]! += value[k]!;
      else {
        indices[nnz] = c;
        values[nnz++] = value[k]!;
      }
    }
    // Compact out zero sums.
    let w = start;
    for (let t = start; t < nnz; t++) {
      if (values[t] !== 0) {
        indices[w] = indices[t]!;
        values[w++] = values[t]!;
      }
    }
    nnz = w;
    indptr[r + 1] = nnz;
  }
  return {
    rows,
    cols,
    indptr,
    indices: indices.slice(0, nnz),
    values: Float32Array.from(values.subarray(0, nnz)),
  };
}

/** The transpose (cols x rows), with sorted columns. */
export function transpose(m: Csr): Csr {
  const nnz = m.indptr[m.rows]!;
  const indptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz; k++) indptr[m.indices[k]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const cursor = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const p = cursor[m.indices[k]!]!++;
      indices[p] = r;
      values[p] = m.values[k]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/** Position of (r, c) in the entry arrays, or -1 (binary search in the sorted row). */
export function csrFind(m: Pick<Csr, 'indptr' | 'indices'>, r: number, c: number): number {
  return sortedIndexOf(m.indices, c, m.indptr[r]!, m.indptr[r + 1]!);
}

/** The value at (r, c), or 0. */
export function csrGet(m: Csr, r: number, c: number): number {
  const k = csrFind(m, r, c);
  return k < 0 ? 0 : m.values[k]!;
}

/** Row r as views (no copy). */
export function csrRow(m: Csr, r: number): { items: Int32Array; weights: Float32Array } {
  const a = m.indptr[r]!;
  const b = m.indptr[r + 1]!;
  return { items: m.indices.subarray(a, b), weights: m.values.subarray(a, b) };
}

/** Number of entries in each column. */
export function columnCounts(m: Csr): Int32Array {
  const out = new Int32Array(m.cols);
  const nnz = m.indptr[m.rows]!;
  for (let k = 0; k < nnz; k++) out[m.indices[k]!]!++;
  return out;
}
