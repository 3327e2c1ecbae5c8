/**
 * Per-user statistics of a user's candidates that their feature rows and the stage-1 blend read: each
 * source's largest score, and the first source's mean, standard deviation and per-candidate z-score.
 */
import type { CandidateRows } from '../features/build.js';

/** Per source, the largest score among a user's candidates. */
export function sourceMaxOf(c: CandidateRows): Float64Array {
  const n = c.items.length;
  const S = n > 0 ? c.scores.length / n : 0;
  const m = new Float64Array(S).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < n; r++) for (let s = 0; s < S; s++) m[s] = Math.max(m[s]!, c.scores[r * S + s]!);
  return m;
}

/** Mean and standard deviation (1 when 0) of the first source's scores over a user's candidates. */
export function firstSourceStats(c: CandidateRows): { mean: number; sd: number } {
  const n = c.items.length;
  const S = n > 0 ? c.scores.length / n : 1;
  let mean = 0;
  for (let r = 0; r < n; r++) mean += c.scores[r * S]!;
  mean /= Math.max(1, n);
  let v = 0;
  for (let r = 0; r < n; r++) v += (c.scores[r * S]! - mean) ** 2;
  return { mean, sd: Math.sqrt(v / Math.max(1, n)) || 1 };
}

/** Per candidate: the first source's score standardised over the user's candidates (z-score). */
export function firstSourceZ(c: CandidateRows): Float64Array {
  const n = c.items.length;
  const S = n > 0 ? c.scores.length / n : 1;
  const { mean, sd } = firstSourceStats(c);
  const z = new Float64Array(n);
  for (let r = 0; r < n; r++) z[r] = (c.scores[r * S]! - mean) / sd;
  return z;
}

/**
 * The first source's z-scores of `other` rows (items outside the candidates, with every source's score),
 * standardised by the candidates' statistics: as recommend() would see them.
 */
export function firstSourceZOf(other: CandidateRows, cands: CandidateRows, sources: number): Float64Array {
  const m = other.items.length;
  const { mean, sd } = firstSourceStats(cands);
  const z = new Float64Array(m);
  for (let r = 0; r < m; r++) z[r] = (other.scores[r * sources]! - mean) / sd;
  return z;
}

/**
 * Per candidate: source s's score standardised over the user's candidates (z-score; sd 1 when 0). A
 * candidate without a score from it (NaN) gets the lowest z of the others.
 */
export function sourceZ(c: CandidateRows, s: number): Float64Array {
  const n = c.items.length;
  const S = n > 0 ? c.scores.length / n : 1;
  let mean = 0;
  let m = 0;
  for (let r = 0; r < n; r++) {
    const v = c.scores[r * S + s]!;
    if (Number.isNaN(v)) continue;
    mean += v;
    m++;
  }
  mean /= Math.max(1, m);
  let q = 0;
  for (let r = 0; r < n; r++) {
    const v = c.scores[r * S + s]!;
    if (!Number.isNaN(v)) q += (v - mean) ** 2;
  }
  const sd = Math.sqrt(q / Math.max(1, m)) || 1;
  const z = new Float64Array(n);
  let low = 0;
  for (let r = 0; r < n; r++) {
    const v = c.scores[r * S + s]!;
    z[r] = Number.isNaN(v) ? Number.NaN : (v - mean) / sd;
    if (z[r]! < low) low = z[r]!;
  }
  for (let r = 0; r < n; r++) if (Number.isNaN(z[r]!)) z[r] = low;
  return z;
}
