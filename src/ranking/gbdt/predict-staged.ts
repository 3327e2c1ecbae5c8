/**
 * Staged prediction with early exit (Cambazoglu et al., "Early exit optimizations for additive machine
 * learned ranking systems", WSDM 2010) over one or more single-output models whose raw outputs a caller
 * combines into one score per row (e.g. a sum of probabilities):
 * 1. every row through each model's head: its first `headTrees` trees;
 * 2. the `keep` best rows by the combined partial score through each model's remaining trees, together;
 * 3. the kept rows get their full score, exactly the one every tree gives (the same sums in the same tree
 *    order: ./predict.ts's head and rest of a predictor built with splitAt); the other rows are placed
 *    below the lowest of them, in their partial order.
 * Every buffer is the predictor's own and reused: a call allocates nothing, and the scores it returns stay
 * valid until its next call.
 */
import { selectTopN } from '../../core/top-n.js';
import type { GbdtModel } from './model.js';
import { GbdtPredictor } from './predict.js';

/**
 * Adds to out[j], for each j < out.length, the combined score of row `rows[j]` (of row j when `rows` is
 * absent) from raw[k][j], model k's raw output for it.
 */
export type CombineRaw = (
  raw: readonly Float64Array[],
  rows: Int32Array | undefined,
  out: Float64Array,
) => void;

export class StagedPredictor {
  /** Per model, its predictor (compiled; split after `headTrees` when the model allows it). */
  readonly predictors: readonly GbdtPredictor[];
  /** Whether early exit applies: some models, each single-output, not averaged, with trees to split. */
  readonly staged: boolean;
  /** The rows kept in the last call, their feature rows, and the scratch of partial and full scores. */
  private keptRows = new Float64Array(0);
  private scratch = new Float64Array(0);
  private isKept = new Uint8Array(0);

  constructor(
    models: readonly GbdtModel[],
    readonly headTrees: number,
  ) {
    this.predictors = models.map(
      (model) =>
        new GbdtPredictor(model, {
          compile: true,
          ...(headTrees > 0 && model.numTreePerIteration === 1 && !model.averageOutput
            ? { splitAt: headTrees }
            : {}),
        }),
    );
    this.staged = this.predictors.length > 0 && this.predictors.every((p) => p.split > 0);
  }

  /**
   * The combined score of `rows` feature rows (row-major, the models' width): with early exit when it
   * applies and there are more rows than `keep`, else by every tree.
   */
  predict(x: Float64Array, rows: number, keep: number, combine: CombineRaw): Float64Array {
    if (!this.staged || rows <= keep) {
      const out = new Float64Array(rows);
      combine(
        this.predictors.map((p) => p.predictRaw(x, rows)),
        undefined,
        out,
      );
      return out;
    }
    const M = this.predictors.length;
    const W = this.predictors[0]!.numFeatures;
    const need = rows * (M + 2) + keep * (M + 1);
    if (this.scratch.length < need) this.scratch = new Float64Array(need);
    if (this.isKept.length < rows) this.isKept = new Uint8Array(rows);
    let at = 0;
    const take = (n: number): Float64Array => {
      const a = this.scratch.subarray(at, at + n).fill(0);
      at += n;
      return a;
    };
    const heads = this.predictors.map((p) => {
      const raw = take(rows);
      p.addTrees('head', x, rows, raw);
      return raw;
    });
    const partial = take(rows);
    combine(heads, undefined, partial);
    const kept = selectTopN(partial, keep).items;
    // the kept rows, together, through the rest of the trees
    if (this.keptRows.length < keep * W) this.keptRows = new Float64Array(keep * W);
    const xs = this.keptRows;
    for (let j = 0; j < keep; j++) {
      const from = kept[j]! * W;
      for (let c = 0; c < W; c++) xs[j * W + c] = x[from + c]!;
    }
    const fulls = this.predictors.map((p, k) => {
      const raw = take(keep);
      for (let j = 0; j < keep; j++) raw[j] = heads[k]![kept[j]!]!;
      p.addTrees('tail', xs, keep, raw);
      return raw;
    });
    const full = take(keep);
    combine(fulls, kept, full);
    let minKept = Number.POSITIVE_INFINITY;
    for (let j = 0; j < keep; j++) minKept = Math.min(minKept, full[j]!);
    let maxRest = Number.NEGATIVE_INFINITY;
    const isKept = this.isKept.fill(0, 0, rows);
    for (let j = 0; j < keep; j++) isKept[kept[j]!] = 1;
    for (let r = 0; r < rows; r++) if (!isKept[r]) maxRest = Math.max(maxRest, partial[r]!);
    const out = take(rows);
    for (let r = 0; r < rows; r++) out[r] = isKept[r] ? 0 : minKept - 1e-3 - (maxRest - partial[r]!);
    for (let j = 0; j < keep; j++) out[kept[j]!] = full[j]!;
    return out;
  }
}
