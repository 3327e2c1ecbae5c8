/**
 * User profiles for a fitted bundle, from the store's current events: the user's row of the interaction
 * matrix under the bundle's event weights, restricted to the items the models were fitted on. A user the
 * models were not fitted on (created after training) gets a profile without `user`, served from his items.
 */

import { buildInteractions, type InteractionWeights } from '../recommenders/interactions.js';
import type { UserProfile } from '../recommenders/recommender.js';
import type { Store } from '../store/store.js';
import type { Csr, EventLog } from '../types.js';

/** The fitted sizes a profile must respect. */
export interface FittedSizes {
  users: number;
  items: number;
}

/** User u's profile from row u of `x`. */
export function profileFromRow(x: Csr, u: number, fitted: FittedSizes): UserProfile {
  const a = x.indptr[u]!;
  let b = x.indptr[u + 1]!;
  // columns are sorted: items the models do not know sit at the end of the row
  while (b > a && x.indices[b - 1]! >= fitted.items) b--;
  const profile: UserProfile = { items: x.indices.subarray(a, b), weights: x.values.subarray(a, b) };
  if (u < fitted.users) profile.user = u;
  return profile;
}

/** One user's profile from his stored events (no full log load). */
export function userProfileFromStore(
  store: Store,
  userId: string,
  u: number,
  weights: InteractionWeights,
  fitted: FittedSizes,
): UserProfile {
  const events = store.userEvents(userId, Number.MAX_SAFE_INTEGER);
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
  return row;
}
