/**
 * The operators' figures: histogram quantiles as Prometheus computes them, events and likes per minute
 * counted incrementally (each call reads only the events stored since the last; on SQLite and PostgreSQL),
 * the explanation words.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { featureWords, reasons } from '../../src/web/explain-words.js';
import { ActivityTracker } from '../../src/web/insights/activity-tracker.js';
import { histogramQuantile, ServingSampler } from '../../src/web/insights/serving.js';
import { storeKinds } from '../helpers/store-backends.js';
import { makeWorld, type World } from '../serving/helpers.js';

test('histogram quantiles interpolate within the bucket, in ms; none without observations', () => {
  const h = { le: [0.001, 0.01, 0.1, Number.POSITIVE_INFINITY], cumulative: [10, 60, 100, 100], count: 100 };
  assert.equal(histogramQuantile(0.05, h), 0.5);
  assert.ok(Math.abs(histogramQuantile(0.5, h)! - (1 + 9 * 0.8)) < 1e-9);
  assert.ok(Math.abs(histogramQuantile(0.95, h)! - (10 + 90 * 0.875)) < 1e-9);
  assert.equal(histogramQuantile(0.5, { ...h, cumulative: [0, 0, 0, 0], count: 0 }), null);
});

test('the serving sampler leaves the event-loop delay that /metrics reports alone', async () => {
  // prom-client resets its event-loop delay histogram at every collection: a sampler that collected
  // every metric every few seconds hid from /metrics the stalls it had not seen since the last sample
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Histogram({ name: 'reco_http_request_duration_seconds', help: 'h', registers: [registry] });
  for (const name of ['reco_cache_hits_total', 'reco_cache_misses_total'])
    new Counter({ name, help: name, registers: [registry] });
  await sleep(30);
  const until = performance.now() + 150;
  while (performance.now() < until); // holds the event loop
  await sleep(30);
  const sampler = new ServingSampler(registry, 60_000);
  await sampler.sample();
  await sampler.sample();
  const text = await registry.metrics();
  const max = Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1]);
  assert.ok(max >= 0.12, `event-loop delay max ${max} s after a 150 ms stall`);
});

// on SQLite and on PostgreSQL (a schema of its own, dropped afterwards; ../helpers/store-backends.ts)
for (const kind of await storeKinds())
  describe(`activity tracker (${kind.name})`, { skip: kind.skip }, () => {
    let world: World;
    before(async () => {
      world = await makeWorld({ db: kind.db() });
    });
    after(() => world.close());

    test('counts and per-minute rates follow new events', async () => {
      const tracker = new ActivityTracker(world.store);
      const now = Date.now();
      const before = await tracker.counts();
      const r0 = await tracker.rates(1, now);
      const last = r0.events.length - 1;
      await world.services.ingestor.ingest([
        { user: 'u1', item: 'i9', type: 'like', value: 1, timestamp: now },
        { user: 'u2', item: 'i9', type: 'click', value: 1, timestamp: now },
      ]);
      const r1 = await tracker.rates(1, now);
      assert.equal(r1.events[last]! - r0.events[last]!, 2);
      assert.equal(r1.likes[last]! - r0.likes[last]!, 1);
      assert.equal(r1.x.length, 60);
      const after = await tracker.counts();
      assert.equal(after.events - before.events, 2);
      assert.equal(after.likes - before.likes, 1);
      assert.equal((await tracker.latest(1))[0]!.type, 'click');
    });
  });

test('reasons: a liked title first, then the strongest positive features and sources, three at most', () => {
  const r = reasons(
    {
      id: 'i1',
      sources: ['itemknn', 'popularity'],
      features: [
        { name: 'i_trend', value: 3, contribution: 0.2 },
        { name: 'ui_genre_match', value: 1, contribution: -0.1 },
      ],
    },
    'Heat (1995)',
  );
  assert.deepEqual(r, [
    'Because you liked Heat (1995)',
    'It is trending',
    'People who liked what you liked also liked it',
  ]);
  // a source's own score feature is said as the source
  assert.equal(featureWords('ui_score_rel_hybrid_'), 'several of our models agree');
  const ease = reasons(
    { id: 'i2', features: [{ name: 'ui_score_ease_', value: 1, contribution: 0.3 }] },
    undefined,
  );
  assert.deepEqual(ease, ['It fits the pattern of your likes']);
});
