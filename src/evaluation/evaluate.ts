/**
 * The offline evaluation runner: split the log, fit each model on the train side (timed), recommend the
 * top K for every test user with his train items excluded, and score the lists against the held-out
 * relevant items (../data/splits.ts buildTestSet) with the metrics of ./metrics.ts, one row per model.
 *
 * An oracle (the simulator's true preferences) can be ranked the same way: it is the ceiling the models
 * are compared with on a synthetic world.
 *
 * Serving time: with a per-user temporal split (temporal, leave-last) each user's held-out events follow
 * his OWN last train event, which may lie months before the end of the training data. A live system serves
 * a returning user as of the moment he comes back, so every model is asked for each user as of his last
 * train event + 1 ms (UserProfile.at; models with point-in-time features use it, the others ignore it).
 * Other splits serve every user as of the models' now (the end of the train side, or the global cut).
 */

import { csrRow, transpose } from '../core/csr.js';
import { discount, gradedNdcgAtK, ndcgAtK } from '../core/ndcg.js';
import { selectTopN } from '../core/top-n.js';
import { buildInteractions, type InteractionWeights, interactionWeights } from '../data/interactions.js';
import { type ServingTimeRule, servingTimes } from '../data/serving-time.js';
import {
  buildTestSet,
  eventsByUser,
  type Split,
  type SplitOptions,
  splitLog,
  type TestSet,
} from '../data/splits.js';
import type { FitData, MetricSink, UserProfile } from '../recommenders/recommender.js';
import { fitModels, type ModelFactory } from '../training/fit-models.js';
import type { Csr, EventLog, ItemRecord, ModelName } from '../types.js';
import {
  aucFromScores,
  averagePrecisionAtK,
  averageRecommendationPopularity,
  catalogueCoverage,
  hitRateAtK,
  intraListDiversity,
  itemUserCounts,
  meanItemValue,
  novelty,
  popularityPercentiles,
  precisionAtK,
  recallAtK,
  reciprocalRankAtK,
  rowNorms,
} from './metrics.js';

/** Ranks items by a ground truth: the simulator's true probability that `user` takes each item around `times`. */
export interface OracleScorer {
  scoreAll(user: number, times: ArrayLike<number>): Float32Array;
}

/** Times the oracle ranks at: up to `n` of the user's test-event times, at evenly spaced quantiles. */
export function oracleTimes(
  test: EventLog,
  byUser: { indptr: Int32Array; order: Int32Array },
  u: number,
  n = 4,
): Float64Array {
  const a = byUser.indptr[u]!;
  const m = byUser.indptr[u + 1]! - a;
  const take = Math.min(n, m);
  const out = new Float64Array(take);
  for (let j = 0; j < take; j++)
    out[j] = test.timestamp[byUser.order[a + Math.floor(((j + 0.5) * m) / take)]!]!;
  return out;
}

export interface EvaluateOptions {
  split: SplitOptions;
  k: number;
  models: ModelName[];
  /** Build each model (the registry's createRecommender). */
  create: ModelFactory;
  params?: Partial<Record<ModelName, Record<string, unknown>>>;
  weights?: InteractionWeights;
  /** The time each user is served at (default: see servedAtOf). */
  at?: ServingTimeRule;
  /** Compute per-user AUC from each model's full score vector (default true). */
  auc?: boolean;
  /** When given, an `oracle` row ranks every unseen item by it, at the user's test-event times. */
  oracle?: OracleScorer;
  /** Called as each model starts and as users are scored. */
  onModelStart?: (name: string, users: number) => void;
  onUsers?: (done: number) => void;
  onModelDone?: (row: MetricRow) => void;
  /** Where the models report their training curves (FitData.metrics), each under its name. */
  metrics?: MetricSink;
  /** Also NDCG@k for k = 1..curveK (each row's `ndcgCurve`; lists of max(k, curveK) items are asked). */
  curveK?: number;
}

