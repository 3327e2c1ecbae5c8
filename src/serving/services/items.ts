/**
 * Items: create or update records (known to the catalogue at once, to the collaborative models after the
 * next training), and the record with its live counters.
 */
import { itemProblem, MAX_GENRES } from '../../data/valid.js';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { ItemRecord } from '../../types.js';
import type { AnswerCache } from './answer-cache.js';
import type { Catalogue } from './catalogue.js';
import type { LiveInteractions } from './live-interactions.js';
import type { LivePopularity } from './live-popularity.js';
import type { NewItemsIndex } from './new-items.js';

export type ItemWithStats = ItemRecord & { stats: { events: number; lastEvent: string | null } };

export class ItemService {
  constructor(
    private readonly store: Store,
    private readonly catalogue: Catalogue,
    private readonly interactions: LiveInteractions,
    private readonly popularity: LivePopularity,
    private readonly newItems: NewItemsIndex,
    private readonly cache: AnswerCache,
  ) {}

  /** Inserts or updates items; new ones are known to the models after the next training. */
  async upsert(items: ItemRecord[]): Promise<{ created: number; updated: number }> {
    this.check(items);
    let created = 0;
    for (const it of items) if (this.store.itemIndex(it.id) === undefined) created++;
    await this.store.upsertItems(items);
    this.take(items);
    return { created, updated: items.length - created };
  }

  /** Reads every item record again (changed by another replica), with the ids created meanwhile. */
  async reload(): Promise<void> {
    await this.store.feed?.refreshIds();
    this.take(await this.store.listItems());
  }

  /** Stored records into the catalogue and everything sized or made from it. */
  private take(items: ItemRecord[]): void {
    this.catalogue.update(items);
    this.interactions.ensureItems(this.catalogue.count);
    this.popularity.ensureItems(this.catalogue.count);
    this.newItems.invalidate(); // their content vectors are made again from the records
    this.cache.clear();
  }

  /**
   * Each record as ../../data/valid.ts accepts it, and the store's genres within MAX_GENRES after them;
   * faults name the record's `index` and field.
   */
  private check(items: ItemRecord[]): void {
    const genres = new Set(this.catalogue.genres());
    for (let k = 0; k < items.length; k++) {
      const it = items[k]!;
      const fault = itemProblem(it);
      if (fault) throw new InvalidInputError(fault[0], fault[1], { index: k });
      for (const g of it.genres ?? []) genres.add(g);
      if (genres.size > MAX_GENRES)
        throw new InvalidInputError(
          'genres',
          `the store would hold more than ${MAX_GENRES} genres (a genre is a broad category; use tags for the rest)`,
          { index: k },
        );
    }
  }

  /** The item record with its live counters. */
  async get(id: string): Promise<ItemWithStats> {
    const rec = await this.store.getItem(id);
    if (!rec) throw new NotFoundError(`unknown item "${id}"`, 'id');
    const { events, lastEvent } = this.interactions.itemCounters(this.store.itemIndex(id)!);
    return { ...rec, stats: { events, lastEvent: lastEvent > 0 ? new Date(lastEvent).toISOString() : null } };
  }
}
