/**
 * Step 5 of training for one label view (or the catalogue model): its users split into training and
 * early-stopping validation users (`validFraction`), gradient-boosted trees with the LightGBM-compatible
 * trainer (./gbdt: by default the binary log-loss, whose outputs are probabilities that add up across
 * views; or LambdaMART, Burges, "From RankNet to LambdaRank to LambdaMART", 2010, for a single view), early
 * stopping on the validation users, then the blend weight of the first source's z-score chosen on them.
 */
import { availableParallelism } from 'node:os';
import { groupNdcg } from '../core/ndcg.js';
import { Rng } from '../core/random.js';
import { RecoError } from '../errors.js';
import type { FeatureSpec } from '../features/build.js';
import type { MetricSink } from '../recommenders/recommender.js';
import { gbdtIterationMetrics } from '../training/metric-sink.js';
import { type EvalResult, train } from './gbdt/boosting/gbdt.js';
import { parseLightgbmParams } from './gbdt/config-parser.js';
import type { DenseData } from './gbdt/io/dataset.js';
import type { GbdtModel } from './gbdt/model.js';
import { trainParams } from './gbdt/params.js';
import { GbdtPredictor } from './gbdt/predict.js';
import type { LabelView, LightgbmParams, RankedParams } from './params.js';
import type { TrainingRows } from './training-set.js';

/** One label view's fitted trees (and the catalogue model's, trained the same way). */
export interface TrainedView {
  label: LabelView;
  model: GbdtModel;
  /** Weight of the first source's per-user z-score added to the trees' output (chosen on validation users). */
  blend: number;
}

/** How one label view's training went. */
export interface ViewTrainingReport {
  label: LabelView;
  users: number;
  validUsers: number;
  rows: number;
  positives: number;
  /** Share of label-part positives that stage 1 put among the candidates (recall of stage 1). */
  candidateRecall: number;
  iterations: number;
  /** The early-stopping metric on the validation users at the best round (AUC or NDCG@10). */
  validMetric: { name: string; value: number };
  /** Weight of the first source's z-score added to the trees' output, chosen on the validation users. */
  blend: number;
  /** NDCG@10 of the validation groups ordered by the view's trees and blend. */
  validNdcg: number;
  /** NDCG@10 of the validation groups ordered by the first source's score alone (what the trees must beat). */
  firstSourceValidNdcg: number;
}

/** Training or validation rows: per-user groups, with the first source's z-scores. */
type GroupedRows = DenseData & { groups: Int32Array; z: Float64Array };

/**
 * The blend weights tried, the best NDCG@10 on the validation users wins (the first on a tie). At most 5: a
 * binary view serves sigmoid(raw + blend z), and with weights of 10 or 100 (tried before) that is exactly
 * 1.0 in float64 for every candidate whose z-score is above about 3.7 or 0.37, so the top of the list was a
 * tie that serving breaks by item index (MovieLens 100K, one label view: blend 100 chosen, 0.32 NDCG@10
 * served against 0.49 for the source it had been meant to follow).
 */
export const BLEND_GRID = [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5];

/** LightGBM feature names may not hold spaces or brackets in its text format: keep them plain. */
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_]+/g, '_');
}

/**
 * A view's trees trained on `d` (`overrides`: LightGBM parameters over the ranker's, the catalogue's), the
 * blend weight searched on its validation users or `fixedBlend`.
 */
