/**
 * Users (or exposures) needed per variant to detect a relative lift of a rate with a two-sided test:
 * n = (z(1 - alpha/2) + z(power))^2 (p1 (1 - p1) + p2 (1 - p2)) / (p2 - p1)^2, with p2 = p1 (1 + lift).
 * For any other metric (a mean, or a ratio such as clicks per exposure over users) give `sd`, the
 * standard deviation of one user's contribution (for a ratio, the delta method's: statVariance's square
 * root, ./statistics.ts), the same in both variants: n = (z(1 - alpha/2) + z(power))^2 2 sd^2 / (p2 - p1)^2.
 */
import { InvalidInputError } from '../errors.js';
import { phiInverse } from './distributions.js';

export interface SampleSizeInput {
  /** The control's rate, in (0, 1); with `sd`, the control's mean (any positive number). */
  baseline: number;
  /** A mean or ratio metric's per-user standard deviation (instead of a rate's p (1 - p)). */
  sd?: number;
  /** Relative lift to detect (0.1 = +10%). */
  lift: number;
  /** Default 0.05. */
  alpha?: number;
  /** Default 0.8. */
  power?: number;
}

export interface SampleSize {
  perVariant: number;
  baseline: number;
  treatment: number;
  alpha: number;
  power: number;
}

export function sampleSize(input: SampleSizeInput): SampleSize {
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  const p1 = input.baseline;
  const p2 = p1 * (1 + input.lift);
  const sd = input.sd;
  if (sd !== undefined && !(Number.isFinite(sd) && sd > 0))
    throw new InvalidInputError('sd', `must be a positive number, got ${sd}`);
  const rate = sd === undefined;
  if (!(p1 > 0 && (p1 < 1 || !rate)) || !Number.isFinite(p1))
    throw new InvalidInputError(
      'baseline',
      rate ? `must be in (0, 1), got ${p1}` : `must be positive, got ${p1}`,
    );
  if (!(Number.isFinite(input.lift) && input.lift !== 0 && p2 > 0 && (p2 < 1 || !rate)))
    throw new InvalidInputError(
      'lift',
      `must be non-zero with baseline x (1 + lift) in (0, 1), got ${input.lift}`,
    );
  if (!(alpha > 0 && alpha < 1)) throw new InvalidInputError('alpha', `must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new InvalidInputError('power', `must be in (0, 1), got ${power}`);
  const z = phiInverse(1 - alpha / 2) + phiInverse(power);
  const variance = rate ? p1 * (1 - p1) + p2 * (1 - p2) : 2 * sd * sd;
  const n = (z * z * variance) / (p2 - p1) ** 2;
  return { perVariant: Math.ceil(n), baseline: p1, treatment: p2, alpha, power };
}
