/**
 * Gradient boosting of decision trees, as LightGBM's GBDT (src/boosting/gbdt.cpp; Friedman, "Greedy
 * function approximation: a gradient boosting machine", 2001; Ke et al., "LightGBM", NIPS 2017): start
 * from the objective's average score (boost_from_average), then each iteration compute gradients, bag rows
 * (bagging_fraction every bagging_freq iterations), sample features (feature_fraction), grow a tree on the
 * histograms, shrink it by learning_rate, update training and validation scores, evaluate the validation
 * metrics and stop early when the first (or every) metric has not improved for early_stopping_round rounds.
 * The initial score is folded into the first tree as LightGBM does (Tree::AddBias).
 */
import { InputError, UsageError } from '../../../errors.js';
import { BinnedDataset, type DenseData, derivedSeeds } from '../io/dataset.js';
import { K_EPSILON, K_MIN_SCORE, K_ZERO_THRESHOLD } from '../meta.js';
import { createMetric, type Metric } from '../metric/metrics.js';
import type { GbdtModel, Tree } from '../model.js';
import { BinaryObjective } from '../objective/binary.js';
import { LambdarankObjective } from '../objective/lambdarank.js';
import { ParallelLambdarank } from '../objective/lambdarank-parallel.js';
import type { Objective } from '../objective/objective.js';
import { RegressionObjective } from '../objective/regression.js';
import { metricsFor, type TrainParams, trainParams } from '../params.js';
import { LgbRandom } from '../random.js';
import { type BinnedTree, binnedLeaf, missingBinsOf, SerialTreeLearner } from '../treelearner/serial.js';

export interface ValidSet {
  name?: string;
  data: DenseData;
}

export interface EvalResult {
  dataName: string;
  metricName: string;
  value: number;
  biggerIsBetter: boolean;
}

export interface TrainCallbacks {
  /** After each iteration (1-based) with the validation (and training, if asked) metrics. */
  onIteration?(iteration: number, results: EvalResult[]): void;
  /** A log line (early stopping, warnings); default: none. */
  onLog?(message: string): void;
}

