/**
 * Prediction with a GBDT model exactly as LightGBM computes it (LightGBM include/LightGBM/tree.h
 * Tree::NumericalDecision / CategoricalDecision / GetLeaf, src/boosting/gbdt_prediction.cpp PredictRaw):
 * the raw score of output k is the sum, in model order, of the leaf values of trees k, K+k, 2K+k, ...
 *
 * Numerical split: a NaN value counts as 0 unless the missing type is NaN; with missing type Zero a value
 * in [-kZeroThreshold, kZeroThreshold] (kZeroThreshold = 1e-35f), and with missing type NaN a NaN, goes to
 * the default side (default_left bit); otherwise value <= threshold goes left.
 * Categorical split: NaN and negative values go right; otherwise the value is truncated to an int and goes
 * left when its bit is set in the node's category bitset.
 *
 * The trees are flattened into one set of typed arrays (absolute node and leaf indices) so that the inner
 * loop touches no objects; input is a dense row-major Float64Array (rows x numFeatures). With `compile`
 * the same arrays are turned into JavaScript code (./codegen.ts), bit-identical and faster.
 */
import { sigmoid } from '../../core/math.js';
import { UsageError } from '../../errors.js';
import {
  categoryGoesLeft,
  compileTreeSum,
  type FlatTrees,
  leafCoveringRows,
  type TreeSum,
} from './codegen.js';
import { K_ZERO_THRESHOLD } from './meta.js';
import {
  DECISION_CATEGORICAL_MASK,
  DECISION_DEFAULT_LEFT_MASK,
  type GbdtModel,
  MISSING_NAN,
  MISSING_ZERO,
  type Tree,
} from './model.js';

/** The child a value goes to at one node of one tree (LightGBM's Tree::Decision). */
export function decide(t: Tree, node: number, fval: number): number {
  const dt = t.decisionType[node]!;
  if ((dt & DECISION_CATEGORICAL_MASK) !== 0) {
    if (Number.isNaN(fval) || fval < 0 || fval >= 2147483648) return t.rightChild[node]!;
    const v = Math.trunc(fval);
    const c = t.threshold[node]!;
    const begin = t.catBoundaries[c]!;
    const word = v >>> 5;
    if (word >= t.catBoundaries[c + 1]! - begin) return t.rightChild[node]!;
    return (t.catThreshold[begin + word]! >>> (v & 31)) & 1 ? t.leftChild[node]! : t.rightChild[node]!;
  }
  const missing = (dt >> 2) & 3;
  if (Number.isNaN(fval) && missing !== MISSING_NAN) fval = 0;
  if (
    (missing === MISSING_ZERO && fval >= -K_ZERO_THRESHOLD && fval <= K_ZERO_THRESHOLD) ||
    (missing === MISSING_NAN && Number.isNaN(fval))
  )
    return (dt & DECISION_DEFAULT_LEFT_MASK) !== 0 ? t.leftChild[node]! : t.rightChild[node]!;
  return fval <= t.threshold[node]! ? t.leftChild[node]! : t.rightChild[node]!;
}

/** The leaf a row reaches in one tree (LightGBM's Tree::GetLeaf). */
export function leafOf(t: Tree, x: ArrayLike<number>, offset = 0): number {
  if (t.numLeaves <= 1) return 0;
  let node = 0;
  while (node >= 0) node = decide(t, node, x[offset + t.splitFeature[node]!]!);
  return ~node;
}

/** How the raw score maps to the output (LightGBM's ObjectiveFunction::ConvertOutput). */
export type OutputTransform =
  | { kind: 'identity' }
  | { kind: 'sigmoid'; sigmoid: number }
  | { kind: 'exp' }
  | { kind: 'sqrt' }
  | { kind: 'softmax' };

