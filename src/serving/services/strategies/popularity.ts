/**
 * Popularity from live scores (the bundle's counts moved by every event since, new items included): for a
 * user the models cannot serve (unknown, or no usable history: within his onboarding genres when he chose
 * some), and for `strategy=popularity`.
 */
import type { TopN } from '../../../types.js';
import type { ItemExplanation, RecommendationAnswer } from '../../answers.js';
import type { Catalogue } from '../catalogue.js';
import type { LivePopularity } from '../live-popularity.js';
import { answerBase, type RecommendContext, type Strategy } from './strategy.js';

/** Answers from the live popularity scores. */
abstract class PopularityAnswers implements Strategy {
  abstract readonly name: string;

  constructor(
    protected readonly catalogue: Catalogue,
    protected readonly popularity: LivePopularity,
  ) {}

  abstract serves(ctx: RecommendContext): boolean;
  abstract answer(ctx: RecommendContext): RecommendationAnswer;

  /** The most popular items for a request, within `allowed`. */
  protected popular(
    ctx: RecommendContext,
    allowed: Uint8Array | undefined,
    describe: (top: TopN) => ((r: number) => ItemExplanation) | undefined,
  ): RecommendationAnswer {
    const top = this.popularity.top(ctx.u, ctx.k, ctx.excludeSeen, allowed);
    return {
      ...answerBase(ctx),
      model: 'popularity',
      items: this.catalogue.answerItems(top.items, top.scores, ctx.explain ? describe(top) : undefined),
    };
  }
}

/** Whether a profile holds an item of positive weight (something he took, not only what he turned down). */
function hasPositive(weights: Float32Array): boolean {
  for (let k = 0; k < weights.length; k++) if (weights[k]! > 0) return true;
  return false;
}

/**
 * An unknown user, or one with neither items of positive weight nor genres the strategy asked for can use
 * (only negative feedback says what he does not want, not what he does): most popular items, those he
 * turned down excluded.
 */
export class NoHistoryStrategy extends PopularityAnswers {
  readonly name = 'no-history';

  serves(ctx: RecommendContext): boolean {
    const usesGenres = ctx.strategy === 'content' || ctx.strategy === 'hybrid';
    return !hasPositive(ctx.profile.weights) && !(usesGenres && ctx.profile.genres);
  }

  answer(ctx: RecommendContext): RecommendationAnswer {
    const { u, profile } = ctx;
    const genres = profile.genres;
    const mask = genres && genres.length > 0 ? this.catalogue.unionMask(genres, ctx.allowed) : ctx.allowed;
    const note =
      u === undefined
        ? 'unknown user: most popular items'
        : genres
          ? 'new user: most popular items of his onboarding genres'
          : profile.items.length > 0
            ? 'only negative feedback the models know: most popular items'
            : 'no history the models know: most popular items';
    return { ...this.popular(ctx, mask, () => () => ({ sources: ['popularity'] })), note };
  }
}

/** `strategy=popularity`: the live scores. */
export class LivePopularityStrategy extends PopularityAnswers {
  readonly name = 'live-popularity';

  serves(ctx: RecommendContext): boolean {
    return ctx.strategy === 'popularity';
  }

  answer(ctx: RecommendContext): RecommendationAnswer {
    return this.popular(ctx, ctx.allowed, (top) => (r) => ({
      sources: ['popularity'],
      features: [{ name: 'popularity', value: top.scores[r]! }],
    }));
  }
}
