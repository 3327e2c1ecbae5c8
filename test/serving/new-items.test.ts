/**
 * Items created live (POST /v1/items, or by events with auto-creation) before the next training: similar
 * items by content, popularity as their events arrive, the content strategy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { admin, client, makeWorld, TEST_MODELS, trainBundle, type World } from './helpers.js';

interface Listed {
  model: string | null;
  note?: string;
  items: { id: string; score: number }[];
}

async function get(w: World, url: string): Promise<Listed> {
  const r = await w.app.inject({ method: 'GET', url, headers: client });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as Listed;
}

async function post(w: World, url: string, payload: object, code = 200) {
  const r = await w.app.inject({ method: 'POST', url, headers: client, payload });
  assert.equal(r.statusCode, code, r.body);
  return r.json();
}

describe('a new item, before the next training', () => {
  let w: World;
  before(async () => {
    w = await makeWorld();
    await post(w, '/v1/items', { id: 'new1', title: 'Brand new action', genres: ['Action'] });
  });
  after(async () => {
    await w.close();
  });

  test('its similar items answer by shared genres (no content model in the bundle)', async () => {
    const s = await get(w, '/v1/items/new1/similar?k=4');
    assert.equal(s.model, 'genres');
    assert.match(s.note ?? '', /added after the models were trained/);
    // i1-i6 are the Action items: Jaccard 1 each, ties by index
    assert.deepEqual(
      s.items.map((i) => [i.id, i.score]),
      [
        ['i1', 1],
        ['i2', 1],
        ['i3', 1],
        ['i4', 1],
      ],
    );
  });

  test('it enters popularity answers as its events arrive (genre filter too), seen ones excluded', async () => {
    const top1 = async (q: string) => (await get(w, `/v1/users/stranger/recommendations?k=1${q}`)).items[0];
    assert.notEqual((await top1(''))?.id, 'new1', 'no events yet');
    // i1 and i7 have 5 users: six users make new1 the most popular item
    await post(w, '/v1/events', {
      events: ['u1', 'u2', 'u5', 'u6', 'n1', 'n2'].map((user) => ({ user, item: 'new1', type: 'click' })),
    });
    assert.deepEqual(await top1(''), { id: 'new1', score: 6, title: 'Brand new action' });
    assert.equal((await top1('&genre=Action'))?.id, 'new1');
    assert.notEqual((await top1('&genre=Drama'))?.id, 'new1');
    assert.equal((await get(w, '/v1/users/u3/recommendations?k=1&strategy=popularity')).items[0]?.id, 'new1');
    const u1 = await get(w, '/v1/users/u1/recommendations?k=12&strategy=popularity');
    assert.ok(!u1.items.some((i) => i.id === 'new1'), 'u1 clicked it');
    // n1 has events on new1 only, which no model knows: popularity, without new1
    const n1 = await get(w, '/v1/users/n1/recommendations?k=3');
    assert.equal(n1.model, 'popularity');
    assert.ok(!n1.items.some((i) => i.id === 'new1'));
  });

  test('with a content model in the bundle: similar by TF-IDF content, and the content strategy scores it', async () => {
    await trainBundle(w.store, w.modelsDir, [...TEST_MODELS, 'content'], '20260110-000000-000');
    const r = await w.app.inject({ method: 'POST', url: '/v1/models/reload', headers: admin });
    assert.equal(r.statusCode, 200, r.body);
    // trained after new1 was created: new1 is fitted now; new2 comes after this training
    await post(w, '/v1/items', { id: 'new2', title: 'Film of the year', genres: ['Drama'] });
    const s = await get(w, '/v1/items/new2/similar?k=6');
    assert.equal(s.model, 'content');
    const drama = new Set(['i7', 'i8', 'i9', 'i10', 'i11', 'i12']);
    assert.equal(s.items.length, 6);
    for (const it of s.items) assert.ok(drama.has(it.id), `${it.id} is no Drama`);
    // u5 watched Drama (i7, i8, i9): new2 ranks above every Action item
    const c = await get(w, '/v1/users/u5/recommendations?k=20&strategy=content');
    assert.equal(c.model, 'content');
    const at = c.items.findIndex((i) => i.id === 'new2');
    assert.ok(at >= 0, 'new2 is among his content recommendations');
    const action = new Set(['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'new1']);
    for (const it of c.items.slice(at + 1)) assert.ok(action.has(it.id) || it.score <= c.items[at]!.score);
    assert.ok(c.items.slice(0, at).every((i) => !action.has(i.id)));
  });
});

describe('an item created by an event (auto-creation), without metadata', () => {
  let w: World;
  before(async () => {
    w = await makeWorld({ autoCreateItems: true });
  });
  after(async () => {
    await w.close();
  });

  test('similar items say there is nothing to compare by yet; popularity counts it', async () => {
    await post(w, '/v1/events', {
      events: ['a', 'b', 'c', 'd', 'e', 'f'].map((user) => ({ user, item: 'auto1', type: 'like' })),
    });
    const s = await get(w, '/v1/items/auto1/similar');
    assert.equal(s.model, null);
    assert.deepEqual(s.items, []);
    assert.match(s.note ?? '', /no metadata/);
    assert.equal((await get(w, '/v1/users/stranger/recommendations?k=1')).items[0]?.id, 'auto1');
    // a genre filter leaves it out (it has no genre)
    assert.notEqual(
      (await get(w, '/v1/users/stranger/recommendations?k=1&genre=Action')).items[0]?.id,
      'auto1',
    );
  });
});
