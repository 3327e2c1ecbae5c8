/**
 * Sufficient statistics of one variation's metric (named and shaped as gbstats 0.8.0's, so that
 * GrowthBook's cases read as they are) and their per-unit mean and variance: sample means, proportions,
 * ratio metrics by the delta method, CUPED (regression adjustment on a pre-exposure covariate) for means
 * and ratios, and quantiles. The formulas are those of ../../../shared/fixtures/growthbook/README.md.
 */
import { phiInverse } from './distributions.js';

export interface SampleMeanStatistic {
  type: 'SampleMeanStatistic';
  n: number;
  sum: number;
  sum_squares: number;
}

export interface ProportionStatistic {
  type: 'ProportionStatistic';
  n: number;
  sum: number;
}

export type BaseStatistic = SampleMeanStatistic | ProportionStatistic;

/** Numerator over denominator summed over units (clicks per exposure over users): the delta method. */
export interface RatioStatistic {
  type: 'RatioStatistic';
  n: number;
  m_statistic: SampleMeanStatistic;
  d_statistic: SampleMeanStatistic;
  m_d_sum_of_products: number;
}

export interface RegressionAdjustedStatistic {
  type: 'RegressionAdjustedStatistic';
  n: number;
  post_statistic: BaseStatistic;
  pre_statistic: BaseStatistic;
  post_pre_sum_of_products: number;
  /** null: estimated from both variations (./stat-tests.ts). */
  theta: number | null;
}

export interface RegressionAdjustedRatioStatistic {
  type: 'RegressionAdjustedRatioStatistic';
  n: number;
  m_statistic_post: SampleMeanStatistic;
  d_statistic_post: SampleMeanStatistic;
  m_statistic_pre: SampleMeanStatistic;
  d_statistic_pre: SampleMeanStatistic;
  m_post_m_pre_sum_of_products: number;
  d_post_d_pre_sum_of_products: number;
  m_pre_d_pre_sum_of_products: number;
  m_post_d_post_sum_of_products: number;
  m_post_d_pre_sum_of_products: number;
  m_pre_d_post_sum_of_products: number;
  theta: number | null;
}

export interface QuantileStatistic {
  type: 'QuantileStatistic';
  n: number;
  n_star: number;
  nu: number;
  quantile_hat: number;
  quantile_lower: number;
  quantile_upper: number;
}

export type Statistic =
  | BaseStatistic
  | RatioStatistic
  | RegressionAdjustedStatistic
  | RegressionAdjustedRatioStatistic
  | QuantileStatistic;

function sumSquares(s: BaseStatistic): number {
  return s.type === 'ProportionStatistic' ? s.sum : s.sum_squares;
}

function baseMean(s: BaseStatistic): number {
  return s.n === 0 ? 0 : s.sum / s.n;
}

function baseVariance(s: BaseStatistic): number {
  if (s.type === 'ProportionStatistic') {
    const p = baseMean(s);
    return p * (1 - p);
  }
  if (s.n <= 1) return 0;
  return (s.sum_squares - (s.sum * s.sum) / s.n) / (s.n - 1);
}

/** Covariance of two quantities measured on the same n units, from the sum of their products. */
export function covariance(x: BaseStatistic, y: BaseStatistic, sumOfProducts: number, n: number): number {
  if (n <= 1) return 0;
  if (x.type === 'ProportionStatistic' && y.type === 'ProportionStatistic')
    return sumOfProducts / n - (x.sum * y.sum) / (n * n);
  return (sumOfProducts - (x.sum * y.sum) / n) / (n - 1);
}

/** The pooled statistic of two variations (sums added). */
export function pooled<T extends BaseStatistic>(a: T, b: T): T {
  if (a.type === 'ProportionStatistic') return { ...a, n: a.n + b.n, sum: a.sum + b.sum };
  return { ...a, n: a.n + b.n, sum: a.sum + b.sum, sum_squares: sumSquares(a) + sumSquares(b) };
}

function ratioParts(s: RatioStatistic) {
  const muM = baseMean(s.m_statistic);
  const muD = baseMean(s.d_statistic);
  const varM = baseVariance(s.m_statistic);
  const varD = baseVariance(s.d_statistic);
  const cov = covariance(s.m_statistic, s.d_statistic, s.m_d_sum_of_products, s.n);
  return { muM, muD, varM, varD, cov };
}

/** The 4-vector of means (m post, d post, m pre, d pre) and its per-unit covariance matrix. */
export function ratioCupedMoments(s: RegressionAdjustedRatioStatistic): {
  beta: number[];
  lambda: number[][];
} {
  const parts = [s.m_statistic_post, s.d_statistic_post, s.m_statistic_pre, s.d_statistic_pre];
  const beta = parts.map(baseMean);
  const products = [
    [0, s.m_post_d_post_sum_of_products, s.m_post_m_pre_sum_of_products, s.m_post_d_pre_sum_of_products],
    [0, 0, s.m_pre_d_post_sum_of_products, s.d_post_d_pre_sum_of_products],
    [0, 0, 0, s.m_pre_d_pre_sum_of_products],
  ];
  const lambda = parts.map(() => [0, 0, 0, 0]);
  for (let i = 0; i < 4; i++) {
    lambda[i]![i] = baseVariance(parts[i]!);
    for (let j = i + 1; j < 4; j++) {
      const c = covariance(parts[i]!, parts[j]!, products[i]![j]!, s.n);
      lambda[i]![j] = c;
      lambda[j]![i] = c;
    }
  }
  return { beta, lambda };
}

