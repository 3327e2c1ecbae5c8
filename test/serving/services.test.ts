/**
 * The recommend service's chain of strategies (the first that serves a request answers; the others are
 * its fallbacks) and the answer cache's typed keys.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RankedRecommender } from '../../src/ranking/ranker.js';
import type { RecommendationAnswer } from '../../src/serving/answers.js';
import type { ServingRanker } from '../../src/serving/ranker.js';
import {
  AnswerCache,
  RecommendKey,
  type RecommendRequest,
  SimilarKey,
} from '../../src/serving/services/answer-cache.js';
import { RecommendService } from '../../src/serving/services/recommend.js';
import type { RecommendContext, Strategy } from '../../src/serving/services/strategies/strategy.js';
import { makeWorld, TEST_MODELS, trainBundle, type World } from './helpers.js';

// the ranked model is what serving takes it for (a compile-time check: serving casts the bundle's model)
const _asServed = (r: RankedRecommender): ServingRanker => r;
void _asServed;

const CHAIN = [
  'onboarding-genres',
  'no-history',
  'live-popularity',
  'single-model',
  'ranked-on-threads',
  'ranked-model',
  'ranked-fallback',
];

describe('the strategy chain', () => {
  let w: World;
  before(async () => {
    w = await makeWorld();
  });
  after(async () => {
    await w.close();
  });

  const context = (over: Partial<RecommendContext> & { userId: string }): RecommendContext => {
    const slot = w.services.models.slot!;
    const u = w.store.userIndex(over.userId);
    return {
      slot,
      u,
      profile:
        u === undefined
          ? { items: new Int32Array(0), weights: new Float32Array(0) }
          : w.services.interactions.profile(u, slot),
      strategy: 'ranked',
      k: 5,
      excludeSeen: true,
      explain: false,
      allowed: undefined,
      async: false,
      ...over,
    };
  };
  const servedBy = (ctx: RecommendContext) => w.services.recommend.strategyFor(ctx)?.name;

  test('holds the strategies in their order', () => {
    assert.deepEqual(
      w.services.recommend.chain.map((s) => s.name),
      CHAIN,
    );
  });

  test('the first strategy that serves a request answers it', () => {
    // no ranked model and no model scoring genres in this bundle
    assert.equal(servedBy(context({ userId: 'nobody' })), 'no-history');
    assert.equal(servedBy(context({ userId: 'nobody', strategy: 'als' })), 'no-history');
    assert.equal(
      servedBy(
        context({
          userId: 'nobody',
          profile: { items: new Int32Array(0), weights: new Float32Array(0), genres: ['Drama'] },
        }),
      ),
      'no-history',
      'onboarding genres without a hybrid or content model: popularity within his genres',
    );
    assert.equal(servedBy(context({ userId: 'u1', strategy: 'popularity' })), 'live-popularity');
    assert.equal(servedBy(context({ userId: 'u1', strategy: 'itemknn' })), 'single-model');
    assert.equal(servedBy(context({ userId: 'u1' })), 'ranked-fallback');
    assert.equal(servedBy(context({ userId: 'u1', async: true })), 'ranked-fallback', 'no rank threads');
  });

  test('a model that scores genres serves a new user with onboarding genres only', async () => {
    await trainBundle(w.store, w.modelsDir, [...TEST_MODELS, 'content'], '20260102-000000-000');
    await w.services.models.swap();
    const genresOnly = { items: new Int32Array(0), weights: new Float32Array(0), genres: ['Drama'] };
    assert.equal(servedBy(context({ userId: 'nobody', profile: genresOnly })), 'onboarding-genres');
    assert.equal(servedBy(context({ userId: 'nobody', profile: genresOnly, strategy: 'als' })), 'no-history');
    assert.equal(
      servedBy(context({ userId: 'nobody', profile: genresOnly, strategy: 'content' })),
      'single-model',
    );
    assert.equal(servedBy(context({ userId: 'nobody' })), 'no-history');
  });

  test('a strategy that does not serve a request leaves it to the next one', () => {
    const calls: string[] = [];
    const stub = (name: string, serves: boolean): Strategy => ({
      name,
      serves: () => {
        calls.push(name);
        return serves;
      },
      answer: (ctx) => ({
        user: ctx.userId,
        model: name,
        version: ctx.slot.version,
        strategy: ctx.strategy,
        items: [],
      }),
    });
    const s = w.services;
    const withChain = (chain: Strategy[]) =>
      new RecommendService(
        s.store,
        s.models,
        s.catalogue,
        s.interactions,
        s.popularity,
        new AnswerCache(0),
        chain,
      );
    const service = withChain([stub('first', false), stub('second', true), stub('third', true)]);
    const a = service.recommend({ userId: 'u1', k: 3 });
    assert.equal(a.model, 'second');
    assert.deepEqual(calls, ['first', 'second']);
    const none = withChain([stub('only', false)]);
    assert.throws(() => none.recommend({ userId: 'u1', k: 3 }), /no strategy serves/);
  });
});

describe('the answer cache', () => {
  const fields = {
    userId: 'u1',
    strategy: 'ranked',
    k: 10,
    excludeSeen: true,
    genre: undefined,
    explain: false,
  };

  test('a recommendation key changes with each part of the request, the bundle and the freshness', () => {
    const base = new RecommendKey(fields, 'v1', { user: 3 });
    const variants = [
      new RecommendKey({ ...fields, userId: 'u2' }, 'v1', { user: 3 }),
      new RecommendKey({ ...fields, strategy: 'als' }, 'v1', { user: 3 }),
      new RecommendKey({ ...fields, k: 11 }, 'v1', { user: 3 }),
      new RecommendKey({ ...fields, excludeSeen: false }, 'v1', { user: 3 }),
      new RecommendKey({ ...fields, genre: 'Drama' }, 'v1', { user: 3 }),
      new RecommendKey({ ...fields, explain: true }, 'v1', { user: 3 }),
      new RecommendKey(fields, 'v2', { user: 3 }),
      new RecommendKey(fields, 'v1', { user: 4 }),
      new RecommendKey(fields, 'v1', { popularity: 3 }),
    ];
    const ids = new Set([base.id, ...variants.map((k) => k.id)]);
    assert.equal(ids.size, variants.length + 1, 'every variant has its own key');
    // the request's part ignores the bundle and the freshness
    assert.equal(new RecommendKey(fields, 'v2', { popularity: 9 }).request, base.request);
    assert.notEqual(variants[0]!.request, base.request);
    assert.equal(new RecommendKey(fields, 'v1', { user: 3 }).id, base.id, 'the same request, the same key');
    // a similar-items key never meets a recommendation's
    assert.notEqual(new SimilarKey('u1', 10, 'v1').id, base.id);
    assert.notEqual(new SimilarKey('i1', 10, 'v1').id, new SimilarKey('i1', 10, 'v2').id);
  });

  test('keeps answers, counts hits, and re-warms the remembered requests newest first', async () => {
    const cache = new AnswerCache(10);
    const answer = (user: string): RecommendationAnswer => ({
      user,
      model: 'm',
      version: 'v1',
      strategy: 'ranked',
      items: [],
    });
    const requests: RecommendRequest[] = ['a', 'b', 'c'].map((userId) => ({ userId, k: 10 }));
    for (const req of requests)
      cache.keepRecommendation(
        new RecommendKey({ ...fields, userId: req.userId }, 'v1', { user: 0 }),
        req,
        answer(req.userId),
      );
    // asked again: remembered once, as most recent
    cache.keepRecommendation(
      new RecommendKey({ ...fields, userId: 'a' }, 'v1', { user: 1 }),
      requests[0]!,
      answer('a'),
    );
    assert.equal(
      cache.recommendation(new RecommendKey({ ...fields, userId: 'b' }, 'v1', { user: 0 }))?.user,
      'b',
    );
    assert.equal(
      cache.recommendation(new RecommendKey({ ...fields, userId: 'b' }, 'v2', { user: 0 })),
      undefined,
    );
    assert.equal(cache.hits, 1);
    assert.equal(cache.misses, 1);
    // an explained answer is remembered but not recomputed after a swap (it costs TreeSHAP per item)
    const explained = { ...fields, userId: 'x', explain: true };
    cache.keepRecommendation(new RecommendKey(explained, 'v1', { user: 0 }), explained, answer('x'));
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      cache.rewarm(
        () => true,
        async (req) => {
          seen.push(req.userId);
          if (seen.length === 3) setTimeout(resolve, 20);
        },
      );
    });
    assert.deepEqual(seen, ['a', 'c', 'b']);
    // a newer swap stops it
    const stopped: string[] = [];
    cache.rewarm(
      () => false,
      async (req) => {
        stopped.push(req.userId);
      },
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(stopped, []);
    cache.clear();
    assert.equal(
      cache.recommendation(new RecommendKey({ ...fields, userId: 'b' }, 'v1', { user: 0 })),
      undefined,
    );
  });
});
