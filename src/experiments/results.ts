/**
 * An experiment's results from its outcomes (./outcomes.ts): per variant the users, exposures, clicks,
 * CTR per exposure (a ratio metric: per-user sums of clicks over exposures, delta method) with its 95%
 * interval, conversions per user; against the control (the first variant) the relative lift of the CTR
 * with its 95% interval and p-value (Welch's t-test) and an always-valid sequential interval, optionally
 * CUPED on clicks per user with the pre-exposure events as covariate; the sample-ratio-mismatch p-value;
 * guardrails (latency p99, share of empty lists, catalogue coverage); interleaving preferences; and the
 * same figures over time.
 */
import type { ExperimentRecord } from '../store/experiments.js';
import type { Store } from '../store/store.js';
import { interleavedPair } from './definition.js';
import { phiInverse } from './distributions.js';
import { type InterleavingResult, interleavingResult } from './interleave.js';
import { type OutcomeOptions, outcomes, type VariantOutcomes } from './outcomes.js';
import { checkSrm, computeTheta, frequentistTest } from './stat-tests.js';
import {
  type RatioStatistic,
  type RegressionAdjustedStatistic,
  type SampleMeanStatistic,
  type Statistic,
  statMean,
  statVariance,
} from './statistics.js';

export interface Estimate {
  value: number;
  ci: [number, number];
}

export interface Lift extends Estimate {
  p: number;
  /** Always valid: safe to read at any time (peeking). */
  sequentialCi: [number, number];
  /** Why the test could not run (no variance, zero baseline), when it could not. */
  error?: string;
}

export interface VariantResult {
  name: string;
  strategy?: string;
  bundle?: string;
  users: number;
  exposures: number;
  clicks: number;
  conversions: number;
  ctr: Estimate;
  conversionsPerUser: Estimate;
  /** CTR's relative lift against the control (absent for the control). */
  lift?: Lift;
  /** Clicks per user's relative lift, CUPED-adjusted on the pre-exposure events (when asked). */
  cuped?: { theta: number | null; lift: Lift; unadjusted: Lift };
  interleaving?: InterleavingResult;
}

export interface TimelinePoint {
  at: number;
  variants: { name: string; users: number; ctr: Estimate; lift?: Lift }[];
}

export interface ExperimentResults {
  experiment: ExperimentRecord;
  variants: VariantResult[];
  srm: { p: number; flagged: boolean };
  guardrails: { latencyP99Ms: number[]; emptyRate: number[]; coverage: number[] };
  timeline?: TimelinePoint[];
}

export interface ResultOptions extends OutcomeOptions {
  /** 1 - confidence (default 0.05). */
  alpha?: number;
  /** The sequential test's N*, an estimate of the final number of users (default 5000). */
  sequentialTuning?: number;
  cuped?: boolean;
  /** Points of the timeline (0: none; default 0). */
  timelinePoints?: number;
  /** The clock (ms), for the timeline's end while running. */
  now?: number;
}

/** SRM p below this is flagged. */
export const SRM_THRESHOLD = 0.001;

/** The sums gbstats' sample mean is made of, over per-user values. */
export function sampleMean(x: ArrayLike<number>): SampleMeanStatistic {
  let sum = 0;
  let sq = 0;
  for (let k = 0; k < x.length; k++) {
    const v = x[k]!;
    sum += v;
    sq += v * v;
  }
  return { type: 'SampleMeanStatistic', n: x.length, sum, sum_squares: sq };
}

export function sumOfProducts(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k]! * y[k]!;
  return s;
}

/** A ratio metric over `n` users from their per-user numerators `m` and denominators `d` (delta method). */
export function ratioStatistic(m: ArrayLike<number>, d: ArrayLike<number>, n = m.length): RatioStatistic {
  return {
    type: 'RatioStatistic',
    n,
    m_statistic: sampleMean(m),
    d_statistic: sampleMean(d),
    m_d_sum_of_products: sumOfProducts(m, d),
  };
}

/** CTR as a ratio metric over users. */
export function ctrStatistic(o: VariantOutcomes): RatioStatistic {
  return ratioStatistic(o.perUser.clicks, o.perUser.exposures, o.users);
}

function cupedStatistic(o: VariantOutcomes): RegressionAdjustedStatistic {
  const { clicks, pre } = o.perUser;
  return {
    type: 'RegressionAdjustedStatistic',
    n: o.users,
    post_statistic: sampleMean(clicks),
    pre_statistic: sampleMean(pre),
    post_pre_sum_of_products: sumOfProducts(clicks, pre),
    theta: null,
  };
}

