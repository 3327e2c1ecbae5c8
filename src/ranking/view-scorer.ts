/**
 * The label views' trees as scoring uses them: a row's ranked score is the sum over views of
 * sigmoid(raw + blend z) (binary trees: P(next) + P(missing)), or raw + blend z for one lambdarank view,
 * where raw is the view's trees' output and z the first source's per-user z-score (the stage-1 blend).
 * Serving asks for early exit (./gbdt/predict-staged.ts: every row through each view's first exitTrees
 * trees, the exitKeep best through the rest); scoreAll asks for every tree.
 */
import { sigmoid } from '../core/math.js';
import type { CandidateSet } from './candidates.js';
import type { GbdtPredictor } from './gbdt/predict.js';
import { type CombineRaw, StagedPredictor } from './gbdt/predict-staged.js';
import type { TrainedView } from './view-training.js';

export class ViewScorer {
  private readonly trees: StagedPredictor;

  /**
   * `headTrees`: the trees every row gets before early exit (0: no early exit); `probability`: binary
   * trees, whose views add up as probabilities.
   */
  constructor(
    readonly views: readonly TrainedView[],
    headTrees: number,
    private readonly probability: boolean,
  ) {
    this.trees = new StagedPredictor(
      views.map((v) => v.model),
      headTrees,
    );
  }

  /** View k's predictor (every tree). */
  predictor(k: number): GbdtPredictor {
    return this.trees.predictors[k]!;
  }

  /**
   * The score of `rows` feature rows with first-source z-scores `z`: by every tree, or with `keep` by early
   * exit (when more rows than keep; the kept rows' scores are exactly every tree's, the others rank below
   * them), each view's log-odds lowered by `offset` (binary; see ./catalogue-model.ts). Early exit's
   * scores stay valid until the next call with `keep`.
   */
  score(x: Float64Array, rows: number, z: Float64Array, keep = rows, offset = 0): Float64Array {
    const { views, probability } = this;
    const combine: CombineRaw = (raw, at, out) => {
      for (let k = 0; k < views.length; k++)
        addViewScores(raw[k]!, views[k]!.blend, z, at, out, probability, offset);
    };
    return this.trees.predict(x, rows, keep, combine);
  }
}

/**
 * out[j] += one view's score of row at[j] (row j without `at`) from its raw tree output:
 * sigmoid(raw + blend z - offset) (`prob`: binary), or raw + blend z (lambdarank, whose scores have no
 * probability scale to correct).
 */
export function addViewScores(
  raw: Float64Array,
  blend: number,
  z: Float64Array,
  at: Int32Array | undefined,
  out: Float64Array,
  prob: boolean,
  offset: number,
): void {
  if (at)
    for (let j = 0; j < out.length; j++) {
      const s = raw[j]! + blend * z[at[j]!]!;
      out[j]! += prob ? sigmoid(s - offset) : s;
    }
  else
    for (let r = 0; r < out.length; r++) {
      const s = raw[r]! + blend * z[r]!;
      out[r]! += prob ? sigmoid(s - offset) : s;
    }
}

/**
 * Stage 1 and 2 for one profile: its candidates, their feature rows (the ranker's buffer, valid until the
 * next candidates), the first source's per-user z-scores, and their ranked scores.
 */
export interface ScoredCandidates {
  cands: CandidateSet;
  rows: Float64Array;
  z: Float64Array;
  scores: Float64Array;
}
