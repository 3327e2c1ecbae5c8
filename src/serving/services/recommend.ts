/**
 * Recommendations: a request checked against the slot in use (strategy, genre), answered from the cache
 * (./answer-cache.ts) or by the first strategy of the chain that serves it (./strategies/), then kept.
 * `recommendAsync` lets the ranked model's part of an uncached answer run on a rank thread.
 */
import { InvalidInputError } from '../../errors.js';
import type { UserProfile } from '../../recommenders/recommender.js';
import type { Store } from '../../store/store.js';
import type { ModelName } from '../../types.js';
import type { RecommendationAnswer } from '../answers.js';
import type { ModelSlot } from '../model-slot.js';
import { type AnswerCache, RecommendKey, type RecommendRequest } from './answer-cache.js';
import type { Catalogue } from './catalogue.js';
import type { LiveInteractions } from './live-interactions.js';
import type { LivePopularity } from './live-popularity.js';
import type { ModelHolder } from './model-holder.js';
import type { RecommendContext, Strategy } from './strategies/strategy.js';

const EMPTY_PROFILE: UserProfile = { items: new Int32Array(0), weights: new Float32Array(0) };

export class RecommendService {
  constructor(
    private readonly store: Store,
    private readonly models: ModelHolder,
    private readonly catalogue: Catalogue,
    private readonly interactions: LiveInteractions,
    private readonly popularity: LivePopularity,
    private readonly cache: AnswerCache,
    /** Asked in order; the first that serves a request answers it. */
    readonly chain: readonly Strategy[],
  ) {}

  /** `slot`: a bundle other than the one in use (an experiment's variant); default the slot in use. */
  recommend(req: RecommendRequest, slot?: ModelSlot): RecommendationAnswer {
    const q = this.prepare(req, slot);
    const hit = this.cache.recommendation(q.key);
    if (hit) return hit;
    const answer = this.run(q, false);
    if (answer instanceof Promise) throw new Error('an asynchronous strategy answered a synchronous request');
    this.keep(q, req, answer);
    return answer;
  }

  /**
   * The same answer as `recommend`; with rank threads ready, the ranked model's part of an uncached answer
   * is computed on a worker (explanations stay on the main thread).
   */
  async recommendAsync(req: RecommendRequest, slot?: ModelSlot): Promise<RecommendationAnswer> {
    const q = this.prepare(req, slot);
    const hit = this.cache.recommendation(q.key);
    if (hit) return hit;
    const out = this.run(q, true);
    let answer: RecommendationAnswer;
    if (out instanceof Promise) {
      try {
        answer = await out;
      } catch {
        // a worker that failed (or a request it could not answer): the main thread answers, or says why not
        return this.recommend(req, slot);
      }
    } else answer = out;
    this.keep(q, req, answer);
    return answer;
  }

  /** The strategy of the chain that answers a request (tests, diagnostics). */
  strategyFor(ctx: RecommendContext): Strategy | undefined {
    for (const s of this.chain) if (s.serves(ctx)) return s;
    return undefined;
  }

  /** A request checked against the slot in use, and its cache key. */
  private prepare(req: RecommendRequest, given?: ModelSlot) {
    const slot = given ?? this.models.require();
    const strategy = req.strategy ?? 'ranked';
    const excludeSeen = req.excludeSeen ?? true;
    const explain = req.explain ?? false;
    if (strategy !== 'ranked' && !slot.models.has(strategy as ModelName))
      throw new InvalidInputError(
        'strategy',
        `model "${strategy}" is not in bundle ${slot.version} (it has: ranked, ${[...slot.models.keys()].join(', ')})`,
      );
    const allowed = this.catalogue.genreMask(req.genre);
    const u = this.store.userIndex(req.userId);
    // an unknown user's answer (popularity) is as fresh as the popularity scores; a user's as his events
    const key = new RecommendKey(
      { userId: req.userId, strategy, k: req.k, excludeSeen, genre: req.genre, explain },
      slot.version,
      u === undefined ? { popularity: this.popularity.version } : { user: this.interactions.generation(u) },
    );
    return { slot, strategy, excludeSeen, explain, allowed, u, key, userId: req.userId, k: req.k };
  }

  private run(q: ReturnType<RecommendService['prepare']>, async: boolean) {
    const ctx: RecommendContext = {
      slot: q.slot,
      userId: q.userId,
      u: q.u,
      profile: q.u === undefined ? EMPTY_PROFILE : this.interactions.profile(q.u, q.slot),
      strategy: q.strategy,
      k: q.k,
      excludeSeen: q.excludeSeen,
      explain: q.explain,
      allowed: q.allowed,
      async,
    };
    const strategy = this.strategyFor(ctx);
    if (!strategy) throw new Error(`no strategy serves strategy=${q.strategy}`);
    return strategy.answer(ctx);
  }

  private keep(
    q: ReturnType<RecommendService['prepare']>,
    req: RecommendRequest,
    answer: RecommendationAnswer,
  ) {
    // a known user's popularity answer changes with everyone's events: computed each time (it is cheap)
    if (q.u !== undefined && answer.model === 'popularity') return;
    this.cache.keepRecommendation(q.key, req, answer);
  }
}
