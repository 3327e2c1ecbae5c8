/**
 * Items as the pages show them: title, year (from a "(1995)" at the end of the title, else the release
 * date), genres; a search of the catalogue by title and genre ordered by live popularity (an index of
 * lower-cased titles, made again when the catalogue grows or after 30 seconds, so that updates show).
 */
import type { Services } from '../serving/compose.js';
import type { ItemRecord } from '../types.js';

export interface ItemView {
  id: string;
  title: string;
  year?: number;
  genres: string[];
}

const YEAR = /\((\d{4})\)\s*$/;

export function itemView(rec: ItemRecord | undefined, id: string): ItemView {
  const title = rec?.title ?? id;
  const m = YEAR.exec(title);
  const year = m
    ? Number(m[1])
    : rec?.createdAt !== undefined
      ? new Date(rec.createdAt).getUTCFullYear()
      : undefined;
  return {
    id,
    title,
    ...(year !== undefined && Number.isFinite(year) ? { year } : {}),
    genres: rec?.genres ?? [],
  };
}

export class CatalogueSearch {
  private index?: { titles: string[]; items: ItemRecord[]; count: number; at: number };

  constructor(private readonly services: Services) {}

  private async current(now = Date.now()) {
    const count = this.services.catalogue.count;
    const idx = this.index;
    if (idx && idx.count === count && now - idx.at < 30_000) return idx;
    const items = await this.services.store.listItems();
    this.index = { items, titles: items.map((it) => (it.title ?? it.id).toLowerCase()), count, at: now };
    return this.index;
  }

  /** Items whose title holds `query` (any case) and of `genre`, most popular first; one page of them. */
  async search(
    query: string,
    genre: string | undefined,
    page: number,
    perPage = 24,
  ): Promise<{ items: ItemView[]; total: number }> {
    const { titles, items } = await this.current();
    const q = query.trim().toLowerCase();
    const scores = this.services.popularity.scores();
    const hits: number[] = [];
    for (let i = 0; i < items.length; i++) {
      if (q !== '' && !titles[i]!.includes(q)) continue;
      if (genre !== undefined && !(items[i]!.genres ?? []).includes(genre)) continue;
      hits.push(i);
    }
    hits.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
    const slice = hits.slice((page - 1) * perPage, page * perPage);
    return { items: slice.map((i) => itemView(items[i], items[i]!.id)), total: hits.length };
  }
}
