/**
 * Where benchmarks find data that stays outside the repository: `../shared` beside the checkout (MovieLens
 * 100K, research use only, never copied here; the reference LightGBM fixtures). RECO_ML100K overrides the
 * MovieLens folder.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importMovieLens } from '../src/data/import/movielens.js';
import { SIM_EVENT_TYPES } from '../src/simulation/generate.js';
import type { WorldParams } from '../src/simulation/params.js';
import { itemId, userId } from '../src/simulation/simulate.js';
import { openStore } from '../src/store/open.js';
import type { EventColumns } from '../src/store/store.js';
import type { EventLog, ItemRecord } from '../src/types.js';

/** The repository root (this file runs from dist/bench/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = join(REPO_ROOT, '..', 'shared');
export const ML100K_DIR = process.env.RECO_ML100K ?? join(SHARED_DIR, 'data', 'ml-100k');

/**
 * MovieLens 100K through reco's own importer into an in-memory store: the time-sorted event log (user id n
 * has index n-1, item likewise) and the items with titles, genres and release dates.
 */
export async function loadMovieLens(
  dir: string = ML100K_DIR,
): Promise<{ log: EventLog; items: ItemRecord[] }> {
  const store = await openStore(':memory:');
  try {
    await importMovieLens(store, dir);
    return { log: await store.loadEventLog(), items: await store.listItems() };
  } finally {
    await store.close();
  }
}

/**
 * A simulated world's events as an EventLog, ids as `reco simulate` writes them (user u is "u{u+1}", item
 * i "i{i+1}"; type codes index SIM_EVENT_TYPES).
 */
export function simulatedLog(params: WorldParams, events: EventColumns): EventLog {
  return {
    userIds: Array.from({ length: params.users }, (_, u) => userId(u)),
    itemIds: Array.from({ length: params.items }, (_, i) => itemId(i)),
    typeNames: [...SIM_EVENT_TYPES],
    // the generated columns (GeneratedEvents' two counts come along; nothing reads them)
    ...events,
  };
}
