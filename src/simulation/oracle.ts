/**
 * The oracle: the world's true interaction probability for any (user, item, time), the same function the
 * generator draws responses from. Library API: loadWorld(store), trueProbability(world, u, i, t) and the
 * batch trueProbabilities(...).
 *
 *   P(interaction | exposed) = sigmoid(intercept + affinityScale * p_u(t).q_i + qualityWeight * quality_i
 *                                      + popularityWeight * log(popularity_i * ageing_i(t))
 *                                      + contextWeight * log(daily(t) * weekly(t)))
 * with p_u(t) = p_u + drift_u * tenure_u(t) (the share of the user's active window elapsed at t), and
 * ageing_i(t) = evergreen + (1 - evergreen) * exp(-age / ageingDays); before its release an item is all
 * but never taken. exposureWeights(...) gives the generator's exposure distribution, so that
 * P(logged interaction) ~ exposure * P(interaction | exposed).
 */

import { sigmoid } from '../core/math.js';
import { normalQuantile, Rng } from '../core/random.js';
import { RecoError } from '../errors.js';
import type { Store } from '../store/store.js';
import { DAY } from './params.js';
import { deserializeWorld, serializeWorld } from './serialize.js';
import { DAILY_RHYTHM, WEEKLY_RHYTHM, type World } from './world.js';

export const WORLD_META_KEY = 'world';
const UNRELEASED_LOGIT = -20;
const HOUR = 3_600_000;

export function saveWorld(store: Store, world: World): Promise<void> {
  return store.setMeta(WORLD_META_KEY, serializeWorld(world));
}

export async function loadWorld(store: Store): Promise<World> {
  const buf = await store.getMeta(WORLD_META_KEY);
  if (!buf) throw new RecoError(`${store.path} holds no simulated world (run "reco simulate" on it first)`);
  return deserializeWorld(buf);
}

const LOG_DAILY = Float64Array.from(DAILY_RHYTHM, Math.log);
const LOG_WEEKLY = Float64Array.from(WEEKLY_RHYTHM, Math.log);

/** log of the daily and weekly activity rhythm at t (0 on average). */
export function rhythmLog(t: number): number {
  const hour = Math.floor(t / HOUR) % 24;
  const dow = (Math.floor(t / DAY) + 4) % 7; // 1970-01-01 was a Thursday; Sunday = 0
  return LOG_DAILY[(hour + 24) % 24]! + LOG_WEEKLY[(dow + 7) % 7]!;
}

/** Share of the world's span elapsed at t, clamped to [0, 1] (drives taste drift). */
export function spanFraction(world: World, t: number): number {
  const { startMs, endMs } = world.params;
  return Math.min(1, Math.max(0, (t - startMs) / (endMs - startMs)));
}

/** Share of user u's active window elapsed at t, clamped to [0, 1] (drives drift and exploration). */
export function userTenure(world: World, u: number, t: number): number {
  const join = world.userJoin[u]!;
  const leave = world.userLeave[u]!;
  if (!(leave > join)) return t >= leave ? 1 : 0;
  return Math.min(1, Math.max(0, (t - join) / (leave - join)));
}

/** Ageing factor of item i at t in (0, 1], or 0 before its release. */
export function ageingFactor(world: World, i: number, t: number): number {
  const age = (t - world.itemRelease[i]!) / DAY;
  if (age < 0) return 0;
  const { evergreen, ageingDays } = world.params;
  return evergreen + (1 - evergreen) * Math.exp(-age / ageingDays);
}

/** log(ageing) of item i at t, or -Infinity before its release. */
export function ageingLog(world: World, i: number, t: number): number {
  return Math.log(ageingFactor(world, i, t));
}

/** affinityScale * p_u(t) . q_i */
export function affinity(world: World, u: number, i: number, t: number): number {
  const D = world.params.dim;
  const f = userTenure(world, u, t);
  const uf = world.userFactors;
  const ud = world.userDrift;
  const it = world.itemFactors;
  const ur = u * D;
  const ir = i * D;
  let dot = 0;
  for (let j = 0; j < D; j++) dot += (uf[ur + j]! + f * ud[ur + j]!) * it[ir + j]!;
  if (world.params.tasteShare < 1) {
    const mix = tasteMix(world);
    dot = mix.taste * dot + mix.noise * pairNormal(world, u, i);
  }
  return world.params.affinityScale * dot;
}

const mixes = new WeakMap<World, { taste: number; noise: number }>();

/**
 * The weights of the taste and of the pair noise in an affinity when `tasteShare` < 1: sqrt(share), and
 * sqrt(1 - share) times the taste's spread (worked out once per world, not per affinity).
 */
function tasteMix(world: World): { taste: number; noise: number } {
  let mix = mixes.get(world);
  if (!mix) {
    const share = world.params.tasteShare;
    mix = { taste: Math.sqrt(share), noise: Math.sqrt(1 - share) * tasteSpread(world) };
    mixes.set(world, mix);
  }
  return mix;
}

const spreads = new WeakMap<World, number>();

/** The standard deviation of the taste p_u.q_i over (up to 20,000 seeded) pairs of users and items. */
export function tasteSpread(world: World): number {
  const cached = spreads.get(world);
  if (cached !== undefined) return cached;
  const { users: U, items: M, dim: D, seed } = world.params;
  const rng = new Rng(seed, 7);
  const n = Math.min(20_000, U * M);
  let sum = 0;
  let sum2 = 0;
  for (let k = 0; k < n; k++) {
    const ur = rng.int(U) * D;
    const ir = rng.int(M) * D;
    let dot = 0;
    for (let j = 0; j < D; j++) dot += world.userFactors[ur + j]! * world.itemFactors[ir + j]!;
    sum += dot;
    sum2 += dot * dot;
  }
  const sd = Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2));
  spreads.set(world, sd);
  return sd;
}