/** The output transform the model's objective line implies, e.g. "binary sigmoid:1". */
export function outputTransformOf(model: GbdtModel): OutputTransform {
  const parts = model.objective.trim().split(/\s+/);
  const name = parts[0] ?? '';
  const arg = (key: string): number | undefined => {
    for (const p of parts.slice(1)) if (p.startsWith(`${key}:`)) return Number(p.slice(key.length + 1));
    return undefined;
  };
  switch (name) {
    case 'binary':
    case 'multiclassova': {
      const s = arg('sigmoid') ?? 1;
      if (!(s > 0)) throw new UsageError(`model objective "${model.objective}": sigmoid must be positive`);
      return { kind: 'sigmoid', sigmoid: s };
    }
    case 'cross_entropy':
    case 'xentropy':
      return { kind: 'sigmoid', sigmoid: 1 };
    case 'multiclass':
    case 'softmax':
      return { kind: 'softmax' };
    case 'poisson':
    case 'gamma':
    case 'tweedie':
      return { kind: 'exp' };
    case 'regression':
    case 'regression_l1':
    case 'huber':
    case 'fair':
    case 'quantile':
    case 'mape':
      return parts.includes('sqrt') ? { kind: 'sqrt' } : { kind: 'identity' };
    case 'lambdarank':
    case 'rank_xendcg':
    case '':
      return { kind: 'identity' };
    default:
      throw new UsageError(
        `model objective "${model.objective}": transformed output is not supported (use raw scores)`,
      );
  }
}

export interface PredictorOptions {
  /** Use only the first numIteration iterations (<= 0 or absent: all), as LightGBM's num_iteration. */
  numIteration?: number;
  /**
   * Compile the trees to JavaScript (./codegen.ts): the same scores, several times faster per row, for a
   * predictor that scores many rows (serving); costs a few milliseconds once.
   */
  compile?: boolean;
  /**
   * With `compile`, a single-output model: compile trees [0, splitAt) and [splitAt, numTrees) apart, so that
   * `addTrees` can run the head over every row and the tail over the rows it keeps (early exit,
   * ./predict-staged.ts). predictRaw runs head then tail: the same sums, in the same tree order.
   */
  splitAt?: number;
}

/** A model compiled for fast prediction. */
export class GbdtPredictor {
  /** Columns a row must have (max_feature_idx + 1). */
  readonly numFeatures: number;
  /** Scores per row (num_tree_per_iteration). */
  readonly numOutputs: number;
  readonly numTrees: number;
  readonly transform: OutputTransform;
  private readonly averageOver: number;
  private readonly flat: FlatTrees;
  /** Per output, its trees compiled (option `compile`). */
  private readonly compiled?: TreeSum[];
  /** With `splitAt` (single output): the boundary and the compiled head [0, split) and tail [split, numTrees). */
  readonly split: number;
  private readonly stages?: [TreeSum, TreeSum];
  private readonly one = new Float64Array(1);

  constructor(
    readonly model: GbdtModel,
    options: PredictorOptions = {},
  ) {
    this.numFeatures = model.maxFeatureIdx + 1;
    this.numOutputs = model.numTreePerIteration;
    const totalIter = Math.floor(model.trees.length / this.numOutputs);
    const iters =
      options.numIteration !== undefined && options.numIteration > 0
        ? Math.min(options.numIteration, totalIter)
        : totalIter;
    this.numTrees = iters * this.numOutputs;
    this.averageOver = model.averageOutput ? iters : 0;
    this.transform = outputTransformOf(model);
    this.flat = flatten(model.trees.slice(0, this.numTrees));
    const split = options.splitAt ?? 0;
    if (split !== 0 && !(Number.isInteger(split) && split > 0 && this.numOutputs === 1 && !this.averageOver))
      throw new UsageError(
        `splitAt: ${split} must be a positive integer, on a single-output model without averaged output`,
      );
    this.split = Math.min(split, this.numTrees);
    if (options.compile) {
      if (this.split > 0) {
        this.stages = [
          compileTreeSum(this.flat, 0, 1, this.split),
          compileTreeSum(this.flat, this.split, 1, this.numTrees),
        ];
        const [head, tail] = this.stages;
        this.compiled = [
          (x, xAt, width, rows, out, outAt, outStride) => {
            head(x, xAt, width, rows, out, outAt, outStride);
            tail(x, xAt, width, rows, out, outAt, outStride);
          },
        ];
      } else
        this.compiled = Array.from({ length: this.numOutputs }, (_, j) =>
          compileTreeSum(this.flat, j, this.numOutputs, this.numTrees),
        );
      // in blocks: V8 gives a function its feedback vector only after some calls and records from then on,
      // so a few blocks first, then every row
      const warm = leafCoveringRows(this.flat, this.numFeatures);
      const nf = this.numFeatures;
      const block = (r: number) => {
        const n = Math.min(64, warm.rows - r);
        this.predictRaw(warm.x.subarray(r * nf, (r + n) * nf), n);
      };
      for (let r = 0; r < Math.min(warm.rows, 8 * 64); r += 64) block(r);
      for (let r = 0; r < warm.rows; r += 64) block(r);
    }
  }

