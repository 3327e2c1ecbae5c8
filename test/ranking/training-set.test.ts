import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveParamValues } from '../../src/core/param-spec.js';
import { Rng } from '../../src/core/random.js';
import { buildInteractions, interactionWeights } from '../../src/data/interactions.js';
import { splitLog, subsetLog } from '../../src/data/splits.js';
import { RANKED_PARAMS } from '../../src/ranking/params.js';
import { buildTrainingSet, sampledUsers, trainingUserCount } from '../../src/ranking/training-set.js';
import { simulatedFitData } from '../helpers/world.js';

test('sampledUsers: all of them up to the count, else a seeded sample of that many, ascending', () => {
  const users = Int32Array.from({ length: 50 }, (_, k) => 2 * k);
  assert.equal(sampledUsers(users, 50, 42), users);
  const a = sampledUsers(users, 20, 42);
  assert.equal(a.length, 20);
  assert.equal(new Set(a).size, 20);
  for (let k = 1; k < a.length; k++) assert.ok(a[k]! > a[k - 1]!);
  for (const u of a) assert.ok(users.includes(u));
  assert.deepEqual(Array.from(sampledUsers(users, 20, 42)), Array.from(a));
  assert.notDeepEqual(Array.from(sampledUsers(users, 20, 7)), Array.from(a));
});

test("a view's training users: one for every itemsPerUser items with events, between minUsers and maxUsers", () => {
  const p = { minUsers: 1000, maxUsers: 4000, itemsPerUser: 8 };
  assert.equal(trainingUserCount(20_000, 34_000, p), 4000, 'a 34k-item catalogue');
  assert.equal(trainingUserCount(20_000, 16_000, p), 2000);
  assert.equal(trainingUserCount(20_000, 6700, p), 1000, 'below 8,000 items: minUsers');
  assert.equal(trainingUserCount(20_000, 100_000, p), 4000, 'at most maxUsers');
  assert.equal(trainingUserCount(700, 36_000, p), 700, 'all of them when fewer');
  assert.equal(
    trainingUserCount(20_000, 36_000, { ...p, itemsPerUser: 0 }),
    1000,
    'itemsPerUser 0: minUsers',
  );
  assert.equal(
    trainingUserCount(20_000, 36_000, { ...p, maxUsers: 500 }),
    500,
    'maxUsers below minUsers wins',
  );
});

test('a sample above minUsers, with enough users outside the safety net, holds none of its held-out users, so the trees it judges are the trees served', async () => {
  const data = simulatedFitData({ users: 60, items: 50, events: 2500, dim: 6, genres: 4, seed: 9 });
  const { params } = resolveParamValues('ranked', RANKED_PARAMS, {
    sources: { ease: 20, popularity: 10 },
    minUsers: 10,
    maxUsers: 30,
    itemsPerUser: 1,
  });
  const netUsers = new Uint8Array(60);
  for (let u = 0; u < 60; u += 4) netUsers[u] = 1;
  const { rows, net, netFree } = await buildTrainingSet('missing', data, params, {
    rng: new Rng(1),
    catalogue: false,
    givenSpec: undefined,
    seconds: { sources: 0, features: 0, gbdt: 0, refit: 0 },
    netUsers,
  });
  assert.equal(netFree, true);
  const sampled = new Set(rows.userRows.map((g) => g.u));
  assert.ok(sampled.size > 20 && sampled.size <= 30, `${sampled.size} users`);
  for (const u of sampled) assert.equal(netUsers[u], 0, `held-out user ${u} in the rows`);
  assert.ok(net.length >= 10);
});

/** The missing view's groups of a small world under `missingTime`, with each group's c_hours_since_last. */
async function missingGroups(missingTime: string) {
  const data = simulatedFitData({ users: 60, items: 50, events: 2500, dim: 6, genres: 4, seed: 9 });
  const { params } = resolveParamValues('ranked', RANKED_PARAMS, {
    sources: { ease: 20, popularity: 10 },
    missingTime,
  });
  const { rows, spec } = await buildTrainingSet('missing', data, params, {
    rng: new Rng(1),
    catalogue: false,
    givenSpec: undefined,
    seconds: { sources: 0, features: 0, gbdt: 0, refit: 0 },
  });
  const col = spec.columns.indexOf('c_hours_since_last');
  const W = spec.columns.length;
  return rows.userRows.map((g) => ({ u: g.u, gap: rows.values[g.start * W + col]! }));
}

