/**
 * Event generation: users live through sessions (times following their active window and the daily and
 * weekly rhythm); each session shows them a handful of items (the exposure model: from their genres or
 * from global popularity, thinned by item age), and they respond with the world's true probability
 * (./oracle.ts). The log looks like a real one:
 *   - event-log mode: every exposure is a `view`; an interaction is a `click`; some clicks go on to a
 *     `rating` (1-5); some views of unwelcome items get an explicit `dislike`.
 *   - ratings-only mode (MovieLens-like): an interaction is a `rating`, each (user, item) at most once.
 * Ratings come from the latent affinity plus noise, cut into 1..5 at thresholds calibrated so that the
 * rating histogram has the target shares (an ordinal-probit style model). Each user emits exactly their
 * activity count, so the total is exactly params.events. Output is sorted by time.
 */

import { sigmoid } from '../core/math.js';
import { AliasTable, normalQuantile, Rng } from '../core/random.js';
import { permuteEvents, timeOrder } from '../store/event-order.js';
import type { EventColumns } from '../store/store.js';
import { affinity, ageingFactor, responseLogit, userTenure } from './oracle.js';
import { DAY } from './params.js';
import { DAILY_RHYTHM, WEEKLY_RHYTHM, type World } from './world.js';

/** Event types the simulator emits; the local codes are the positions in this list. */
export const SIM_EVENT_TYPES = ['view', 'click', 'rating', 'dislike'] as const;
const VIEW = 0;
const CLICK = 1;
const RATING = 2;
const DISLIKE = 3;
const HOUR = 3_600_000;

/** The generated events (type codes index SIM_EVENT_TYPES; timestamps whole seconds, in ms) and counts. */
export interface GeneratedEvents extends EventColumns {
  /** Exposures shown (including those that were not logged in ratings-only mode). */
  exposures: number;
  /** Users who ran out of new items before reaching their activity count. */
  usersShort: number;
}

export interface GenerateOptions {
  onProgress?: (eventsDone: number) => void;
}

