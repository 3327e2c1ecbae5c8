/**
 * Deterministic assignment as GrowthBook's SDKs do it (../../../shared/fixtures/growthbook/README.md):
 * FNV-1a 32-bit over UTF-16 code units, the v1 and v2 hashes into [0, 1), bucket ranges with coverage,
 * the variation a hash falls into, and namespaces. Pure functions; test vectors in hash-cases.json.
 */
import { hashString } from '../core/random.js';

/** FNV-1a, 32 bit, over the string's UTF-16 code units (charCodeAt); unsigned: the project's one FNV-1a. */
export const fnv1a32 = hashString;

/**
 * A number in [0, 1) for `value` under `seed`: version 1 (value then seed, three decimals), version 2
 * (seed then value, hashed twice, four decimals, unbiased); null for any other version.
 */
export function hash(seed: string, value: string, version: number): number | null {
  if (version === 2) return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return null;
}

/** `n` equal weights (none for n <= 0). */
export function getEqualWeights(n: number): number[] {
  if (n <= 0) return [];
  return new Array<number>(n).fill(1 / n);
}

/** A variation's share of the hash space: [start, end). */
export type BucketRange = [number, number];

/**
 * Each variation's range: coverage clamped into [0, 1]; weights equal unless `numVariations` of them are
 * given summing to 0.99..1.01; variation i gets [S_i, S_i + coverage * w_i) with S_i the sum of the
 * weights before it (starts do not move with coverage: the gaps are users left out).
 */
export function getBucketRanges(
  numVariations: number,
  coverage = 1,
  weights?: readonly number[] | null,
): BucketRange[] {
  const c = Math.min(Math.max(coverage, 0), 1);
  let w: readonly number[] = getEqualWeights(numVariations);
  if (weights && weights.length === numVariations) {
    const sum = weights.reduce((a, b) => a + b, 0);
    if (sum >= 0.99 && sum <= 1.01) w = weights;
  }
  let start = 0;
  return w.map((x) => {
    const range: BucketRange = [start, start + c * x];
    start += x;
    return range;
  });
}

/** The index of the range holding `n`, or -1 (a coverage gap: not in the experiment). */
export function chooseVariation(n: number, ranges: readonly BucketRange[]): number {
  for (let i = 0; i < ranges.length; i++) {
    const [start, end] = ranges[i]!;
    if (n >= start && n < end) return i;
  }
  return -1;
}

/** Whether a user is inside namespace `[id, start, end)` (always the v1 hash, seed "__" + id). */
export function inNamespace(userId: string, namespace: readonly [string, number, number]): boolean {
  const n = hash(`__${namespace[0]}`, userId, 1);
  return n !== null && n >= namespace[1] && n < namespace[2];
}
