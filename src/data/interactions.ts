/**
 * Implicit feedback: how events become the users x items weight matrix every recommender fits on.
 *
 * Every event type is declared with a rule (the store keeps them: `reco types`; the defaults below): a
 * weight w and how the event's value v (1 when absent) counts:
 * - 'count': w * v (a quantity; a negative value counts against);
 * - 'log': w * sign(v) * log2(1 + |v|): 1 for a value of 1, 2 for 3, 10 for 1,023, so that heavy-tailed
 *   counts (plays, views) do not let one user's thousands of plays outweigh everything else;
 * - 'binary': w whatever the value (every rating one positive interaction: the protocol of the MovieLens
 *   reference numbers; a low rating still says the user chose to watch the film);
 * - 'centered': w * (v - center) (ratings below the centre count against).
 * Dislikes weigh -4. A type the rules do not name weighs as `fallback` (w 1, count). One event weighs at
 * most MAX_EVENT_WEIGHT either way (a weight times a value beyond it is clipped: a declared weight of 1e9
 * would otherwise leave EASE's Gram matrix too ill-conditioned to factor). Repeated (user, item)
 * events are summed; pairs summing to exactly 0 are dropped. Models that need non-negative input say how
 * they treat negative entries (see each model). Every accepted value (../data/valid.ts) gives a finite
 * weight.
 */

import { csrFromCoo } from '../core/csr.js';
import { UsageError } from '../errors.js';
import type { Csr, EventLog } from '../types.js';

/** Largest magnitude of one event's weight (see above). */
export const MAX_EVENT_WEIGHT = 1e6;

export const VALUE_RULES = ['count', 'log', 'binary', 'centered'] as const;
export type ValueRule = (typeof VALUE_RULES)[number];

/** How events of one type weigh. */
export interface EventTypeRule {
  weight: number;
  value: ValueRule;
  /** The neutral value of a 'centered' rule. */
  center?: number;
}

export interface InteractionWeights {
  /** Rule per event type name (a Map: no type name ever reaches Object.prototype). */
  types: ReadonlyMap<string, EventTypeRule>;
  /** Rule of a type not in `types`. */
  fallback: EventTypeRule;
}

/** The built-in event types and their rules (every store starts with them declared). */
export const DEFAULT_EVENT_TYPES: ReadonlyArray<readonly [string, EventTypeRule]> = [
  ['view', { weight: 1, value: 'log' }],
  ['click', { weight: 2, value: 'log' }],
  ['like', { weight: 4, value: 'count' }],
  ['dislike', { weight: -4, value: 'count' }],
  ['rating', { weight: 1, value: 'binary', center: 3 }],
  ['purchase', { weight: 5, value: 'count' }],
  ['play', { weight: 1, value: 'log' }],
];

const FALLBACK: EventTypeRule = { weight: 1, value: 'count' };

/** A rule checked: a finite weight, a known value rule, a finite centre. */
export function checkRule(name: string, rule: EventTypeRule): EventTypeRule {
  if (!Number.isFinite(rule.weight))
    throw new UsageError(`event type '${name}': the weight must be a finite number, got ${rule.weight}`);
  if (!(VALUE_RULES as readonly string[]).includes(rule.value))
    throw new UsageError(
      `event type '${name}': the value rule must be one of ${VALUE_RULES.join(', ')}, got '${rule.value}'`,
    );
  if (rule.center !== undefined && !Number.isFinite(rule.center))
    throw new UsageError(`event type '${name}': the centre must be a finite number, got ${rule.center}`);
  if (rule.value === 'centered' && rule.center === undefined)
    throw new UsageError(`event type '${name}': a centered rule needs a centre`);
  return {
    weight: rule.weight,
    value: rule.value,
    ...(rule.center !== undefined ? { center: rule.center } : {}),
  };
}

/** The default rules, with `rules` (e.g. a store's declared types) in place of theirs. */
export function interactionWeights(
  rules: Iterable<readonly [string, EventTypeRule]> = [],
): InteractionWeights {
  const types = new Map<string, EventTypeRule>(DEFAULT_EVENT_TYPES);
  for (const [name, rule] of rules) types.set(name, checkRule(name, rule));
  return { types, fallback: FALLBACK };
}