/** The gradient of (m post / d post) - theta (m pre / d pre) at beta. */
export function ratioCupedGradient(beta: number[], theta: number): number[] {
  const [b0, b1, b2, b3] = beta as [number, number, number, number];
  return [1 / b1, -b0 / (b1 * b1), -theta / b3, (theta * b2) / (b3 * b3)];
}

/** x' M y for a square matrix M given by rows. */
export function quadratic(x: number[], m: number[][], y: number[], rows = [0, 1, 2, 3], cols = rows): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++)
    for (let j = 0; j < cols.length; j++) s += x[i]! * m[rows[i]!]![cols[j]!]! * y[j]!;
  return s;
}

const Z975 = phiInverse(0.975);

function quantileVariance(s: QuantileStatistic): number {
  const half = (s.quantile_upper - s.quantile_lower) / (2 * Z975);
  const v0 = (s.n_star / s.n) * (s.n - 1) * half * half;
  const z2 = Z975 * Z975;
  if (s.n <= (z2 * s.nu) / (1 - s.nu) || s.n <= (z2 * (1 - s.nu)) / s.nu || v0 <= 0) return 0;
  return s.n < 100 ? v0 : Math.max(v0, 1e-5);
}

/** The per-unit mean (CUPED-adjusted where it applies; theta must be set). */
export function statMean(s: Statistic): number {
  switch (s.type) {
    case 'SampleMeanStatistic':
    case 'ProportionStatistic':
      return baseMean(s);
    case 'RatioStatistic': {
      const d = s.d_statistic.sum;
      return d === 0 ? 0 : s.m_statistic.sum / d;
    }
    case 'RegressionAdjustedStatistic':
      return baseMean(s.post_statistic) - (s.theta ?? 0) * baseMean(s.pre_statistic);
    case 'RegressionAdjustedRatioStatistic': {
      const post = s.d_statistic_post.sum === 0 ? 0 : s.m_statistic_post.sum / s.d_statistic_post.sum;
      const pre = s.d_statistic_pre.sum === 0 ? 0 : s.m_statistic_pre.sum / s.d_statistic_pre.sum;
      return post - (s.theta ?? 0) * pre;
    }
    case 'QuantileStatistic':
      return s.quantile_hat;
  }
}

/** The mean without adjustment (the baseline of a relative effect). */
export function unadjustedMean(s: Statistic): number {
  if (s.type === 'RegressionAdjustedStatistic') return baseMean(s.post_statistic);
  if (s.type === 'RegressionAdjustedRatioStatistic')
    return s.d_statistic_post.sum === 0 ? 0 : s.m_statistic_post.sum / s.d_statistic_post.sum;
  return statMean(s);
}

/** The per-unit variance (delta method for ratios, CUPED-adjusted where it applies). */
export function statVariance(s: Statistic): number {
  switch (s.type) {
    case 'SampleMeanStatistic':
    case 'ProportionStatistic':
      return baseVariance(s);
    case 'RatioStatistic': {
      const { muM, muD, varM, varD, cov } = ratioParts(s);
      if (muD === 0 || s.n <= 1) return 0;
      return varM / muD ** 2 + (varD * muM ** 2) / muD ** 4 - (2 * cov * muM) / muD ** 3;
    }
    case 'RegressionAdjustedStatistic': {
      const t = s.theta ?? 0;
      const cov = covariance(s.post_statistic, s.pre_statistic, s.post_pre_sum_of_products, s.n);
      return baseVariance(s.post_statistic) + t * t * baseVariance(s.pre_statistic) - 2 * t * cov;
    }
    case 'RegressionAdjustedRatioStatistic': {
      const { beta, lambda } = ratioCupedMoments(s);
      const g = ratioCupedGradient(beta, s.theta ?? 0);
      return quadratic(g, lambda, g);
    }
    case 'QuantileStatistic':
      return quantileVariance(s);
  }
}

/** A ratio metric from its CUPED statistic's post-period parts (the plain metric when theta is 0). */
export function postRatio(s: RegressionAdjustedRatioStatistic): RatioStatistic {
  return {
    type: 'RatioStatistic',
    n: s.n,
    m_statistic: s.m_statistic_post,
    d_statistic: s.d_statistic_post,
    m_d_sum_of_products: s.m_post_d_post_sum_of_products,
  };
}

/** The component statistics of a plain metric: its base mean and variance (for CUPED's own terms). */
export const base = { mean: baseMean, variance: baseVariance };
