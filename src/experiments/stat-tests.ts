/**
 * The tests behind an A/B result, as gbstats 0.8.0 computes them: CUPED's theta, the effect moments
 * (absolute or relative difference and its variance by the delta method), Welch's t-tests (two-sided and
 * one-sided), the always-valid sequential tests (Waudby-Smith et al.), the Bayesian effect test and its
 * risk, and the sample-ratio-mismatch check of GrowthBook's back end. a is the control, b the treatment.
 */
import { chiSquareCdf, phi, phiDensity, phiInverse, studentCdf, studentQuantile } from './distributions.js';
import {
  base,
  covariance,
  pooled,
  postRatio,
  quadratic,
  type RegressionAdjustedRatioStatistic,
  type RegressionAdjustedStatistic,
  ratioCupedGradient,
  ratioCupedMoments,
  type Statistic,
  statMean,
  statVariance,
  unadjustedMean,
} from './statistics.js';

export type DifferenceType = 'relative' | 'absolute';

export interface TestConfig {
  difference_type?: DifferenceType;
  alpha?: number;
  test_value?: number;
  /** N*: an estimate of the final total sample size (sequential tests; default 5000). */
  sequential_tuning_parameter?: number;
}

export interface FrequentistResult {
  expected: number;
  ci: [number, number];
  pValue: number | null;
  uplift: { dist: 'normal'; mean: number; stddev: number };
  errorMessage: string | null;
  pValueErrorMessage: string | null;
}

export type FrequentistTest =
  | 'TwoSidedTTest'
  | 'OneSidedTreatmentGreaterTTest'
  | 'OneSidedTreatmentLesserTTest'
  | 'SequentialTwoSidedTTest'
  | 'SequentialOneSidedTreatmentGreaterTTest'
  | 'SequentialOneSidedTreatmentLesserTTest';

/** CUPED's theta for a mean metric, from both variations pooled (0 when a pooled variance is 0). */
export function computeTheta(a: RegressionAdjustedStatistic, b: RegressionAdjustedStatistic): number {
  const n = a.n + b.n;
  const post = pooled(a.post_statistic, b.post_statistic);
  const pre = pooled(a.pre_statistic, b.pre_statistic);
  const varPost = base.variance(post);
  const varPre = base.variance(pre);
  if (varPost <= 0 || varPre <= 0) return 0;
  return covariance(post, pre, a.post_pre_sum_of_products + b.post_pre_sum_of_products, n) / varPre;
}

/** CUPED's theta for a ratio metric (the minimiser of the adjusted variance over both variations). */
export function computeRatioTheta(
  a: RegressionAdjustedRatioStatistic,
  b: RegressionAdjustedRatioStatistic,
): number {
  let num = 0;
  let den = 0;
  for (const s of [a, b]) {
    const { beta, lambda } = ratioCupedMoments(s);
    const g = ratioCupedGradient(beta, 1);
    const gPost = [g[0]!, g[1]!];
    const gPre = [g[2]!, g[3]!];
    num += quadratic(gPre, lambda, gPost, [2, 3], [0, 1]);
    den += quadratic(gPre, lambda, gPre, [2, 3], [2, 3]);
  }
  return den === 0 ? 0 : -num / den;
}

/**
 * Both variations with theta set (estimated when null); a CUPED statistic whose theta is 0 (or a ratio's
 * under 1e-8) becomes its plain post-period statistic.
 */
export function withTheta(a: Statistic, b: Statistic): [Statistic, Statistic] {
  if (a.type === 'RegressionAdjustedStatistic' && b.type === 'RegressionAdjustedStatistic') {
    const theta = a.theta ?? b.theta ?? computeTheta(a, b);
    if (theta === 0) return [a.post_statistic, b.post_statistic];
    return [
      { ...a, theta },
      { ...b, theta },
    ];
  }
  if (a.type === 'RegressionAdjustedRatioStatistic' && b.type === 'RegressionAdjustedRatioStatistic') {
    const theta = a.theta ?? b.theta ?? computeRatioTheta(a, b);
    if (Math.abs(theta) < 1e-8) return [postRatio(a), postRatio(b)];
    return [
      { ...a, theta },
      { ...b, theta },
    ];
  }
  return [a, b];
}