/** A standard normal fixed by (world seed, u, i): the idiosyncratic part of u's affinity for i. */
export function pairNormal(world: World, u: number, i: number): number {
  let h = Math.imul(world.params.seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(u + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x27d4eb2f) ^ Math.imul(i + 1, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return normalQuantile(((h >>> 0) + 0.5) / 4294967296);
}

export function interactionLogit(world: World, u: number, i: number, t: number): number {
  const age = ageingFactor(world, i, t);
  if (age === 0) return UNRELEASED_LOGIT;
  return responseLogit(world, i, t, affinity(world, u, i, t), Math.log(age));
}

/** The logit from its parts (the generator computes affinity and ageing once and reuses them). */
export function responseLogit(world: World, i: number, t: number, aff: number, logAgeing: number): number {
  const p = world.params;
  return (
    p.intercept +
    aff +
    p.qualityWeight * world.itemQuality[i]! +
    p.popularityWeight * (world.itemLogPopularity[i]! + logAgeing) +
    p.contextWeight * rhythmLog(t)
  );
}

function checkIndex(world: World, u: number, i: number): void {
  if (!Number.isInteger(u) || u < 0 || u >= world.params.users)
    throw new RecoError(`user index ${u} is outside the world (0..${world.params.users - 1})`);
  if (!Number.isInteger(i) || i < 0 || i >= world.params.items)
    throw new RecoError(`item index ${i} is outside the world (0..${world.params.items - 1})`);
}

/** The true probability that user u interacts with item i when shown it at time t (ms); in (0, 1). */
export function trueProbability(world: World, u: number, i: number, timeMs: number): number {
  checkIndex(world, u, i);
  return sigmoid(interactionLogit(world, u, i, timeMs));
}

/** Batch form: out[k] = trueProbability(world, users[k], items[k], times[k]). */
export function trueProbabilities(
  world: World,
  users: Int32Array,
  items: Int32Array,
  times: Float64Array,
  out = new Float64Array(users.length),
): Float64Array {
  for (let k = 0; k < users.length; k++) {
    checkIndex(world, users[k]!, items[k]!);
    out[k] = sigmoid(interactionLogit(world, users[k]!, items[k]!, times[k]!));
  }
  return out;
}

/** Exposure tables' ingredients: popularity weights (plain and flattened) and their per-genre sums. */
export interface ExposureBasis {
  weights: Float64Array;
  flatWeights: Float64Array;
  weightSum: number;
  flatSum: number;
  genreSum: Float64Array;
  genreFlatSum: Float64Array;
}

export function exposureBasis(world: World): ExposureBasis {
  const { items: M, genres: G, exploreFlatten } = world.params;
  const weights = Float64Array.from(world.itemLogPopularity, Math.exp);
  const flatWeights = Float64Array.from(world.itemLogPopularity, (x) => Math.exp(exploreFlatten * x));
  const genreSum = new Float64Array(G);
  const genreFlatSum = new Float64Array(G);
  let weightSum = 0;
  let flatSum = 0;
  for (let i = 0; i < M; i++) {
    weightSum += weights[i]!;
    flatSum += flatWeights[i]!;
    const mask = world.itemGenres[i]!;
    for (let k = 0; k < G; k++)
      if ((mask & (1 << k)) !== 0) {
        genreSum[k]! += weights[i]!;
        genreFlatSum[k]! += flatWeights[i]!;
      }
  }
  return { weights, flatWeights, weightSum, flatSum, genreSum, genreFlatSum };
}

/**
 * The generator's exposure distribution for user u at time t, before thinning by age: out[i] = the
 * probability that one draw shows item i (a mixture of global popularity and the user's genres, drifting
 * with tenure, each from the plain or the flattened "back catalogue" tables), times ageing_i(t) (0 before
 * release). Proportional to how often the generator shows i to u around t.
 */
export function exposureWeights(
  world: World,
  u: number,
  t: number,
  basis: ExposureBasis = exposureBasis(world),
  out = new Float64Array(world.params.items),
): Float64Array {
  const { items: M, genres: G, tasteExposureShare: share, driftScale, tenureExploreShare } = world.params;
  const tenure = userTenure(world, u, t);
  const explore = tenureExploreShare * tenure;
  const drift = world.userDriftGenre[u]!;
  const q = drift >= 0 ? tenure * driftScale : 0;
  const plainFactor = new Float64Array(G);
  const flatFactor = new Float64Array(G);
  for (let k = 0; k < G; k++) {
    const pk = (1 - q) * world.userGenreTaste[u * G + k]! + (k === drift ? q : 0);
    plainFactor[k] = basis.genreSum[k]! > 0 ? pk / basis.genreSum[k]! : 0;
    flatFactor[k] = basis.genreFlatSum[k]! > 0 ? pk / basis.genreFlatSum[k]! : 0;
  }
  for (let i = 0; i < M; i++) {
    const age = ageingLog(world, i, t);
    if (age === Number.NEGATIVE_INFINITY) {
      out[i] = 0;
      continue;
    }
    let gPlain = 0;
    let gFlat = 0;
    const mask = world.itemGenres[i]!;
    for (let k = 0; k < G; k++)
      if ((mask & (1 << k)) !== 0) {
        gPlain += plainFactor[k]!;
        gFlat += flatFactor[k]!;
      }
    const plain = basis.weights[i]! * ((1 - share) / basis.weightSum + share * gPlain);
    const flat = basis.flatWeights[i]! * ((1 - share) / basis.flatSum + share * gFlat);
    out[i] = ((1 - explore) * plain + explore * flat) * Math.exp(age);
  }
  return out;
}
