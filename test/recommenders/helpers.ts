import { buildInteractions, interactionWeights } from '../../src/data/interactions.js';
import type { FitData, UserProfile } from '../../src/recommenders/recommender.js';
import { eventColumns } from '../../src/store/event-columns.js';
import type { EventLog, ItemRecord } from '../../src/types.js';

/** [user, item, type, value, timestamp] */
export type Ev = [number, number, string, number, number];

export function makeLog(events: Ev[], nUsers: number, nItems: number): EventLog {
  const typeNames: string[] = [];
  const codeOf = (t: string): number => {
    let c = typeNames.indexOf(t);
    if (c < 0) c = typeNames.push(t) - 1;
    return c;
  };
  const n = events.length;
  const log: EventLog = {
    userIds: Array.from({ length: nUsers }, (_, i) => `u${i}`),
    itemIds: Array.from({ length: nItems }, (_, i) => `i${i}`),
    typeNames,
    ...eventColumns(n),
  };
  events.forEach(([u, i, t, v, ts], k) => {
    log.user[k] = u;
    log.item[k] = i;
    log.type[k] = codeOf(t);
    log.value[k] = v;
    log.timestamp[k] = ts;
  });
  return log;
}

/** Binary interactions from (user, item) pairs: one 'rating' event each. */
export function pairsData(
  pairs: [number, number][],
  nUsers: number,
  nItems: number,
  items?: ItemRecord[],
): FitData {
  const log = makeLog(
    pairs.map(([u, i], k) => [u, i, 'rating', 4, k]),
    nUsers,
    nItems,
  );
  return {
    interactions: buildInteractions(log, interactionWeights()),
    log,
    items: items ?? Array.from({ length: nItems }, (_, i) => ({ id: `i${i}` })),
  };
}

export function profile(items: number[], weights?: number[], user?: number): UserProfile {
  return {
    user,
    items: Int32Array.from(items),
    weights: Float32Array.from(weights ?? items.map(() => 1)),
  };
}

export function close(actual: number, expected: number, tol = 1e-5): void {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`expected ${expected} ± ${tol}, got ${actual}`);
}