  /** The flattened trees (read-only). */
  flatTrees(): FlatTrees {
    return this.flat;
  }

  /**
   * Sum of the outputs of trees first, first + step, ... for the row at x[offset ..]: the hot loop, with
   * every array in a local.
   */
  private sumTrees(
    x: ArrayLike<number>,
    offset: number,
    first: number,
    step: number,
    end = this.numTrees,
    s0 = 0,
  ): number {
    if (this.compiled && end === this.numTrees && first < this.numOutputs && s0 === 0) {
      this.one[0] = 0;
      this.compiled[first]!(x, offset, this.numFeatures, 1, this.one, 0, 1);
      return this.one[0]!;
    }
    const { root, feature, threshold, decision, left, right, catBegin, catWords, catBits, leafValue } =
      this.flat;
    let s = s0;
    for (let ti = first; ti < end; ti += step) {
      let node = root[ti]!;
      while (node >= 0) {
        let v = x[offset + feature[node]!]!;
        const dt = decision[node]!;
        if ((dt & DECISION_CATEGORICAL_MASK) === 0) {
          const missing = (dt >> 2) & 3;
          if (Number.isNaN(v)) {
            if (missing === MISSING_NAN) {
              node = (dt & DECISION_DEFAULT_LEFT_MASK) !== 0 ? left[node]! : right[node]!;
              continue;
            }
            v = 0;
          }
          if (missing === MISSING_ZERO && v >= -K_ZERO_THRESHOLD && v <= K_ZERO_THRESHOLD)
            node = (dt & DECISION_DEFAULT_LEFT_MASK) !== 0 ? left[node]! : right[node]!;
          else node = v <= threshold[node]! ? left[node]! : right[node]!;
        } else
          node = categoryGoesLeft(catBits, v, catBegin[node]!, catWords[node]!) ? left[node]! : right[node]!;
      }
      s += leafValue[~node]!;
    }
    return s;
  }

  /** Raw score of a single-output model for one row at x[offset .. offset + numFeatures): the serving path. */
  predictRawOne(x: ArrayLike<number>, offset = 0): number {
    if (this.numOutputs !== 1)
      throw new UsageError('predictRawOne needs a single-output model; use predictRawRow');
    const s = this.sumTrees(x, offset, 0, 1);
    return this.averageOver > 0 ? s / this.averageOver : s;
  }

  /** Raw scores of one row into out[outOffset .. outOffset + numOutputs). */
  predictRawRow(x: ArrayLike<number>, offset: number, out: Float64Array, outOffset = 0): void {
    const k = this.numOutputs;
    for (let j = 0; j < k; j++) {
      const s = this.sumTrees(x, offset, j, k);
      out[outOffset + j] = this.averageOver > 0 ? s / this.averageOver : s;
    }
  }

  /** Raw scores for `rows` rows of a row-major matrix x (rows x numFeatures); out is rows x numOutputs. */
  predictRaw(x: Float64Array, rows: number, out = new Float64Array(rows * this.numOutputs)): Float64Array {
    const nf = this.numFeatures;
    if (x.length < rows * nf)
      throw new UsageError(`predictRaw: ${rows} rows need ${rows * nf} values, got ${x.length}`);
    if (this.compiled) {
      const k = this.numOutputs;
      out.fill(0, 0, rows * k);
      for (let j = 0; j < k; j++) this.compiled[j]!(x, 0, nf, rows, out, j, k);
      if (this.averageOver > 0) for (let i = 0; i < rows * k; i++) out[i] = out[i]! / this.averageOver;
    } else if (this.numOutputs === 1) {
      for (let r = 0; r < rows; r++) out[r] = this.predictRawOne(x, r * nf);
    } else {
      for (let r = 0; r < rows; r++) this.predictRawRow(x, r * nf, out, r * this.numOutputs);
    }
    return out;
  }

