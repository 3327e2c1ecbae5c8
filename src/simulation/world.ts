/**
 * The synthetic world: latent user and item factors with genre structure, item quality, popularity,
 * release times, user activity, active windows and taste drift, all in typed arrays indexed by the dense
 * user and item indices (world index == store index).
 *
 * Structure (a latent-factor model in the spirit of Koren, Bell and Volinsky, "Matrix factorization
 * techniques for recommender systems", IEEE Computer 2009, with genre-clustered factors):
 *   genre vectors g_k ~ N(0, I/dim);  item i with genres S_i: q_i = a * mean_{k in S_i} g_k + b * noise;
 *   user u with genre tastes w_u (Dirichlet over 1 + Poisson(breadth - 1) genres):
 *   p_u = c * sum_k w_uk g_k + d * noise;  drifting users move linearly over the span towards a new genre.
 * Popularity follows a Zipf law over a popularity rank correlated with quality; user activity is
 * heavy-tailed (lognormal, Weibull or gamma excess over a minimum), drawn by stratified sampling so that a small
 * world still has the intended distribution.
 */

import { AliasTable, normalQuantile, Rng } from '../core/random.js';
import { DAY, type WorldParams } from './params.js';

export interface World {
  params: WorldParams;
  genreNames: string[];
  /** genres * dim */
  genreFactors: Float32Array;
  /** users * dim */
  userFactors: Float32Array;
  /** users * dim; zero rows for users whose taste does not drift. */
  userDrift: Float32Array;
  /** The genre a drifting user moves towards, -1 for none. */
  userDriftGenre: Int16Array;
  /** users * genres, each row sums to 1. */
  userGenreTaste: Float32Array;
  /** Events the user emits (sums to params.events). */
  userActivity: Int32Array;
  /** Active window (ms since the epoch). */
  userJoin: Float64Array;
  userLeave: Float64Array;
  /** items * dim */
  itemFactors: Float32Array;
  itemQuality: Float32Array;
  /** log of the popularity weight relative to the mean weight (0 = average item). */
  itemLogPopularity: Float32Array;
  /** Release time (ms since the epoch). */
  itemRelease: Float64Array;
  /** Genre membership as a bit mask (bit k = genre k). */
  itemGenres: Uint32Array;
  /** Latent cut points between rating values 1|2, 2|3, 3|4, 4|5 (set when events are generated). */
  ratingThresholds: Float64Array;
}

/** Activity by hour of day (UTC taken as local time), mean 1: quiet at night, peak in the evening. */
export const DAILY_RHYTHM = normaliseMean([
  0.55, 0.35, 0.22, 0.15, 0.12, 0.15, 0.3, 0.55, 0.75, 0.85, 0.9, 0.95, 1.05, 1.0, 0.95, 0.95, 1.05, 1.2,
  1.45, 1.7, 1.9, 1.85, 1.5, 0.95,
]);
/** Activity by day of week (Sunday first), mean 1: weekends busier. */
export const WEEKLY_RHYTHM = normaliseMean([1.25, 0.9, 0.88, 0.9, 0.95, 1.05, 1.3]);

function normaliseMean(a: number[]): Float64Array {
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  return Float64Array.from(a, (x) => x / m);
}

