/** Test helpers: small simulated worlds, as fit data (no files) or in a store, and a small training. */
import { buildInteractions, interactionWeights } from '../../src/data/interactions.js';
import { createModel } from '../../src/models/factory.js';
import type { FitData } from '../../src/recommenders/recommender.js';
import { SIM_EVENT_TYPES } from '../../src/simulation/generate.js';
import { resolveParams, type WorldParams } from '../../src/simulation/params.js';
import { simulateIntoStore, simulateWorld, worldItems } from '../../src/simulation/simulate.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import type { RunOptions } from '../../src/tracking/run-recorder.js';
import { trainBundle } from '../../src/training/train-bundle.js';
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

/** A store at `path` holding a small simulated world (its events, items and the world itself). */
export async function simulatedStore(path: string, params: Partial<WorldParams>): Promise<Store> {
  const store = await openStore(path);
  await simulateIntoStore(store, resolveParams(undefined, params));
  return store;
}

/** trainBundle of popularity and a small ALS (3 factors, `iterations` sweeps), evaluated at K=5. */
export function trainSmall(store: Store, modelsDir: string, run: Partial<RunOptions>, iterations = 3) {
  return trainBundle({
    store,
    modelsDir,
    models: ['popularity', 'als'],
    create: createModel,
    params: { als: { factors: 3, iterations, threads: 1 } },
    evaluateK: 5,
    run,
  });
}
