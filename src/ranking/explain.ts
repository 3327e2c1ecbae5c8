/**
 * Why the ranked model scores an item for a user (`reco explain`, explain=true on the API): the candidate
 * sources that proposed it (rank and score in each) and the features that moved its score. Per label view
 * the contributions are TreeSHAP's (./gbdt/explain.ts), in log-odds; each is multiplied by the view's
 * secant slope (p - p_base) / (logit - logit_base), which carries them to the probability so that they
 * still add up exactly; the views' contributions are then summed, and the stage-1 blend (blend x the first
 * source's z-score) is one more entry, `blend_<source>_z`, and the safety net's blend of a source (weight x
 * its z-score, ./safety-net.ts), when there is one, another, `net_<source>_z`. So base + contributions =
 * score, exactly.
 */
import { sigmoid } from '../core/math.js';
import type { CandidateRows, FeatureBuilder, FeatureSpec } from '../features/build.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';
import { firstSourceZ, sourceZ } from './candidate-stats.js';
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
  /** The safety net's blend: the source's index among the sources and its weight (absent: none). */
  net?: { source: number; weight: number };
}

/**
 * What explaining some items for one profile reads of the state, computed at once (one candidate set, one
 * score vector per source, one feature build): each item's sources, feature row and stage-1 z-score, copied
 * out of the generator's and builder's buffers. Explaining them (`ScoreExplainer.explainPrepared`) then reads
 * only these and the trees, so it may run later, in slices, while requests and events move the state on.
 */
export interface PreparedExplanations {
  user: number;
  t: number;
  items: Int32Array;
  /** Per item, the sources that proposed it. */
  sources: Explanation['sources'][];
  /** Row-major items x features. */
  rows: Float64Array;
  /** Per item, the first source's z-score among the user's candidates. */
  z: Float64Array;
  /** Per item, the safety net's blend source's z-score among the user's candidates (with a net blend). */
  netZ?: Float64Array;
}

export class ScoreExplainer {
  /** Per view, its TreeSHAP explainer (built on first use). */
  private readonly shap: ShapExplainer[] = [];

  constructor(private readonly ranker: ExplainedRanker) {}

  /** Why `item` scores what it does for `profile` as of t (overwrites the candidate generator's buffers). */
  explain(profile: UserProfile, item: number, t: number): Explanation {
    return this.explainPrepared(this.prepare(profile, Int32Array.of(item), t), 0);
  }

  /** `explain` of each item, with one candidate set, one scoring by each source and one feature build. */
  explainMany(profile: UserProfile, items: Int32Array, t: number): Explanation[] {
    const p = this.prepare(profile, items, t);
    return Array.from(items, (_, j) => this.explainPrepared(p, j));
  }

  /**
   * The items' sources, rows and z-scores for `profile` as of t (see PreparedExplanations): an item among
   * the user's candidates reads its row of their one feature build; one outside them (a genre filter or
   * exclude_seen=false proposed it) is appended to them, alone, as `explain` of that item always did, so
   * that per-user features (scale-free scores, z-scores) are those recommend() sees.
   */
  prepare(profile: UserProfile, items: Int32Array, t: number): PreparedExplanations {
    const { gen, builder, spec } = this.ranker;
    const cands = gen.generate(profile);
    const S = spec.sources.length;
    const W = spec.columns.length;
    const n = cands.items.length;
    const at = new Map<number, number>();
    for (let k = 0; k < n; k++) at.set(cands.items[k]!, k);
    const allScores = this.ranker.sources.map((m) => m.scoreAll(profile));
    const user = profile.user ?? -1;
    const rows = new Float64Array(items.length * W);
    const z = new Float64Array(items.length);
    const sources: Explanation['sources'][] = [];
    const net = this.ranker.net;
    const netZ = net ? new Float64Array(items.length) : undefined;
    let candRows: Float64Array | undefined;
    let candZ: Float64Array | undefined;
    let candNetZ: Float64Array | undefined;
    for (let j = 0; j < items.length; j++) {
      const item = items[j]!;
      const r = at.get(item) ?? -1;
      const scores = new Float32Array(S);
      const ranks = new Float32Array(S).fill(Number.NaN);
      const mine: Explanation['sources'] = [];
      for (let s = 0; s < S; s++) {
        scores[s] = allScores[s]![item] ?? Number.NaN;
        if (r >= 0) ranks[s] = cands.ranks[r * S + s]!;
        if (!Number.isNaN(ranks[s]!))
          mine.push({ name: spec.sources[s]!, rank: ranks[s]!, score: scores[s]! });
      }
      sources.push(mine);
      if (r >= 0) {
        candRows ??= builder.build(user, t, cands);
        candZ ??= firstSourceZ(cands);
        rows.set(candRows.subarray(r * W, (r + 1) * W), j * W);
        z[j] = candZ[r]!;
        if (net && netZ) netZ[j] = (candNetZ ??= sourceZ(cands, net.source))[r]!;
      } else {
        const all: CandidateRows = {
          items: Int32Array.of(...cands.items, item),
          scores: Float32Array.of(...cands.scores, ...scores),
          ranks: Float32Array.of(...cands.ranks, ...ranks),
        };
        rows.set(builder.build(user, t, all).subarray(n * W, (n + 1) * W), j * W);
        z[j] = firstSourceZ(all)[n]!;
        if (net && netZ) netZ[j] = sourceZ(all, net.source)[n]!;
      }
    }
    return { user, t, items: Int32Array.from(items), sources, rows, z, ...(netZ ? { netZ } : {}) };
  }

  /** The explanation of prepared item j: TreeSHAP per view over its row (reads nothing else). */
  explainPrepared(p: PreparedExplanations, j: number): Explanation {
    const { spec, views, probability: prob } = this.ranker;
    const W = spec.columns.length;
    const x = p.rows.subarray(j * W, (j + 1) * W);
    const z = p.z[j]!;
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
      const p1 = prob ? sigmoid(logit) : logit;
      const p0 = prob ? sigmoid(baseLogit) : baseLogit;
      const slope = !prob ? 1 : logit !== baseLogit ? (p1 - p0) / (logit - baseLogit) : p0 * (1 - p0);
      for (let c = 0; c < W; c++) contribution[c]! += slope * phi[c]!;
      contribution[W]! += slope * v.blend * z;
      score += p1;
      base += p0;
      explained.push({ label: v.label, probability: p1, logit, baseLogit });
    });
    const entries = [...spec.columns, `blend_${spec.sources[0]}_z`].map((feature, c) => ({
      feature,
      value: c < W ? x[c]! : z,
      contribution: contribution[c]!,
    }));
    const net = this.ranker.net;
    if (net && p.netZ) {
      const v = p.netZ[j]!;
      entries.push({ feature: `net_${spec.sources[net.source]}_z`, value: v, contribution: net.weight * v });
      score += net.weight * v;
    }
    const contributions = entries.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return {
      user: p.user,
      item: p.items[j]!,
      t: p.t,
      score,
      sources: p.sources[j]!,
      base,
      contributions,
      views: explained,
    };
  }
}
