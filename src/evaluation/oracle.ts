/**
 * The oracle row of an evaluation: a simulated world's true preferences as a ranker. Items are ranked by the
 * true interaction logit (../simulation/oracle.ts), which orders them as the true probability does without
 * the sigmoid's saturation ties; terms equal for every item at one time (daily rhythm) do not change the order.
 */
import { interactionLogit } from '../simulation/oracle.js';
import type { World } from '../simulation/world.js';
import type { OracleScorer } from './evaluate.js';

export function worldOracle(world: World): OracleScorer {
  const nItems = world.params.items;
  return {
    scoreAll(user: number, time: number): Float32Array {
      const out = new Float32Array(nItems);
      if (user >= world.params.users) return out;
      for (let i = 0; i < nItems; i++) out[i] = interactionLogit(world, user, i, time);
      return out;
    },
  };
}