/** As JSON (a bundle's manifest): `{"types": {name: rule}, "fallback": rule}`, names in a null-prototype map. */
export function weightsToJson(w: InteractionWeights): {
  types: Record<string, EventTypeRule>;
  fallback: EventTypeRule;
} {
  const types: Record<string, EventTypeRule> = Object.create(null);
  for (const [name, rule] of w.types) types[name] = rule;
  return { types, fallback: w.fallback };
}

/** Whether two weightings weigh every event alike. */
export function sameWeights(a: InteractionWeights, b: InteractionWeights): boolean {
  return JSON.stringify(weightsToJson(a)) === JSON.stringify(weightsToJson(b));
}

/**
 * From JSON: weightsToJson's form, or the form of bundles written before event types were declared
 * (`{types: {name: weight}, defaultWeight, rating: 'binary' | 'value' | 'centered', ratingCenter}`).
 */
export function weightsFromJson(json: unknown): InteractionWeights {
  if (typeof json !== 'object' || json === null) throw new UsageError('event weights: not an object');
  const o = json as Record<string, unknown>;
  const types = (typeof o['types'] === 'object' && o['types'] !== null ? o['types'] : {}) as Record<
    string,
    unknown
  >;
  const rules = new Map<string, EventTypeRule>();
  if ('fallback' in o) {
    for (const [name, rule] of Object.entries(types)) rules.set(name, checkRule(name, rule as EventTypeRule));
    return { types: rules, fallback: checkRule('(fallback)', o['fallback'] as EventTypeRule) };
  }
  const mapping = o['rating'];
  const center = Number(o['ratingCenter'] ?? 3);
  for (const [name, weight] of Object.entries(types)) {
    const value: ValueRule =
      name !== 'rating'
        ? 'count'
        : mapping === 'value'
          ? 'count'
          : mapping === 'centered'
            ? 'centered'
            : 'binary';
    rules.set(
      name,
      checkRule(name, { weight: Number(weight), value, ...(value === 'centered' ? { center } : {}) }),
    );
  }
  return {
    types: rules,
    fallback: checkRule('(fallback)', { weight: Number(o['defaultWeight'] ?? 1), value: 'count' }),
  };
}

/** Which events to use: a mask over events (nonzero = use) and/or a time window [from, until). */
export interface EventFilter {
  mask?: Uint8Array;
  from?: number;
  until?: number;
}

/** The rule of event type `name` under `w`. */
export function ruleOf(w: InteractionWeights, name: string): EventTypeRule {
  return w.types.get(name) ?? w.fallback;
}

/** The one weighting formula: an event of value v under `rule` (see the header). */
function weigh(rule: EventTypeRule, v: number): number {
  const w = unclipped(rule, v);
  return Math.min(MAX_EVENT_WEIGHT, Math.max(-MAX_EVENT_WEIGHT, w));
}

function unclipped(rule: EventTypeRule, v: number): number {
  switch (rule.value) {
    case 'count':
      return rule.weight * v;
    case 'log':
      return v >= 0 ? rule.weight * Math.log2(1 + v) : -rule.weight * Math.log2(1 - v);
    case 'binary':
      return rule.weight;
    case 'centered':
      return rule.weight * (v - (rule.center ?? 0));
  }
}

/**
 * One event's weight under `w`, in float32 as the interaction matrix stores it (values and weights are
 * Float32Arrays there), so that a live event and the offline matrix agree exactly.
 */
export function eventWeight(w: InteractionWeights, type: string, value: number): number {
  return Math.fround(weigh(ruleOf(w, type), Math.fround(value)));
}

/** Per-event weights (length log.length) under `weights`; 0 for events the filter drops. */
export function eventWeights(log: EventLog, weights: InteractionWeights, filter?: EventFilter): Float32Array {
  const rules = log.typeNames.map((name) => ruleOf(weights, name));
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
    out[k] = weigh(rules[log.type[k]!] ?? weights.fallback, log.value[k]!);
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
