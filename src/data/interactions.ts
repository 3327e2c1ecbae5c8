/**
 * Implicit feedback: how events become the users x items weight matrix every recommender fits on.
 *
 * Each event weighs `types[type] * value` (value is a count, 1 when absent), except ratings, whose value is
 * mapped by `rating`:
 * - 'binary' (default): every rating is one positive interaction of weight `types.rating` (1). This is the
 *   protocol of the MovieLens reference numbers (every held-out rating relevant), so the defaults reproduce
 *   them; a low rating still says the user chose to watch the film.
 * - 'value': the rating itself times `types.rating` (5 stars weigh 5).
 * - 'centered': (value - ratingCenter) * types.rating, so ratings below the centre become negative.
 * Dislikes are negative (-4). Event types not listed weigh `defaultWeight`. Repeated (user, item) events are
 * summed; pairs summing to exactly 0 are dropped. Models that need non-negative input say how they treat
 * negative entries (see each model).
 */

import { csrFromCoo } from '../core/csr.js';
import { UsageError } from '../errors.js';
import type { Csr, EventLog } from '../types.js';

export type RatingMapping = 'binary' | 'value' | 'centered';

export interface InteractionWeights {
  /** Weight per event type name. */
  types: Record<string, number>;
  /** Weight of event types not in `types`. */
  defaultWeight: number;
  rating: RatingMapping;
  /** The neutral rating for 'centered'. */
  ratingCenter: number;
}

export const DEFAULT_INTERACTION_WEIGHTS: Readonly<InteractionWeights> = Object.freeze({
  types: Object.freeze({ view: 1, click: 2, like: 4, purchase: 5, dislike: -4, rating: 1 }) as Record<
    string,
    number
  >,
  defaultWeight: 1,
  rating: 'binary',
  ratingCenter: 3,
});

/** Defaults overridden by `partial`; validates every number and the rating mapping. */
export function interactionWeights(partial?: Partial<InteractionWeights>): InteractionWeights {
  const w: InteractionWeights = {
    types: { ...DEFAULT_INTERACTION_WEIGHTS.types, ...(partial?.types ?? {}) },
    defaultWeight: partial?.defaultWeight ?? DEFAULT_INTERACTION_WEIGHTS.defaultWeight,
    rating: partial?.rating ?? DEFAULT_INTERACTION_WEIGHTS.rating,
    ratingCenter: partial?.ratingCenter ?? DEFAULT_INTERACTION_WEIGHTS.ratingCenter,
  };
  for (const [name, v] of Object.entries(w.types)) {
    if (!Number.isFinite(v))
      throw new UsageError(`event weight for '${name}' must be a finite number, got ${v}`);
  }
  if (!Number.isFinite(w.defaultWeight))
    throw new UsageError(`defaultWeight must be a finite number, got ${w.defaultWeight}`);
  if (!Number.isFinite(w.ratingCenter))
    throw new UsageError(`ratingCenter must be a finite number, got ${w.ratingCenter}`);
  if (w.rating !== 'binary' && w.rating !== 'value' && w.rating !== 'centered')
    throw new UsageError(`rating must be 'binary', 'value' or 'centered', got '${w.rating}'`);
  return w;
}

/** Which events to use: a mask over events (nonzero = use) and/or a time window [from, until). */
export interface EventFilter {
  mask?: Uint8Array;
  from?: number;
  until?: number;
}

/** The weight of event type `name` under `w` (defaultWeight for a type it does not list). */
export function typeWeight(w: InteractionWeights, name: string): number {
  return Object.hasOwn(w.types, name) ? w.types[name]! : w.defaultWeight;
}

/**
 * The one weighting formula: an event of type weight `tw` and value `v` weighs tw * v, or, for a rating,
 * what the rating mapping says (binary: tw; value: tw * v; centered: tw * (v - ratingCenter)).
 */
function weigh(w: InteractionWeights, tw: number, isRating: boolean, v: number): number {
  if (!isRating) return tw * v;
  return w.rating === 'binary' ? tw : w.rating === 'value' ? tw * v : tw * (v - w.ratingCenter);
}

/**
 * One event's weight under `w`, in float32 as the interaction matrix stores it (values and weights are
 * Float32Arrays there), so that a live event and the offline matrix agree exactly.
 */
export function eventWeight(w: InteractionWeights, type: string, value: number): number {
  return Math.fround(weigh(w, typeWeight(w, type), type === 'rating', Math.fround(value)));
}

/** The weight of each event type code of `log`, and which code is the rating type. */
function typeTable(log: EventLog, w: InteractionWeights): { weight: Float64Array; ratingCode: number } {
  const weight = new Float64Array(Math.max(256, log.typeNames.length));
  weight.fill(w.defaultWeight);
  let ratingCode = -1;
  log.typeNames.forEach((name, code) => {
    weight[code] = typeWeight(w, name);
    if (name === 'rating') ratingCode = code;
  });
  return { weight, ratingCode };
}

/** Per-event weights (length log.length) under `weights`; 0 for events the filter drops. */
export function eventWeights(log: EventLog, weights: InteractionWeights, filter?: EventFilter): Float32Array {
  const { weight, ratingCode } = typeTable(log, weights);
  const out = new Float32Array(log.length);
  const mask = filter?.mask;
  if (mask && mask.length !== log.length)
    throw new UsageError(`filter mask has length ${mask.length}, the event log ${log.length}`);
  const from = filter?.from ?? Number.NEGATIVE_INFINITY;
  const until = filter?.until ?? Number.POSITIVE_INFINITY;
  for (let k = 0; k < log.length; k++) {
    if (mask && mask[k] === 0) continue;
    const t = log.timestamp[k]!;
    if (t < from || t >= until) continue;
    const code = log.type[k]!;
    out[k] = weigh(weights, weight[code]!, code === ratingCode, log.value[k]!);
  }
  return out;
}

/**
 * The users x items matrix of summed event weights (rows = log.userIds, cols = log.itemIds), columns
 * sorted, duplicates summed, zero sums dropped.
 */
export function buildInteractions(
  log: EventLog,
  weights: InteractionWeights = interactionWeights(),
  filter?: EventFilter,
): Csr {
  const ew = eventWeights(log, weights, filter);
  return csrFromCoo(log.userIds.length, log.itemIds.length, log.user, log.item, ew, log.length);
}