/** One row of the results table. Accuracy metrics are means over the evaluated users. */
export interface MetricRow {
  model: string;
  precision: number;
  recall: number;
  ndcg: number;
  /** NDCG with the rating (or interaction weight) as a linear gain. */
  ndcgGraded: number;
  map: number;
  /** Reciprocal rank of the first hit within the top K. */
  mrr: number;
  hitRate: number;
  /** Mean per-user AUC over unseen items (NaN when not computed). */
  auc: number;
  /** Distinct recommended items / catalogue size. */
  coverage: number;
  /** Mean self-information -log2 p(i) of recommended items, p = train users of i / users. */
  novelty: number;
  /** Mean intra-list diversity (1 - mean pairwise cosine of genre vectors, or item co-occurrence columns). */
  diversity: number;
  /** Mean popularity percentile of recommended items (0 = least popular, 1 = most). */
  popularity: number;
  /** Average recommendation popularity: mean train user count of recommended items. */
  arp: number;
  users: number;
  fitSeconds: number;
  recommendSeconds: number;
  /** NDCG@1 .. NDCG@curveK, when asked (EvaluateOptions.curveK). */
  ndcgCurve?: number[];
}

export interface EvaluationResult {
  split: string;
  k: number;
  trainEvents: number;
  testEvents: number;
  /** Users evaluated; users with relevant test items but no train events are not (coldUsers). */
  users: number;
  coldUsers: number;
  items: number;
  /** What the diversity metric compared: genre vectors or interaction columns. */
  diversityVectors: 'genres' | 'co-occurrence';
  /** When users were served: 'user' (each as of his last train event), 'now' (the models' now) or a time. */
  servedAt: string;
  rows: MetricRow[];
}

/** Items x genres 0/1 matrix, or undefined when fewer than half of the items have genres. */
export function genreVectors(items: ItemRecord[], nItems: number): Csr | undefined {
  const genreIndex = new Map<string, number>();
  const indptr = new Int32Array(nItems + 1);
  const cols: number[] = [];
  let withGenres = 0;
  for (let i = 0; i < nItems; i++) {
    const gs = items[i]?.genres ?? [];
    if (gs.length > 0) withGenres++;
    const row: number[] = [];
    for (const g of gs) {
      let c = genreIndex.get(g);
      if (c === undefined) genreIndex.set(g, (c = genreIndex.size));
      if (!row.includes(c)) row.push(c);
    }
    row.sort((a, b) => a - b);
    cols.push(...row);
    indptr[i + 1] = cols.length;
  }
  if (withGenres * 2 < nItems) return undefined;
  return {
    rows: nItems,
    cols: genreIndex.size,
    indptr,
    indices: Int32Array.from(cols),
    values: new Float32Array(cols.length).fill(1),
  };
}

/** The items x users 0/1 matrix of positive train interactions (item co-occurrence vectors). */
function itemColumns(x: Csr): Csr {
  const t = transpose(x);
  for (let k = 0; k < t.values.length; k++) t.values[k] = t.values[k]! > 0 ? 1 : 0;
  return t;
}

/** Everything the scoring of one ranked list needs, shared by all rows of one evaluation. */
export interface EvaluationContext {
  split: Split;
  testSet: TestSet;
  trainX: Csr;
  items: ItemRecord[];
  k: number;
  userCounts: Int32Array;
  percentiles: Float64Array;
  vectors: Csr;
  vectorNorms: Float64Array;
  diversityVectors: 'genres' | 'co-occurrence';
  /**
   * Per user, the time he is served at (UserProfile.at) under `servedAtRule`; absent for 'now' (models
   * serve as of their now).
   */
  servedAt?: Float64Array;
  servedAtRule: ServingTimeRule;
}

/**
 * The serving times of a split's users under `at` (../data/serving-time.ts, over the train side); without a
 * rule, per user under a per-user temporal split (temporal, leave-last), the models' now otherwise.
 */
function servedAtOf(
  split: Split,
  at: ServingTimeRule | undefined,
): { servedAt?: Float64Array; servedAtRule: ServingTimeRule } {
  const rule: ServingTimeRule =
    at ?? (split.kind === 'temporal' || split.kind === 'leave-last' ? { kind: 'user' } : { kind: 'now' });
  const servedAt = servingTimes(split.train, rule);
  return servedAt ? { servedAt, servedAtRule: rule } : { servedAtRule: rule };
}

