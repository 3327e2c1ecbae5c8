/**
 * The ranker's safety net (issue #18). A share of the users (`netFraction`, at most `maxNetUsers`) is held
 * out of everything the trees learn from: both label views' training and early-stopping users, their blend
 * weights and the catalogue model. In each label view's internal split (./training-set.ts: the sources
 * fitted on the feature side, which holds these users' feature events but not their labels, as a store
 * holds a test user's training events), each held-out user is served as `reco recommend --all` serves him
 * by default: his stage-1 candidates, features as of his own last feature-side event + 1 ms, every view's
 * trees and blend with early exit. His NDCG@10 counts all his unseen label items (those stage 1 missed
 * too), as an outside scorer does. The `next` view is the temporal protocol's image, `missing` the random
 * one's, so each view is judged on its own: the trees are behind in a view when they trail its best
 * candidate source (its own order of the same candidates, which hold its whole top 10) by more than
 * `safetyMargin` + NET_Z standard errors of the per-user paired differences (a few hundred users measure
 * NDCG@10 to about 0.01, more than the margin: without it the net fires on noise).
 *
 * When the trees are behind in some view, the net tries each source blended into the served score,
 * score + w z (z the source's per-user z-score over the candidates, w from NET_WEIGHTS), and each source
 * alone: of those behind in no view, the one with the best mean NDCG@10 over the views is served (`blend`
 * or `fallback`); when none is, the source with the best mean (`fallback`). The verdict is kept in the
 * bundle meta and printed by `reco train`.
 */
import { ndcgAtK } from '../core/ndcg.js';
import { bestRows } from '../core/top-n.js';
import { sourceZ } from './candidate-stats.js';
import type { LabelView, RankedParams } from './params.js';
import type { NetGroup } from './training-set.js';
import { ViewScorer } from './view-scorer.js';
import type { TrainedView } from './view-training.js';

const K = 10;

/** The weights of the best source's z-score tried when the trees alone fall behind it (0: the trees). */
export const NET_WEIGHTS = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5];

/** NDCG@10 of the ranked model and of each source on one view's held-out users. */
export interface SafetyViewFigures {
  label: LabelView;
  users: number;
  /** The trees as served (no source blended in). */
  ranked: number;
  sources: Record<string, number>;
  /** The trees' mean per-user NDCG@10 minus the view's best source's, and its standard error. */
  gap: number;
  se: number;
}

/** One source's z-score blended in at one weight: NDCG@10 per view (in the order of `views`). */
export interface NetBlendTrial {
  source: string;
  weight: number;
  ndcg: number[];
}

/** The served score's extra term: weight x the source's per-user z-score over the candidates. */
export interface NetBlend {
  source: string;
  weight: number;
}

/** The safety net's verdict (kept in the bundle's ranked meta, printed by `reco train`). */
export interface SafetyVerdict {
  views: SafetyViewFigures[];
  /** Means over the views. */
  ranked: number;
  sources: Record<string, number>;
  /** The source with the best mean. */
  best: string;
  margin: number;
  /** NET_Z: the standard errors a view's deficit must exceed the margin by to count as behind. */
  confidence: number;
  /** The blends measured (absent without netBlend), whether or not the trees were behind. */
  trials?: NetBlendTrial[];
  /** The best source blended into the trees' score (absent: the trees alone, or the fallback). */
  blend?: NetBlend;
  /** The source served instead of the trees (no blend brought every view within `margin`), or null. */
  fallback: string | null;
}

/**
 * Binary NDCG@10 of a group's top 10 as serving picks it (../core/top-n.ts bestRows: score descending, ties
 * by item index; NaN never), `relevant` label items.
 */
export function ndcgOf(score: Float64Array, g: NetGroup): number {
  const top = bestRows(score, Math.min(K, g.n), g.items);
  const gains = new Uint8Array(top.length);
  for (let r = 0; r < top.length; r++) gains[r] = g.labels[top[r]!]!;
  return ndcgAtK(gains, K, g.relevant);
}

/** Per held-out group, each source's NDCG@10 (they depend on the group alone: computed once). */
const sourceFigures = new WeakMap<NetGroup, Float64Array>();

/**
 * NDCG@10 of a held-out group ordered by each of its S sources' scores alone (a NaN score ranks last),
 * computed on first use: the view-weight search and every verdict of a training read the same figures.
 */
