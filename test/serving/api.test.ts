import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ModelSlot } from '../../src/serving/model-slot.js';
import { ADMIN_KEY, admin, CLIENT_KEY, client, makeWorld, WATCHED, type World } from './helpers.js';

interface RecAnswer {
  user: string;
  model: string;
  version: string;
  strategy: string;
  note?: string;
  items: { id: string; score: number; title?: string; sources?: string[]; features?: { name: string }[] }[];
}

let w: World;
before(async () => {
  w = await makeWorld();
});
after(async () => {
  await w.close();
});

async function recs(user: string, query = '', headers: Record<string, string> = client) {
  const r = await w.app.inject({ method: 'GET', url: `/v1/users/${user}/recommendations?${query}`, headers });
  return { status: r.statusCode, body: r.json() as RecAnswer };
}

describe('public routes', () => {
  test('GET /health is public (status only) and reports the bundle to an admin key', async () => {
    const open = await w.app.inject({ method: 'GET', url: '/health' });
    assert.equal(open.statusCode, 200);
    assert.deepEqual(open.json(), { status: 'ok', ready: true });
    const r = await w.app.inject({ method: 'GET', url: '/health', headers: admin });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.ready, true);
    assert.equal(body.model.version, '20260101-000000-000');
  });

  test('GET /openapi.json is an OpenAPI 3 document with the API paths; /docs needs no key', async () => {
    const r = await w.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(r.statusCode, 200);
    const doc = r.json();
    assert.match(doc.openapi, /^3\./);
    for (const p of [
      '/v1/users/{id}/recommendations',
      '/v1/items/{id}/similar',
      '/v1/items/{id}',
      '/v1/items',
      '/v1/events',
      '/v1/users/{id}/history',
      '/v1/users',
      '/v1/users/{id}',
      '/v1/models',
      '/v1/models/retrain',
      '/health',
      '/metrics',
    ])
      assert.ok(doc.paths[p], `missing ${p}`);
    const docs = await w.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
  });
});

describe('auth', () => {
  test('401 without a key, with a clear JSON body', async () => {
    const r = await recs('u1', '', {});
    assert.equal(r.status, 401);
    assert.match((r.body as unknown as { message: string }).message, /missing API key/);
  });

  test('401 with an unknown key', async () => {
    const r = await recs('u1', '', { authorization: 'Bearer not-a-key-at-all' });
    assert.equal(r.status, 401);
    assert.match((r.body as unknown as { message: string }).message, /invalid API key/);
  });

  test('403 when a client key asks for an admin route', async () => {
    const r = await w.app.inject({ method: 'POST', url: '/v1/models/retrain', headers: client });
    assert.equal(r.statusCode, 403);
    assert.match(r.json().message, /admin role/);
  });

  test('both header forms work; an admin key may do what a client may', async () => {
    assert.equal((await recs('u1', '', { 'x-api-key': CLIENT_KEY })).status, 200);
    assert.equal((await recs('u1', '', { authorization: `Bearer ${ADMIN_KEY}` })).status, 200);
  });
});

describe('recommendations', () => {
  test('a known user gets k unseen items; ranked falls back honestly to the best model', async () => {
    const r = await recs('u1', 'k=4');
    assert.equal(r.status, 200);
    assert.equal(r.body.user, 'u1');
    assert.equal(r.body.items.length, 4);
    const slot = w.services.models.slot as ModelSlot;
    assert.equal(r.body.model, slot.bestModel);
    assert.notEqual(r.body.model, 'ranked');
    assert.match(r.body.note ?? '', /no ranked model/);
    for (const it of r.body.items)
      assert.ok(!WATCHED['u1']!.includes(Number(it.id.slice(1))), `${it.id} was seen`);
    for (let k = 1; k < r.body.items.length; k++)
      assert.ok(r.body.items[k - 1]!.score >= r.body.items[k]!.score);
    assert.match(r.body.items[0]!.title ?? '', /^Film /);
  });

  test('strategy picks the model; exclude_seen=false may return seen items', async () => {
    const r = await recs('u1', 'k=12&strategy=itemknn&exclude_seen=false');
    assert.equal(r.body.model, 'itemknn');
    const ids = r.body.items.map((i) => i.id);
    assert.ok(ids.includes('i1'));
  });

  test('genre filter keeps only that genre', async () => {
    const r = await recs('u1', 'k=5&genre=Drama');
    assert.equal(r.status, 200);
    for (const it of r.body.items) assert.ok(Number(it.id.slice(1)) >= 7, `${it.id} is not Drama`);
  });

  test('explain adds candidate sources and features', async () => {
    const r = await recs('u2', 'k=3&explain=true');
    for (const it of r.body.items) {
      assert.ok(Array.isArray(it.sources) && it.sources.length > 0);
      assert.ok(Array.isArray(it.features) && it.features.length > 0);
    }
  });

  test('an unknown user gets the most popular items (hand-counted: i1 and i7 have 5 users each)', async () => {
    const r = await recs('nobody', 'k=4');
    assert.equal(r.status, 200);
    assert.equal(r.body.model, 'popularity');
    assert.deepEqual(
      r.body.items.map((i) => i.id),
      ['i1', 'i7', 'i2', 'i8'],
    );
    assert.deepEqual(
      r.body.items.map((i) => i.score),
      [5, 5, 3, 3],
    );
  });
});

