/**
 * Explanations of a GBDT model, as LightGBM computes them:
 * - feature importance (GBDT::FeatureImportance): per feature, the number of splits with positive gain
 *   ('split') or the sum of those gains ('gain', gains as float32 like LightGBM stores them);
 * - per-prediction feature contributions (LightGBM's predict_contrib, Tree::TreeSHAP): exact SHAP values
 *   by the polynomial-time TreeSHAP algorithm of Lundberg, Erion and Lee, "Consistent Individualized
 *   Feature Attribution for Tree Ensembles" (arXiv:1802.03888, 2018), using the training row counts of
 *   nodes (internal_count / leaf_count) as cover. A row's output has numFeatures + 1 values per model
 *   output: one per feature, then the expected value (the count-weighted mean leaf value, summed over trees);
 *   they add up to the raw score.
 */
import { UsageError } from '../../errors.js';
import type { GbdtModel, Tree } from './model.js';
import { decide } from './predict.js';

export type ImportanceType = 'split' | 'gain';

/** Trees used for `numIteration` iterations (<= 0 or absent: all). */
function usedTrees(model: GbdtModel, numIteration?: number): number {
  const k = model.numTreePerIteration;
  const all = model.trees.length;
  return numIteration !== undefined && numIteration > 0 ? Math.min(numIteration * k, all) : all;
}

/** LightGBM's feature_importance: one value per feature (max_feature_idx + 1). */
export function featureImportance(
  model: GbdtModel,
  type: ImportanceType = 'split',
  numIteration?: number,
): Float64Array {
  const out = new Float64Array(model.maxFeatureIdx + 1);
  const n = usedTrees(model, numIteration);
  for (let ti = 0; ti < n; ti++) {
    const t = model.trees[ti]!;
    for (let i = 0; i < t.numLeaves - 1; i++) {
      const gain = Math.fround(t.splitGain[i]!);
      if (gain > 0) out[t.splitFeature[i]!] += type === 'split' ? 1 : gain;
    }
  }
  return out;
}

/** Tree::ExpectedValue: the mean leaf value weighted by training row counts. */
export function expectedValue(t: Tree): number {
  if (t.numLeaves === 1) return t.leafValue[0]!;
  const total = t.internalCount[0]!;
  let v = 0;
  for (let i = 0; i < t.numLeaves; i++) v += (t.leafCount[i]! / total) * t.leafValue[i]!;
  return v;
}

function maxDepth(t: Tree): number {
  if (t.numLeaves <= 1) return 0;
  let best = 0;
  const stack: number[] = [0, 0];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const node = stack.pop()!;
    for (const c of [t.leftChild[node]!, t.rightChild[node]!]) {
      if (c >= 0) stack.push(c, depth + 1);
      else best = Math.max(best, depth + 1);
    }
  }
  return best;
}

/** Computes SHAP contributions; holds the path buffers so that rows allocate nothing. */
export class ShapExplainer {
  readonly numFeatures: number;
  readonly numOutputs: number;
  /** Values per row: numOutputs * (numFeatures + 1). */
  readonly rowWidth: number;
  private readonly trees: Tree[];
  private readonly expected: Float64Array;
  // The unique path of TreeSHAP, as parallel arrays (LightGBM's PathElement).
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  // Per-call state of the recursion (set by contribRow).
  private x: ArrayLike<number> = [];
  private xOff = 0;
  private phi: Float64Array = new Float64Array(0);
  private phiOff = 0;
  private tree!: Tree;

  constructor(
    readonly model: GbdtModel,
    options: { numIteration?: number } = {},
  ) {
    this.numFeatures = model.maxFeatureIdx + 1;
    this.numOutputs = model.numTreePerIteration;
    this.rowWidth = this.numOutputs * (this.numFeatures + 1);
    if (model.averageOutput)
      throw new UsageError('contributions of average_output (random forest) models are not supported');
    this.trees = model.trees.slice(0, usedTrees(model, options.numIteration));
    this.expected = Float64Array.from(this.trees.map(expectedValue));
    let len = 1;
    for (const t of this.trees) {
      const m = maxDepth(t) + 1;
      len = Math.max(len, (m * (m + 1)) / 2);
    }
    this.pathFeature = new Int32Array(len);
    this.pathZero = new Float64Array(len);
    this.pathOne = new Float64Array(len);
    this.pathWeight = new Float64Array(len);
  }