/** Generates the events of `world` (deterministic for its seed); also sets world.ratingThresholds. */
export function generateEvents(world: World, options: GenerateOptions = {}): GeneratedEvents {
  const p = world.params;
  const { users: U, items: M, genres: G } = p;
  const rng = new Rng(p.seed, 2);
  const capacity = p.events;
  const user = new Int32Array(capacity);
  const item = new Int32Array(capacity);
  const type = new Uint8Array(capacity);
  const value = new Float32Array(capacity);
  const timestamp = new Float64Array(capacity);
  const latent = new Float32Array(capacity); // rating latents, by event position
  let n = 0;

  // Exposure samplers: global popularity and per-genre popularity (alias tables, O(1) a draw).
  // Plain tables follow popularity; flattened ("back catalogue") tables follow popularity^exploreFlatten.
  const weights = Float64Array.from(world.itemLogPopularity, Math.exp);
  const flatWeights = Float64Array.from(world.itemLogPopularity, (x) => Math.exp(p.exploreFlatten * x));
  const globalTable = new AliasTable(weights);
  const globalFlat = new AliasTable(flatWeights);
  const genreTables: AliasTable[] = [];
  const genreFlat: AliasTable[] = [];
  for (let k = 0; k < G; k++) {
    const members: number[] = [];
    for (let i = 0; i < M; i++) if ((world.itemGenres[i]! & (1 << k)) !== 0) members.push(i);
    const idx = Int32Array.from(members);
    const empty = members.length === 0;
    genreTables.push(
      empty
        ? globalTable
        : new AliasTable(
            Float64Array.from(idx, (i) => weights[i]!),
            idx,
          ),
    );
    genreFlat.push(
      empty
        ? globalFlat
        : new AliasTable(
            Float64Array.from(idx, (i) => flatWeights[i]!),
            idx,
          ),
    );
  }
  const genreWeightSum = new Float64Array(G);
  let weightSum = 0;
  for (let i = 0; i < M; i++) {
    weightSum += weights[i]!;
    for (let k = 0; k < G; k++)
      if ((world.itemGenres[i]! & (1 << k)) !== 0) genreWeightSum[k]! += weights[i]!;
  }
  const hourTable = new AliasTable(DAILY_RHYTHM);
  const maxWeekly = Math.max(...WEEKLY_RHYTHM);

  const ratedBy = new Int32Array(M); // ratedBy[i] == u + 1 when user u has rated item i
  const tasteGenre = new Int32Array(G);
  const tasteCum = new Float64Array(G);

  const sessionTime = (u: number): number => {
    const join = world.userJoin[u]!;
    const leave = world.userLeave[u]!;
    let day = 0;
    for (let tries = 0; tries < 8; tries++) {
      day = Math.floor((join + rng.float() * (leave - join)) / DAY);
      if (rng.float() * maxWeekly < WEEKLY_RHYTHM[(day + 4) % 7]!) break;
    }
    const t = day * DAY + hourTable.sample(rng) * HOUR + rng.float() * HOUR;
    return Math.min(p.endMs - HOUR, Math.max(p.startMs, t));
  };

  let exposures = 0;
  let usersShort = 0;
  let progressMark = 0;
  for (let u = 0; u < U; u++) {
    // The user's genre distribution as a small cumulative table.
    let ng = 0;
    let cum = 0;
    for (let k = 0; k < G; k++) {
      const w = world.userGenreTaste[u * G + k]!;
      if (w > 0) {
        cum += w;
        tasteGenre[ng] = k;
        tasteCum[ng++] = cum;
      }
    }
    const driftGenre = world.userDriftGenre[u]!;
    const budget = world.userActivity[u]!;
    const maxExposures = p.ratingsOnly ? 200 * budget + 2000 : 4 * budget + 100;
    let emitted = 0;
    let shown = 0;
    let repeatStreak = 0;
    let rest: Int32Array | undefined;
    let restPos = 0;

    /**
     * Once a ratings-only user keeps being shown titles they have rated, the rest of their exposures
     * follow one weighted draw without replacement over the unrated items (Efraimidis and Spirakis,
     * "Weighted random sampling with a reservoir", IPL 2006: order by U^(1/w)), with w the user's
     * exposure probability of each item, so heavy users work down their long tail.
     */
    const buildRest = (u: number): Int32Array => {
      const key = new Float64Array(M);
      const ids: number[] = [];
      const ts = p.tasteExposureShare;
      for (let i = 0; i < M; i++) {
        if (ratedBy[i] === u + 1) continue;
        let genreShare = 0;
        const mask = world.itemGenres[i]!;
        for (let k = 0; k < G; k++)
          if ((mask & (1 << k)) !== 0 && genreWeightSum[k]! > 0)
            genreShare += world.userGenreTaste[u * G + k]! / genreWeightSum[k]!;
        const w = weights[i]! * ((1 - ts) / weightSum + ts * genreShare);
        key[i] = Math.log(rng.floatOpen()) / w;
        ids.push(i);
      }
      return Int32Array.from(ids).sort((a, b) => key[b]! - key[a]!);
    };

    let lastAgeing = 1; // the ageing factor of the item sampleExposure returned last
    const sampleExposure = (t: number): number => {
      if (rest) {
        for (let pass = 0; pass < 2; pass++) {
          while (restPos < rest.length) {
            const i = rest[restPos++]!;
            if (ratedBy[i] !== u + 1 && t >= world.itemRelease[i]!) {
              lastAgeing = ageingFactor(world, i, t);
              return i;
            }
          }
          rest = buildRest(u); // shown everything once: a new weighted order over what is still unrated
          restPos = 0;
        }
        return -1;
      }
      const tenure = userTenure(world, u, t);
      const explore = rng.float() < p.tenureExploreShare * tenure;
      for (let attempt = 0; attempt < 8; attempt++) {
        let i: number;
        if (rng.float() < p.tasteExposureShare) {
          let g: number;
          if (driftGenre >= 0 && rng.float() < tenure * p.driftScale) g = driftGenre;
          else {
            const r = rng.float() * cum;
            let j = 0;
            while (j < ng - 1 && tasteCum[j]! < r) j++;
            g = tasteGenre[j]!;
          }
          i = (explore ? genreFlat : genreTables)[g]!.sample(rng);
        } else {
          i = (explore ? globalFlat : globalTable).sample(rng);
        }
        const a = ageingFactor(world, i, t);
        if (a > 0 && rng.float() < a) {
          lastAgeing = a;
          return i;
        }
      }
      return -1;
    };

    while (emitted < budget && shown < maxExposures) {
      let t = sessionTime(u);
      const size = 1 + rng.poisson(p.sessionSize - 1);
      for (let s = 0; s < size && emitted < budget && shown < maxExposures; s++) {
        t += 5000 + rng.exponential(1 / 40_000);
        const i = sampleExposure(t);
        shown++;
        if (i < 0) {
          if (rest && rest.length === 0) shown = maxExposures; // nothing left to show this user
          continue;
        }
        exposures++;
        const ts = Math.floor(t / 1000) * 1000;
        if (p.ratingsOnly) {
          if (ratedBy[i] === u + 1) {
            if (++repeatStreak > 20 && !rest) rest = buildRest(u);
            continue;
          }
          repeatStreak = 0;
          const aff = affinity(world, u, i, t);
          if (rng.float() < sigmoid(responseLogit(world, i, t, aff, Math.log(lastAgeing)))) {
            ratedBy[i] = u + 1;
            latent[n] = ratingLatent(world, rng, i, aff);
            n = push(n, u, i, RATING, 0, ts);
            emitted++;
          }
          continue;
        }
        n = push(n, u, i, VIEW, 1, ts);
        if (++emitted >= budget) break;
        const aff = affinity(world, u, i, t);
        const prob = sigmoid(responseLogit(world, i, t, aff, Math.log(lastAgeing)));
        if (rng.float() < prob) {
          n = push(n, u, i, CLICK, 1, ts + 1000);
          if (++emitted >= budget) break;
          if (ratedBy[i] !== u + 1 && rng.float() < p.rateGivenClick) {
            ratedBy[i] = u + 1;
            latent[n] = ratingLatent(world, rng, i, aff);
            n = push(n, u, i, RATING, 0, ts + 2000);
            emitted++;
          }
        } else if (rng.float() < p.dislikeRate * 2 * sigmoid(-aff)) {
          n = push(n, u, i, DISLIKE, 1, ts + 1000);
          emitted++;
        }
      }
    }
    if (emitted < budget) usersShort++;
    if (options.onProgress && n - progressMark >= 65536) {
      progressMark = n;
      options.onProgress(n);
    }
  }
  options.onProgress?.(n);

  function push(k: number, u: number, i: number, ty: number, v: number, ts: number): number {
    user[k] = u;
    item[k] = i;
    type[k] = ty;
    value[k] = v;
    timestamp[k] = ts;
    return k + 1;
  }

  calibrateRatings(world, type, latent, value, n);
  const sorted = sortByTime({ user, item, type, value, timestamp, length: n });
  return { ...sorted, exposures, usersShort };
}

