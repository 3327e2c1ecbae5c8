/** Every event of a store, in time order, collected from its stream (`iterateEvents`). */
import type { Store, StoredEvent } from '../../src/store/store.js';

export async function allEvents(store: Store): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.iterateEvents()) out.push(e);
  return out;
}
