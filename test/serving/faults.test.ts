/**
 * Bad input the schemas alone let through, and faults that must reach the log: timestamps outside the
 * range of dates or ahead of the clock, values that overflow float32 weights, bodies that do not parse,
 * a bundle that does not load on POST /v1/models/reload.
 */
import assert from 'node:assert/strict';
import { truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/serving/app.js';
import { admin, client, KEYS, makeWorld, TEST_MODELS, trainBundle, type World } from './helpers.js';

describe('bad input answers 400 naming the field, and stores nothing', () => {
  let w: World;
  before(async () => {
    w = await makeWorld();
  });
  after(async () => {
    await w.close();
  });

  const post = (payload: object | string) =>
    w.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...client, 'content-type': 'application/json' },
      payload,
    });

  test('timestamps out of the range of dates, or more than a day ahead of the clock', async () => {
    const stored = (await w.store.counts()).events;
    const ok = { user: 'u1', item: 'i1', type: 'click' };
    const cases: [object | string, string][] = [
      [{ events: [ok, { ...ok, timestamp: 1e300 }] }, 'events[1].timestamp'],
      [{ ...ok, timestamp: -1e17 }, 'timestamp'],
      [{ ...ok, timestamp: '+275761-01-01T00:00:00Z' }, 'timestamp'],
      [{ events: [{ ...ok, timestamp: Date.now() + 2 * 86_400_000 }] }, 'events[0].timestamp'],
      [{ ...ok, value: 1e10 }, 'value'],
      [{ events: [ok, { ...ok, value: -3e38 }] }, 'events[1].value'],
      ['{"user": "u1", "item": ', '(body)'],
    ];
    for (const [payload, field] of cases) {
      const r = await post(payload);
      assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
      assert.equal(r.json().field, field, r.body);
    }
    assert.equal((await w.store.counts()).events, stored, 'nothing stored');
    // an hour ahead (clock skew) is fine, and the history shows it
    const soon = Date.now() + 3_600_000;
    assert.equal((await post({ ...ok, timestamp: soon })).statusCode, 200);
    const h = await w.app.inject({ method: 'GET', url: '/v1/users/u1/history?limit=1', headers: client });
    assert.equal(h.statusCode, 200, h.body);
    assert.equal(h.json().events[0].timestamp, new Date(soon).toISOString());
  });
});

describe('a bundle that does not load is logged', () => {
  let w: World;
  before(async () => {
    w = await makeWorld();
  });
  after(async () => {
    await w.close();
  });

  test('POST /v1/models/reload of a missing bundle: 422, an error in the log and in /health', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({
      services: w.services,
      keys: KEYS,
      rateLimit: 0,
      defaultMetrics: false,
      logger: { level: 'warn', stream },
    });
    try {
      const r = await app.inject({
        method: 'POST',
        url: '/v1/models/reload',
        headers: admin,
        payload: { version: 'missing' },
      });
      assert.equal(r.statusCode, 422, r.body);
      const errors = lines
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .filter((l) => l.level >= 50);
      assert.equal(errors.length, 1, lines.join(''));
      assert.match(errors[0]!.msg, /model bundle missing not loaded, the previous one keeps serving/);
      const health = (await app.inject({ method: 'GET', url: '/health', headers: admin })).json();
      assert.equal(health.status, 'degraded');
      assert.match(health.error.message, /missing/);
    } finally {
      await app.close();
    }
  });
});

describe('a retraining whose bundle does not load', () => {
  let w: World;
  before(async () => {
    w = await makeWorld({
      trainer: async ({ modelsDir }) => {
        // training "succeeds" (and makes its bundle current), but an array file of it is cut short
        const { dir } = await trainBundle(w.store, modelsDir, TEST_MODELS, '20260201-000000-000');
        truncateSync(join(dir, 'itemknn', 'indices.bin'), 3);
      },
    });
  });
  after(async () => {
    await w.close();
  });

  test('keeps the previous bundle serving, with the error in the status and /health', async () => {
    const serving = w.services.models.slot!.version;
    const r = await w.app.inject({ method: 'POST', url: '/v1/models/retrain', headers: admin });
    assert.equal(r.statusCode, 202);
    await w.app.retrainer.done();
    assert.equal(w.app.retrainer.status.state, 'failed');
    assert.match(w.app.retrainer.status.error ?? '', /indices\.bin/);
    const health = (await w.app.inject({ method: 'GET', url: '/health', headers: admin })).json();
    assert.equal(health.status, 'degraded');
    assert.equal(health.model.version, serving);
    assert.match(health.error.message, /indices\.bin/);
    const rec = await w.app.inject({ method: 'GET', url: '/v1/users/u1/recommendations', headers: client });
    assert.equal(rec.statusCode, 200);
    assert.equal(rec.json().version, serving);
  });
});