/** A callback that prints metrics as LightGBM's command line does. */
export function logEvaluation(print: (line: string) => void = console.log, every = 1): TrainCallbacks {
  return {
    onIteration(it, results) {
      if (it % every !== 0) return;
      for (const r of results)
        print(`[LightGBM] [Info] Iteration:${it}, ${r.dataName} ${r.metricName} : ${fmt(r.value)}`);
    },
    onLog: (m) => print(`[LightGBM] [Info] ${m}`),
  };
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/**
 * Whether training uses a second thread: num_threads >= 2 (num_threads 0, LightGBM's "all cores", stays on
 * one thread here: a worker only pays off on large data). The worker builds half of each large histogram,
 * and for lambdarank a second worker computes half of the queries' gradients.
 */
function useTwoThreads(p: TrainParams): boolean {
  return p.numThreads >= 2;
}

function createObjective(
  p: TrainParams,
  ds: BinnedDataset,
  score: Float64Array,
  gh: Float64Array,
): Objective {
  if (useTwoThreads(p) && p.objective === 'lambdarank' && ds.queryBoundaries)
    return new ParallelLambdarank(
      ds.labels,
      ds.queryBoundaries,
      p.labelGain,
      p.sigmoid,
      p.lambdarankTruncationLevel,
      p.lambdarankNorm,
      score,
      gh,
    );
  switch (p.objective) {
    case 'binary':
      return new BinaryObjective(ds.labels, p.sigmoid);
    case 'regression':
      return new RegressionObjective(ds.labels);
    case 'lambdarank':
      if (!ds.queryBoundaries)
        throw new UsageError('objective lambdarank needs query groups in the training data');
      return new LambdarankObjective(
        ds.labels,
        ds.queryBoundaries,
        p.labelGain,
        p.sigmoid,
        p.lambdarankTruncationLevel,
        p.lambdarankNorm,
      );
  }
}

/** Adds a tree's leaf values to the scores of binned rows (all rows, or the listed ones). */
function addTreeScores(
  bt: BinnedTree,
  ds: BinnedDataset,
  missingBins: Int32Array,
  score: Float64Array,
  rows?: Int32Array,
): void {
  const lv = bt.tree.leafValue;
  if (rows) for (const r of rows) score[r] += lv[binnedLeaf(bt, ds, r, missingBins)]!;
  else for (let r = 0; r < ds.numRows; r++) score[r] += lv[binnedLeaf(bt, ds, r, missingBins)]!;
}

/** Tree::MaybeRoundToZero: a node value within kZeroThreshold of zero becomes 0. */
function maybeRoundToZero(x: number): number {
  return Math.abs(x) <= K_ZERO_THRESHOLD ? 0 : x;
}

function shrinkTree(t: Tree, rate: number): void {
  for (let i = 0; i < t.numLeaves - 1; i++) t.internalValue[i] = maybeRoundToZero(t.internalValue[i]! * rate);
  for (let i = 0; i < t.numLeaves; i++) t.leafValue[i] = maybeRoundToZero(t.leafValue[i]! * rate);
  t.shrinkage *= rate;
}

function addBias(t: Tree, v: number): void {
  for (let i = 0; i < t.numLeaves - 1; i++) t.internalValue[i] = maybeRoundToZero(t.internalValue[i]! + v);
  for (let i = 0; i < t.numLeaves; i++) t.leafValue[i] = maybeRoundToZero(t.leafValue[i]! + v);
  t.shrinkage = 1;
}

/**
 * Parameters the trainer cannot honour: any value its declaration refuses (a TrainParams built by hand is
 * checked as trainParams checks it), and no eval_at position.
 */
function checkParams(p: TrainParams): void {
  trainParams(p);
  if (p.evalAt.length === 0) throw new UsageError('parameter eval_at needs at least one position');
}

/** Training data LightGBM would refuse: no rows, or labels that are not finite numbers. */
function checkData(ds: BinnedDataset): void {
  if (ds.numRows === 0) throw new InputError('has no rows', 'training data');
  for (let i = 0; i < ds.numRows; i++)
    if (!Number.isFinite(ds.labels[i]!))
      throw new InputError(`row ${i + 1} has label ${ds.labels[i]}, not a finite number`, 'training data');
}

/**
 * Trains a model on `trainSet`, evaluating `validSets` after each iteration. The returned model holds the
 * trees LightGBM would write (thresholds as real values, feature_infos, counts, weights, gains).
 */
export function train(
  params: TrainParams,
  trainSet: DenseData,
  validSets: ValidSet[] = [],
  callbacks: TrainCallbacks = {},
): GbdtModel {
  checkParams(params);
  const ds = BinnedDataset.fromDense(trainSet, params);
  return trainBinned(params, ds, validSets, callbacks);
}

/** train() on an already binned training set. */
export function trainBinned(
  p: TrainParams,
  ds: BinnedDataset,
  validSets: ValidSet[] = [],
  callbacks: TrainCallbacks = {},
): GbdtModel {
  checkParams(p);
  checkData(ds);
  const n = ds.numRows;
  // Scores and gradients live in shared memory when a worker thread computes part of the gradients.
  const alloc = (len: number) =>
    useTwoThreads(p) ? new Float64Array(new SharedArrayBuffer(8 * len)) : new Float64Array(len);
  const score = alloc(n);
  const gh = alloc(2 * n);
  const obj = createObjective(p, ds, score, gh);
  let learner: SerialTreeLearner | undefined;
  try {
    learner = new SerialTreeLearner(
      ds,
      {
        numLeaves: p.numLeaves,
        maxDepth: p.maxDepth,
        minDataInLeaf: p.minDataInLeaf,
        minSumHessianInLeaf: p.minSumHessianInLeaf,
        lambdaL1: p.lambdaL1,
        lambdaL2: p.lambdaL2,
        minGainToSplit: p.minGainToSplit,
        maxCatToOnehot: p.maxCatToOnehot,
        catSmooth: p.catSmooth,
        catL2: p.catL2,
        maxCatThreshold: p.maxCatThreshold,
        minDataPerGroup: p.minDataPerGroup,
        numThreads: p.numThreads,
      },
      gh,
    );
    return boost(p, ds, obj, learner, score, gh, validSets, callbacks);
  } finally {
    if (obj instanceof ParallelLambdarank) obj.close();
    learner?.close();
  }
}

function boost(
  p: TrainParams,
  ds: BinnedDataset,
  obj: Objective,
  learner: SerialTreeLearner,
  score: Float64Array,
  gh: Float64Array,
  validSets: ValidSet[],
  callbacks: TrainCallbacks,
): GbdtModel {
  const n = ds.numRows;
  const log = callbacks.onLog ?? (() => {});
  const metricNames = metricsFor(p);
  const mopts = { evalAt: p.evalAt, labelGain: p.labelGain, sigmoid: p.sigmoid };

  const valids = validSets.map((v, i) => {
    const name = v.name ?? `valid_${i + 1}`;
    const vds = ds.binLike(v.data, name);
    const metrics: Metric[] = metricNames.map((m) =>
      createMetric(m, { labels: vds.labels, queryBoundaries: vds.queryBoundaries }, mopts, name),
    );
    return { name, ds: vds, score: new Float64Array(vds.numRows), metrics };
  });
  const trainMetrics: Metric[] = p.isProvideTrainingMetric
    ? metricNames.map((m) =>
        createMetric(m, { labels: ds.labels, queryBoundaries: ds.queryBoundaries }, mopts, 'training'),
      )
    : [];
  const missingBins = missingBinsOf(ds);

  // Initial score (GBDT::BoostFromAverage): binary and regression only.
  let initScore = 0;
  if (p.boostFromAverage && p.objective !== 'lambdarank') {
    initScore = obj.boostFromScore();
    if (Math.abs(initScore) > K_EPSILON) {
      score.fill(initScore);
      for (const v of valids) v.score.fill(initScore);
      log(`Start training from score ${initScore}`);
    } else initScore = 0;
  }

  const seeds = derivedSeeds(p.seed);
  const F = ds.numFeatures;
  const featureUsed = new Uint8Array(F).fill(1);
  const ffRandom = new LgbRandom(seeds.featureFraction);
  const useFF = p.featureFraction < 1;
  const ffCount = Math.max(Math.trunc(F * p.featureFraction + 0.5), Math.min(1, F));
  // LightGBM draws one sample when the learner is set up (ColSampler::SetTrainingData), before any tree.
  if (useFF) ffRandom.sample(F, ffCount);

  const useBagging = p.baggingFraction < 1 && p.baggingFreq > 0;
  const bagRands: LgbRandom[] = [];
  const BAG_BLOCK = 1024;
  if (useBagging) for (let i = 0; i * BAG_BLOCK < n; i++) bagRands.push(new LgbRandom(seeds.bagging + i));
  const bag = useBagging ? new Int32Array(n) : null;
  let bagCount = n;
  let oob: Int32Array | undefined;

  const trees: Tree[] = [];
  const best = valids.map((v) => v.metrics.map(() => ({ score: K_MIN_SCORE, iter: 0 })));
  let bestIter = 0;

  for (let iter = 0; iter < p.numIterations; iter++) {
    obj.getGradients(score, gh);
    if (useBagging && iter % p.baggingFreq === 0) {
      // Bagging (BaggingHelper): in-bag rows in order at the front, the others at the back.
      let left = 0;
      let right = n;
      for (let i = 0; i < n; i++) {
        if (bagRands[(i / BAG_BLOCK) | 0]!.nextFloat() < p.baggingFraction) bag![left++] = i;
        else bag![--right] = i;
      }
      bagCount = left;
      oob = bag!.slice(bagCount);
    }
    if (useFF) {
      featureUsed.fill(0);
      for (const f of ffRandom.sample(F, ffCount)) featureUsed[f] = 1;
    }
    const bt = learner.train(gh, bag, bagCount, featureUsed);
    const t = bt.tree;
    if (t.numLeaves > 1) {
      shrinkTree(t, p.learningRate);
      // Training scores: in-bag rows by the partition, out-of-bag rows through the tree.
      const part = learner.partition;
      for (let leaf = 0; leaf < t.numLeaves; leaf++) {
        const v = t.leafValue[leaf]!;
        const b = part.leafBegin[leaf]!;
        const e = b + part.leafCount[leaf]!;
        for (let i = b; i < e; i++) score[part.indices[i]!] += v;
      }
      if (useBagging && oob) addTreeScores(bt, ds, missingBins, score, oob);
      for (const v of valids) addTreeScores(bt, v.ds, missingBins, v.score);
      if (Math.abs(initScore) > K_EPSILON && trees.length === 0) addBias(t, initScore);
      trees.push(t);
    } else {
      // No split possible: LightGBM stops; a first constant tree keeps the initial score.
      if (trees.length === 0) {
        t.leafValue[0] = initScore;
        t.shrinkage = 1;
        trees.push(t);
      }
      log('Stopped training because there are no more leaves that meet the split requirements');
      break;
    }

    // Metrics and early stopping (GBDT::OutputMetric).
    const it = iter + 1;
    const results: EvalResult[] = [];
    const push = (dataName: string, m: Metric, vals: number[]) => {
      for (let k = 0; k < m.names.length; k++)
        results.push({
          dataName,
          metricName: m.names[k]!,
          value: vals[k]!,
          biggerIsBetter: m.biggerIsBetter,
        });
    };
    // Metrics every metric_freq iterations; validation metrics every iteration when stopping early.
    const need = it % p.metricFreq === 0;
    if (need) for (const m of trainMetrics) push('training', m, m.eval(score));
    let stop = false;
    for (let i = 0; i < valids.length && (need || p.earlyStoppingRound > 0); i++) {
      const v = valids[i]!;
      for (let j = 0; j < v.metrics.length; j++) {
        const m = v.metrics[j]!;
        const vals = m.eval(v.score);
        push(v.name, m, vals);
        if (p.earlyStoppingRound > 0 && !stop && (!p.firstMetricOnly || j === 0)) {
          // LightGBM compares the last value (e.g. the largest eval_at).
          const cur = (m.biggerIsBetter ? 1 : -1) * vals[vals.length - 1]!;
          const b = best[i]![j]!;
          if (cur > b.score) {
            b.score = cur;
            b.iter = it;
          } else if (it - b.iter >= p.earlyStoppingRound) stop = true;
        }
      }
    }
    callbacks.onIteration?.(it, results);
    if (stop) {
      bestIter = it - p.earlyStoppingRound;
      log(`Early stopping at iteration ${it}, the best iteration round is ${bestIter}`);
      trees.length = bestIter;
      break;
    }
  }

  const model: GbdtModel = {
    objective: obj.modelString,
    numClass: 1,
    numTreePerIteration: 1,
    labelIndex: 0,
    maxFeatureIdx: ds.numTotalFeatures - 1,
    featureNames: ds.featureNames.slice(),
    featureInfos: ds.mappers.map((m) => m.infoString()),
    trees,
  };
  return model;
}
