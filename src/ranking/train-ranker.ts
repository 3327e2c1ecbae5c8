/**
 * Training the ranked model (`fit`): per label view (./params.ts: next, missing or both), its training set
 * (./training-set.ts) and trees (./view-training.ts), the catalogue model beside the first view, then the
 * candidate sources refitted on all the events and the feature state of every event, for serving.
 * Whatever split produced the given events, the internal splits are made from them alone.
 */
import { Rng } from '../core/random.js';
import { interactionWeights } from '../data/interactions.js';
import { RecoError } from '../errors.js';
import type { FeatureSpec } from '../features/build.js';
import { FeatureState } from '../features/state.js';
import type { FitData, Recommender } from '../recommenders/recommender.js';
import { prefixedSink } from '../training/metric-sink.js';
import { labelViewsOf, type RankedParams } from './params.js';
import { formatSafetyNet, judgeRanker, type SafetyVerdict, type ValidationGroups } from './safety-net.js';
import { fitSources } from './sources.js';
import { buildTrainingSet, type TrainingSeconds } from './training-set.js';
import { type TrainedView, trainView, type ViewTrainingReport } from './view-training.js';

/** Where the training went (kept in the saved meta, printed by `reco train`). */
export interface RankerTrainingReport {
  views: ViewTrainingReport[];
  seconds: TrainingSeconds;
  /** The safety net's verdict (./safety-net.ts; absent without validation users). */
  net?: SafetyVerdict;
}

/** A fitted ranker: what serving scores with and a bundle stores. */
export interface FittedRanker {
  /** The candidate sources, in the order of the `sources` parameter. */
  sources: Recommender[];
  state: FeatureState;
  spec: FeatureSpec;
  /** The label views, in scoring order. */
  views: TrainedView[];
  /** The catalogue model (scoreAll; one view at most, empty when not trained). */
  catalogue: TrainedView[];
  nItems: number;
  /** Serving time as of fitting (the fit data's `now`, or the last event + 1 ms). */
  now: number;
  /** The source served instead of the trees (the safety net's fallback), when they fell behind it. */
  fallback?: string;
}

export async function trainRanker(
  data: FitData,
  params: RankedParams,
  log?: (line: string) => void,
  internal: { leakFeatures?: boolean } = {},
): Promise<{ fitted: FittedRanker; report: RankerTrainingReport }> {
  const say = log ?? (() => {});
  const seconds: TrainingSeconds = { sources: 0, features: 0, gbdt: 0, refit: 0 };
  const rng = new Rng(params.seed, 1);
  const views: TrainedView[] = [];
  const catalogue: TrainedView[] = [];
  const reports: ViewTrainingReport[] = [];
  const validation: ValidationGroups[] = [];
  let spec: FeatureSpec | undefined;
  for (const [k, label] of labelViewsOf(params).entries()) {
    // one catalogue model, of the first label view (next by default: the next items)
    const built = await buildTrainingSet(label, data, params, {
      rng,
      catalogue: params.catalogueModel && k === 0,
      givenSpec: spec,
      seconds,
      ...(log ? { log } : {}),
      ...(internal.leakFeatures ? { leakFeatures: true } : {}),
    });
    spec = built.spec;
    const t0 = performance.now();
    const curve = (name: string) => data.metrics && prefixedSink(data.metrics, name);
    const { view, report, validGroups } = trainView(
      built.rows,
      spec,
      params,
      say,
      {},
      curve(`gbdt.${label}`),
    );
    validation.push({ rows: built.rows, groups: validGroups });
    if (built.catalogue && built.catalogue.userRows.length >= 2)
      catalogue.push(
        trainView(
          built.catalogue,
          spec,
          params,
          (m) => say(`catalogue model: ${m}`),
          params.catalogueGbdt,
          curve(`gbdt.${label}.catalogue`),
        ).view,
      );
    seconds.gbdt += (performance.now() - t0) / 1000;
    views.push(view);
    reports.push(report);
  }
  if (!spec) throw new RecoError('ranked: no label view');
  const net = judgeRanker(validation, views, spec, params);
  if (net) say(formatSafetyNet(net));

  // sources refitted on everything for serving
  const t0 = performance.now();
  const sources = await fitSources(data, params);
  const state = FeatureState.fromLog(data.log, data.items, { weights: interactionWeights() });
  const fitted: FittedRanker = {
    sources,
    state,
    spec,
    views,
    catalogue,
    nItems: data.interactions.cols,
    now: data.now ?? state.lastTime + 1,
    ...(net?.fallback ? { fallback: net.fallback } : {}),
  };
  seconds.refit = (performance.now() - t0) / 1000;
  say(
    `ranker: ${views.map((v, k) => `${v.label} ${v.model.trees.length} trees (valid ${reports[k]!.validMetric.name} ${reports[k]!.validMetric.value.toFixed(4)})`).join(', ')}; ` +
      `sources ${seconds.sources.toFixed(1)} s, features ${seconds.features.toFixed(1)} s, ` +
      `gbdt ${seconds.gbdt.toFixed(1)} s, refit ${seconds.refit.toFixed(1)} s`,
  );
  return { fitted, report: { views: reports, seconds, ...(net ? { net } : {}) } };
}
