/**
 * The in-memory catalogue: every item's record (title, genres, tags, attributes) by dense index (new
 * items too, as the store merges their updates), a mask of the
 * items of each genre, and the external item ids. It also turns a ranked list of dense indices into the
 * answer's items (id, score, title).
 */
import { InvalidInputError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { ItemRecord } from '../../types.js';
import type { ItemExplanation, RecommendedItem } from '../answers.js';

export class Catalogue {
  /** Records by dense index (undefined: an item created by an event, with nothing but its id). */
  private records: (ItemRecord | undefined)[] = [];
  private masks = new Map<string, Uint8Array>();
  private ids: string[] = [];

  private constructor(private readonly store: Store) {}

  /** The catalogue of the items stored in `store`. */
  static async open(store: Store): Promise<Catalogue> {
    const catalogue = new Catalogue(store);
    catalogue.records = await store.listItems();
    catalogue.rebuildMasks();
    return catalogue;
  }

  /** Items in all (fitted and new). */
  get count(): number {
    return this.records.length;
  }

  genresOf(i: number): string[] | undefined {
    return this.records[i]?.genres;
  }

  /** Item i's record as stored (undefined for an item created by an event). */
  record(i: number): ItemRecord | undefined {
    return this.records[i];
  }

  /** Item i's title, if it has one. */
  title(i: number): string | undefined {
    return this.records[i]?.title;
  }

  /** Item i's external id. */
  itemId(i: number): string {
    if (i >= this.ids.length) this.ids = this.store.itemIds();
    return this.ids[i]!;
  }

  /** The genre names, sorted. */
  genres(): string[] {
    return [...this.masks.keys()].sort();
  }

  hasGenre(genre: string): boolean {
    return this.masks.has(genre);
  }

  /** The items of `genre` (undefined: no filter); an unknown genre is bad input in `field`. */
  genreMask(genre: string | undefined, field = 'genre'): Uint8Array | undefined {
    if (genre === undefined) return undefined;
    const m = this.masks.get(genre);
    if (!m) throw this.unknownGenre(genre, field);
    return m;
  }

  unknownGenre(genre: string, field: string): InvalidInputError {
    // a bounded message whatever the catalogue holds
    const known = this.genres();
    const shown = known.slice(0, 20).map((g) => (g.length > 40 ? `${g.slice(0, 40)}...` : g));
    const more = known.length > shown.length ? `, and ${known.length - shown.length} more` : '';
    const name = genre.length > 100 ? `${genre.slice(0, 100)}...` : genre;
    return new InvalidInputError(field, `unknown genre "${name}" (known: ${shown.join(', ')}${more})`);
  }

  /** The items of any of `genres`, within `allowed` when given. */
  unionMask(genres: string[], allowed: Uint8Array | undefined): Uint8Array {
    const n = this.records.length;
    const out = new Uint8Array(n);
    for (const g of genres) {
      const m = this.masks.get(g);
      if (m) for (let i = 0; i < m.length; i++) out[i]! |= m[i]!;
    }
    if (allowed) for (let i = 0; i < n; i++) out[i]! &= allowed[i] ?? 0;
    return out;
  }

  /** Items up to index n - 1 exist (created by events: no title, no genre). */
  ensureItems(n: number): void {
    if (n <= this.records.length) return;
    while (this.records.length < n) this.records.push(undefined);
    this.ids = [];
    this.rebuildMasks(); // masks cover every item (a new one is in no genre)
  }

  /** Records stored by the store (created or updated): merged as the store merges them (given fields). */
  update(items: ItemRecord[]): void {
    for (const it of items) {
      const i = this.store.itemIndex(it.id)!;
      while (this.records.length <= i) this.records.push(undefined);
      const merged: ItemRecord = { ...(this.records[i] ?? { id: it.id }) };
      for (const key of ['title', 'genres', 'tags', 'attributes', 'createdAt'] as const)
        if (it[key] !== undefined) Object.assign(merged, { [key]: it[key] });
      this.records[i] = merged;
    }
    this.ids = [];
    this.rebuildMasks();
  }

  /** The answer's items for a ranked list of dense indices; `describe` adds an item's explanation. */
  answerItems(
    items: Int32Array,
    scores: Float32Array,
    describe?: (r: number) => ItemExplanation,
  ): RecommendedItem[] {
    const out: RecommendedItem[] = new Array(items.length);
    for (let r = 0; r < items.length; r++) {
      const i = items[r]!;
      const it: RecommendedItem = { id: this.itemId(i), score: scores[r]! };
      const t = this.records[i]?.title;
      if (t !== undefined) it.title = t;
      if (describe) Object.assign(it, describe(r));
      out[r] = it;
    }
    return out;
  }

  private rebuildMasks(): void {
    const n = this.records.length;
    const masks = new Map<string, Uint8Array>();
    for (let i = 0; i < n; i++) {
      for (const g of this.records[i]?.genres ?? []) {
        let m = masks.get(g);
        if (!m) masks.set(g, (m = new Uint8Array(n)));
        m[i] = 1;
      }
    }
    this.masks = masks;
  }
}