export function evaluationContext(
  log: EventLog,
  items: ItemRecord[],
  splitOptions: SplitOptions,
  k: number,
  weights: InteractionWeights = interactionWeights(),
  at?: ServingTimeRule,
): EvaluationContext {
  const split = splitLog(log, splitOptions);
  const testSet = buildTestSet(split, weights);
  const trainX = buildInteractions(split.train, weights);
  const userCounts = itemUserCounts(trainX);
  const genres = genreVectors(items, trainX.cols);
  const vectors = genres ?? itemColumns(trainX);
  return {
    split,
    testSet,
    trainX,
    items,
    k,
    userCounts,
    percentiles: popularityPercentiles(userCounts),
    vectors,
    vectorNorms: rowNorms(vectors),
    diversityVectors: genres ? 'genres' : 'co-occurrence',
    ...servedAtOf(split, at),
  };
}

/**
 * Scores ranked lists against the test set. `rank(u)` returns user u's top-K list and, when AUC is wanted,
 * his full score vector.
 */
export function scoreLists(
  ctx: EvaluationContext,
  model: string,
  rank: (u: number, profile: UserProfile) => { items: Int32Array; scores?: Float32Array },
  onUsers?: (done: number) => void,
  curveK = 0,
): MetricRow {
  const { testSet, trainX, k } = ctx;
  const curve = new Float64Array(curveK);
  const rel = testSet.relevant;
  const nItems = trainX.cols;
  const grade = new Float32Array(nItems); // relevance grade of the current user's items (0 elsewhere)
  const positive = new Uint8Array(nItems);
  const excluded = new Uint8Array(nItems);
  const gains = new Float32Array(k);
  const binary = new Uint8Array(k);
  const order = new Int32Array(nItems);
  const lists: Int32Array[] = [];
  const sums = { precision: 0, recall: 0, ndcg: 0, ndcgGraded: 0, map: 0, mrr: 0, hitRate: 0, diversity: 0 };
  let aucSum = 0;
  let aucUsers = 0;
  const start = performance.now();
  const users = testSet.users;
  for (let n = 0; n < users.length; n++) {
    const u = users[n]!;
    const profile: UserProfile = { user: u, ...csrRow(trainX, u) };
    const at = ctx.servedAt?.[u];
    if (at !== undefined && !Number.isNaN(at)) profile.at = at;
    const a = rel.indptr[u]!;
    const b = rel.indptr[u + 1]!;
    for (let j = a; j < b; j++) {
      grade[rel.indices[j]!] = rel.values[j]!;
      positive[rel.indices[j]!] = 1;
    }
    const ideal = Float32Array.from(rel.values.subarray(a, b)).sort().reverse();
    const { items: list, scores } = rank(u, profile);
    const top = list.length > k ? list.subarray(0, k) : list;
    gains.fill(0);
    binary.fill(0);
    for (let r = 0; r < top.length; r++) {
      gains[r] = grade[top[r]!]!;
      binary[r] = gains[r]! > 0 ? 1 : 0;
    }
    const nRel = b - a;
    if (curveK > 0) {
      let dcg = 0;
      let idcg = 0;
      for (let r = 0; r < curveK; r++) {
        if (r < list.length && grade[list[r]!]! > 0) dcg += discount(r);
        if (r < nRel) idcg += discount(r);
        if (idcg > 0) curve[r]! += dcg / idcg;
      }
    }
    sums.precision += precisionAtK(binary, k);
    sums.recall += recallAtK(binary, k, nRel);
    sums.ndcg += ndcgAtK(binary, k, nRel);
    sums.ndcgGraded += gradedNdcgAtK(gains, k, ideal);
    sums.map += averagePrecisionAtK(binary, k, nRel);
    sums.mrr += reciprocalRankAtK(binary, k);
    sums.hitRate += hitRateAtK(binary, k);
    sums.diversity += intraListDiversity(top, ctx.vectors, ctx.vectorNorms);
    if (scores) {
      for (let j = 0; j < profile.items.length; j++) excluded[profile.items[j]!] = 1;
      const auc = aucFromScores(scores, positive, excluded, order);
      if (!Number.isNaN(auc)) {
        aucSum += auc;
        aucUsers++;
      }
      for (let j = 0; j < profile.items.length; j++) excluded[profile.items[j]!] = 0;
    }
    for (let j = a; j < b; j++) {
      grade[rel.indices[j]!] = 0;
      positive[rel.indices[j]!] = 0;
    }
    lists.push(Int32Array.from(top));
    if ((n & 63) === 63 || n === users.length - 1) onUsers?.(n + 1);
  }
  const nu = Math.max(1, users.length);
  return {
    model,
    precision: sums.precision / nu,
    recall: sums.recall / nu,
    ndcg: sums.ndcg / nu,
    ndcgGraded: sums.ndcgGraded / nu,
    map: sums.map / nu,
    mrr: sums.mrr / nu,
    hitRate: sums.hitRate / nu,
    auc: aucUsers > 0 ? aucSum / aucUsers : Number.NaN,
    coverage: catalogueCoverage(lists, nItems),
    novelty: novelty(lists, ctx.userCounts, trainX.rows),
    diversity: sums.diversity / nu,
    popularity: meanItemValue(lists, ctx.percentiles),
    arp: averageRecommendationPopularity(lists, ctx.userCounts),
    users: users.length,
    fitSeconds: 0,
    recommendSeconds: (performance.now() - start) / 1000,
    ...(curveK > 0 ? { ndcgCurve: Array.from(curve, (v) => v / nu) } : {}),
  };
}

