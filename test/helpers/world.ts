/** Test helper: the fit data of a small simulated world (seeded; no files, no store). */
import { buildInteractions, interactionWeights } from '../../src/data/interactions.js';
import type { FitData } from '../../src/recommenders/recommender.js';
import { SIM_EVENT_TYPES } from '../../src/simulation/generate.js';
import { resolveParams, type WorldParams } from '../../src/simulation/params.js';
import { simulateWorld, worldItems } from '../../src/simulation/simulate.js';
import type { EventLog } from '../../src/types.js';

/** A world of `params` (over the simulator's defaults) as FitData: its events, interactions and items. */
export function simulatedFitData(params: Partial<WorldParams>): FitData {
  const p = resolveParams(undefined, params);
  const { world, events } = simulateWorld(p);
  // the generated columns (and the generator's two counts, which no model reads)
  const log: EventLog = {
    userIds: Array.from({ length: p.users }, (_, u) => `u${u}`),
    itemIds: Array.from({ length: p.items }, (_, i) => `i${i}`),
    typeNames: [...SIM_EVENT_TYPES],
    ...events,
  };
  return { interactions: buildInteractions(log, interactionWeights()), log, items: worldItems(world) };
}
