/**
 * Users: creation with onboarding preferences (genres kept with the user, liked items stored as `like`
 * events), and reads (the record with live counters and recent items, the event history).
 */
import { userProblem } from '../../data/valid.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { EventRecord, UserRecord } from '../../types.js';
import type { Catalogue } from './catalogue.js';
import type { EventIngestor } from './event-ingestor.js';
import type { LiveInteractions } from './live-interactions.js';

export interface NewUser {
  id: string;
  attributes?: Record<string, unknown>;
  preferences?: { genres?: string[]; items?: string[] };
}

export interface UserStats {
  events: number;
  items: number;
  recent: string[];
  preferences?: { genres: string[] };
}

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly catalogue: Catalogue,
    private readonly interactions: LiveInteractions,
    private readonly ingestor: EventIngestor,
  ) {}

  /** Creates a user with onboarding preferences (genres, liked items stored as `like` events). */
  async create(user: NewUser): Promise<{ id: string; likes: number }> {
    const fault = userProblem(user);
    if (fault) throw new InvalidInputError(fault[0], fault[1]);
    if (this.store.userIndex(user.id) !== undefined)
      throw new ConflictError(`user "${user.id}" already exists`, 'id');
    const genres = user.preferences?.genres ?? [];
    this.checkGenres(genres, 'preferences.genres');
    const liked = user.preferences?.items ?? [];
    this.checkItems(liked, 'preferences.items');
    const now = Date.now();
    const attributes = {
      ...(user.attributes ?? {}),
      ...(genres.length > 0 ? { preferences: { genres } } : {}),
    };
    const events = likeEvents(user.id, liked, now);
    return this.ingestor.holdingEvents(async () => {
      await this.store.transaction(async () => {
        await this.store.upsertUsers([{ id: user.id, attributes, createdAt: now }]);
        if (events.length > 0)
          await this.store.insertEvents(events, { createUsers: false, createItems: false });
      });
      const u = this.store.userIndex(user.id)!;
      this.interactions.ensureUsers(u + 1);
      if (genres.length > 0) this.interactions.setPreferences(u, genres);
      if (events.length > 0) await this.ingestor.applyStored([events]);
      this.interactions.touch(u);
      return { id: user.id, likes: events.length };
    });
  }

  /** Throws naming `field[j]` unless every genre of `genres` is the catalogue's. */
  checkGenres(genres: readonly string[], field: string): void {
    genres.forEach((g, j) => {
      if (!this.catalogue.hasGenre(g)) throw this.catalogue.unknownGenre(g, `${field}[${j}]`);
    });
  }

  /** Throws naming `field[j]` unless every item id of `items` is stored. */
  checkItems(items: readonly string[], field: string): void {
    items.forEach((id, j) => {
      if (this.store.itemIndex(id) === undefined)
        throw new NotFoundError(`unknown item "${id}"`, `${field}[${j}]`, { fieldInMessage: true });
    });
  }

  /** The user's record and live statistics. */
  async get(id: string): Promise<{ user: UserRecord; stats: UserStats }> {
    const user = await this.store.getUser(id);
    const u = this.store.userIndex(id);
    if (!user || u === undefined) throw new NotFoundError(`unknown user "${id}"`, 'id');
    const g = this.interactions.preferences(u);
    const stats: UserStats = {
      events: this.interactions.eventCount(u),
      items: this.interactions.row(u).items.length,
      recent: Array.from(this.interactions.recentItems(u), (i) => this.catalogue.itemId(i)),
      ...(g ? { preferences: { genres: g } } : {}),
    };
    return { user, stats };
  }

  /** His latest `limit` events, newest first. */
  history(id: string, limit: number): ReturnType<Store['userEvents']> {
    if (this.store.userIndex(id) === undefined) throw new NotFoundError(`unknown user "${id}"`, 'id');
    return this.store.userEvents(id, limit);
  }
}

/** The `like` events of a user's onboarding choices, at `now`. */
export function likeEvents(user: string, items: readonly string[], now: number): EventRecord[] {
  return items.map((item) => ({ user, item, type: 'like', value: 1, timestamp: now }));
}