/** The point estimate alone: b - a, or (b - a) / |a's unadjusted mean|. */
export function frequentistDiff(
  meanA: number,
  meanB: number,
  relative: boolean,
  meanAUnadjusted = meanA,
): number {
  return relative ? (meanB - meanA) / Math.abs(meanAUnadjusted) : meanB - meanA;
}

export interface EffectMoments {
  pointEstimate: number;
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  dof: number;
  errorMessage: string | null;
}

/** The effect's point estimate and standard error (theta already set: see withTheta). */
export function effectMoments(a: Statistic, b: Statistic, difference: DifferenceType): EffectMoments {
  const na = a.n;
  const nb = b.n;
  const va = statVariance(a);
  const vb = statVariance(b);
  const ma = statMean(a);
  const mb = statMean(b);
  const ua = unadjustedMean(a);
  const ub = unadjustedMean(b);
  const fail = (errorMessage: string): EffectMoments => ({
    pointEstimate: 0,
    standardError: 0,
    dof: 0,
    errorMessage,
  });
  const dof =
    (vb / nb + va / na) ** 2 / ((vb * vb) / (nb * nb * (nb - 1)) + (va * va) / (na * na * (na - 1)));
  let d: number;
  let v: number;
  if (difference === 'absolute') {
    d = mb - ma;
    v = vb / nb + va / na;
  } else {
    d = (mb - ma) / Math.abs(ua);
    if (a.type === 'RegressionAdjustedStatistic' && b.type === 'RegressionAdjustedStatistic') {
      const t = a.theta ?? 0;
      const part = (s: RegressionAdjustedStatistic) => ({
        post: base.variance(s.post_statistic),
        pre: base.variance(s.pre_statistic),
        cov: covariance(s.post_statistic, s.pre_statistic, s.post_pre_sum_of_products, s.n),
        mu: base.mean(s.post_statistic),
      });
      const pa = part(a);
      const pb = part(b);
      v =
        (pb.post + t * t * pb.pre - 2 * t * pb.cov) / (nb * ua * ua) +
        ((pa.post * pb.mu * pb.mu) / (pa.mu * pa.mu) - (2 * t * pa.cov * pb.mu) / pa.mu + t * t * pa.pre) /
          (na * ua * ua);
    } else if (
      a.type === 'RegressionAdjustedRatioStatistic' &&
      b.type === 'RegressionAdjustedRatioStatistic'
    ) {
      const t = a.theta ?? 0;
      const r = Math.abs(ua);
      const gAbs = (mb - ma) * Math.sign(ua);
      const A = ratioCupedMoments(a);
      const B = ratioCupedMoments(b);
      const ga = ratioCupedGradient(A.beta, t);
      const gb = ratioCupedGradient(B.beta, t).map((x) => x / r);
      const [b0, b1] = A.beta as [number, number];
      const gradA = [
        -(r + gAbs) / b1 / (r * r),
        (b0 * (r + gAbs)) / (b1 * b1) / (r * r),
        -ga[2]! / r,
        -ga[3]! / r,
      ];
      v = quadratic(gradA, A.lambda, gradA) / na + quadratic(gb, B.lambda, gb) / nb;
    } else {
      v = vb / nb / (ua * ua) + ((va / na) * ub * ub) / ua ** 4;
    }
  }
  if (!(va > 0) || !(vb > 0) || !(v > 0)) return fail('ZERO_NEGATIVE_VARIANCE');
  if (ma === 0 || ua === 0) return fail('ZERO_NEGATIVE_BASELINE_VARIATION');
  return { pointEstimate: d, standardError: Math.sqrt(v), dof, errorMessage: null };
}

function defaultFrequentist(
  errorMessage: string | null,
  pValueErrorMessage: string | null = null,
): FrequentistResult {
  return {
    expected: 0,
    ci: [0, 0],
    pValue: 1,
    uplift: { dist: 'normal', mean: 0, stddev: 0 },
    errorMessage,
    pValueErrorMessage,
  };
}

/** rho of the sequential tests (one-sided ones use 2 alpha). */
function sequentialRho(alpha: number, nStar: number): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / nStar);
}