/** Evaluates each model (and the oracle when given) on one split of `log`. */
export async function evaluate(
  log: EventLog,
  items: ItemRecord[],
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  const ctx = evaluationContext(log, items, options.split, options.k, options.weights, options.at);
  const withAuc = options.auc ?? true;
  const curveK = options.curveK ?? 0;
  const listK = Math.max(options.k, curveK);
  const rows: MetricRow[] = [];
  const users = ctx.testSet.users.length;
  const fitData: FitData = {
    interactions: ctx.trainX,
    log: ctx.split.train,
    items,
    ...(ctx.split.cut !== undefined ? { now: ctx.split.cut } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  await fitModels(fitData, options.models, {
    create: options.create,
    ...(options.params ? { params: options.params } : {}),
    onStart: (name) => options.onModelStart?.(name, users),
    onFitted: (name, model, fitSeconds) => {
      const row = scoreLists(
        ctx,
        name,
        (_u, profile) => ({
          items: model.recommend(profile, listK).items,
          ...(withAuc ? { scores: model.scoreAll(profile) } : {}),
        }),
        options.onUsers,
        curveK,
      );
      row.fitSeconds = fitSeconds;
      rows.push(row);
      options.onModelDone?.(row);
    },
  });
  // rows in the order asked (fitModels fits composite models last)
  rows.sort(
    (a, b) => options.models.indexOf(a.model as ModelName) - options.models.indexOf(b.model as ModelName),
  );
  if (options.oracle) {
    const oracle = options.oracle;
    const testByUser = eventsByUser(ctx.split.test);
    options.onModelStart?.('oracle', users);
    const row = scoreLists(
      ctx,
      'oracle',
      (u, profile) => {
        const scores = oracle.scoreAll(u, oracleTimes(ctx.split.test, testByUser, u));
        return { items: selectTopN(scores, listK, profile.items).items, ...(withAuc ? { scores } : {}) };
      },
      options.onUsers,
      curveK,
    );
    rows.push(row);
    options.onModelDone?.(row);
  }
  return {
    split: ctx.split.description,
    k: options.k,
    trainEvents: ctx.split.train.length,
    testEvents: ctx.split.test.length,
    users,
    coldUsers: ctx.testSet.coldUsers,
    items: ctx.trainX.cols,
    diversityVectors: ctx.diversityVectors,
    servedAt:
      ctx.servedAtRule.kind === 'time' ? new Date(ctx.servedAtRule.at).toISOString() : ctx.servedAtRule.kind,
    rows,
  };
}
