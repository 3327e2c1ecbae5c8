/**
 * Why the ranked model scores an item for a user (`reco explain`, explain=true on the API): the candidate
 * sources that proposed it (rank and score in each) and the features that moved its score. Per label view
 * the contributions are TreeSHAP's (./gbdt/explain.ts), in log-odds; each is multiplied by the view's
 * secant slope (p - p_base) / (logit - logit_base), which carries them to the probability so that they
 * still add up exactly; the views' contributions are then summed, and the stage-1 blend (blend x the first
 * source's z-score) is one more entry, `blend_<source>_z`. So base + contributions = score, exactly.
 */
import { sigmoid } from '../core/math.js';
import type { CandidateRows, FeatureBuilder, FeatureSpec } from '../features/build.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';
import { firstSourceZ } from './candidate-stats.js';
import type { CandidateGenerator } from './candidates.js';
import { ShapExplainer } from './gbdt/explain.js';
import type { LabelView } from './params.js';
import type { ViewScorer } from './view-scorer.js';

/** One explained score (see RankedRecommender.explain). */
export interface Explanation {
  user: number;
  item: number;
  t: number;
  /** The ranked score: the sum over label views of P(relevant) (the trees' raw output for lambdarank). */
  score: number;
  /** Sources that proposed the item, with rank and score. */
  sources: { name: string; rank: number; score: number }[];
  /**
   * The expected score, and each feature's value and contribution, largest |contribution| first: base +
   * the contributions = score exactly. Per view the contributions are TreeSHAP's (log-odds), carried to the
   * probability scale by the secant slope (p - p_base) / (logit - logit_base), then summed over views;
   * the stage-1 blend (blend x the first source's z-score) is one more entry, `blend_<source>_z`.
   */
  base: number;
  contributions: { feature: string; value: number; contribution: number }[];
  /** Per label view: its probability (or raw score for lambdarank), log-odds and expected log-odds. */
  views: { label: LabelView; probability: number; logit: number; baseLogit: number }[];
}

/** What explaining reads of a fitted ranker. */
export interface ExplainedRanker {
  gen: CandidateGenerator;
  builder: FeatureBuilder;
  spec: FeatureSpec;
  sources: readonly Recommender[];
  views: ViewScorer;
  /** Binary trees (probabilities), else one lambdarank view (raw scores). */
  probability: boolean;
}

export class ScoreExplainer {
  /** Per view, its TreeSHAP explainer (built on first use). */
  private readonly shap: ShapExplainer[] = [];

  constructor(private readonly ranker: ExplainedRanker) {}

  /** Why `item` scores what it does for `profile` as of t (overwrites the candidate generator's buffers). */
  explain(profile: UserProfile, item: number, t: number): Explanation {
    const { gen, builder, spec, views, probability: prob } = this.ranker;
    const cands = gen.generate(profile);
    const S = spec.sources.length;
    let r = -1;
    for (let k = 0; k < cands.items.length; k++) if (cands.items[k] === item) r = k;
    const one: CandidateRows = {
      items: Int32Array.of(item),
      scores: new Float32Array(S),
      ranks: new Float32Array(S).fill(Number.NaN),
    };
    const sources: Explanation['sources'] = [];
    const allScores = this.ranker.sources.map((m) => m.scoreAll(profile));
    for (let s = 0; s < S; s++) {
      one.scores[s] = allScores[s]![item] ?? Number.NaN;
      if (r >= 0) one.ranks[s] = cands.ranks[r * S + s]!;
      if (!Number.isNaN(one.ranks[s]!))
        sources.push({ name: spec.sources[s]!, rank: one.ranks[s]!, score: one.scores[s]! });
    }
    // the item's row among the user's candidates (appended when stage 1 did not propose it), so that
    // per-user features (scale-free scores) are those recommend() sees
    const all: CandidateRows =
      r >= 0
        ? cands
        : {
            items: Int32Array.of(...cands.items, item),
            scores: Float32Array.of(...cands.scores, ...one.scores),
            ranks: Float32Array.of(...cands.ranks, ...one.ranks),
          };
    const at = r >= 0 ? r : cands.items.length;
    const W = spec.columns.length;
    const x = builder.build(profile.user ?? -1, t, all).subarray(at * W, (at + 1) * W);
    const z = firstSourceZ(all)[at]!;
    const contribution = new Float64Array(W + 1);
    const explained: Explanation['views'] = [];
    let score = 0;
    let base = 0;
    views.views.forEach((v, k) => {
      const shap = (this.shap[k] ??= new ShapExplainer(v.model));
      const phi = new Float64Array(shap.rowWidth);
      shap.contribRow(x, 0, phi);
      const logit = views.predictor(k).predictRawOne(x, 0) + v.blend * z;
      const baseLogit = phi[W]!;
      // the secant slope carries log-odds contributions to probabilities so that they still add up
      const p = prob ? sigmoid(logit) : logit;
      const p0 = prob ? sigmoid(baseLogit) : baseLogit;
      const slope = !prob ? 1 : logit !== baseLogit ? (p - p0) / (logit - baseLogit) : p0 * (1 - p0);
      for (let c = 0; c < W; c++) contribution[c]! += slope * phi[c]!;
      contribution[W]! += slope * v.blend * z;
      score += p;
      base += p0;
      explained.push({ label: v.label, probability: p, logit, baseLogit });
    });
    const contributions = [...spec.columns, `blend_${spec.sources[0]}_z`]
      .map((feature, c) => ({ feature, value: c < W ? x[c]! : z, contribution: contribution[c]! }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return { user: profile.user ?? -1, item, t, score, sources, base, contributions, views: explained };
  }
}
