/**
 * The ranker's safety net (issue #18): on the validation users each label view held out of its trees
 * (./view-training.ts), the ranked model as served (every view's trees and blend, early exit, over the
 * user's stage-1 candidates only) is compared with each candidate source alone (its own order of the same
 * candidates, which holds its whole top 10). Figures are NDCG@10 averaged over the views, so that both
 * kinds of relevance count. When the trees fall more than `safetyMargin` below the best source, the ranker
 * serves that source instead (`fallback`), and says so in its bundle meta and `reco train`'s output.
 */
import { groupNdcg } from '../core/ndcg.js';
import type { FeatureSpec } from '../features/build.js';
import type { LabelView, RankedParams } from './params.js';
import type { TrainingRows } from './training-set.js';
import { ViewScorer } from './view-scorer.js';
import type { TrainedView } from './view-training.js';

const K = 10;

/** NDCG@10 of the ranked model and of each source on one view's validation users. */
export interface SafetyViewFigures {
  label: LabelView;
  users: number;
  ranked: number;
  sources: Record<string, number>;
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
  /** The source served instead of the trees (they were more than `margin` below it), or null: the trees. */
  fallback: string | null;
}

/** One view's training rows and the groups of its validation users. */
export interface ValidationGroups {
  rows: TrainingRows;
  groups: Int32Array;
}

/**
 * The verdict over the views' validation groups, or undefined when there are none (validFraction 0) or no
 * source has its score among the features. `enabled` false: measured and reported, never a fallback.
 */
export function judgeRanker(
  sets: readonly ValidationGroups[],
  views: readonly TrainedView[],
  spec: FeatureSpec,
  params: RankedParams,
): SafetyVerdict | undefined {
  const W = spec.columns.length;
  const sourceCols = spec.sources
    .map((name) => ({ name, col: spec.columns.indexOf(`ui_score[${name}]`) }))
    .filter((s) => s.col >= 0);
  if (sourceCols.length === 0 || sets.every((s) => s.groups.length === 0)) return undefined;
  const scorer = new ViewScorer(views, params.exitTrees, params.objective === 'binary');
  const figures: SafetyViewFigures[] = [];
  let score = new Float64Array(0);
  for (const { rows, groups } of sets) {
    if (groups.length === 0) continue;
    let ranked = 0;
    const sums = new Float64Array(sourceCols.length);
    for (const q of groups) {
      const { start, candidates: n } = rows.userRows[q]!;
      const labels = rows.labels.subarray(start, start + n);
      const x = rows.values.subarray(start * W, (start + n) * W);
      const one = Int32Array.of(n);
      ranked += groupNdcg(
        labels,
        one,
        scorer.score(x, n, rows.zFirst.subarray(start, start + n), params.exitKeep),
        K,
      );
      if (score.length < n) score = new Float64Array(2 * n);
      for (const [s, { col }] of sourceCols.entries()) {
        for (let r = 0; r < n; r++) {
          const v = x[r * W + col]!;
          score[r] = Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
        }
        sums[s]! += groupNdcg(labels, one, score, K);
      }
    }
    figures.push({
      label: rows.label,
      users: groups.length,
      ranked: ranked / groups.length,
      sources: Object.fromEntries(sourceCols.map((s, k) => [s.name, sums[k]! / groups.length])),
    });
  }
  const mean = (f: (v: SafetyViewFigures) => number) =>
    figures.reduce((a, v) => a + f(v), 0) / figures.length;
  const sources = Object.fromEntries(sourceCols.map(({ name }) => [name, mean((v) => v.sources[name]!)]));
  let best = sourceCols[0]!.name;
  for (const { name } of sourceCols) if (sources[name]! > sources[best]!) best = name;
  const ranked = mean((v) => v.ranked);
  const margin = params.safetyMargin;
  const behind = ranked < sources[best]! - margin;
  return {
    views: figures,
    ranked,
    sources,
    best,
    margin,
    fallback: params.safetyNet && behind ? best : null,
  };
}

/** One line for `reco train`: the figures and what the ranker serves. */
export function formatSafetyNet(v: SafetyVerdict): string {
  const users = v.views.map((f) => `${f.label} ${f.users}`).join(', ');
  const head = `safety net (NDCG@10 on validation users: ${users}): trees ${v.ranked.toFixed(4)}, best source ${v.best} ${v.sources[v.best]!.toFixed(4)}`;
  const behind = v.ranked < v.sources[v.best]! - v.margin;
  if (v.fallback)
    return `${head}: the trees are more than ${v.margin} below it; ranked FALLS BACK to ${v.fallback}`;
  return behind
    ? `${head}: the trees are more than ${v.margin} below it, but the net is off (safetyNet false); ranked serves the trees`
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
