/**
 * The oracle row of an evaluation: a simulated world's truth as a ranker, the ceiling for the models.
 *
 * Held-out events are logged interactions, and the simulator logs one only when the item was shown
 * (exposure) and then taken (response). So the oracle ranks by the true probability of a logged event,
 *   P(u takes i at t) ~ exposureWeights(u, t)[i] * P(interaction | exposed)   (../simulation/oracle.ts),
 * the generator's own exposure distribution times the true response probability. Ranking by
 * P(interaction | exposed) alone ignores which items a user is ever shown, and falls below the models.
 * The score of an item is that probability averaged over a few of the user's test-event times.
 */
import { sigmoid } from '../core/math.js';
import { exposureBasis, exposureWeights, interactionLogit } from '../simulation/oracle.js';
import type { World } from '../simulation/world.js';
import type { OracleScorer } from './evaluate.js';

export function worldOracle(world: World): OracleScorer {
  const basis = exposureBasis(world);
  const nItems = world.params.items;
  const exposure = new Float64Array(nItems);
  const acc = new Float64Array(nItems);
  return {
    scoreAll(user: number, times: ArrayLike<number>): Float32Array {
      const out = new Float32Array(nItems);
      if (user >= world.params.users || times.length === 0) return out;
      acc.fill(0);
      for (let j = 0; j < times.length; j++) {
        const t = times[j]!;
        exposureWeights(world, user, t, basis, exposure);
        for (let i = 0; i < nItems; i++)
          if (exposure[i]! > 0) acc[i]! += exposure[i]! * sigmoid(interactionLogit(world, user, i, t));
      }
      for (let i = 0; i < nItems; i++) out[i] = acc[i]! / times.length;
      return out;
    },
  };
}
