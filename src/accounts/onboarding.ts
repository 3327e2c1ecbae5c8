/**
 * Onboarding after sign-up: favourite genres, then likes of a few titles from a diverse popular list. Both
 * go where the API's cold start puts them (the user's onboarding genres, live and stored; `like` events
 * through the event ingestor), so the first recommendations use them at once.
 */
import { InvalidInputError } from '../errors.js';
import type { Services } from '../serving/compose.js';
import { likeEvents } from '../serving/services/users.js';

/** A title offered for a first like. */
export interface OfferedItem {
  id: string;
  title: string;
  genres: string[];
}

export class Onboarding {
  constructor(private readonly services: Services) {}

  /** The genres to choose from, sorted. */
  genres(): string[] {
    return this.services.catalogue.genres();
  }

  /** Known genres of `raw` (each checked, the field named), without repeats. */
  checkGenres(raw: string[], field = 'genres'): string[] {
    if (raw.length > 64) throw new InvalidInputError(field, 'at most 64 genres');
    this.services.users.checkGenres(raw, field);
    return [...new Set(raw)];
  }

  /**
   * `n` popular titles spread over genres: the most popular of each chosen genre in turn, then of the
   * others, so that the list is not one genre's top.
   */
  popularDiverse(genres: string[], n = 18): OfferedItem[] {
    const { popularity, catalogue } = this.services;
    if (catalogue.count === 0) return [];
    const top = popularity.top(undefined, Math.min(catalogue.count, 400), false);
    const order = [...genres, ...catalogue.genres().filter((g) => !genres.includes(g))];
    const queues = new Map<string, number[]>(order.map((g) => [g, []]));
    for (const i of top.items) {
      const gs = catalogue.genresOf(i) ?? [];
      const first = order.find((g) => gs.includes(g));
      if (first !== undefined) queues.get(first)!.push(i);
    }
    const chosen: number[] = [];
    const taken = new Set<number>();
    // the chosen genres twice as often as the others
    const rounds = order.flatMap((g) => (genres.includes(g) ? [g, g] : [g]));
    for (let pass = 0; chosen.length < n && pass < n; pass++)
      for (const g of rounds) {
        const q = queues.get(g)!;
        const i = q.shift();
        if (i !== undefined && !taken.has(i)) {
          taken.add(i);
          chosen.push(i);
          if (chosen.length >= n) break;
        }
      }
    for (const i of top.items) {
      if (chosen.length >= n) break;
      if (!taken.has(i)) chosen.push(i);
    }
    return chosen.map((i) => {
      const id = catalogue.itemId(i);
      return { id, title: catalogue.title(i) ?? id, genres: catalogue.genresOf(i) ?? [] };
    });
  }

  /** Stores the genres (live at once) and the likes of user `userId`. */
  async complete(
    userId: string,
    rawGenres: string[],
    rawItems: string[],
  ): Promise<{ genres: string[]; likes: number }> {
    const { store, interactions, ingestor } = this.services;
    const genres = this.checkGenres(rawGenres);
    if (rawItems.length > 100) throw new InvalidInputError('items', 'at most 100 titles');
    const items = [...new Set(rawItems)];
    this.services.users.checkItems(items, 'items');
    if (genres.length > 0) {
      await store.upsertUsers([{ id: userId, attributes: { preferences: { genres } } }]);
      const u = store.userIndex(userId)!;
      interactions.ensureUsers(u + 1);
      interactions.setPreferences(u, genres);
      interactions.touch(u);
    }
    const events = likeEvents(userId, items, Date.now());
    if (events.length > 0) await ingestor.ingest(events);
    return { genres, likes: events.length };
  }
}
