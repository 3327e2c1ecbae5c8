/**
 * A model of the bundle asked for by name (`strategy=als`, ...): its own top k over the live profile (the
 * content model scores the items added since its training too).
 */
import type { ModelName } from '../../../types.js';
import type { RecommendationAnswer } from '../../answers.js';
import type { Catalogue } from '../catalogue.js';
import type { LiveInteractions } from '../live-interactions.js';
import type { NewItemsIndex } from '../new-items.js';
import { answerBase, type RecommendContext, recommendOptions, type Strategy } from './strategy.js';

/** The items a request excludes: his live row (or the profile of an unknown user), when it excludes seen ones. */
export function seenOf(ctx: RecommendContext, interactions: LiveInteractions): Int32Array | undefined {
  if (!ctx.excludeSeen) return undefined;
  return ctx.u === undefined ? ctx.profile.items : interactions.row(ctx.u).items;
}

export class SingleModelStrategy implements Strategy {
  readonly name = 'single-model';

  constructor(
    private readonly catalogue: Catalogue,
    private readonly interactions: LiveInteractions,
    private readonly newItems: NewItemsIndex,
  ) {}

  serves(ctx: RecommendContext): boolean {
    return ctx.strategy !== 'ranked' && ctx.slot.models.has(ctx.strategy as ModelName);
  }

  answer(ctx: RecommendContext): RecommendationAnswer {
    const strategy = ctx.strategy as ModelName;
    const top =
      (strategy === 'content'
        ? this.newItems.contentTop(ctx.slot, ctx.profile, ctx.k, seenOf(ctx, this.interactions), ctx.allowed)
        : undefined) ?? ctx.slot.model(strategy)!.recommend(ctx.profile, ctx.k, recommendOptions(ctx));
    return {
      ...answerBase(ctx),
      model: strategy,
      items: this.catalogue.answerItems(
        top.items,
        top.scores,
        ctx.explain
          ? (r) => ({ sources: [strategy], features: [{ name: `${strategy}_score`, value: top.scores[r]! }] })
          : undefined,
      ),
    };
  }
}
