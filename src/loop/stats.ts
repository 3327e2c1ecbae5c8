/**
 * The loop's own reading of an experiment (until the experiments module's statistics serve it): CTR per
 * exposure as a ratio metric (clicks over slates, summed per user; delta-method variance), the relative
 * lift of a treatment over the control with a 95% interval and two-sided p-value (Welch's unequal
 * variances, read on the normal: the loop's groups hold hundreds of users, where Student's t and the
 * normal agree to the third decimal), and GrowthBook's sequential (always-valid) interval, the confidence
 * sequence of Waudby-Smith et al. (arXiv 2103.06476) as gbstats 0.8.0 computes it (described in
 * ../../shared/fixtures/growthbook/README.md). Interleaving: the sign test over users' preferences.
 */
import { normalQuantile } from '../core/random.js';

/** Per-user sums of a ratio metric: numerator (clicks) and denominator (slates) of each user. */
export interface RatioSample {
  m: ArrayLike<number>;
  d: ArrayLike<number>;
}

export interface RatioMoments {
  n: number;
  /** sum m / sum d */
  mean: number;
  /** Per-unit delta-method variance of the ratio. */
  variance: number;
}

export function ratioMoments(s: RatioSample): RatioMoments {
  const n = s.m.length;
  let sm = 0;
  let sd = 0;
  for (let j = 0; j < n; j++) {
    sm += s.m[j]!;
    sd += s.d[j]!;
  }
  if (n === 0 || sd === 0) return { n, mean: 0, variance: 0 };
  const mm = sm / n;
  const md = sd / n;
  let vm = 0;
  let vd = 0;
  let c = 0;
  for (let j = 0; j < n; j++) {
    const a = s.m[j]! - mm;
    const b = s.d[j]! - md;
    vm += a * a;
    vd += b * b;
    c += a * b;
  }
  const den = Math.max(1, n - 1);
  vm /= den;
  vd /= den;
  c /= den;
  const variance = vm / md ** 2 + (vd * mm ** 2) / md ** 4 - (2 * c * mm) / md ** 3;
  return { n, mean: sm / sd, variance: Math.max(0, variance) };
}

export interface Lift {
  /** Relative lift (treatment - control) / control. */
  value: number;
  se: number;
  ci: [number, number];
  p: number;
  /** Always-valid 95% interval (safe to read at every peek). */
  sequentialCi: [number, number];
}

/**
 * Relative lift of b over a (delta method), fixed-horizon and sequential. `tuning`: the sequential
 * interval's N*, the total users it is narrowest at (GrowthBook's default 5000).
 */
export function relativeLift(a: RatioMoments, b: RatioMoments, alpha = 0.05, tuning = 5000): Lift {
  if (a.n < 2 || b.n < 2 || a.mean === 0) return { value: 0, se: 0, ci: [0, 0], p: 1, sequentialCi: [0, 0] };
  const value = (b.mean - a.mean) / Math.abs(a.mean);
  const v = b.variance / b.n / a.mean ** 2 + ((a.variance / a.n) * b.mean ** 2) / a.mean ** 4;
  const se = Math.sqrt(v);
  if (!(se > 0))
    return { value, se: 0, ci: [value, value], p: value === 0 ? 1 : 0, sequentialCi: [value, value] };
  const z = normalQuantile(1 - alpha / 2);
  const p = 2 * normalTail(Math.abs(value) / se);
  const h = sequentialHalfWidth(se, a.n + b.n, alpha, tuning);
  return { value, se, ci: [value - z * se, value + z * se], p, sequentialCi: [value - h, value + h] };
}

/** Half-width of GrowthBook's two-sided sequential interval for standard error `se` at n units. */
export function sequentialHalfWidth(se: number, n: number, alpha = 0.05, tuning = 5000): number {
  const la = -2 * Math.log(alpha);
  const rho2 = (la + Math.log(la + 1)) / tuning;
  const nr = n * rho2;
  return se * Math.sqrt(((2 * (nr + 1)) / nr) * Math.log(Math.sqrt(nr + 1) / alpha));
}

/** P(Z > z) for a standard normal (erfc by Chebyshev fit, W. H. Press et al., relative error < 1.2e-7). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** Two-sided exact sign test: p of `wins` against `losses` (ties dropped) under p = 1/2. */
export function signTest(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  const lo = Math.min(wins, losses);
  // P(X <= lo), X ~ Binomial(n, 1/2), summed in log space
  let logTerm = -n * Math.LN2; // log C(n, 0) / 2^n
  let sum = Math.exp(logTerm);
  for (let j = 1; j <= lo; j++) {
    logTerm += Math.log((n - j + 1) / j);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, 2 * sum);
}