  /**
   * Early exit: adds to out[r] the raw outputs of trees [0, split) (`stage` 'head') or [split, numTrees)
   * ('tail') of a single-output model with `splitAt`, for `rows` rows of x. Head then tail gives the bits
   * predictRaw gives (each row's sum in tree order).
   */
  addTrees(stage: 'head' | 'tail', x: Float64Array, rows: number, out: Float64Array): void {
    if (this.split === 0) throw new UsageError('addTrees needs a predictor built with splitAt');
    const nf = this.numFeatures;
    if (x.length < rows * nf)
      throw new UsageError(`addTrees: ${rows} rows need ${rows * nf} values, got ${x.length}`);
    if (this.stages) this.stages[stage === 'head' ? 0 : 1](x, 0, nf, rows, out, 0, 1);
    else {
      const [from, to] = stage === 'head' ? [0, this.split] : [this.split, this.numTrees];
      for (let r = 0; r < rows; r++) out[r] = this.sumTrees(x, r * nf, from, 1, to, out[r]!);
    }
  }

  /** Transformed predictions (probabilities for binary), as LightGBM's predict without raw_score. */
  predict(x: Float64Array, rows: number, out = new Float64Array(rows * this.numOutputs)): Float64Array {
    this.predictRaw(x, rows, out);
    this.transformInPlace(out, rows);
    return out;
  }

  /** Applies the objective's output transform to rows x numOutputs raw scores. */
  transformInPlace(scores: Float64Array, rows: number): void {
    const k = this.numOutputs;
    const tr = this.transform;
    if (tr.kind === 'identity') return;
    if (tr.kind === 'softmax') {
      for (let r = 0; r < rows; r++) {
        const o = r * k;
        let max = scores[o]!;
        for (let j = 1; j < k; j++) max = Math.max(max, scores[o + j]!);
        let sum = 0;
        for (let j = 0; j < k; j++) {
          const e = Math.exp(scores[o + j]! - max);
          scores[o + j] = e;
          sum += e;
        }
        for (let j = 0; j < k; j++) scores[o + j] = scores[o + j]! / sum;
      }
      return;
    }
    const n = rows * k;
    for (let i = 0; i < n; i++) scores[i] = applyTransform(tr, scores[i]!);
  }
}

/** The trees as one set of typed arrays with absolute node and leaf indices (a leaf is ~index). */
function flatten(trees: Tree[]): FlatTrees {
  let nodes = 0;
  let leaves = 0;
  let words = 0;
  for (const t of trees) {
    nodes += t.numLeaves - 1;
    leaves += t.numLeaves;
    words += t.catThreshold.length;
  }
  const f: FlatTrees = {
    root: new Int32Array(trees.length),
    feature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    decision: new Uint8Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    catBegin: new Int32Array(nodes),
    catWords: new Int32Array(nodes),
    catBits: new Uint32Array(words),
    leafValue: new Float64Array(leaves),
  };
  let n0 = 0;
  let l0 = 0;
  let w0 = 0;
  const child = (c: number) => (c >= 0 ? n0 + c : ~(l0 + ~c));
  for (let ti = 0; ti < trees.length; ti++) {
    const t = trees[ti]!;
    f.root[ti] = t.numLeaves > 1 ? n0 : ~l0;
    for (let i = 0; i < t.numLeaves - 1; i++) {
      const a = n0 + i;
      f.feature[a] = t.splitFeature[i]!;
      f.threshold[a] = t.threshold[i]!;
      f.decision[a] = t.decisionType[i]!;
      f.left[a] = child(t.leftChild[i]!);
      f.right[a] = child(t.rightChild[i]!);
      if ((t.decisionType[i]! & DECISION_CATEGORICAL_MASK) !== 0) {
        const c = t.threshold[i]!;
        f.catBegin[a] = w0 + t.catBoundaries[c]!;
        f.catWords[a] = t.catBoundaries[c + 1]! - t.catBoundaries[c]!;
      }
    }
    f.leafValue.set(t.leafValue.subarray(0, t.numLeaves), l0);
    f.catBits.set(t.catThreshold, w0);
    n0 += t.numLeaves - 1;
    l0 += t.numLeaves;
    w0 += t.catThreshold.length;
  }
  return f;
}

/** One score through an element-wise transform (not softmax). */
export function applyTransform(tr: OutputTransform, raw: number): number {
  switch (tr.kind) {
    case 'sigmoid':
      return sigmoid(tr.sigmoid * raw);
    case 'exp':
      return Math.exp(raw);
    case 'sqrt':
      return Math.sign(raw) * raw * raw;
    default:
      return raw;
  }
}
