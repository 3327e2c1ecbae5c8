/**
 * Popularity from live scores (the bundle's counts moved by every event since, new items included): for a
 * user the models cannot serve (unknown, or no usable history: within his onboarding genres when he chose
 * some), and for `strategy=popularity`.
 */
import type { RecommendationAnswer } from '../../answers.js';
import type { Catalogue } from '../catalogue.js';
import type { LivePopularity } from '../live-popularity.js';
import { answerBase, type RecommendContext, type Strategy } from './strategy.js';

/** An unknown user, or one with neither items nor genres the strategy asked for can use: most popular items. */
export class NoHistoryStrategy implements Strategy {
  readonly name = 'no-history';

  constructor(
    private readonly catalogue: Catalogue,
    private readonly popularity: LivePopularity,
  ) {}

  serves(ctx: RecommendContext): boolean {
    const usesGenres = ctx.strategy === 'content' || ctx.strategy === 'hybrid';
    return ctx.profile.items.length === 0 && !(usesGenres && ctx.profile.genres);
  }

  answer(ctx: RecommendContext): RecommendationAnswer {
    const { u, profile } = ctx;
    const genres = profile.genres;
    const mask = genres && genres.length > 0 ? this.catalogue.unionMask(genres, ctx.allowed) : ctx.allowed;
    const top = this.popularity.top(u, ctx.k, ctx.excludeSeen, mask);
    const note =
      u === undefined
        ? 'unknown user: most popular items'
        : genres
          ? 'new user: most popular items of his onboarding genres'
          : 'no history the models know: most popular items';
    return {
      ...answerBase(ctx),
      model: 'popularity',
      items: this.catalogue.answerItems(
        top.items,
        top.scores,
        ctx.explain ? () => ({ sources: ['popularity'] }) : undefined,
      ),
      note,
    };
  }
}

/** `strategy=popularity`: the live scores. */
export class LivePopularityStrategy implements Strategy {
  readonly name = 'live-popularity';

  constructor(
    private readonly catalogue: Catalogue,
    private readonly popularity: LivePopularity,
  ) {}

  serves(ctx: RecommendContext): boolean {
    return ctx.strategy === 'popularity';
  }

  answer(ctx: RecommendContext): RecommendationAnswer {
    const top = this.popularity.top(ctx.u, ctx.k, ctx.excludeSeen, ctx.allowed);
    return {
      ...answerBase(ctx),
      model: 'popularity',
      items: this.catalogue.answerItems(
        top.items,
        top.scores,
        ctx.explain
          ? (r) => ({ sources: ['popularity'], features: [{ name: 'popularity', value: top.scores[r]! }] })
          : undefined,
      ),
    };
  }
}
