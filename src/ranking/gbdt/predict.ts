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
 * loop touches no objects; input is a dense row-major Float64Array (rows x numFeatures).
 */
import { UsageError } from '../../errors.js';
import {
  DECISION_CATEGORICAL_MASK,
  DECISION_DEFAULT_LEFT_MASK,
  type GbdtModel,
  MISSING_NAN,
  MISSING_ZERO,
  type Tree,
} from './model.js';

/** LightGBM's kZeroThreshold: the float 1e-35f widened to double. */
export const K_ZERO_THRESHOLD = Math.fround(1e-35);

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
  private readonly root: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly decision: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly catBegin: Int32Array;
  private readonly catWords: Int32Array;
  private readonly catBits: Uint32Array;
  private readonly leafValue: Float64Array;

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
    const trees = model.trees.slice(0, this.numTrees);
    let nodes = 0;
    let leaves = 0;
    let words = 0;
    for (const t of trees) {
      nodes += t.numLeaves - 1;
      leaves += t.numLeaves;
      words += t.catThreshold.length;
    }
    this.root = new Int32Array(trees.length);
    this.feature = new Int32Array(nodes);
    this.threshold = new Float64Array(nodes);
    this.decision = new Uint8Array(nodes);
    this.left = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.catBegin = new Int32Array(nodes);
    this.catWords = new Int32Array(nodes);
    this.catBits = new Uint32Array(words);
    this.leafValue = new Float64Array(leaves);
    let n0 = 0;
    let l0 = 0;
    let w0 = 0;
    const child = (c: number) => (c >= 0 ? n0 + c : ~(l0 + ~c));
    for (let ti = 0; ti < trees.length; ti++) {
      const t = trees[ti]!;
      this.root[ti] = t.numLeaves > 1 ? n0 : ~l0;
      for (let i = 0; i < t.numLeaves - 1; i++) {
        const a = n0 + i;
        this.feature[a] = t.splitFeature[i]!;
        this.threshold[a] = t.threshold[i]!;
        this.decision[a] = t.decisionType[i]!;
        this.left[a] = child(t.leftChild[i]!);
        this.right[a] = child(t.rightChild[i]!);
        if ((t.decisionType[i]! & DECISION_CATEGORICAL_MASK) !== 0) {
          const c = t.threshold[i]!;
          this.catBegin[a] = w0 + t.catBoundaries[c]!;
          this.catWords[a] = t.catBoundaries[c + 1]! - t.catBoundaries[c]!;
        }
      }
      this.leafValue.set(t.leafValue.subarray(0, t.numLeaves), l0);
      this.catBits.set(t.catThreshold, w0);
      n0 += t.numLeaves - 1;
      l0 += t.numLeaves;
      w0 += t.catThreshold.length;
    }
  }

  /**
   * Sum of the outputs of trees first, first + step, ... for the row at x[offset ..]: the hot loop, with
   * every array in a local.
   */
  private sumTrees(x: ArrayLike<number>, offset: number, first: number, step: number): number {
    const root = this.root;
    const feature = this.feature;
    const threshold = this.threshold;
    const decision = this.decision;
    const left = this.left;
    const right = this.right;
    const catBegin = this.catBegin;
    const catWords = this.catWords;
    const catBits = this.catBits;
    const leafValue = this.leafValue;
    const numTrees = this.numTrees;
    let s = 0;
    for (let ti = first; ti < numTrees; ti += step) {
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
        } else if (Number.isNaN(v) || v < 0 || v >= 2147483648) {
          node = right[node]!;
        } else {
          const c = Math.trunc(v);
          const word = c >>> 5;
          node =
            word < catWords[node]! && ((catBits[catBegin[node]! + word]! >>> (c & 31)) & 1) !== 0
              ? left[node]!
              : right[node]!;
        }
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
    if (this.numOutputs === 1) {
      for (let r = 0; r < rows; r++) out[r] = this.predictRawOne(x, r * nf);
    } else {
      for (let r = 0; r < rows; r++) this.predictRawRow(x, r * nf, out, r * this.numOutputs);
    }
    return out;
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

/** One score through an element-wise transform (not softmax). */
export function applyTransform(tr: OutputTransform, raw: number): number {
  switch (tr.kind) {
    case 'sigmoid':
      return 1 / (1 + Math.exp(-tr.sigmoid * raw));
    case 'exp':
      return Math.exp(raw);
    case 'sqrt':
      return Math.sign(raw) * raw * raw;
    default:
      return raw;
  }
}
