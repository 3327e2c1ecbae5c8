/**
 * The loop's reading of its own variants with the experiments module's statistics
 * (../experiments/stat-tests.ts, gbstats' formulas): CTR per exposure as a ratio metric (per-user sums of
 * takes over slates, delta method), the relative lift of a treatment over the control with a 95% interval
 * and p-value (Welch's t-test), and the sequential (always-valid) interval, safe under peeking.
 */
import { Rng } from '../core/random.js';
import { phi, phiInverse } from '../experiments/distributions.js';
import { type Lift, lift, ratioStatistic, sampleMean, sumOfProducts } from '../experiments/results.js';
import type { RegressionAdjustedRatioStatistic } from '../experiments/statistics.js';

export type { Lift };

/**
 * Per-user sums of a ratio metric: numerator (takes) and denominator (slates) of each user; optionally the
 * same user's sums before the experiment (`pm`, `pd`: CUPED's covariate).
 */
export interface RatioSample {
  m: ArrayLike<number>;
  d: ArrayLike<number>;
  pm?: ArrayLike<number> | undefined;
  pd?: ArrayLike<number> | undefined;
}

const sumOf = (x: ArrayLike<number>) => {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j]!;
  return s;
};

/**
 * CUPED for a ratio metric (gbstats' regression-adjusted ratio, theta estimated from both variants): the
 * in-experiment ratio adjusted by the same user's ratio before the experiment.
 */
export function cupedRatioStatistic(s: Required<RatioSample>): RegressionAdjustedRatioStatistic {
  return {
    type: 'RegressionAdjustedRatioStatistic',
    n: s.m.length,
    m_statistic_post: sampleMean(s.m),
    d_statistic_post: sampleMean(s.d),
    m_statistic_pre: sampleMean(s.pm),
    d_statistic_pre: sampleMean(s.pd),
    m_post_m_pre_sum_of_products: sumOfProducts(s.m, s.pm),
    d_post_d_pre_sum_of_products: sumOfProducts(s.d, s.pd),
    m_pre_d_pre_sum_of_products: sumOfProducts(s.pm, s.pd),
    m_post_d_post_sum_of_products: sumOfProducts(s.m, s.d),
    m_post_d_pre_sum_of_products: sumOfProducts(s.m, s.pd),
    m_pre_d_post_sum_of_products: sumOfProducts(s.pm, s.d),
    theta: null,
  };
}

const hasPre = (s: RatioSample): s is Required<RatioSample> => s.pm !== undefined && s.pd !== undefined;

/**
 * Relative lift of b over a; `tuning` is the sequential test's N* (the total users expected). With both
 * samples' pre-experiment sums, CUPED-adjusted (cupedRatioStatistic).
 */
export function relativeLift(a: RatioSample, b: RatioSample, alpha = 0.05, tuning = 5000): Lift {
  const cuped = hasPre(a) && hasPre(b);
  const sa = cuped ? cupedRatioStatistic(a) : ratioStatistic(a.m, a.d);
  const sb = cuped ? cupedRatioStatistic(b) : ratioStatistic(b.m, b.d);
  return lift(sa, sb, alpha, tuning);
}

/** Whether an interval excludes 0 (a difference flagged). */
export function excludesZero(ci: readonly [number, number]): boolean {
  return ci[0] > 0 || ci[1] < 0;
}

/**
 * Relative difference of CTR between two runs over the same people (common random numbers: the same
 * arrivals and people, each run served by one strategy): b's ratio over a's minus 1, its variance by the
 * delta method over the per-person differences of the linearised ratios (paired, so what the people share
 * cancels), a normal 95% interval and two-sided p. Person j is a[j] in one run and b[j] in the other.
 */
export function pairedLift(a: RatioSample, b: RatioSample, alpha = 0.05): Omit<Lift, 'sequentialCi'> {
  const n = a.m.length;
  const sa = sumOf(a.d);
  const sb = sumOf(b.d);
  const ra = sumOf(a.m) / sa;
  const rb = sumOf(b.m) / sb;
  const da = sa / Math.max(1, n);
  const db = sb / Math.max(1, n);
  let s = 0;
  let s2 = 0;
  for (let j = 0; j < n; j++) {
    const ia = (a.m[j]! - ra * a.d[j]!) / da;
    const ib = (b.m[j]! - rb * b.d[j]!) / db;
    const g = ib / ra - (rb * ia) / (ra * ra);
    s += g;
    s2 += g * g;
  }
  const variance = n > 1 ? (s2 - (s * s) / n) / (n - 1) / n : Number.NaN;
  const value = rb / ra - 1;
  const half = phiInverse(1 - alpha / 2) * Math.sqrt(variance);
  const p = 2 * (1 - phi(Math.abs(value) / Math.sqrt(variance)));
  return { value, ci: [value - half, value + half], p };
}

/**
 * Users an experiment needs, by resampling a run's users: for each n of `grid` (ascending), `draws`
 * bootstrap samples of n users (with replacement, from `units`, each unit one user with whatever the
 * test reads of him) are tested, and the share in which `called` holds is the empirical power at n. The
 * answer is the smallest n whose power reaches `power`, interpolated linearly between the grid's points
 * (undefined when the grid's largest n falls short). The same rule serves an A/B test (units: users of
 * both arms, each drawn with his arm, as a hash split would) and an interleaving test (units: the
 * interleaved users), so that their figures compare.
 */
export function usersNeededByPower<T>(
  units: readonly T[],
  called: (sample: T[]) => boolean,
  grid: readonly number[],
  o: { draws?: number; power?: number; seed?: number } = {},
): { users: number | undefined; curve: { n: number; power: number }[] } {
  const draws = o.draws ?? 200;
  const target = o.power ?? 0.8;
  const rng = new Rng(o.seed ?? 1, 21);
  const curve: { n: number; power: number }[] = [];
  for (const n of grid) {
    let hits = 0;
    for (let d = 0; d < draws; d++) {
      const sample: T[] = new Array(n);
      for (let j = 0; j < n; j++) sample[j] = units[rng.int(units.length)]!;
      if (called(sample)) hits++;
    }
    const power = hits / draws;
    curve.push({ n, power });
    if (power >= target) {
      const prev = curve[curve.length - 2];
      const users =
        prev && power > prev.power
          ? prev.n + ((target - prev.power) / (power - prev.power)) * (n - prev.n)
          : n;
      return { users, curve };
    }
  }
  return { users: undefined, curve };
}

/** A grid from `lo` to `hi` with steps of about `ratio` (integers, ascending, no repeats). */
export function geometricGrid(lo: number, hi: number, ratio = 1.1): number[] {
  const out: number[] = [];
  for (let x = lo; x <= hi; x *= ratio) {
    const n = Math.round(x);
    if (out[out.length - 1] !== n) out.push(n);
  }
  if (out[out.length - 1] !== hi) out.push(hi);
  return out;
}
