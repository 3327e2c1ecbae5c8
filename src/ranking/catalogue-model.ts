/**
 * scoreAll: every item's score, an order over the whole catalogue (AUC; serving never calls it). Every item
 * stage 1 did not propose is scored on its own feature row (no source rank; per-user statistics from the
 * candidates, as recommend() sees them). By default (scoreAllBelowCandidates false) every item is on one
 * probability scale, every tree and no early exit: that of the catalogue model, or of the views when there
 * is none. The catalogue model is one more GBDT, of the first label view, trained per user on his
 * candidates, every label item outside them and catalogueNegatives random others (./training-set.ts). As
 * that keeps every positive but draws only catalogueNegatives of the ~m negatives outside the candidates,
 * its log-odds there are too high by log(m / catalogueNegatives) and are lowered by it (the offset of
 * negative subsampling, King and Zeng, "Logistic Regression in Rare Events Data", 2001; binary only:
 * lambdarank scores have no such scale). Its order of the candidates may differ from recommend()'s, which
 * is the views'. With scoreAllBelowCandidates the candidates keep recommend()'s scores and the others are
 * placed below the lowest of them, in the views' order. Costs one feature row per item.
 */
import type { FeatureBuilder } from '../features/build.js';
import { firstSourceZOf, sourceMaxOf } from './candidate-stats.js';
import type { RankedParams } from './params.js';
import { rowsOutside } from './sources.js';
import { type ScoredCandidates, ViewScorer } from './view-scorer.js';
import type { TrainedView } from './view-training.js';

export class CatalogueModel {
  /** The catalogue model's trees, compiled at scoreAll's first call (serving never calls it: none at load). */
  private scorer?: ViewScorer;

  constructor(
    /** The catalogue model (one view at most; empty when not trained). */
    readonly views: readonly TrainedView[],
    /** The label views, as recommend() scores with them. */
    private readonly labelViews: ViewScorer,
    private readonly builder: FeatureBuilder,
    private readonly nItems: number,
    private readonly params: RankedParams,
  ) {}

  /** Every item's score for a user as of t, given his scored candidates, into `into` when it fits. */
  scoreAll(user: number, t: number, scored: ScoredCandidates, into?: Float32Array): Float32Array {
    const { cands, rows, z: candZ, scores } = scored;
    const n = this.nItems;
    // every entry is written below (the candidates and the rest cover the catalogue)
    const out = into?.length === n ? into : new Float32Array(n);
    const isCand = new Uint8Array(n);
    for (const i of cands.items) isCand[i] = 1;
    const restItems: number[] = [];
    for (let i = 0; i < n; i++) if (!isCand[i]) restItems.push(i);
    const m = restItems.length;
    const rest = rowsOutside(cands, restItems);
    const x = this.builder.build(user, t, rest, undefined, 0, sourceMaxOf(cands));
    const z = firstSourceZOf(rest, cands, cands.sources.length);
    if (!this.params.scoreAllBelowCandidates) {
      // without a catalogue model, the views (whose extra negatives drew positives and negatives alike)
      const catalogue = this.views.length > 0;
      if (catalogue) this.scorer ??= new ViewScorer(this.views, 0, this.params.objective === 'binary');
      const views = this.scorer ?? this.labelViews;
      const offset = catalogue ? Math.log(Math.max(1, m) / Math.max(1, this.params.catalogueNegatives)) : 0;
      const restScores = views.score(x, m, z, m, offset);
      for (let r = 0; r < m; r++) out[restItems[r]!] = restScores[r]!;
      const nc = cands.items.length;
      const candScores = views.score(rows, nc, candZ, nc, 0);
      for (let r = 0; r < nc; r++) out[cands.items[r]!] = candScores[r]!;
      return out;
    }
    const restScores = this.labelViews.score(x, m, z);
    let min = Number.POSITIVE_INFINITY;
    for (let r = 0; r < scores.length; r++) min = Math.min(min, scores[r]!);
    if (!Number.isFinite(min)) min = 0;
    let maxRest = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < m; r++) maxRest = Math.max(maxRest, restScores[r]!);
    for (let r = 0; r < m; r++) out[restItems[r]!] = min - 1 + (restScores[r]! - maxRest);
    for (let r = 0; r < scores.length; r++) out[cands.items[r]!] = scores[r]!;
    return out;
  }
}