  /** Contributions of the row at x[offset ..] into out[outOffset .. outOffset + rowWidth). */
  contribRow(x: ArrayLike<number>, offset: number, out: Float64Array, outOffset = 0): void {
    const nf = this.numFeatures;
    out.fill(0, outOffset, outOffset + this.rowWidth);
    this.x = x;
    this.xOff = offset;
    this.phi = out;
    for (let ti = 0; ti < this.trees.length; ti++) {
      const k = ti % this.numOutputs;
      const t = this.trees[ti]!;
      this.phiOff = outOffset + k * (nf + 1);
      out[this.phiOff + nf] += this.expected[ti]!;
      if (t.numLeaves > 1) {
        this.tree = t;
        this.recurse(0, 0, 0, 1, 1, -1);
      }
    }
  }

  /** Contributions for `rows` rows of a row-major matrix (rows x numFeatures): rows x rowWidth. */
  contrib(x: Float64Array, rows: number, out = new Float64Array(rows * this.rowWidth)): Float64Array {
    for (let r = 0; r < rows; r++) this.contribRow(x, r * this.numFeatures, out, r * this.rowWidth);
    return out;
  }

  private count(node: number): number {
    return node >= 0 ? this.tree.internalCount[node]! : this.tree.leafCount[~node]!;
  }

  /** Tree::TreeSHAP: the path for this node starts at parentStart + depth in the path buffers. */
  private recurse(
    node: number,
    depth: number,
    parentStart: number,
    parentZero: number,
    parentOne: number,
    parentFeature: number,
  ): void {
    const start = parentStart + depth;
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    for (let i = 0; i < depth; i++) {
      pf[start + i] = pf[parentStart + i]!;
      pz[start + i] = pz[parentStart + i]!;
      po[start + i] = po[parentStart + i]!;
      pw[start + i] = pw[parentStart + i]!;
    }
    this.extendPath(start, depth, parentZero, parentOne, parentFeature);
    const t = this.tree;
    if (node < 0) {
      const value = t.leafValue[~node]!;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundPathSum(start, depth, i);
        const p = start + i;
        this.phi[this.phiOff + this.pathFeature[p]!] += w * (this.pathOne[p]! - this.pathZero[p]!) * value;
      }
      return;
    }
    const feature = t.splitFeature[node]!;
    const hot = decide(t, node, this.x[this.xOff + feature]!);
    const cold = hot === t.leftChild[node]! ? t.rightChild[node]! : t.leftChild[node]!;
    const w = this.count(node);
    const hotZero = this.count(hot) / w;
    const coldZero = this.count(cold) / w;
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature already on the path is unwound and split again here.
    let pathIndex = 0;
    for (; pathIndex <= depth; pathIndex++) if (this.pathFeature[start + pathIndex] === feature) break;
    if (pathIndex !== depth + 1) {
      incomingZero = this.pathZero[start + pathIndex]!;
      incomingOne = this.pathOne[start + pathIndex]!;
      this.unwindPath(start, depth, pathIndex);
      depth -= 1;
    }
    this.recurse(hot, depth + 1, start, hotZero * incomingZero, incomingOne, feature);
    this.recurse(cold, depth + 1, start, coldZero * incomingZero, 0, feature);
  }

  private extendPath(s: number, depth: number, zero: number, one: number, feature: number): void {
    const w = this.pathWeight;
    this.pathFeature[s + depth] = feature;
    this.pathZero[s + depth] = zero;
    this.pathOne[s + depth] = one;
    w[s + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      w[s + i + 1] += (one * w[s + i]! * (i + 1)) / (depth + 1);
      w[s + i] = (zero * w[s + i]! * (depth - i)) / (depth + 1);
    }
  }

  private unwindPath(s: number, depth: number, pathIndex: number): void {
    const w = this.pathWeight;
    const one = this.pathOne[s + pathIndex]!;
    const zero = this.pathZero[s + pathIndex]!;
    let nextOnePortion = w[s + depth]!;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = w[s + i]!;
        w[s + i] = (nextOnePortion * (depth + 1)) / ((i + 1) * one);
        nextOnePortion = tmp - (w[s + i]! * zero * (depth - i)) / (depth + 1);
      } else {
        w[s + i] = (w[s + i]! * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = pathIndex; i < depth; i++) {
      this.pathFeature[s + i] = this.pathFeature[s + i + 1]!;
      this.pathZero[s + i] = this.pathZero[s + i + 1]!;
      this.pathOne[s + i] = this.pathOne[s + i + 1]!;
    }
  }

  private unwoundPathSum(s: number, depth: number, pathIndex: number): number {
    const w = this.pathWeight;
    const one = this.pathOne[s + pathIndex]!;
    const zero = this.pathZero[s + pathIndex]!;
    let nextOnePortion = w[s + depth]!;
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = (nextOnePortion * (depth + 1)) / ((i + 1) * one);
        total += tmp;
        nextOnePortion = w[s + i]! - tmp * zero * ((depth - i) / (depth + 1));
      } else {
        total += w[s + i]! / zero / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }
}