test("the missing view's rows: at the end of the events, at each user's own last event, or both (two groups a user)", async () => {
  const end = await missingGroups('end');
  const user = await missingGroups('user');
  const both = await missingGroups('both');
  assert.ok(end.length > 10);
  // at each user's own serving time (his last feature-side event + 1 ms): no gap
  assert.deepEqual(
    user.map((g) => g.u),
    end.map((g) => g.u),
  );
  for (const g of user) assert.ok(g.gap < 1e-3, `user ${g.u}: ${g.gap} h`);
  // at the end: users last active before it have a gap
  assert.ok(end.some((g) => g.gap > 1));
  // both: the user-time group, then the end's (unless they coincide), the same users
  const expected = end.flatMap((g, k) => (g.gap === user[k]!.gap ? [user[k]!] : [user[k]!, g]));
  assert.deepEqual(both, expected);
});

test("the safety net's held-out users give net groups served as of their own last event (their training rows are kept for the served trees)", async () => {
  const data = simulatedFitData({ users: 60, items: 50, events: 2500, dim: 6, genres: 4, seed: 9 });
  const { params } = resolveParamValues('ranked', RANKED_PARAMS, { sources: { ease: 20, popularity: 10 } });
  const netUsers = new Uint8Array(60);
  for (let u = 0; u < 60; u += 4) netUsers[u] = 1;
  for (const label of ['next', 'missing'] as const) {
    const { rows, net, spec, catalogue, netFree } = await buildTrainingSet(label, data, params, {
      rng: new Rng(1),
      catalogue: true,
      givenSpec: undefined,
      seconds: { sources: 0, features: 0, gbdt: 0, refit: 0 },
      netUsers,
    });
    assert.ok(rows.userRows.length > 20);
    // the trees the net judges leave these rows out (train-ranker.ts); the served trees train on them
    // (45 users outside the net are fewer than the 60 wanted: the sample is of every user)
    assert.ok(rows.userRows.some((g) => netUsers[g.u] === 1));
    assert.equal(netFree, false);
    assert.ok(catalogue!.userRows.length > 20);
    assert.ok(net.length >= 10, `${label}: ${net.length} net groups`);
    const col = spec.columns.indexOf('c_hours_since_last');
    const W = spec.columns.length;
    const S = spec.sources.length;
    for (const g of net) {
      assert.equal(netUsers[g.u], 1);
      // candidates only, every label counted (those stage 1 missed too)
      assert.equal(g.values.length, g.n * W);
      assert.equal(g.scores.length, g.n * S);
      let found = 0;
      for (const l of g.labels) found += l;
      assert.ok(g.relevant >= found && g.relevant > 0);
      // as recommend --all serves him: at his own last (feature-side) event + 1 ms
      for (let r = 0; r < g.n; r++) assert.ok(g.values[r * W + col]! < 1e-3);
    }
  }
});

test("crossFit: in the missing view the net's held-out users are served by sources fitted on every event but their own labels (the next view: by the feature side's)", async () => {
  const data = simulatedFitData({ users: 60, items: 50, events: 2500, dim: 6, genres: 4, seed: 9 });
  const netUsers = new Uint8Array(60);
  for (let u = 0; u < 60; u += 3) netUsers[u] = 1;
  const weights = interactionWeights();
  for (const [label, crossFit] of [
    ['missing', true],
    ['missing', false],
    ['next', true],
  ] as const) {
    // popularity alone: each candidate's source score counts the users with a positive event on it in the fit
    const { params } = resolveParamValues('ranked', RANKED_PARAMS, {
      sources: { popularity: 50 },
      crossFit,
    });
    const { net } = await buildTrainingSet(label, data, params, {
      rng: new Rng(1),
      catalogue: false,
      givenSpec: undefined,
      seconds: { sources: 0, features: 0, gbdt: 0, refit: 0 },
      netUsers,
    });
    // the events the fit must have seen: the feature side of everyone (crossFit false, and the next view),
    // or every event but the held-out users' label events
    const split = splitLog(
      data.log,
      label === 'next'
        ? { kind: 'temporal', ratio: params.featureRatio }
        : { kind: 'random', ratio: params.featureRatio, seed: params.seed },
    );
    const folds = crossFit && label === 'missing';
    const hidden = new Uint8Array(data.log.length);
    for (let e = 0; e < data.log.length; e++)
      if (split.isTest[e] === 1 && (!folds || netUsers[data.log.user[e]!] === 1)) hidden[e] = 1;
    const x = buildInteractions(subsetLog(data.log, hidden, 0), weights);
    const users = new Float32Array(x.cols);
    for (let j = 0; j < x.indices.length; j++) if (x.values[j]! > 0) users[x.indices[j]!]!++;
    assert.ok(net.length >= 10);
    for (const g of net)
      for (let r = 0; r < g.n; r++)
        assert.equal(g.scores[r], users[g.items[r]!], `${label}, crossFit ${crossFit}`);
  }
});
