/**
 * A simulated world held in memory for a study cell: the world (its oracle), its events as an EventLog
 * with the store's ids (u1.., i1..) and its items, without a store.
 */
import { lowerBound } from '../core/search.js';
import { SIM_EVENT_TYPES } from '../simulation/generate.js';
import type { WorldParams } from '../simulation/params.js';
import { itemId, simulateWorld, userId, worldItems } from '../simulation/simulate.js';
import type { World } from '../simulation/world.js';
import type { EventLog, ItemRecord } from '../types.js';

export interface WorldData {
  world: World;
  log: EventLog;
  items: ItemRecord[];
}

export function worldData(params: WorldParams): WorldData {
  const { world, events } = simulateWorld(params);
  const log: EventLog = {
    userIds: Array.from({ length: params.users }, (_, u) => userId(u)),
    itemIds: Array.from({ length: params.items }, (_, i) => itemId(i)),
    typeNames: [...SIM_EVENT_TYPES],
    user: events.user,
    item: events.item,
    type: events.type,
    value: events.value,
    timestamp: events.timestamp,
    length: events.length,
  };
  return { world, log, items: worldItems(world) };
}

/** The events of `log` before `end` (ms), as a log over the same ids (the log is sorted by time). */
export function logBefore(log: EventLog, end: number): EventLog {
  const n = lowerBound(log.timestamp, log.length, end);
  return {
    ...log,
    user: log.user.subarray(0, n),
    item: log.item.subarray(0, n),
    type: log.type.subarray(0, n),
    value: log.value.subarray(0, n),
    timestamp: log.timestamp.subarray(0, n),
    length: n,
  };
}
