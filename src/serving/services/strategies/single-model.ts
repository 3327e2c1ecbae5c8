/**
 * A model of the bundle asked for by name (`strategy=als`, ...): its own top k over the live profile (the
 * content model scores the items added since its training too).
 */
import type { ModelName, TopN } from '../../../types.js';
import type { RecommendationAnswer } from '../../answers.js';
import type { Catalogue } from '../catalogue.js';
import type { LiveInteractions } from '../live-interactions.js';
import type { NewItemsIndex } from '../new-items.js';
import { answerBase, type RecommendContext, recommendOptions, type Strategy } from './strategy.js';

/**
 * Model `name`'s top k for the request: the content model with the items added since its training scored
 * alongside (minus his live row, or an unknown user's profile, when seen items are excluded), any other
 * model (or content without new items) by its own recommend.
 */
export function modelTop(
  ctx: RecommendContext,
  name: ModelName,
  interactions: LiveInteractions,
  newItems: NewItemsIndex,
): TopN {
  const seen = !ctx.excludeSeen
    ? undefined
    : ctx.u === undefined
      ? ctx.profile.items
      : interactions.row(ctx.u).items;
  return (
    (name === 'content' ? newItems.contentTop(ctx.slot, ctx.profile, ctx.k, seen, ctx.allowed) : undefined) ??
    ctx.slot.model(name)!.recommend(ctx.profile, ctx.k, recommendOptions(ctx))
  );
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
    const top = modelTop(ctx, strategy, this.interactions, this.newItems);
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
