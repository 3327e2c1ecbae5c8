/**
 * The in-memory form of a gradient-boosted tree ensemble, mirroring LightGBM's text model format
 * (LightGBM src/io/tree.cpp, Tree::ToString / Tree(const char*)), so that a model loads, predicts and
 * saves exactly as LightGBM does. Arrays are typed; child indices follow LightGBM: a value >= 0 is an
 * internal node, a negative value v is the leaf ~v.
 */

/** decision_type bits, as LightGBM packs them. */
export const DECISION_CATEGORICAL_MASK = 1;
export const DECISION_DEFAULT_LEFT_MASK = 2;
/** Missing type, (decision_type >> 2) & 3. */
export const MISSING_NONE = 0;
export const MISSING_ZERO = 1;
export const MISSING_NAN = 2;

export interface Tree {
  numLeaves: number;
  numCat: number;
  /** Per internal node (numLeaves - 1 entries). */
  splitFeature: Int32Array;
  splitGain: Float64Array;
  /** Numerical: the threshold value; categorical: index into catBoundaries. */
  threshold: Float64Array;
  decisionType: Uint8Array;
  leftChild: Int32Array;
  rightChild: Int32Array;
  internalValue: Float64Array;
  internalWeight: Float64Array;
  internalCount: Int32Array;
  /** Per leaf. */
  leafValue: Float64Array;
  leafWeight: Float64Array;
  leafCount: Int32Array;
  /** Categorical splits: bitsets of categories going left, catThreshold[catBoundaries[i]..catBoundaries[i+1]). */
  catBoundaries: Int32Array;
  catThreshold: Uint32Array;
  shrinkage: number;
}

export interface GbdtModel {
  /** e.g. "lambdarank", "binary sigmoid:1", "regression" as written in the model file. */
  objective: string;
  numClass: number;
  numTreePerIteration: number;
  labelIndex: number;
  maxFeatureIdx: number;
  featureNames: string[];
  /** LightGBM's feature_infos: "[min:max]" for numerical, "a:b:c" category list, "none" if unused. */
  featureInfos: string[];
  trees: Tree[];
  /** The `parameters:` block and anything else to write back verbatim (may be empty). */
  parametersText?: string;
  /** Model format version as written (`v4`); saving always writes v4. */
  version?: string;
  /** Random-forest models: the raw score is the average of the trees, not their sum. */
  averageOutput?: boolean;
  /** LightGBM's monotone_constraints line (-1, 0, 1 per feature), kept to be written back. */
  monotoneConstraints?: number[];
  /** The `parser:` block (custom parser config), kept verbatim. */
  parserText?: string;
}
