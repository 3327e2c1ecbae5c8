/**
 * Training curves (FitData.metrics, ../recommenders/recommender.ts): a model reports a metric's value per
 * iteration to a sink; a tracked run records what reaches it (../tracking/run-recorder.ts). These helpers
 * name the curves of nested fits and turn the booster's per-iteration results into sink calls.
 */
import type { EvalResult } from '../ranking/gbdt/boosting/gbdt.js';
import type { MetricSink } from '../recommenders/recommender.js';

/** `sink` with every key prefixed by `prefix.` (e.g. `als.` + `loss`). */
export function prefixedSink(sink: MetricSink, prefix: string): MetricSink {
  return (key, value, step) => sink(`${prefix}.${key}`, value, step);
}

/**
 * A booster `onIteration` callback (TrainCallbacks in ../ranking/gbdt/boosting/gbdt.ts) that reports each
 * iteration's results to `sink` as `<data>.<metric>` (`valid.auc`, `training.binary_logloss`,
 * `valid.ndcg@10`) at step = the iteration (one per tree); a no-op without a sink. It only reads the
 * results, so the trees are the same with or without it.
 */
export function gbdtIterationMetrics(
  sink: MetricSink | undefined,
): (iteration: number, results: readonly EvalResult[]) => void {
  if (!sink) return () => {};
  return (iteration, results) => {
    for (const r of results) sink(`${r.dataName}.${r.metricName}`, r.value, iteration);
  };
}