export function trainView(
  d: TrainingRows,
  spec: FeatureSpec,
  params: RankedParams,
  say: (line: string) => void,
  overrides: LightgbmParams = {},
  metrics?: MetricSink,
  fixedBlend?: number,
): { view: TrainedView; report: ViewTrainingReport } {
  const { userRows } = d;
  if (userRows.length < 2)
    throw new RecoError(
      `ranked: too little data to train the ranker's ${d.label} view (${userRows.length} users with a label item among their candidates); it needs users with several events`,
    );
  const W = spec.columns.length;
  const distinct = Int32Array.from(new Set(userRows.map((q) => q.u)));
  new Rng(params.seed).shuffle(distinct);
  const nValidUsers =
    params.validFraction > 0 ? Math.max(1, Math.round(distinct.length * params.validFraction)) : 0;
  const validUser = new Set(distinct.subarray(0, nValidUsers));
  const isValid = Uint8Array.from(userRows, (q) => (validUser.has(q.u) ? 1 : 0));
  const gather = (want: number): GroupedRows => {
    let n = 0;
    let g = 0;
    for (let q = 0; q < userRows.length; q++)
      if (isValid[q] === want) {
        n += userRows[q]!.n;
        g++;
      }
    const v = new Float64Array(n * W);
    const l = new Float32Array(n);
    const z = new Float64Array(n);
    const groups = new Int32Array(g);
    let r = 0;
    g = 0;
    for (let q = 0; q < userRows.length; q++) {
      if (isValid[q] !== want) continue;
      const { start, n: m } = userRows[q]!;
      v.set(d.values.subarray(start * W, (start + m) * W), r * W);
      l.set(d.labels.subarray(start, start + m), r);
      z.set(d.zFirst.subarray(start, start + m), r);
      groups[g++] = m;
      r += m;
    }
    return {
      numRows: n,
      numFeatures: W,
      values: v,
      labels: l,
      groups,
      featureNames: spec.columns.map(safeName),
      z,
    };
  };
  const trainSet = gather(0);
  const validSet = nValidUsers > 0 ? gather(1) : undefined;
  const rank = params.objective === 'lambdarank';
  const metric = rank ? 'ndcg@10' : 'auc';
  const p = trainParams({
    objective: rank ? 'lambdarank' : 'binary',
    numIterations: params.numIterations,
    learningRate: params.learningRate,
    numLeaves: params.numLeaves,
    minDataInLeaf: params.minDataInLeaf,
    earlyStoppingRound: validSet ? params.earlyStopping : 0,
    metric: [rank ? 'ndcg' : 'auc'],
    ...(rank ? { evalAt: [10] } : {}),
    seed: params.seed,
    verbosity: -1,
    // a second thread builds half of each histogram (same trees on either count: tested in ./gbdt)
    numThreads: availableParallelism() >= 2 ? 2 : 1,
    // the user's LightGBM-named parameters win
    ...parseLightgbmParams({ ...params.gbdt, ...overrides }),
  });
  let best = Number.NaN;
  let iterations = 0;
  // the validation metric per tree, to a tracked run's sink (reads the results only: the same trees)
  const curve = gbdtIterationMetrics(metrics);
  const model = train(p, trainSet, validSet ? [{ name: 'valid', data: validSet }] : [], {
    onIteration: (it: number, results: EvalResult[]) => {
      iterations = it;
      const r = results[results.length - 1];
      if (r && !(r.value <= best)) best = r.value;
      curve(it, results);
    },
    onLog: (m: string) => say(`gbdt (${d.label}): ${m}`),
  });
  const { blend, validNdcg } = validSet
    ? searchBlend(model, validSet, fixedBlend === undefined ? BLEND_GRID : [fixedBlend])
    : { blend: fixedBlend ?? 0, validNdcg: Number.NaN };
  return {
    view: { label: d.label, model, blend },
    report: {
      label: d.label,
      users: distinct.length - nValidUsers,
      validUsers: nValidUsers,
      rows: d.rows,
      positives: d.found,
      candidateRecall: d.found / Math.max(1, d.positives),
      iterations,
      validMetric: { name: metric, value: best },
      blend,
      validNdcg,
      firstSourceValidNdcg: validSet
        ? groupNdcg(validSet.labels, validSet.groups, validSet.z, 10)
        : Number.NaN,
    },
  };
}

/**
 * The blend weight of the first source (output + blend * its per-user z-score) with the best NDCG@10 on
 * the validation users: a safety net that falls back towards stage 1 where the trees add little.
 */
function searchBlend(
  model: GbdtModel,
  valid: GroupedRows,
  grid: readonly number[],
): { blend: number; validNdcg: number } {
  const pred = new GbdtPredictor(model).predictRaw(valid.values, valid.numRows);
  const mixed = new Float64Array(pred.length);
  let blend = 0;
  let validNdcg = Number.NaN;
  for (const b of grid) {
    for (let r = 0; r < pred.length; r++) mixed[r] = pred[r]! + b * valid.z[r]!;
    const v = groupNdcg(valid.labels, valid.groups, mixed, 10);
    if (!(v <= validNdcg + 1e-9)) {
      validNdcg = v;
      blend = b;
    }
  }
  return { blend, validNdcg };
}
