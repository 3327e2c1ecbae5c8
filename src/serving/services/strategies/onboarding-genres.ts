/**
 * A new user with onboarding genres and no items, asking for `ranked`: served by a model that scores
 * genres (the hybrid, else content; the content model scores the items added since its training too).
 */
import type { ModelName } from '../../../types.js';
import type { RecommendationAnswer } from '../../answers.js';
import type { Catalogue } from '../catalogue.js';
import type { LiveInteractions } from '../live-interactions.js';
import type { NewItemsIndex } from '../new-items.js';
import { modelTop } from './single-model.js';
import { answerBase, type RecommendContext, type Strategy } from './strategy.js';

const BY_GENRES: ModelName[] = ['hybrid', 'content'];

export class OnboardingGenresStrategy implements Strategy {
  readonly name = 'onboarding-genres';

  constructor(
    private readonly catalogue: Catalogue,
    private readonly interactions: LiveInteractions,
    private readonly newItems: NewItemsIndex,
  ) {}

  private modelOf(ctx: RecommendContext): ModelName | undefined {
    return BY_GENRES.find((m) => ctx.slot.models.has(m));
  }

  serves(ctx: RecommendContext): boolean {
    const { profile } = ctx;
    return (
      profile.items.length === 0 &&
      profile.genres !== undefined &&
      ctx.strategy === 'ranked' &&
      this.modelOf(ctx) !== undefined
    );
  }

  answer(ctx: RecommendContext): RecommendationAnswer {
    const name = this.modelOf(ctx)!;
    const top = modelTop(ctx, name, this.interactions, this.newItems);
    return {
      ...answerBase(ctx),
      model: name,
      items: this.catalogue.answerItems(
        top.items,
        top.scores,
        ctx.explain ? () => ({ sources: [name] }) : undefined,
      ),
      note: `new user with onboarding genres only: served by ${name}`,
    };
  }
}
