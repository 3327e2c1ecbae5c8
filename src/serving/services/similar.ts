/**
 * Similar items: the bundle's similar-items model (item-kNN, else EASE, else ALS, ...), or by content for an
 * item added since the training (./new-items.ts); answers kept in the answer cache.
 */
import { selectTopN } from '../../core/top-n.js';
import { NotFoundError } from '../../errors.js';
import type { Recommender } from '../../recommenders/recommender.js';
import type { Store } from '../../store/store.js';
import type { SimilarAnswer } from '../answers.js';
import type { ModelSlot } from '../model-slot.js';
import { type AnswerCache, SimilarKey } from './answer-cache.js';
import type { Catalogue } from './catalogue.js';
import type { ModelHolder } from './model-holder.js';
import type { NewItemsIndex } from './new-items.js';

export class SimilarService {
  constructor(
    private readonly store: Store,
    private readonly models: ModelHolder,
    private readonly catalogue: Catalogue,
    private readonly cache: AnswerCache,
    private readonly newItems: NewItemsIndex,
  ) {}

  similar(itemId: string, k: number): SimilarAnswer {
    const slot = this.models.require();
    const i = this.store.itemIndex(itemId);
    if (i === undefined) throw new NotFoundError(`unknown item "${itemId}"`, 'id');
    const key = new SimilarKey(itemId, k, slot.version);
    const hit = this.cache.similar(key);
    if (hit) return hit;
    let answer: SimilarAnswer;
    const name = slot.similarModel;
    if (i >= slot.fitted.items) answer = this.similarNew(slot, itemId, i, k);
    else if (!name)
      answer = {
        item: itemId,
        model: null,
        version: slot.version,
        items: [],
        note: 'no model in the bundle answers similar items (train itemknn, ease or als)',
      };
    else {
      const model = slot.model(name) as Recommender & Required<Pick<Recommender, 'similarItems'>>;
      const top = model.similarItems(i, k);
      answer = {
        item: itemId,
        model: name,
        version: slot.version,
        items: this.catalogue.answerItems(top.items, top.scores),
      };
    }
    this.cache.keepSimilar(key, answer);
    return answer;
  }

  /** Similar items of an item added after the slot's training: by content until the next training. */
  private similarNew(slot: ModelSlot, itemId: string, i: number, k: number): SimilarAnswer {
    const news = this.newItems.of(slot);
    const scores = news.similarScores(i);
    if (!scores)
      return {
        item: itemId,
        model: null,
        version: slot.version,
        items: [],
        note: 'item added after the models were trained, with no metadata (genres, tags, title) to compare by: similar items after the next training',
      };
    const top = selectTopN(scores, k);
    return {
      item: itemId,
      model: news.model,
      version: slot.version,
      items: this.catalogue.answerItems(top.items, top.scores),
      note: `item added after the models were trained: similar by ${news.model === 'content' ? 'content (TF-IDF of genres, tags, title)' : 'shared genres'} until the next training`,
    };
  }
}
