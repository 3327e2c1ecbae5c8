/**
 * What the people's pages show, from the services the API uses: the person's recommendations (the
 * recommend service, with explanations turned into words), feedback stored as events (the event
 * ingestor), his activity (his history), an item's page (the item, its counters, similar items). Every
 * method takes the signed-in account: the reco user is always the account's own.
 */
import { NotFoundError } from '../errors.js';
import type { RecommendedItem } from '../serving/answers.js';
import type { Services } from '../serving/compose.js';
import { itemReasons } from '../serving/ranker.js';
import type { AccountRecord } from '../store/accounts.js';
import type { StoredEvent } from '../store/store.js';
import { reasons } from './explain-words.js';
import { CatalogueSearch, type ItemView, itemView } from './items.js';
import type { ActivityRow, Card, FeedbackKind } from './views/people.js';

/** Events that say the person liked an item (what "because you liked" may name). */
function isLike(e: StoredEvent): boolean {
  return e.type === 'like' || e.type === 'purchase' || (e.type === 'rating' && e.value >= 4);
}

export class PeopleData {
  readonly search: CatalogueSearch;

  constructor(private readonly services: Services) {
    this.search = new CatalogueSearch(services);
  }

  private async history(userId: string, limit: number): Promise<StoredEvent[]> {
    return this.services.store.userIndex(userId) === undefined
      ? []
      : await this.services.store.userEvents(userId, limit);
  }

  async item(id: string): Promise<ItemView> {
    return itemView(await this.services.store.getItem(id), id);
  }

  /**
   * The person's top k (as the API answers them, rank threads included); each card's reasons are loaded
   * by its own request (`why`), so that the list itself comes at once after a click.
   */
  async recommendations(account: AccountRecord, genre: string | undefined, k = 20) {
    const answer = await this.services.recommend.recommendAsync({
      userId: account.userId,
      k,
      ...(genre ? { genre } : {}),
    });
    const cards: Card[] = [];
    for (const it of answer.items ?? []) cards.push({ ...(await this.item(it.id!)), reasons: [] });
    return { cards, model: answer.model ?? 'unknown', note: answer.note };
  }

  /**
   * Why `itemId` is recommended to the person, in words: a liked title among its most similar items, then
   * the ranked model's explanation of it for him (candidate sources, the features that moved its score:
   * TreeSHAP), as explain=true gives them.
   */
  async why(account: AccountRecord, itemId: string): Promise<string[]> {
    const { store, similar, models, interactions, rankThreads } = this.services;
    const i = store.itemIndex(itemId);
    if (i === undefined) throw new NotFoundError(`unknown item "${itemId}"`, 'item');
    const liked = new Set((await this.history(account.userId, 300)).filter(isLike).map((e) => e.item));
    let because: string | undefined;
    if (liked.size > 0) {
      const near = (similar.similar(itemId, 30).items ?? []).find((s) => liked.has(s.id!));
      if (near) because = near.title ?? near.id;
    }
    let explained: RecommendedItem = { id: itemId };
    const slot = models.require();
    const u = store.userIndex(account.userId);
    if (slot.hasRanked && u !== undefined && i < slot.fitted.items) {
      // on a rank thread when there are some (TreeSHAP costs milliseconds), else on the main thread
      const profile = interactions.profile(u, slot);
      const pool = rankThreads.poolFor(slot);
      const own = { ...profile, items: profile.items.slice(), weights: profile.weights.slice() };
      const reasons = pool
        ? (await pool.explain(own, Int32Array.of(i)).catch(() => []))[0]
        : slot.ranked?.explain
          ? itemReasons(slot.ranked.explain(profile, i))
          : undefined;
      if (reasons) explained = { ...explained, ...reasons };
    }
    return reasons(explained, because);
  }

  /** Stores the person's feedback on `item` as an event of his own user. */
  async feedback(account: AccountRecord, item: string, kind: FeedbackKind): Promise<void> {
    if (this.services.store.itemIndex(item) === undefined)
      throw new NotFoundError(`unknown item "${item}"`, 'item');
    // Not interested is a mild dislike (value 0.5: weight -2 under the built-in rule, against -4)
    await this.services.ingestor.ingestGrouped([
      {
        user: account.userId,
        item,
        type: kind === 'like' ? 'like' : 'dislike',
        value: kind === 'not_interested' ? 0.5 : 1,
        timestamp: Date.now(),
      },
    ]);
  }

  async activity(account: AccountRecord, limit = 100): Promise<ActivityRow[]> {
    const { catalogue, store } = this.services;
    return (await this.history(account.userId, limit)).map((e) => ({
      item: e.item,
      title: catalogue.title(store.itemIndex(e.item) ?? -1) ?? e.item,
      type: e.type,
      value: e.value,
      at: new Date(e.timestamp).toISOString(),
    }));
  }

  /** The person's latest feedback on an item (for the item page's pressed button). */
  async feedbackOn(account: AccountRecord, item: string): Promise<FeedbackKind | undefined> {
    const e = (await this.history(account.userId, 300)).find(
      (x) => x.item === item && (x.type === 'like' || x.type === 'dislike'),
    );
    if (!e) return undefined;
    return e.type === 'like' ? 'like' : e.value < 1 ? 'not_interested' : 'dislike';
  }

  async itemPage(account: AccountRecord, id: string) {
    const { items, similar } = this.services;
    const rec = await items.get(id); // 404 for an unknown item
    const sim = similar.similar(id, 12);
    return {
      item: itemView(rec, id),
      events: rec.stats.events,
      similar: await Promise.all((sim.items ?? []).map((s) => this.item(s.id!))),
      similarNote: sim.note,
      done: await this.feedbackOn(account, id),
    };
  }
}