/** The latent behind a rating: affinity + quality + noise. */
function ratingLatent(world: World, rng: Rng, i: number, aff: number): number {
  const p = world.params;
  return aff + p.qualityWeight * world.itemQuality[i]! + p.ratingNoise * rng.normal();
}

/**
 * Cuts the rating latents into 1..5 at their empirical quantiles for the target shares, so the rating
 * histogram matches params.ratingShares; the cut points are saved in the world.
 */
function calibrateRatings(
  world: World,
  type: Uint8Array,
  latent: Float32Array,
  value: Float32Array,
  n: number,
): void {
  const shares = world.params.ratingShares;
  const total = shares.reduce((s, x) => s + x, 0);
  let count = 0;
  for (let k = 0; k < n; k++) if (type[k] === RATING) count++;
  const sorted = new Float32Array(count);
  let j = 0;
  for (let k = 0; k < n; k++) if (type[k] === RATING) sorted[j++] = latent[k]!;
  sorted.sort();
  let c = 0;
  for (let v = 0; v < 4; v++) {
    c += shares[v]! / total;
    world.ratingThresholds[v] =
      count > 0
        ? sorted[Math.min(count - 1, Math.floor(c * count))]!
        : normalQuantile(c) * (1 + world.params.ratingNoise);
  }
  const th = world.ratingThresholds;
  for (let k = 0; k < n; k++) {
    if (type[k] !== RATING) continue;
    const x = latent[k]!;
    value[k] =
      1 + (x >= th[0]! ? 1 : 0) + (x >= th[1]! ? 1 : 0) + (x >= th[2]! ? 1 : 0) + (x >= th[3]! ? 1 : 0);
  }
}

/** A stable sort by time (the store's radix sort). */
export function sortByTime(c: EventColumns): EventColumns {
  return permuteEvents(c, timeOrder(c.timestamp, c.length));
}
