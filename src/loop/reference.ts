/**
 * The loop's yardsticks for a person at a moment: each item's take probability as the person would meet
 * it now (the world's true probability times fatigue; 0 for what he has), the expected takes of a slate
 * under position bias, the oracle's best slate (the k highest, best first: with examination falling with
 * rank that order maximises expected takes), and a random slate.
 */
import { Rng } from '../core/random.js';
import { selectTopN } from '../core/top-n.js';
import { trueProbability } from '../simulation/oracle.js';
import type { People } from './people.js';

/**
 * out[i] = P(person p takes item i if he examines it now), NaN for items he has and for those the
 * session showed him already (`shownInSession`, world indices).
 */
export function takeProbabilities(
  people: People,
  p: number,
  t: number,
  out: Float64Array,
  shownInSession: ReadonlySet<number> = new Set(),
): Float64Array {
  const M = people.items;
  const u = people.user[p]!;
  for (let i = 0; i < M; i++)
    out[i] =
      people.taken[p * M + i] || shownInSession.has(i)
        ? Number.NaN
        : trueProbability(people.world, u, i, t) * people.fatigue(p, i, t);
  return out;
}

/** Expected takes of `slate` (world item indices, -1 unknown) given take probabilities and examination. */
export function expectedTakes(prob: Float64Array, slate: Int32Array, exam: Float64Array): number {
  let e = 0;
  for (let r = 0; r < slate.length; r++) {
    const i = slate[r]!;
    if (i < 0) continue;
    const q = prob[i]!;
    if (q > 0) e += (exam[r] ?? 0) * q;
  }
  return e;
}

/** The oracle's slate: the k items with the highest take probability, best first. */
export function oracleSlate(prob: Float64Array, k: number): Int32Array {
  return selectTopN(prob, k).items;
}

/** k distinct items the person does not have and was not shown this session, uniformly at random. */
export function randomSlate(
  people: People,
  p: number,
  k: number,
  rng: Rng,
  shownInSession: ReadonlySet<number> = new Set(),
): Int32Array {
  const M = people.items;
  const out: number[] = [];
  for (let tries = 0; out.length < k && tries < 20 * k + 100; tries++) {
    const i = rng.int(M);
    if (!people.taken[p * M + i] && !shownInSession.has(i) && !out.includes(i)) out.push(i);
  }
  return Int32Array.from(out);
}

/** A random stream for the random slates of a loop (apart from the people's own). */
export function slateRng(seed: number): Rng {
  return new Rng(seed, 13);
}
