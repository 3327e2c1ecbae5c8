/**
 * The findings of the hostile-input review, one test each (they failed before the hardening): ids, values
 * and types the client did not mean or that break training, non-finite numbers, coercion, deep JSON, leaked
 * paths, unbounded error bodies, 400s without a field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createModel } from '../../src/models/factory.js';
import { storeWeights } from '../../src/store/event-types.js';
import { trainBundle as train } from '../../src/training/train-bundle.js';
import { admin, client, makeWorld, TEST_MODELS, type World } from './helpers.js';

const PROTO_NAMES = ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty'];

describe('hostile input', () => {
  let w: World;
  before(async () => {
    w = await makeWorld();
  });
  after(async () => {
    await w.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = client) =>
    w.app.inject({
      method: 'POST',
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const get = (url: string, headers: Record<string, string> = client) =>
    w.app.inject({ method: 'GET', url, headers });
  const event = (fields: Record<string, unknown>) => ({ user: 'u1', item: 'i2', type: 'click', ...fields });

  function badRequest(r: { statusCode: number; body: string }, field: string): void {
    assert.equal(r.statusCode, 400, r.body);
    const b = JSON.parse(r.body) as { field?: string; message: string };
    assert.equal(b.field, field, r.body);
  }

  test('1, 4: an undeclared event type is a 400 naming type; Object.prototype names are ordinary declared types', async () => {
    for (const type of PROTO_NAMES) badRequest(await post('/v1/events', event({ type })), 'type');
    badRequest(await post('/v1/events', { events: [event({}), event({ type: 'junk' })] }), 'events[1].type');
    // declared by an admin, they weigh as any type and training still works
    for (const type of PROTO_NAMES) {
      const d = await w.app.inject({
        method: 'PUT',
        url: `/v1/event-types/${encodeURIComponent(type)}`,
        headers: { ...admin, 'content-type': 'application/json' },
        payload: JSON.stringify({ weight: 2, value: 'count' }),
      });
      assert.equal(d.statusCode, 200, d.body);
    }
    const forbidden = await w.app.inject({
      method: 'PUT',
      url: '/v1/event-types/like2',
      headers: { ...client, 'content-type': 'application/json' },
      payload: JSON.stringify({ weight: 2, value: 'count' }),
    });
    assert.equal(forbidden.statusCode, 403);
    for (const type of PROTO_NAMES)
      assert.equal((await post('/v1/events', event({ user: `p-${type}`, type }))).statusCode, 200);
    const weights = storeWeights(w.store);
    for (const type of PROTO_NAMES) assert.equal(weights.types.get(type)?.weight, 2);
    const list = JSON.parse((await get('/v1/event-types')).body) as { name: string }[];
    for (const type of PROTO_NAMES) assert.ok(list.some((t) => t.name === type));
    await train({ store: w.store, modelsDir: w.modelsDir, models: TEST_MODELS, create: createModel });
    const r = await get('/v1/users/p-__proto__/recommendations?strategy=als');
    assert.equal(r.statusCode, 200, r.body);
  });

  test('2: non-finite numbers are refused wherever a number goes', async () => {
    for (const value of ['Infinity', '-Infinity', '1e999', 'NaN'])
      badRequest(await post('/v1/events', event({ value })), 'value');
    // JSON itself cannot say 1e999 as a number but a parser may read it as Infinity
    const big = await w.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...client, 'content-type': 'application/json' },
      payload: '{"user":"u1","item":"i2","type":"click","value":1e999}',
    });
    badRequest(big, 'value');
    for (const k of ['Infinity', '-Infinity', '1e999', 'NaN', '1.5'])
      badRequest(await get(`/v1/users/u1/recommendations?k=${k}`), 'k');
    badRequest(await get('/v1/users/u1/history?limit=Infinity'), 'limit');
  });

  test('3: no silent coercion of JSON bodies; ids must be printable and trimmed', async () => {
    badRequest(await post('/v1/events', event({ user: true })), 'user');
    badRequest(await post('/v1/events', event({ user: 42 })), 'user');
    badRequest(await post('/v1/events', event({ value: [3] })), 'value');
    badRequest(await post('/v1/events', event({ value: null })), 'value');
    badRequest(await post('/v1/events', event({ value: '3' })), 'value');
    badRequest(await post('/v1/events', event({ user: ' ' })), 'user');
    badRequest(await post('/v1/events', event({ user: 'a\u0000b' })), 'user');
    badRequest(await post('/v1/events', event({ user: ' u1' })), 'user');
    badRequest(await post('/v1/items', { id: 'x\u0007' }), 'id');
    badRequest(await post('/v1/users', { id: 'u\nv' }), 'id');
  });

  test("5: a negative click as a user's only event: explanations and every strategy answer without NaN", async () => {
    assert.equal((await post('/v1/events', event({ user: 'neg', value: -1 }))).statusCode, 200);
    for (const strategy of ['ranked', ...TEST_MODELS]) {
      const r = await get(`/v1/users/neg/recommendations?explain=true&strategy=${strategy}&k=5`);
      assert.equal(r.statusCode, 200, `${strategy}: ${r.body}`);
      assert.ok(!r.body.includes('NaN') && !r.body.includes('null'), `${strategy}: ${r.body}`);
      const b = JSON.parse(r.body) as { items: { score: number }[] };
      assert.ok(b.items.length > 0);
      // no list of arbitrary items tied at zero
      assert.ok(
        new Set(b.items.map((i) => i.score)).size > 1 || b.items.length === 1,
        `${strategy}: ${r.body}`,
      );
    }
  });

  test('6: deeply nested JSON is a 400, not a crash', async () => {
    let deep = '1';
    for (let d = 0; d < 10_000; d++) deep = `{"a":${deep}}`;
    const r = await w.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: { ...client, 'content-type': 'application/json' },
      payload: `{"id":"deep","attributes":${deep}}`,
    });
    assert.equal(r.statusCode, 400, r.body);
    assert.ok(JSON.parse(r.body).field, r.body);
    let nine: Record<string, unknown> = { leaf: 1 };
    for (let d = 0; d < 8; d++) nine = { d: nine };
    badRequest(await post('/v1/items', { id: 'nine', attributes: nine }), 'attributes');
    assert.equal(
      (await post('/v1/items', { id: 'eight', attributes: (nine as { d: object }).d })).statusCode,
      200,
    );
  });

  test('7: no answer carries a filesystem path; /health is status only without an admin key', async () => {
    const r = await post('/v1/models/reload', { version: 'no-such-version' }, admin);
    assert.ok(r.statusCode >= 400);
    assert.ok(!r.body.includes(w.dir), r.body);
    const health = await get('/health', {});
    assert.ok(!health.body.includes(w.dir), health.body);
    const h = JSON.parse(health.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(h).sort(), ['ready', 'status']);
    const detailed = JSON.parse((await get('/health', admin)).body) as Record<string, unknown>;
    assert.ok('model' in detailed && 'error' in detailed);
    assert.ok(!JSON.stringify(detailed).includes(w.dir));
  });

  test('10: an unknown genre answers a bounded body; a store holds a bounded number of genres', async () => {
    const items = Array.from({ length: 200 }, (_, k) => ({
      id: `g${k}`,
      genres: Array.from({ length: 60 }, (_, j) => `genre-${k}-${j}`),
    }));
    const r = await post('/v1/items', { items });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(JSON.parse(r.body).field, /^items\[\d+\]\.genres$/);
    assert.equal(await w.store.getItem('g0'), undefined, 'nothing of the batch is stored');
    const one = await get('/v1/users/u1/recommendations?genre=nope');
    badRequest(one, 'genre');
    assert.ok(one.body.length < 2000, `${one.body.length} bytes`);
  });

  test('12: malformed percent-encoding and parser faults name a field', async () => {
    badRequest(await get('/v1/users/%E0%A4%A/recommendations'), '(path)');
    badRequest(await get('/v1/users/u1/recommendations?k=%zz'), 'k');
    const bad = await w.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...client, 'content-type': 'application/json' },
      payload: '{"user": ',
    });
    badRequest(bad, '(body)');
  });
});
