/**
 * Simulate into a store: build the world, generate its events, and write users ("u1".."uN", in world
 * order, so the store's dense index is the world index), items (readable titles and genres), events and
 * the world itself (meta "world") in one transaction.
 */

import { Rng } from '../core/random.js';
import { UsageError } from '../errors.js';
import type { EventColumns, Store } from '../store/store.js';
import type { ItemRecord, UserRecord } from '../types.js';
import { type GeneratedEvents, generateEvents, SIM_EVENT_TYPES } from './generate.js';
import { genreNames, makeTitle } from './names.js';
import { saveWorld } from './oracle.js';
import type { WorldParams } from './params.js';
import { buildWorld, type World } from './world.js';

export interface SimulateHooks {
  /** Generation progress (events generated). */
  onGenerate?: (done: number) => void;
  /** Store insert progress (events written). */
  onInsert?: (done: number) => void;
}

export interface SimulateResult {
  world: World;
  events: GeneratedEvents;
  generateSeconds: number;
  insertSeconds: number;
}

export const userId = (u: number): string => `u${u + 1}`;
export const itemId = (i: number): string => `i${i + 1}`;

/** Builds the world and its events without touching a store. */
export function simulateWorld(
  params: WorldParams,
  onProgress?: (done: number) => void,
): { world: World; events: GeneratedEvents } {
  const world = buildWorld(params, genreNames(params.genres));
  const events = generateEvents(world, onProgress ? { onProgress } : {});
  return { world, events };
}

export function worldItems(world: World): ItemRecord[] {
  const rng = new Rng(world.params.seed, 3);
  const out: ItemRecord[] = [];
  for (let i = 0; i < world.params.items; i++) {
    const genres: string[] = [];
    const mask = world.itemGenres[i]!;
    for (let k = 0; k < world.genreNames.length; k++)
      if ((mask & (1 << k)) !== 0) genres.push(world.genreNames[k]!);
    const release = world.itemRelease[i]!;
    out.push({
      id: itemId(i),
      title: makeTitle(rng, new Date(release).getUTCFullYear()),
      genres,
      createdAt: Math.round(release),
    });
  }
  return out;
}

export function worldUsers(world: World): UserRecord[] {
  const out: UserRecord[] = [];
  for (let u = 0; u < world.params.users; u++)
    out.push({ id: userId(u), createdAt: Math.round(world.userJoin[u]!) });
  return out;
}

export async function simulateIntoStore(
  store: Store,
  params: WorldParams,
  hooks: SimulateHooks = {},
): Promise<SimulateResult> {
  const c = await store.counts();
  if (c.users > 0 || c.items > 0 || c.events > 0)
    throw new UsageError(
      `${store.path} is not empty (${c.users} users, ${c.items} items, ${c.events} events): simulate into a new database`,
    );
  const t0 = performance.now();
  const { world, events } = simulateWorld(params, hooks.onGenerate);
  const t1 = performance.now();
  await storeWorld(store, world, events, hooks.onInsert);
  const t2 = performance.now();
  return { world, events, generateSeconds: (t1 - t0) / 1000, insertSeconds: (t2 - t1) / 1000 };
}

/**
 * Writes a world into a store in one transaction: its users, items, the given events (generated ones, type
 * codes in SIM_EVENT_TYPES order: all of them, or a prefix in time) and the world itself.
 */
export function storeWorld(
  store: Store,
  world: World,
  events: EventColumns,
  onInsert?: (done: number) => void,
): Promise<void> {
  return store.transaction(
    async () => {
      await store.upsertUsers(worldUsers(world));
      await store.upsertItems(worldItems(world));
      const codes: number[] = [];
      for (const name of SIM_EVENT_TYPES) codes.push(await store.eventTypeCode(name));
      const type = new Uint8Array(events.length);
      for (let k = 0; k < events.length; k++) type[k] = codes[events.type[k]!]!;
      await store.insertEventColumns({ ...events, type }, onInsert ? { onProgress: onInsert } : {});
      await saveWorld(store, world);
    },
    { expectedEvents: events.length },
  );
}
