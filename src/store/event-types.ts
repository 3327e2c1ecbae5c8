/** The event weighting a store declares (its event types' rules: ../data/interactions.ts). */
import { type InteractionWeights, interactionWeights } from '../data/interactions.js';
import type { Store } from './store.js';

/** The rules of every event type the store declares, over the built-in ones. */
export function storeWeights(store: Pick<Store, 'eventTypes'>): InteractionWeights {
  return interactionWeights(store.eventTypes().map((t) => [t.name, t.rule] as const));
}
