/**
 * The oracle row of an evaluation: a simulated world's truth as a ranker, the ceiling for the models.
 *
 * Held-out events are logged interactions, and the simulator logs one only when the item was shown
 * (exposure) and then taken (response). So the oracle ranks by the true probability of the logged event,
 *   P(u takes i at t) ~ exposure(u, i, t) * P(interaction | exposed) (../simulation/oracle.ts),
 * where exposure follows the generator's exposure model (../simulation/generate.ts): a share
 * `tasteExposureShare` drawn from the user's genres (towards his drift genre as the span passes), the rest
 * from global popularity, thinned by item age (ageing, nothing before release). Ranking by
 * P(interaction | exposed) alone ignores which items a user is ever shown, and falls below the models.
 * The score of an item is its probability averaged over a few of the user's test-event times.
 */
import { ageingLog, interactionLogit, sigmoid, spanFraction } from '../simulation/oracle.js';
import type { World } from '../simulation/world.js';
import type { OracleScorer } from './evaluate.js';

/** How the world shows items to a user: popularity weights and per-genre sums of them. */
interface ExposureModel {
  weights: Float64Array;
  weightSum: number;
  genreWeightSum: Float64Array;
}

function exposureModel(world: World): ExposureModel {
  const { items: M, genres: G } = world.params;
  const weights = Float64Array.from(world.itemLogPopularity, Math.exp);
  const genreWeightSum = new Float64Array(G);
  let weightSum = 0;
  for (let i = 0; i < M; i++) {
    weightSum += weights[i]!;
    for (let k = 0; k < G; k++)
      if ((world.itemGenres[i]! & (1 << k)) !== 0) genreWeightSum[k]! += weights[i]!;
  }
  return { weights, weightSum, genreWeightSum };
}

/**
 * Adds to `out` the probability of a logged interaction with every item for user u at time t (up to a
 * factor common to all items).
 */
function addLoggedProbabilities(
  world: World,
  ex: ExposureModel,
  u: number,
  t: number,
  out: Float64Array,
): void {
  const { items: M, genres: G, tasteExposureShare: share, driftScale } = world.params;
  const drift = world.userDriftGenre[u]!;
  const q = drift >= 0 ? spanFraction(world, t) * driftScale : 0;
  // P(genre k chosen) / genre weight sum, for the taste share of exposures
  const genreFactor = new Float64Array(G);
  for (let k = 0; k < G; k++) {
    const pk = (1 - q) * world.userGenreTaste[u * G + k]! + (k === drift ? q : 0);
    genreFactor[k] = ex.genreWeightSum[k]! > 0 ? pk / ex.genreWeightSum[k]! : 0;
  }
  for (let i = 0; i < M; i++) {
    const age = ageingLog(world, i, t);
    if (age === Number.NEGATIVE_INFINITY) continue;
    let g = 0;
    const mask = world.itemGenres[i]!;
    for (let k = 0; k < G; k++) if ((mask & (1 << k)) !== 0) g += genreFactor[k]!;
    const exposure = ex.weights[i]! * ((1 - share) / ex.weightSum + share * g) * Math.exp(age);
    out[i]! += exposure * sigmoid(interactionLogit(world, u, i, t));
  }
}

export function worldOracle(world: World): OracleScorer {
  const ex = exposureModel(world);
  const nItems = world.params.items;
  const acc = new Float64Array(nItems);
  return {
    scoreAll(user: number, times: ArrayLike<number>): Float32Array {
      const out = new Float32Array(nItems);
      if (user >= world.params.users || times.length === 0) return out;
      acc.fill(0);
      for (let j = 0; j < times.length; j++) addLoggedProbabilities(world, ex, user, times[j]!, acc);
      for (let i = 0; i < nItems; i++) out[i] = acc[i]! / times.length;
      return out;
    },
  };
}