describe('bad input answers 400 naming the field', () => {
  const cases: [string, string][] = [
    ['k=0', 'k'],
    ['k=abc', 'k'],
    ['k=100000', 'k'],
    ['strategy=magic', 'strategy'],
    ['exclude_seen=perhaps', 'exclude_seen'],
    ['genre=Western', 'genre'],
    ['colour=blue', 'colour'],
  ];
  for (const [q, field] of cases)
    test(`recommendations ?${q}`, async () => {
      const r = await recs('u1', q);
      assert.equal(r.status, 400);
      const body = r.body as unknown as { field: string; message: string };
      assert.equal(body.field, field);
      assert.ok(body.message.startsWith(`${field}:`), body.message);
    });

  const bodies: [unknown, string][] = [
    [{ user: 'u1', type: 'click' }, 'item'],
    [{ user: 'u1', item: 'i1', type: 'click', value: 'lots' }, 'value'],
    [{ user: 'u1', item: 'i1', type: 'click', timestamp: 'yesterday' }, 'timestamp'],
    [{ user: 'u1', item: 'i1', type: 'click', colour: 'red' }, 'colour'],
    [
      {
        events: [
          { user: 'u1', item: 'i1', type: 'click' },
          { user: 'u1', item: 'i2' },
        ],
      },
      'events[1].type',
    ],
    [{ events: [] }, 'events'],
    [{ events: Array.from({ length: 10_001 }, () => ({ user: 'u1', item: 'i1', type: 'view' })) }, 'events'],
    [{ events: [{ user: '', item: 'i1', type: 'click' }] }, 'events[0].user'],
  ];
  for (const [body, field] of bodies)
    test(`POST /v1/events -> field ${field}`, async () => {
      const before = (await w.store.counts()).events;
      const r = await w.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: client,
        payload: body as object,
      });
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().field, field);
      assert.equal((await w.store.counts()).events, before, 'nothing stored');
    });

  test('malformed JSON is a 400, not a crash', async () => {
    const r = await w.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...client, 'content-type': 'application/json' },
      payload: '{"user": "u1", ',
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().statusCode, 400);
  });

  test('an event for an unknown item answers 404 naming it, and nothing of the batch is stored', async () => {
    const before = (await w.store.counts()).events;
    const r = await w.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: client,
      payload: {
        events: [
          { user: 'u1', item: 'i4', type: 'view' },
          { user: 'u1', item: 'i99', type: 'view' },
        ],
      },
    });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().field, 'events[1].item');
    assert.equal((await w.store.counts()).events, before);
  });

  test('a body over the limit answers 413', async () => {
    const r = await w.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: client,
      payload: { id: 'big', attributes: { blob: 'x'.repeat(2 * 1024 * 1024) } },
    });
    assert.equal(r.statusCode, 413);
    assert.equal(r.json().statusCode, 413);
    assert.equal(w.store.userIndex('big'), undefined);
  });

  test('unknown item and user routes answer 404', async () => {
    for (const url of [
      '/v1/items/i99',
      '/v1/items/i99/similar',
      '/v1/users/nobody',
      '/v1/users/nobody/history',
    ]) {
      const r = await w.app.inject({ method: 'GET', url, headers: client });
      assert.equal(r.statusCode, 404, url);
    }
  });
});

