/**
 * `strategy=ranked` with the bundle's learning-to-rank model (../../ranker.ts): its own candidates and
 * features over the live profile, on a rank thread when the request may wait for one
 * (RankedOnThreadsStrategy), else on the main thread (RankedModelStrategy). With explain=true, the first
 * EXPLAIN_CAP items come with their reasons (TreeSHAP: the ranker's explainMany), computed on the rank
 * thread with the ranking, or on the main thread in slices that let other requests through (an
 * asynchronous request), the rest without (the note says so).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { UserProfile } from '../../../recommenders/recommender.js';
import type { ItemExplanation, RecommendationAnswer } from '../../answers.js';
import {
  EXPLAIN_CAP,
  explainCapNote,
  itemReasons,
  type PreparedExplanations,
  type RankerExplanation,
  rankWithLiveProfile,
  type ServingRanker,
} from '../../ranker.js';
import type { Catalogue } from '../catalogue.js';
import type { RankThreads } from '../rank-threads.js';
import { answerBase, type RecommendContext, recommendOptions, type Strategy } from './strategy.js';

/** Items explained on the main thread between two turns of the event loop (a few ms each). */
const EXPLAIN_SLICE = 4;

/** The answer's note when explained items were capped. */
function capNote(ctx: RecommendContext, cap: number): { note?: string } {
  const note = ctx.explain ? explainCapNote(ctx.k, cap) : undefined;
  return note ? { note } : {};
}

/** The describe callback of `Catalogue.answerItems` for the first reasons.length items. */
function describeBy(reasons: readonly ItemExplanation[] | undefined) {
  return reasons ? (r: number): ItemExplanation => reasons[r] ?? {} : undefined;
}

export class RankedOnThreadsStrategy implements Strategy {
  readonly name = 'ranked-on-threads';

  constructor(
    private readonly catalogue: Catalogue,
    private readonly threads: RankThreads,
    /** Items explained per answer (explain=true). */
    private readonly explainCap = EXPLAIN_CAP,
  ) {}

  serves(ctx: RecommendContext): boolean {
    return (
      ctx.async &&
      ctx.strategy === 'ranked' &&
      ctx.slot.hasRanked &&
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
    const top = await this.threads
      .poolFor(ctx.slot)!
      .rank(own, ctx.u, ctx.k, recommendOptions(ctx), ctx.explain ? this.explainCap : 0);
    const reasons = ctx.explain ? (top.reasons ?? []) : undefined;
    return {
      ...base,
      model: 'ranked',
      items: this.catalogue.answerItems(top.items, top.scores, describeBy(reasons)),
      ...capNote(ctx, this.explainCap),
    };
  }
}

export class RankedModelStrategy implements Strategy {
  readonly name = 'ranked-model';

  constructor(
    private readonly catalogue: Catalogue,
    /** Items explained per answer (explain=true). */
    private readonly explainCap = EXPLAIN_CAP,
  ) {}

  /** (Loads the main thread's ranked model if it was left to the rank threads: ../../model-slot.ts.) */
  serves(ctx: RecommendContext): boolean {
    return ctx.strategy === 'ranked' && ctx.slot.hasRanked && ctx.slot.ranked !== undefined;
  }

  answer(ctx: RecommendContext): RecommendationAnswer | Promise<RecommendationAnswer> {
    const ranker = ctx.slot.ranked!;
    const { top, profile } = rankWithLiveProfile(ranker, ctx.profile, ctx.u, ctx.k, recommendOptions(ctx));
    const answer = (reasons?: readonly ItemExplanation[]): RecommendationAnswer => ({
      ...answerBase(ctx),
      model: 'ranked',
      items: this.catalogue.answerItems(top.items, top.scores, describeBy(reasons)),
      ...capNote(ctx, this.explainCap),
    });
    if (!ctx.explain) return answer();
    const items = top.items.subarray(0, Math.min(this.explainCap, top.items.length));
    if (ctx.async) return explainInSlices(ranker, ranker.prepareExplanations(profile, items)).then(answer);
    return answer(ranker.explainMany(profile, items).map(itemReasons));
  }
}

/**
 * The prepared items' reasons, EXPLAIN_SLICE at a time with a turn of the event loop between slices
 * (setImmediate: pings, other requests and events go first). The preparation read the state once, so later
 * events or requests do not change these answers.
 */
async function explainInSlices(
  ranker: ServingRanker,
  prepared: PreparedExplanations,
): Promise<ItemExplanation[]> {
  const out: ItemExplanation[] = [];
  const n = prepared.items.length;
  for (let j = 0; j < n; j++) {
    if (j > 0 && j % EXPLAIN_SLICE === 0) await nextTurn();
    const e: RankerExplanation = ranker.explainPrepared(prepared, j);
    out.push(itemReasons(e));
  }
  return out;
}
