/**
 * Intervals over seeds: the mean of a few values with its two-sided 95 % Student-t interval (a study has
 * 3 to 10 seeds, so the normal quantile would be too narrow).
 */

/** t quantiles at 0.975 for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (2.0 up to 60, 1.96 past). */
export function tQuantile975(df: number): number {
  if (df < 1) return Number.NaN;
  return df <= 30 ? T975[Math.floor(df) - 1]! : df <= 60 ? 2.0 : 1.96;
}

export interface Interval {
  mean: number;
  /** Half-width of the 95 % t-interval (NaN with fewer than two values). */
  half: number;
  n: number;
}

/** Mean and 95 % t-interval of the finite values of `xs`. */
export function meanInterval(xs: readonly number[]): Interval {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { mean: Number.NaN, half: Number.NaN, n };
  const mean = v.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, half: Number.NaN, n };
  const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, half: tQuantile975(n - 1) * Math.sqrt(variance / n), n };
}