function estimate(s: Statistic, alpha: number): Estimate {
  const value = statMean(s);
  const half = s.n > 1 ? phiInverse(1 - alpha / 2) * Math.sqrt(Math.max(statVariance(s), 0) / s.n) : 0;
  return { value, ci: [value - half, value + half] };
}

/** Relative lift of `b` over `a`: Welch's interval and p, and the sequential (always-valid) interval. */
export function lift(a: Statistic, b: Statistic, alpha: number, nStar: number): Lift {
  const config = { difference_type: 'relative' as const, alpha, sequential_tuning_parameter: nStar };
  const fixed = frequentistTest('TwoSidedTTest', a, b, config);
  const seq = frequentistTest('SequentialTwoSidedTTest', a, b, config);
  return {
    value: fixed.expected,
    ci: fixed.ci,
    p: fixed.pValue ?? 1,
    sequentialCi: seq.ci,
    ...(fixed.errorMessage ? { error: fixed.errorMessage } : {}),
  };
}

function p99(x: Float64Array): number {
  if (x.length === 0) return 0;
  const sorted = Float64Array.from(x).sort();
  return sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)]!;
}

/** Results of outcomes already computed (the in-process path for many simulated experiments). */
export function resultsOf(
  e: ExperimentRecord,
  out: readonly VariantOutcomes[],
  catalogueSize: number,
  options: ResultOptions = {},
): ExperimentResults {
  const alpha = options.alpha ?? 0.05;
  const nStar = options.sequentialTuning ?? 5000;
  const control = out[0]!;
  const ctrA = ctrStatistic(control);
  const cupedA = options.cuped ? cupedStatistic(control) : undefined;
  const variants = e.variants.map((v, j): VariantResult => {
    const o = out[j]!;
    const ctr = ctrStatistic(o);
    const r: VariantResult = {
      name: v.name,
      ...(v.strategy !== undefined ? { strategy: v.strategy } : {}),
      ...(v.bundle !== undefined ? { bundle: v.bundle } : {}),
      users: o.users,
      exposures: o.exposures,
      clicks: o.clicks,
      conversions: o.conversions,
      ctr: estimate(ctr, alpha),
      conversionsPerUser: estimate(sampleMean(o.perUser.conversions), alpha),
    };
    if (j > 0) r.lift = lift(ctrA, ctr, alpha, nStar);
    if (j > 0 && cupedA) {
      const b = cupedStatistic(o);
      r.cuped = {
        theta: computeTheta(cupedA, b),
        lift: lift(cupedA, b, alpha, nStar),
        unadjusted: lift(cupedA.post_statistic, b.post_statistic, alpha, nStar),
      };
    }
    const pair = interleavedPair(v.strategy);
    if (pair && o.credits) r.interleaving = interleavingResult(pair, o.credits);
    return r;
  });
  const srmP = checkSrm(
    out.map((o) => o.users),
    e.variants.map((v) => v.weight),
  );
  return {
    experiment: e,
    variants,
    srm: { p: srmP, flagged: srmP < SRM_THRESHOLD },
    guardrails: {
      latencyP99Ms: out.map((o) => p99(o.latencies)),
      emptyRate: out.map((o) => (o.exposures === 0 ? 0 : o.empty / o.exposures)),
      coverage: out.map((o) => (catalogueSize === 0 ? 0 : o.itemsShown / catalogueSize)),
    },
  };
}

/** An experiment's results from the store (with its timeline when asked). */
export async function experimentResults(
  store: Store,
  e: ExperimentRecord,
  options: ResultOptions = {},
): Promise<ExperimentResults> {
  const items = (await store.counts()).items;
  const results = resultsOf(
    e,
    await outcomes(store, e, { ...options, pre: options.cuped ?? false }),
    items,
    options,
  );
  const points = options.timelinePoints ?? 0;
  const start = e.startedAt;
  if (points > 0 && start !== null) {
    const end = Math.min(e.stoppedAt ?? Number.POSITIVE_INFINITY, options.now ?? Date.now());
    results.timeline = [];
    for (let k = 1; k <= points; k++) {
      const at = Math.round(start + ((end - start) * k) / points);
      const r = resultsOf(e, await outcomes(store, e, { ...options, until: at }), items, options);
      results.timeline.push({
        at,
        variants: r.variants.map((v) => ({
          name: v.name,
          users: v.users,
          ctr: v.ctr,
          ...(v.lift ? { lift: v.lift } : {}),
        })),
      });
    }
  }
  return results;
}
