/** Helpers every recommender shares: top-N from a score vector, "not fitted" and load checks. */

import { selectTopN } from '../core/top-n.js';
import { RecoError } from '../errors.js';
import type { TopN } from '../types.js';
import type { RecommendOptions, SavedModel, TypedArray, UserProfile } from './recommender.js';

/** The top n of `scores`, dropping the profile's items unless excludeSeen is false, honouring `allowed`. */
export function topNFromScores(
  scores: Float32Array,
  profile: UserProfile,
  n: number,
  options?: RecommendOptions,
): TopN {
  const skip = options?.excludeSeen === false ? undefined : profile.items;
  return selectTopN(scores, n, skip, options?.allowed);
}

/** scoreAll's output: `out` when it has n entries, else a new array of n zeros (see Recommender.scoreAll). */
export function scoreBuffer(out: Float32Array | undefined, n: number): Float32Array {
  return out && out.length === n ? out : new Float32Array(n);
}

export function notFitted(name: string): RecoError {
  return new RecoError(`${name}: the model is not fitted (call fit() or load a saved model first)`);
}

/** A named array of a saved model, checked for presence and type. */
export function savedArray<T extends TypedArray>(
  saved: SavedModel,
  key: string,
  ctor: new (n: number) => T,
): T {
  const a = saved.arrays[key];
  if (!a || !(a instanceof ctor))
    throw new RecoError(`${saved.meta.name}: saved model lacks array '${key}' of type ${ctor.name}`);
  return a as T;
}

/** A numeric field of a saved model's meta. */
export function savedNumber(saved: SavedModel, key: string): number {
  const v = saved.meta[key];
  if (typeof v !== 'number') throw new RecoError(`${saved.meta.name}: saved model lacks meta '${key}'`);
  return v;
}