export function sourceNdcgs(g: NetGroup, S: number): Float64Array {
  let out = sourceFigures.get(g);
  if (out) return out;
  out = new Float64Array(S);
  const score = new Float64Array(g.n);
  for (let s = 0; s < S; s++) {
    for (let r = 0; r < g.n; r++) {
      const v = g.scores[r * S + s]!;
      score[r] = Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
    }
    out[s] = ndcgOf(score, g);
  }
  sourceFigures.set(g, out);
  return out;
}

/** The served score with the net's blend: the trees' score plus weight x source s's z-score. */
export function blendedScores(
  trees: Float64Array,
  scores: Float32Array,
  n: number,
  s: number,
  weight: number,
): Float64Array {
  if (!(weight > 0)) return trees;
  const z = sourceZ({ items: new Int32Array(n), scores, ranks: new Float32Array(0) }, s);
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) out[r] = trees[r]! + weight * z[r]!;
  return out;
}

/**
 * How sure the net must be that the trees are behind: a view's mean deficit against its best source must
 * exceed the margin by this many standard errors of the per-user paired differences (one-sided 95%).
 */
export const NET_Z = 1.645;

/** Mean and standard error of the per-user differences a - b. */
export function pairedGap(a: Float64Array, b: Float64Array): { gap: number; se: number } {
  const n = a.length;
  let m = 0;
  for (let q = 0; q < n; q++) m += a[q]! - b[q]!;
  m /= n;
  let v = 0;
  for (let q = 0; q < n; q++) v += (a[q]! - b[q]! - m) ** 2;
  return { gap: m, se: n > 1 ? Math.sqrt(v / (n - 1) / n) : Number.POSITIVE_INFINITY };
}

const meanOf = (x: ArrayLike<number>) => {
  let s = 0;
  for (let q = 0; q < x.length; q++) s += x[q]!;
  return s / x.length;
};

/**
 * The verdict over the views' held-out groups (`net[k]`: view k's, in the views' order), or undefined when
 * there are none. The trees are behind in a view when their mean NDCG@10 there trails the view's best
 * source by more than `safetyMargin` + NET_Z standard errors (per-user paired differences); a blend or a
 * source is acceptable when it is behind in no view. `safetyNet` false: measured and reported only.
 */
