/**
 * User profiles for a fitted bundle, from the store's current events: the user's row of the interaction
 * matrix under the bundle's event weights, restricted to the items the models were fitted on. A user the
 * models were not fitted on (created after training) gets a profile without `user`, served from his items.
 */

import { buildInteractions, type InteractionWeights } from '../data/interactions.js';
import { type ServingTimeRule, servingTimes } from '../data/serving-time.js';
import type { UserProfile } from '../recommenders/recommender.js';
import type { Store } from '../store/store.js';
import type { Csr, EventLog } from '../types.js';

/** The fitted sizes a profile must respect. */
export interface FittedSizes {
  users: number;
  items: number;
}

/**
 * The part of a user's sorted row the models know: items below `fittedItems` (columns are sorted, so the
 * items added since the training sit at the end). Views, no copy.
 */
export function fittedRow(
  items: Int32Array,
  weights: Float32Array,
  fittedItems: number,
): Pick<UserProfile, 'items' | 'weights'> {
  let end = items.length;
  while (end > 0 && items[end - 1]! >= fittedItems) end--;
  return end === items.length
    ? { items, weights }
    : { items: items.subarray(0, end), weights: weights.subarray(0, end) };
}

/** User u's profile from row u of `x`. */
export function profileFromRow(x: Csr, u: number, fitted: FittedSizes): UserProfile {
  const a = x.indptr[u]!;
  const b = x.indptr[u + 1]!;
  const profile: UserProfile = fittedRow(x.indices.subarray(a, b), x.values.subarray(a, b), fitted.items);
  if (u < fitted.users) profile.user = u;
  return profile;
}

/** One user's profile from his stored events (no full log load). */
export async function userProfileFromStore(
  store: Store,
  userId: string,
  u: number,
  weights: InteractionWeights,
  fitted: FittedSizes,
  at: ServingTimeRule = { kind: 'now' },
): Promise<UserProfile> {
  const events = await store.userEvents(userId, Number.MAX_SAFE_INTEGER);
  const typeNames = store.eventTypeNames();
  const codes = new Map(typeNames.map((n, c) => [n, c]));
  const n = events.length;
  const log: EventLog = {
    userIds: [userId],
    itemIds: store.itemIds(),
    typeNames,
    user: new Int32Array(n),
    item: Int32Array.from(events, (e) => store.itemIndex(e.item)!),
    type: Uint8Array.from(events, (e) => codes.get(e.type)!),
    value: Float32Array.from(events, (e) => e.value),
    timestamp: Float64Array.from(events, (e) => e.timestamp),
    length: n,
  };
  const row = profileFromRow(buildInteractions(log, weights), 0, { users: 0, items: fitted.items });
  if (u < fitted.users) row.user = u;
  const t = servingTimes(log, at)?.[0];
  if (t !== undefined && !Number.isNaN(t)) row.at = t;
  return row;
}
