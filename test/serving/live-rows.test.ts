/**
 * The live profiles (each user's row of the interaction matrix, changed in place by his events) stay equal
 * to the matrix built offline from every stored event, whatever the events: repeats, cancelling likes and
 * dislikes, new users, batches and single events.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrRow } from '../../src/core/csr.js';
import { Rng } from '../../src/core/random.js';
import { buildInteractions } from '../../src/data/interactions.js';
import { client, makeWorld } from './helpers.js';

test('live rows equal the offline interaction matrix after random events', async () => {
  const w = await makeWorld();
  try {
    const rng = new Rng(7);
    const types = ['view', 'click', 'like', 'dislike', 'purchase'];
    for (let round = 0; round < 30; round++) {
      const n = 1 + rng.int(40);
      const events = Array.from({ length: n }, () => ({
        user: `u${1 + rng.int(11)}`, // u9-u11 are new
        item: `i${1 + rng.int(12)}`,
        type: types[rng.int(types.length)]!,
      }));
      const r = await w.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: client,
        payload: n === 1 ? events[0]! : { events },
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    const slot = w.services.models.slot!;
    const X = buildInteractions(await w.store.loadEventLog(), slot.bundle.manifest.weights);
    for (let u = 0; u < X.rows; u++) {
      const want = csrRow(X, u);
      const got = w.services.interactions.profile(u, slot);
      assert.deepEqual(Array.from(got.items), Array.from(want.items), `user ${u}: items`);
      assert.deepEqual(Array.from(got.weights), Array.from(want.weights), `user ${u}: weights`);
    }
  } finally {
    await w.close();
  }
});