export function judgeRanker(
  net: readonly NetGroup[][],
  views: readonly TrainedView[],
  sourceNames: readonly string[],
  params: RankedParams,
): SafetyVerdict | undefined {
  const used = net.map((g, k) => ({ groups: g, label: views[k]!.label })).filter((v) => v.groups.length > 0);
  if (used.length === 0 || sourceNames.length === 0) return undefined;
  const S = sourceNames.length;
  const scorer = new ViewScorer(views, params.exitTrees, params.objective === 'binary');
  // per view: the trees' scores of each group (as served), their per-user NDCG and every source's
  const treeScores: Float64Array[][] = [];
  const treeNdcg: Float64Array[] = [];
  const perSource: Float64Array[][] = [];
  for (const { groups } of used) {
    const mine: Float64Array[] = [];
    const t = new Float64Array(groups.length);
    const own = sourceNames.map(() => new Float64Array(groups.length));
    for (const [q, g] of groups.entries()) {
      const x = Float64Array.from(scorer.score(g.values, g.n, g.zFirst, params.exitKeep).subarray(0, g.n));
      mine.push(x);
      t[q] = ndcgOf(x, g);
      const figures = sourceNdcgs(g, S);
      for (let s = 0; s < S; s++) own[s]![q] = figures[s]!;
    }
    treeScores.push(mine);
    treeNdcg.push(t);
    perSource.push(own);
  }
  // each view's best source, and whether per-user figures `x` of view k are behind it
  const bestOf = perSource.map((own) => {
    let b = 0;
    for (let s = 1; s < S; s++) if (meanOf(own[s]!) > meanOf(own[b]!)) b = s;
    return b;
  });
  const margin = params.safetyMargin;
  const behind = (x: Float64Array, k: number) => {
    const { gap, se } = pairedGap(x, perSource[k]![bestOf[k]!]!);
    return gap < -margin - NET_Z * se;
  };
  const figures: SafetyViewFigures[] = used.map(({ groups, label }, k) => {
    const { gap, se } = pairedGap(treeNdcg[k]!, perSource[k]![bestOf[k]!]!);
    return {
      label,
      users: groups.length,
      ranked: meanOf(treeNdcg[k]!),
      sources: Object.fromEntries(sourceNames.map((name, s) => [name, meanOf(perSource[k]![s]!)])),
      gap,
      se,
    };
  });
  const mean = (f: (v: SafetyViewFigures, k: number) => number) =>
    figures.reduce((a, v, k) => a + f(v, k), 0) / figures.length;
  const sources = Object.fromEntries(sourceNames.map((name) => [name, mean((v) => v.sources[name]!)]));
  let b = 0;
  for (let s = 1; s < S; s++) if (sources[sourceNames[s]!]! > sources[sourceNames[b]!]!) b = s;
  const best = sourceNames[b]!;
  const verdict: SafetyVerdict = {
    views: figures,
    ranked: mean((v) => v.ranked),
    sources,
    best,
    margin,
    confidence: NET_Z,
    fallback: null,
  };
  const fine = (perView: Float64Array[]) => perView.every((x, k) => !behind(x, k));

  // each source blended in (netBlend: measured and kept in the verdict whatever it says, for the record)
  // or alone; when the trees are behind in some view, the acceptable one with the best mean over the views
  // is served (a blend before a source alone on a tie)
  let chosen: { source: number; weight: number; mean: number } | undefined;
  const consider = (source: number, weight: number, perView: Float64Array[]) => {
    const m = perView.reduce((a, x) => a + meanOf(x), 0) / perView.length;
    if (fine(perView) && (!chosen || m > chosen.mean)) chosen = { source, weight, mean: m };
  };
  if (params.netBlend) {
    const trials: NetBlendTrial[] = [];
    for (let s = 0; s < S; s++)
      for (const weight of NET_WEIGHTS) {
        if (weight === 0) continue;
        const perView = used.map(({ groups }, k) =>
          Float64Array.from(groups, (g, q) =>
            ndcgOf(blendedScores(treeScores[k]![q]!, g.scores, g.n, s, weight), g),
          ),
        );
        trials.push({ source: sourceNames[s]!, weight, ndcg: perView.map(meanOf) });
        consider(s, weight, perView);
      }
    verdict.trials = trials;
  }
  if (fine(treeNdcg) || !params.safetyNet) return verdict;
  for (let s = 0; s < S; s++)
    consider(
      s,
      Number.POSITIVE_INFINITY,
      perSource.map((own) => own[s]!),
    );
  if (chosen && Number.isFinite(chosen.weight))
    verdict.blend = { source: sourceNames[chosen.source]!, weight: chosen.weight };
  else verdict.fallback = chosen ? sourceNames[chosen.source]! : best;
  return verdict;
}

/** One line for `reco train`: the figures and what the ranker serves. */
export function formatSafetyNet(v: SafetyVerdict): string {
  const users = v.views.map((f) => `${f.label} ${f.users}`).join(', ');
  const per = (f: (x: SafetyViewFigures) => number) =>
    v.views.map((x) => `${x.label} ${f(x).toFixed(4)}`).join(', ');
  const head =
    `safety net (NDCG@10 on held-out users as served: ${users}): trees ${per((x) => x.ranked)}; ` +
    `best source ${per((x) => Math.max(...Object.values(x.sources)))} (${v.best} on the mean); ` +
    `trees - best ${v.views.map((x) => `${x.label} ${x.gap >= 0 ? '+' : ''}${x.gap.toFixed(4)} (se ${x.se.toFixed(4)})`).join(', ')}`;
  const behind = v.views.some((x) => x.gap < -v.margin - v.confidence * x.se);
  const why = `the trees are behind by more than ${v.margin} + ${v.confidence} se`;
  if (v.fallback) return `${head}: ${why} and no blend recovers it; ranked FALLS BACK to ${v.fallback}`;
  if (v.blend) {
    const t = v.trials?.find((x) => x.source === v.blend!.source && x.weight === v.blend!.weight);
    const at = t ? ` (${t.ndcg.map((x, k) => `${v.views[k]!.label} ${x.toFixed(4)}`).join(', ')})` : '';
    return `${head}: ${why}; ranked serves them BLENDED with ${v.blend.source} (weight ${v.blend.weight})${at}`;
  }
  return behind
    ? `${head}: ${why}, but the net is off (safetyNet false); ranked serves the trees`
    : `${head}: ranked serves the trees`;
}

/** The safety net's verdict among a bundle manifest's models (its ranked model's training report), if any. */
export function rankerVerdict(
  models: readonly { name: string; meta: Record<string, unknown> }[],
): SafetyVerdict | undefined {
  const meta = models.find((m) => m.name === 'ranked')?.meta as
    | { training?: { net?: SafetyVerdict } }
    | undefined;
  return meta?.training?.net;
}
