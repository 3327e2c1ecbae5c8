/**
 * `strategy=ranked` with the bundle's learning-to-rank model (../../ranker.ts): its own candidates and
 * features over the live profile, on a rank thread when the request may wait for one and does not ask for
 * explanations (RankedOnThreadsStrategy), else on the main thread (RankedModelStrategy, with TreeSHAP
 * explanations).
 */
import type { UserProfile } from '../../../recommenders/recommender.js';
import type { RecommendationAnswer } from '../../answers.js';
import { rankWithLiveProfile } from '../../ranker.js';
import type { Catalogue } from '../catalogue.js';
import type { RankThreads } from '../rank-threads.js';
import { answerBase, type RecommendContext, recommendOptions, type Strategy } from './strategy.js';

export class RankedOnThreadsStrategy implements Strategy {
  readonly name = 'ranked-on-threads';

  constructor(
    private readonly catalogue: Catalogue,
    private readonly threads: RankThreads,
  ) {}

  serves(ctx: RecommendContext): boolean {
    return (
      ctx.async &&
      ctx.strategy === 'ranked' &&
      ctx.slot.ranked !== undefined &&
      !ctx.explain &&
      this.threads.poolFor(ctx.slot) !== undefined
    );
  }

  async answer(ctx: RecommendContext): Promise<RecommendationAnswer> {
    const base = answerBase(ctx);
    const { profile } = ctx;
    // copies: a view would post its whole buffer to the worker
    // (the user index travels as `u`: rankWithLiveProfile puts it on the profile)
    const own: UserProfile = {
      items: profile.items.slice(),
      weights: profile.weights.slice(),
      ...(profile.genres ? { genres: profile.genres } : {}),
    };
    const top = await this.threads.poolFor(ctx.slot)!.rank(own, ctx.u, ctx.k, recommendOptions(ctx));
    return { ...base, model: 'ranked', items: this.catalogue.answerItems(top.items, top.scores) };
  }
}

export class RankedModelStrategy implements Strategy {
  readonly name = 'ranked-model';

  constructor(private readonly catalogue: Catalogue) {}

  serves(ctx: RecommendContext): boolean {
    return ctx.strategy === 'ranked' && ctx.slot.ranked !== undefined;
  }

  answer(ctx: RecommendContext): RecommendationAnswer {
    const ranker = ctx.slot.ranked!;
    const { top, profile } = rankWithLiveProfile(ranker, ctx.profile, ctx.u, ctx.k, recommendOptions(ctx));
    const describe =
      ctx.explain && ranker.explain
        ? (r: number) => {
            const e = ranker.explain!(profile, top.items[r]!);
            return {
              sources: e.sources.map((s) => s.name),
              // a feature the user or item lacks (missing, NaN) is named without a value
              features: e.contributions.slice(0, 5).map((c) => ({
                name: c.feature,
                ...(Number.isFinite(c.value) ? { value: c.value } : {}),
                contribution: c.contribution,
              })),
            };
          }
        : undefined;
    return {
      ...answerBase(ctx),
      model: 'ranked',
      items: this.catalogue.answerItems(top.items, top.scores, describe),
    };
  }
}