describe('items', () => {
  test('GET /v1/items/{id} gives the record and live counters', async () => {
    const r = await w.app.inject({ method: 'GET', url: '/v1/items/i12', headers: client });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.title, 'Film 12');
    assert.deepEqual(body.genres, ['Drama']);
    assert.equal(body.stats.events, 1); // u8 only
  });

  test('GET /v1/items/{id}/similar excludes the item itself', async () => {
    const r = await w.app.inject({ method: 'GET', url: '/v1/items/i1/similar?k=3', headers: client });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.ok(body.model);
    assert.equal(body.items.length, 3);
    assert.ok(!body.items.some((i: { id: string }) => i.id === 'i1'));
  });

  test('POST /v1/items creates one or many, and updates', async () => {
    let r = await w.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: client,
      payload: { id: 'n1', title: 'New One', genres: ['Drama'] },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { created: 1, updated: 0 });
    r = await w.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: client,
      payload: {
        items: [
          { id: 'n2', title: 'New Two' },
          { id: 'n1', title: 'New One (renamed)' },
        ],
      },
    });
    assert.deepEqual(r.json(), { created: 1, updated: 1 });
    r = await w.app.inject({ method: 'GET', url: '/v1/items/n1', headers: client });
    assert.equal(r.json().title, 'New One (renamed)');
    r = await w.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: client,
      payload: { items: [{ title: 'x' }] },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().field, 'items[0].id');
  });
});

describe('users', () => {
  test('POST /v1/users with liked items gives personalised recommendations at once', async () => {
    let r = await w.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: client,
      payload: { id: 'fan', attributes: { country: 'FR' }, preferences: { items: ['i8', 'i9'] } },
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().likes, 2);
    const rec = await recs('fan', 'k=3');
    assert.notEqual(rec.body.model, 'popularity');
    const ids = rec.body.items.map((i) => i.id);
    assert.ok(!ids.includes('i8') && !ids.includes('i9'));
    // the Drama watchers' other items lead: i7 (with both i8 and i9 for 3 of its 5 users)
    assert.equal(ids[0], 'i7');
    r = await w.app.inject({ method: 'GET', url: '/v1/users/fan', headers: client });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().attributes.country, 'FR');
    assert.equal(r.json().stats.events, 2);
  });

  test('POST /v1/users with genres only: recommendations from those genres', async () => {
    const r = await w.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: client,
      payload: { id: 'dramafan', preferences: { genres: ['Drama'] } },
    });
    assert.equal(r.statusCode, 201, r.body);
    const rec = await recs('dramafan', 'k=4');
    assert.equal(rec.status, 200);
    for (const it of rec.body.items) assert.ok(Number(it.id.slice(1)) >= 7, `${it.id} is not Drama`);
  });

  test('duplicate id 409, unknown genre 400 and unknown liked item 404, each naming the field', async () => {
    let r = await w.app.inject({ method: 'POST', url: '/v1/users', headers: client, payload: { id: 'u1' } });
    assert.equal(r.statusCode, 409);
    r = await w.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: client,
      payload: { id: 'x1', preferences: { genres: ['Drama', 'Opera'] } },
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().field, 'preferences.genres[1]');
    r = await w.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: client,
      payload: { id: 'x2', preferences: { items: ['i99'] } },
    });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().field, 'preferences.items[0]');
    assert.equal(w.store.userIndex('x2'), undefined);
  });
});

describe('models and metrics', () => {
  test('GET /v1/models lists the serving bundle and the bundles on disk', async () => {
    const r = await w.app.inject({ method: 'GET', url: '/v1/models', headers: client });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.serving.version, '20260101-000000-000');
    assert.ok(body.bundles.some((b: { version: string }) => b.version === '20260101-000000-000'));
  });

  test('GET /metrics needs a key and exposes latency, events, cache and model version', async () => {
    assert.equal((await w.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    await w.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: client,
      payload: { user: 'u3', item: 'i6', type: 'view' },
    });
    const r = await w.app.inject({ method: 'GET', url: '/metrics', headers: admin });
    assert.equal(r.statusCode, 200);
    assert.match(
      r.body,
      /reco_http_request_duration_seconds_bucket\{.*route="\/v1\/users\/:id\/recommendations"/,
    );
    assert.match(r.body, /reco_events_ingested_total [1-9]/);
    assert.match(r.body, /reco_cache_hits_total \d+/);
    assert.match(r.body, /reco_model_info\{version="20260101-000000-000"\} 1/);
  });
});