export function buildWorld(params: WorldParams, genreNames: string[]): World {
  const { users: U, items: M, dim: D, genres: G } = params;
  const rng = new Rng(params.seed, 1);
  const noiseScale = 1 / Math.sqrt(D);

  const genreFactors = new Float32Array(G * D);
  for (let k = 0; k < G * D; k++) genreFactors[k] = rng.normal() * noiseScale;
  const genreWeights = new Float64Array(G);
  for (let k = 0; k < G; k++) genreWeights[k] = (k + 1) ** -params.genreZipf;
  const genreTable = new AliasTable(genreWeights);

  // Items: genre count by quota, genres by prevalence, factors from the genres plus noise.
  const itemGenres = new Uint32Array(M);
  const itemFactors = new Float32Array(M * D);
  const counts = quotaCounts(params.genresPerItemShares, M);
  const perItemCount = new Int32Array(M);
  let pos = 0;
  for (let c = 0; c < counts.length; c++) for (let n = 0; n < counts[c]!; n++) perItemCount[pos++] = c + 1;
  rng.shuffle(perItemCount);
  for (let i = 0; i < M; i++) {
    const want = Math.min(G, perItemCount[i]!);
    let mask = 0;
    let have = 0;
    while (have < want) {
      const k = genreTable.sample(rng);
      if ((mask & (1 << k)) === 0) {
        mask |= 1 << k;
        have++;
      }
    }
    itemGenres[i] = mask >>> 0;
    const row = i * D;
    for (let k = 0; k < G; k++) {
      if ((mask & (1 << k)) === 0) continue;
      for (let j = 0; j < D; j++)
        itemFactors[row + j]! += (params.itemGenreWeight * genreFactors[k * D + j]!) / want;
    }
    for (let j = 0; j < D; j++) itemFactors[row + j]! += params.itemNoise * noiseScale * rng.normal();
  }

  // Quality, and a popularity rank correlated with it; Zipf weights over the rank.
  const itemQuality = new Float32Array(M);
  const rankKey = new Float64Array(M);
  const rho = Math.max(0, Math.min(1, params.qualityPopularityCorr));
  for (let i = 0; i < M; i++) {
    const z = rng.normal();
    itemQuality[i] = params.qualitySd * z;
    rankKey[i] = rho * z + Math.sqrt(1 - rho * rho) * rng.normal();
  }
  const order = Int32Array.from({ length: M }, (_, i) => i).sort((a, b) => rankKey[b]! - rankKey[a]!);
  const itemLogPopularity = new Float32Array(M);
  let meanWeight = 0;
  const w = new Float64Array(M);
  for (let r = 0; r < M; r++) {
    w[order[r]!] =
      (r + 1 + params.popularityOffset) ** -params.popularityZipf *
      Math.exp(-params.popularityTailDecay * ((r + 1) / M) ** params.popularityTailShape);
    meanWeight += w[order[r]!]! / M;
  }
  for (let i = 0; i < M; i++) itemLogPopularity[i] = Math.log(w[i]! / meanWeight);

  const span = params.endMs - params.startMs;
  const itemRelease = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    itemRelease[i] = rng.bernoulli(params.catalogShare)
      ? params.startMs - rng.float() * params.catalogDays * DAY
      : params.startMs + rng.float() * span;
  }

  // Users: genre tastes of varying breadth, factors, drift, activity, active window.
  const userGenreTaste = new Float32Array(U * G);
  const userFactors = new Float32Array(U * D);
  const userDrift = new Float32Array(U * D);
  const userDriftGenre = new Int16Array(U).fill(-1);
  const userJoin = new Float64Array(U);
  const userLeave = new Float64Array(U);
  const genrePart = new Float64Array(D);
  for (let u = 0; u < U; u++) {
    const breadth = Math.min(G, 1 + rng.poisson(Math.max(0, params.userBreadthMean - 1)));
    let mask = 0;
    let have = 0;
    let total = 0;
    const trow = u * G;
    while (have < breadth) {
      const k = genreTable.sample(rng);
      if ((mask & (1 << k)) !== 0) continue;
      mask |= 1 << k;
      have++;
      const g = rng.gamma(1);
      userGenreTaste[trow + k] = g;
      total += g;
    }
    genrePart.fill(0);
    for (let k = 0; k < G; k++) {
      const t = (userGenreTaste[trow + k]! /= total);
      if (t === 0) continue;
      for (let j = 0; j < D; j++) genrePart[j]! += params.userGenreWeight * t * genreFactors[k * D + j]!;
    }
    const row = u * D;
    for (let j = 0; j < D; j++)
      userFactors[row + j] = genrePart[j]! + params.userNoise * noiseScale * rng.normal();
    if (rng.bernoulli(params.driftShare) && have < G) {
      let k: number;
      do k = genreTable.sample(rng);
      while ((mask & (1 << k)) !== 0);
      userDriftGenre[u] = k;
      for (let j = 0; j < D; j++)
        userDrift[row + j] =
          params.driftScale * (params.userGenreWeight * genreFactors[k * D + j]! - genrePart[j]!);
    }
    const life = Math.min(
      span,
      params.lifetimeMedianDays * DAY * Math.exp(params.lifetimeSigma * rng.normal()),
    );
    userJoin[u] = params.startMs + rng.float() * (span - life);
    userLeave[u] = userJoin[u]! + life;
  }

  const userActivity = allocateActivity(params, rng);
  return {
    params,
    genreNames,
    genreFactors,
    userFactors,
    userDrift,
    userDriftGenre,
    userGenreTaste,
    userActivity,
    userJoin,
    userLeave,
    itemFactors,
    itemQuality,
    itemLogPopularity,
    itemRelease,
    itemGenres,
    ratingThresholds: new Float64Array(4),
  };
}

