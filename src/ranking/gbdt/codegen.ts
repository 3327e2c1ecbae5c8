/**
 * Trees compiled to JavaScript: each tree becomes one nested conditional expression whose constants (split
 * feature, threshold, leaf value) are literals, the way treelite compiles LightGBM models to C (treelite's
 * "codegen" backend: Cho & Li, "Treelite: toolbox for decision tree deployment", SysML 2018), so that no
 * node array is read at prediction time and V8 compiles the walk to straight branches.
 *
 * Bit-identical to the interpreter of ./predict.ts (LightGBM's Tree::NumericalDecision /
 * CategoricalDecision): the same comparisons on the same doubles (literals print with the shortest
 * representation that reads back to the same double), the leaf values added in the same tree order.
 * The trees are split over several functions of bounded size (V8 stops optimising very large functions),
 * chained so that the sum still runs tree by tree.
 */
import { K_ZERO_THRESHOLD } from './meta.js';
import { DECISION_CATEGORICAL_MASK, DECISION_DEFAULT_LEFT_MASK, MISSING_NAN, MISSING_ZERO } from './model.js';

/** Flattened trees: node arrays with absolute indices; a child c < 0 is the leaf ~c (see GbdtPredictor). */
export interface FlatTrees {
  root: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  decision: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  catBegin: Int32Array;
  catWords: Int32Array;
  catBits: Uint32Array;
  leafValue: Float64Array;
}

/** Categorical decision (LightGBM's CategoricalDecision): whether v goes left at a node with this bitset. */
export function categoryGoesLeft(catBits: Uint32Array, v: number, begin: number, words: number): boolean {
  if (Number.isNaN(v) || v < 0 || v >= 2147483648) return false;
  const c = Math.trunc(v);
  const word = c >>> 5;
  return word < words && ((catBits[begin + word]! >>> (c & 31)) & 1) !== 0;
}

/** A double as a JavaScript literal that reads back to the same value (-0 and non-finite included). */
function literal(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return `(${String(v)})`;
}

/** Internal nodes per generated function (well under V8's limit on the bytecode it optimises). */
const NODES_PER_FUNCTION = 200;

/** The expression of the subtree at `node` (an absolute node index, or ~leaf). */
function subtree(t: FlatTrees, node: number): string {
  if (node < 0) return literal(t.leafValue[~node]!);
  const x = `x[o + ${t.feature[node]!}]`;
  const l = subtree(t, t.left[node]!);
  const r = subtree(t, t.right[node]!);
  const dt = t.decision[node]!;
  if ((dt & DECISION_CATEGORICAL_MASK) !== 0)
    return `(cat(cb, ${x}, ${t.catBegin[node]!}, ${t.catWords[node]!}) ? ${l} : ${r})`;
  const thr = t.threshold[node]!;
  const dflt = (dt & DECISION_DEFAULT_LEFT_MASK) !== 0 ? l : r;
  // Every comparison with NaN is false, so one comparison sends NaN where it must go: `v > thr ? r : l`
  // sends it left, `v <= thr ? l : r` right (no separate test for NaN: one branch a node, not two).
  const nanLeft = `(${x} > ${literal(thr)} ? ${r} : ${l})`;
  const nanRight = `(${x} <= ${literal(thr)} ? ${l} : ${r})`;
  switch ((dt >> 2) & 3) {
    case MISSING_NAN:
      // NaN takes the default side
      return (dt & DECISION_DEFAULT_LEFT_MASK) !== 0 ? nanLeft : nanRight;
    case MISSING_ZERO: {
      // NaN counts as 0, and 0 (within kZeroThreshold) takes the default side
      const z = literal(K_ZERO_THRESHOLD);
      return `((v = ${x}) !== v || (v >= -${z} && v <= ${z}) ? ${dflt} : v <= ${literal(thr)} ? ${l} : ${r})`;
    }
    default:
      // NaN counts as 0: it goes left exactly when 0 <= threshold
      return 0 <= thr ? nanLeft : nanRight;
  }
}

/**
 * Adds, for `rows` rows of a row-major matrix (row r at x[xAt + r * width ..]), the sum of the leaf values they
 * reach in the compiled trees to out[outAt + r * outStride] (which the caller zeroes).
 */
export type TreeSum = (
  x: ArrayLike<number>,
  xAt: number,
  width: number,
  rows: number,
  out: Float64Array,
  outAt: number,
  outStride: number,
) => void;

/**
 * Compiles trees first, first + step, ... (< numTrees) of `t`. Each generated function holds a few dozen
 * trees and runs them over every row before the next function starts (tree-major, so that one block of
 * code stays in the instruction cache); each row's sum still adds its trees in model order.
 */