/** One of gbstats' frequentist tests on control `a` and treatment `b`. */
export function frequentistTest(
  test: FrequentistTest,
  aIn: Statistic,
  bIn: Statistic,
  config: TestConfig = {},
): FrequentistResult {
  const alpha = config.alpha ?? 0.05;
  const testValue = config.test_value ?? 0;
  const nStar = config.sequential_tuning_parameter ?? 5000;
  const [a, b] = withTheta(aIn, bIn);
  const m = effectMoments(a, b, config.difference_type ?? 'relative');
  if (m.errorMessage !== null) return defaultFrequentist(m.errorMessage);
  const d = m.pointEstimate;
  const se = m.standardError;
  const out = (ci: [number, number], pValue: number | null, pValueErrorMessage: string | null = null) => ({
    expected: d,
    ci,
    pValue,
    uplift: { dist: 'normal' as const, mean: d, stddev: se },
    errorMessage: null,
    pValueErrorMessage,
  });
  const t = (d - testValue) / se;
  const n = a.n + b.n;
  switch (test) {
    case 'TwoSidedTTest': {
      const q = studentQuantile(1 - alpha / 2, m.dof);
      return out([d - q * se, d + q * se], 2 * studentCdf(-Math.abs(t), m.dof));
    }
    case 'OneSidedTreatmentGreaterTTest': {
      const q = studentQuantile(1 - alpha, m.dof);
      return out([d - q * se, Number.POSITIVE_INFINITY], 1 - studentCdf(t, m.dof));
    }
    case 'OneSidedTreatmentLesserTTest': {
      const q = studentQuantile(1 - alpha, m.dof);
      return out([Number.NEGATIVE_INFINITY, d + q * se], studentCdf(t, m.dof));
    }
    case 'SequentialTwoSidedTTest': {
      const rho = sequentialRho(alpha, nStar);
      const h = sequentialHalfWidth(se, n, rho, alpha);
      const st2 = ((d - testValue) ** 2 * n) / (se * se);
      const k = n * rho * rho + 1;
      const e = Math.exp((rho * rho * st2) / (2 * k)) / Math.sqrt(k);
      return out([d - h, d + h], Math.min(1 / e, 1));
    }
    case 'SequentialOneSidedTreatmentGreaterTTest':
    case 'SequentialOneSidedTreatmentLesserTTest': {
      if (alpha >= 0.5)
        return defaultFrequentist(null, 'ALPHA_GREATER_THAN_0.5_FOR_SEQUENTIAL_ONE_SIDED_TEST');
      const greater = test === 'SequentialOneSidedTreatmentGreaterTTest';
      const rho = sequentialRho(2 * alpha, nStar);
      const bound = (x: number) => {
        const h = oneSidedHalfWidth(se, n, rho, x);
        return greater ? d - h : d + h;
      };
      const ci: [number, number] = greater
        ? [bound(alpha), Number.POSITIVE_INFINITY]
        : [Number.NEGATIVE_INFINITY, bound(alpha)];
      const p = oneSidedPValue(bound, greater);
      return p === null ? out(ci, null, 'NUMERICAL_PVALUE_NOT_CONVERGED') : out(ci, p);
    }
  }
}

/** The two-sided confidence sequence's half-width. */
export function sequentialHalfWidth(se: number, n: number, rho: number, alpha: number): number {
  const k = n * rho * rho + 1;
  return se * Math.sqrt(((2 * k) / (n * rho * rho)) * Math.log(Math.sqrt(k) / alpha));
}

function oneSidedHalfWidth(se: number, n: number, rho: number, alpha: number): number {
  const s2 = se * se * n;
  const k = n * rho * rho + 1;
  return Math.sqrt(((s2 * 2 * k) / (n * rho) ** 2) * Math.log(1 + Math.sqrt(k) / (2 * alpha)));
}