/** Integer counts proportional to `shares` summing to `n` (largest remainder). */
export function quotaCounts(shares: number[], n: number): Int32Array {
  const total = shares.reduce((s, x) => s + x, 0);
  const exact = shares.map((s) => (s / total) * n);
  const out = Int32Array.from(exact, Math.floor);
  let left = n - out.reduce((s, x) => s + x, 0);
  const byRemainder = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) => b[0] - a[0]);
  for (let j = 0; left > 0; j = (j + 1) % byRemainder.length, left--) out[byRemainder[j]![1]]!++;
  return out;
}

/**
 * Events per user: activityMin + excess, the excess heavy-tailed (lognormal, Weibull or gamma), drawn at
 * stratified quantiles (one user per 1/U slice, shuffled), capped at activityMax, then scaled so that the
 * counts sum to exactly params.events.
 */
export function allocateActivity(params: WorldParams, rng: Rng): Int32Array {
  const U = params.users;
  const lo = params.activityMin;
  // A ratings-only user rates each item at most once.
  const cap = (params.ratingsOnly ? Math.min(params.activityMax, params.items) : params.activityMax) - lo;
  const strata = Float64Array.from({ length: U }, (_, k) => (k + rng.float()) / U);
  rng.shuffle(strata);
  const excess = new Float64Array(U);
  if (params.activityKind === 'lognormal') {
    for (let u = 0; u < U; u++) excess[u] = Math.exp(params.activityShape * normalQuantile(strata[u]!));
  } else if (params.activityKind === 'weibull') {
    for (let u = 0; u < U; u++) excess[u] = (-Math.log(1 - strata[u]!)) ** (1 / params.activityShape);
  } else {
    // Quantiles of the gamma read off a large sorted sample (no closed-form inverse needed).
    const pool = new Float64Array(Math.max(20_000, 20 * U));
    for (let k = 0; k < pool.length; k++) pool[k] = rng.gamma(params.activityShape);
    pool.sort();
    for (let u = 0; u < U; u++)
      excess[u] = pool[Math.min(pool.length - 1, Math.floor(strata[u]! * pool.length))]!;
  }
  if (params.activitySoftCap > 0) {
    // Saturate relative to the median so the soft cap is in units of events.
    const median = Float64Array.from(excess).sort()[Math.floor(U / 2)]!;
    const c = params.activitySoftCap / Math.max(1e-12, median);
    for (let u = 0; u < U; u++) excess[u] = c * Math.tanh(excess[u]! / c);
  }
  const target = params.events - U * lo;
  const out = new Int32Array(U);
  if (target <= 0 || cap <= 0) {
    out.fill(lo);
    return out;
  }
  // Scale s so that sum(min(s * excess, cap)) == target (bisection), then round by largest remainder.
  const sumAt = (s: number) => {
    let t = 0;
    for (let u = 0; u < U; u++) t += Math.min(s * excess[u]!, cap);
    return t;
  };
  let a = 0;
  let b = 1;
  while (sumAt(b) < target && b < 1e300) b *= 2;
  for (let it = 0; it < 200; it++) {
    const m = (a + b) / 2;
    if (sumAt(m) < target) a = m;
    else b = m;
  }
  const real = Float64Array.from(excess, (x) => Math.min(b * x, cap));
  let left = target;
  for (let u = 0; u < U; u++) {
    out[u] = Math.floor(real[u]!);
    left -= out[u]!;
  }
  const byRemainder = Int32Array.from({ length: U }, (_, u) => u).sort(
    (x, y) => real[y]! - Math.floor(real[y]!) - (real[x]! - Math.floor(real[x]!)) || x - y,
  );
  for (let j = 0; left > 0 && j < U; j++) {
    const u = byRemainder[j]!;
    if (out[u]! < cap) {
      out[u]!++;
      left--;
    }
  }
  for (let u = 0; u < U; u++) out[u]! += lo;
  return out;
}
