/**
 * Experiments through the HTTP API: admin routes and their shapes, each variant's answers coming from its
 * own strategy or bundle (and interleaving both), the exposure log, events carrying the request id, and
 * the results.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { admin, client, makeWorld, trainBundle, type World } from './helpers.js';

interface Answer {
  items: { id: string }[];
  model: string;
  version: string;
  request?: string;
  experiment?: { id: string; variant: string };
}

let w: World;
before(async () => {
  w = await makeWorld({ cacheSize: 0 });
});
after(async () => {
  await w.close();
});

async function call(
  method: 'GET' | 'POST',
  url: string,
  payload?: Record<string, unknown>,
  headers: Record<string, string> = admin,
) {
  const r = await w.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
}

const USERS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'new-a', 'new-b', 'new-c', 'new-d'];

describe('experiments over HTTP', () => {
  test('admin only; create answers 201 with the experiment; bad input names the field', async () => {
    const denied = await call('GET', '/v1/experiments', undefined, client);
    assert.equal(denied.status, 403);
    const bad = await call('POST', '/v1/experiments', {
      name: 'bad',
      variants: [
        { name: 'control', strategy: 'popularity' },
        { name: 'control', strategy: 'als' },
      ],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /variants\[1\]\.name: "control" names two variants/);
    const noBundle = await call('POST', '/v1/experiments', {
      name: 'bad',
      variants: [
        { name: 'a', strategy: 'popularity' },
        { name: 'b', bundle: '19990101-000000-000' },
      ],
    });
    assert.equal(noBundle.status, 400);
    assert.match(noBundle.body.message, /variants\[1\]\.bundle: no bundle/);
    assert.equal((await call('GET', '/v1/experiments/exp-nope')).status, 404);
  });

  test("each variant's answers come from its own strategy, with request and experiment", async () => {
    const created = await call('POST', '/v1/experiments', {
      name: 'pop-vs-als',
      variants: [
        { name: 'control', strategy: 'popularity', weight: 0.5 },
        { name: 'treatment', strategy: 'als', weight: 0.5 },
      ],
      attributionHours: 24,
    });
    assert.equal(created.status, 201);
    const e = created.body;
    assert.match(e.id, /^exp-/);
    assert.equal(e.status, 'running');
    assert.equal(e.attributionHours, 24);
    const seen = new Set<string>();
    for (const user of USERS) {
      const r = await call('GET', `/v1/users/${user}/recommendations?k=4`, undefined, client);
      assert.equal(r.status, 200);
      const a = r.body as Answer;
      assert.equal(a.experiment?.id, e.id);
      assert.ok(a.request && a.request.length > 10);
      const variant = a.experiment!.variant;
      seen.add(variant);
      const strategy = variant === 'control' ? 'popularity' : 'als';
      const direct = (
        await call('GET', `/v1/users/${user}/recommendations?k=4&strategy=${strategy}`, undefined, client)
      ).body as Answer;
      assert.equal(direct.experiment, undefined, 'a request naming a strategy is outside the experiment');
      assert.deepEqual(
        a.items.map((x) => x.id),
        direct.items.map((x) => x.id),
        `${user} in ${variant}`,
      );
    }
    assert.equal(seen.size, 2, 'both variants served');
    // an event carrying the request id of u1's answer
    const r = (await call('GET', '/v1/users/u1/recommendations?k=4', undefined, client)).body as Answer;
    const ev = await call(
      'POST',
      '/v1/events',
      { user: 'u1', item: r.items[0]!.id, type: 'click', request: r.request },
      client,
    );
    assert.equal(ev.status, 200);
    await w.services.experimentServing.log.flush();
    const x = await w.store.experiments.exposures(e.id);
    assert.equal(x.length, USERS.length + 1);
    assert.deepEqual(
      x.at(-1)!.items,
      r.items.map((i) => i.id),
    );
    const res = await call('GET', `/v1/experiments/${e.id}/results?timeline=2`);
    assert.equal(res.status, 200);
    const variants = res.body.variants as {
      name: string;
      users: number;
      clicks: number;
      ctr: { value: number; ci: number[] };
    }[];
    assert.deepEqual(
      variants.map((v) => v.name),
      ['control', 'treatment'],
    );
    assert.equal(
      variants.reduce((s, v) => s + v.users, 0),
      USERS.length,
    );
    assert.equal(
      variants.reduce((s, v) => s + v.clicks, 0),
      1,
    );
    assert.equal(typeof res.body.srm.p, 'number');
    assert.equal(res.body.guardrails.latencyP99Ms.length, 2);
    assert.equal(res.body.timeline.length, 2);
    const stopped = await call('POST', `/v1/experiments/${e.id}/stop`);
    assert.equal(stopped.body.status, 'stopped');
    assert.equal((await call('POST', `/v1/experiments/${e.id}/stop`)).status, 409);
    const after = (await call('GET', '/v1/users/u1/recommendations?k=4', undefined, client)).body as Answer;
    assert.equal(after.experiment, undefined);
  });

  test('a bundle variant is served by its own bundle; an interleaved one by both rankers', async () => {
    const old = w.services.models.slot!.version;
    await trainBundle(w.store, w.modelsDir, ['popularity', 'itemknn'], '20260102-000000-000');
    assert.notEqual(old, '20260102-000000-000');
    // the bundle in use stays the old one; the variant "new" serves the other bundle
    const e = (
      await call('POST', '/v1/experiments', {
        name: 'bundles',
        variants: [
          { name: 'old', bundle: old },
          { name: 'new', bundle: '20260102-000000-000' },
        ],
      })
    ).body;
    const versions = new Map<string, string>();
    for (const user of USERS) {
      const a = (await call('GET', `/v1/users/${user}/recommendations?k=3`, undefined, client))
        .body as Answer;
      versions.set(a.experiment!.variant, a.version);
    }
    assert.equal(versions.get('old'), old);
    assert.equal(versions.get('new'), '20260102-000000-000');
    await call('POST', `/v1/experiments/${e.id}/stop`);
    const il = (
      await call('POST', '/v1/experiments', {
        name: 'interleaved',
        variants: [
          { name: 'control', strategy: 'popularity', weight: 0.001 },
          { name: 'mix', strategy: 'interleave:popularity,als', weight: 0.999 },
        ],
      })
    ).body;
    const lists = new Map<string, [Set<string>, Set<string>]>();
    for (const user of ['u1', 'u5']) {
      const a = (await call('GET', `/v1/users/${user}/recommendations?k=4`, undefined, client))
        .body as Answer;
      assert.equal(a.experiment?.variant, 'mix');
      const pop = (
        await call('GET', `/v1/users/${user}/recommendations?k=4&strategy=popularity`, undefined, client)
      ).body as Answer;
      const als = (await call('GET', `/v1/users/${user}/recommendations?k=4&strategy=als`, undefined, client))
        .body as Answer;
      const either = new Set([...pop.items, ...als.items].map((x) => x.id));
      assert.ok(a.items.every((x) => either.has(x.id)));
      lists.set(user, [new Set(pop.items.map((x) => x.id)), new Set(als.items.map((x) => x.id))]);
    }
    await w.services.experimentServing.log.flush();
    const x = await w.store.experiments.exposures(il.id);
    assert.equal(x.length, 2);
    // each position's team (team draft): 0 placed popularity's item, 1 ALS's
    for (const r of x) {
      const [pop, als] = lists.get(r.user)!;
      assert.equal(r.teams?.length, r.items.length);
      for (const [p, id] of r.items.entries())
        assert.ok((r.teams![p] === 0 ? pop : als).has(id), `${id} at ${p}`);
    }
    await call('POST', `/v1/experiments/${il.id}/stop`);
  });
});