export function compileTreeSum(t: FlatTrees, first: number, step: number, numTrees: number): TreeSum {
  const parts: TreeSum[] = [];
  let body: string[] = [];
  let nodes = 0;
  const flush = () => {
    if (body.length === 0) return;
    const src = `let v = 0;
for (let r = 0; r < rows; r++) {
const o = xAt + r * width;
let s = out[outAt + r * outStride];
${body.join('\n')}
out[outAt + r * outStride] = s;
}`;
    const make = new Function(
      'cat',
      'cb',
      `return function trees(x, xAt, width, rows, out, outAt, outStride) {\n${src}\n};`,
    );
    parts.push(make(categoryGoesLeft, t.catBits));
    body = [];
    nodes = 0;
  };
  for (let ti = first; ti < numTrees; ti += step) {
    const root = t.root[ti]!;
    body.push(`s += ${subtree(t, root)};`);
    nodes += countNodes(t, root);
    if (nodes >= NODES_PER_FUNCTION) flush();
  }
  flush();
  return (x, xAt, width, rows, out, outAt, outStride) => {
    for (const part of parts) part(x, xAt, width, rows, out, outAt, outStride);
  };
}

function countNodes(t: FlatTrees, node: number): number {
  return node < 0 ? 0 : 1 + countNodes(t, t.left[node]!) + countNodes(t, t.right[node]!);
}

/**
 * Rows that together reach every leaf of every tree (one per leaf: each split on its path satisfied by a
 * value inside the interval the path allows, a categorical split by a category of its bitset or -1, and
 * the paths only a missing value can take by NaN), to
 * run through freshly compiled trees once. V8 optimises a function from the types it has seen at each
 * operation; a branch never taken has none, and taking it later throws the optimised code away. Run
 * once over these rows, every branch has its feedback before the first request.
 */
export function leafCoveringRows(t: FlatTrees, numFeatures: number): { x: Float64Array; rows: number } {
  const rows: Float64Array[] = [];
  // per feature on the current path: the interval (lo, hi] it must lie in, a category, or NaN
  const lo = new Float64Array(numFeatures);
  const hi = new Float64Array(numFeatures);
  const cat = new Float64Array(numFeatures);
  const nan = new Uint8Array(numFeatures);
  const walk = (node: number): void => {
    if (node < 0) {
      const row = new Float64Array(numFeatures);
      for (let f = 0; f < numFeatures; f++) {
        if (nan[f]) row[f] = Number.NaN;
        else if (!Number.isNaN(cat[f]!)) row[f] = cat[f]!;
        else if (Number.isFinite(hi[f]!)) row[f] = hi[f]!;
        else if (Number.isFinite(lo[f]!)) row[f] = lo[f]! + Math.max(1, Math.abs(lo[f]!));
        else row[f] = 0;
      }
      rows.push(row);
      return;
    }
    const f = t.feature[node]!;
    const dt = t.decision[node]!;
    const missing = (dt >> 2) & 3;
    const dflt = (dt & DECISION_DEFAULT_LEFT_MASK) !== 0 ? t.left[node]! : t.right[node]!;
    if (nan[f]) {
      // a NaN takes the default side of a NaN or Zero split, counts as 0 elsewhere, goes right when categorical
      if ((dt & DECISION_CATEGORICAL_MASK) !== 0) walk(t.right[node]!);
      else if (missing === MISSING_NAN || missing === MISSING_ZERO) walk(dflt);
      else walk(0 <= t.threshold[node]! ? t.left[node]! : t.right[node]!);
      return;
    }
    const [l0, h0, c0] = [lo[f]!, hi[f]!, cat[f]!];
    if ((dt & DECISION_CATEGORICAL_MASK) !== 0) {
      let first = -1;
      for (let w = 0; w < t.catWords[node]! && first < 0; w++) {
        const bits = t.catBits[t.catBegin[node]! + w]!;
        if (bits !== 0) first = w * 32 + (31 - Math.clz32(bits & -bits));
      }
      cat[f] = first;
      walk(t.left[node]!);
      cat[f] = -1;
      walk(t.right[node]!);
    } else {
      const thr = t.threshold[node]!;
      hi[f] = Math.min(h0, thr);
      walk(t.left[node]!);
      hi[f] = h0;
      lo[f] = Math.max(l0, thr);
      walk(t.right[node]!);
      if (missing === MISSING_NAN && l0 === Number.NEGATIVE_INFINITY && h0 === Number.POSITIVE_INFINITY) {
        // the paths only a missing value takes (below, splits on f it fails numerically)
        lo[f] = l0;
        nan[f] = 1;
        walk(dflt);
        nan[f] = 0;
      }
    }
    [lo[f], hi[f], cat[f]] = [l0, h0, c0];
  };
  for (let ti = 0; ti < t.root.length; ti++) {
    lo.fill(Number.NEGATIVE_INFINITY);
    hi.fill(Number.POSITIVE_INFINITY);
    cat.fill(Number.NaN);
    walk(t.root[ti]!);
  }
  const x = new Float64Array(rows.length * numFeatures);
  for (let k = 0; k < rows.length; k++) x.set(rows[k]!, k * numFeatures);
  return { x, rows: rows.length };
}