/** The one-sided sequential p-value: bisection on alpha for the bound crossing 0. */
function oneSidedPValue(bound: (alpha: number) => number, greater: boolean): number | null {
  const LO = 1e-5;
  const HI = 0.4999;
  if (greater ? bound(LO) > 0 : bound(LO) < 0) return LO;
  if (greater ? bound(HI) < 0 : bound(HI) > 0) return HI;
  let lo = LO;
  let hi = HI;
  let x = (lo + hi) / 2;
  for (let k = 0; k < 100; k++) {
    const diff = bound(x);
    if (greater ? diff < 0 : diff > 0) lo = x;
    else hi = x;
    x = (lo + hi) / 2;
    if (Math.abs(diff) < 1e-6) return x;
  }
  return null;
}

export interface PriorEffect {
  mean: number;
  variance: number;
  proper: boolean;
}

export interface BayesianConfig {
  difference_type?: DifferenceType;
  alpha?: number;
  inverse?: boolean;
  prior_type?: DifferenceType;
  prior_effect?: PriorEffect;
}

export interface BayesianResult {
  expected: number;
  ci: [number, number];
  uplift: { dist: 'normal'; mean: number; stddev: number };
  chanceToWin: number;
  risk: [number, number];
  riskType: DifferenceType;
  errorMessage: string | null;
}

/** [risk of keeping control, risk of the treatment] for a normal posterior N(mu, sigma^2). */
export function getRisk(mu: number, sigma: number): [number, number] {
  const z = mu / sigma;
  if (Math.abs(z) > 37) return [Math.max(mu, 0), Math.max(-mu, 0)];
  const density = sigma * phiDensity(z);
  return [mu * phi(z) + density, -mu * phi(-z) + density];
}

/** gbstats' EffectBayesianABTest (a normal posterior of the effect). */
export function bayesianTest(aIn: Statistic, bIn: Statistic, config: BayesianConfig = {}): BayesianResult {
  const difference = config.difference_type ?? 'relative';
  const alpha = config.alpha ?? 0.05;
  const prior = config.prior_effect ?? { mean: 0, variance: 1, proper: false };
  const [a, b] = withTheta(aIn, bIn);
  const m = effectMoments(a, b, difference);
  if (m.errorMessage !== null)
    return {
      expected: 0,
      ci: [0, 0],
      uplift: { dist: 'normal', mean: 0, stddev: 0 },
      chanceToWin: 0.5,
      risk: [0, 0],
      riskType: difference,
      errorMessage: m.errorMessage,
    };
  const ua = unadjustedMean(a);
  let m0 = prior.mean;
  let v0 = prior.variance;
  if (difference === 'absolute' && (config.prior_type ?? 'relative') === 'relative') {
    m0 *= Math.abs(ua);
    v0 *= ua * ua;
  }
  const v = m.standardError ** 2;
  const precision = prior.proper ? 1 / v + 1 / v0 : 1 / v;
  const mean = prior.proper ? (m.pointEstimate / v + m0 / v0) / precision : m.pointEstimate;
  const sd = Math.sqrt(1 / precision);
  let chanceToWin = phi(mean / sd);
  let risk = getRisk(mean, sd);
  if (config.inverse) {
    chanceToWin = 1 - chanceToWin;
    risk = [risk[1], risk[0]];
  }
  return {
    expected: mean,
    ci: [mean + sd * phiInverse(alpha / 2), mean + sd * phiInverse(1 - alpha / 2)],
    uplift: { dist: 'normal', mean, stddev: sd },
    chanceToWin,
    risk,
    riskType: difference,
    errorMessage: null,
  };
}

/**
 * The sample-ratio-mismatch p-value (GrowthBook's checkSrm): a chi-square test of the users per variation
 * against their weights, over variations with a weight and a count; 1 when fewer than two remain.
 */
export function checkSrm(users: readonly number[], weights: readonly number[]): number {
  const kept: [number, number][] = [];
  for (let i = 0; i < weights.length; i++)
    if (weights[i]! > 0 && users[i] !== undefined) kept.push([users[i]!, weights[i]!]);
  const total = kept.reduce((s, [u]) => s + u, 0);
  if (kept.length < 2 || total === 0) return 1;
  const wTotal = kept.reduce((s, [, w]) => s + w, 0);
  let x = 0;
  for (const [o, w] of kept) {
    const e = (w / wTotal) * total;
    x += (o - e) ** 2 / e;
  }
  return 1 - chiSquareCdf(x, kept.length - 1);
}
