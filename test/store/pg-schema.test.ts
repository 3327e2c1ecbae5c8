/**
 * The PostgreSQL store's schema versions (src/store/pg-schema.ts): a version-1 schema (events, no accounts
 * or experiments) upgrades to version 2 when a newer reco opens it, its data kept; a schema newer than this
 * reco is refused. In a schema of its own (../helpers/store-backends.ts), dropped afterwards.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open.js';
import { parsePgLocation } from '../../src/store/pg-location.js';
import { PG_SCHEMA_VERSION } from '../../src/store/pg-schema.js';
import { pgSkip } from '../helpers/pg.js';
import { pgBackend } from '../helpers/store-backends.js';

const skip = await pgSkip('the schema tests');
const backend = pgBackend();
after(() => (skip ? undefined : backend.cleanup()));

/** Runs statements in the store's schema. */
async function inSchema<T>(location: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const { url, schema } = parsePgLocation(location);
  const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

test('a version-1 schema upgrades to version 2 with its events kept; a newer one is refused', {
  skip,
}, async () => {
  assert.equal(PG_SCHEMA_VERSION, 2);
  const location = backend.location();
  let store = await openStore(location);
  await store.insertEvents([{ user: 'u', item: 'i', type: 'view', timestamp: 1, request: 'r1' }]);
  await store.close();
  // back to version 1: the tables of version 2 dropped (event_requests is version 1's)
  await inSchema(location, (c) =>
    c.query(`DROP TABLE accounts, sessions, api_keys, experiments, exposures;
             DELETE FROM reco_schema WHERE version = 2`),
  );
  store = await openStore(location);
  try {
    assert.deepEqual(await store.counts(), { users: 1, items: 1, events: 1 });
    assert.deepEqual(
      (await store.experiments.userEvents('u', 0)).map((e) => e.request),
      ['r1'],
    );
    assert.equal(
      await store.accounts.create({
        id: 'a1',
        email: 'a@example.com',
        displayName: 'A',
        passwordHash: 'h',
        role: 'admin',
        userId: 'acct-1',
        createdAt: 1,
        onboarded: false,
      }),
      true,
    );
    assert.deepEqual(await store.accounts.count(), { accounts: 1, admins: 1 });
  } finally {
    await store.close();
  }
  const versions = await inSchema(location, async (c) => {
    const r = await c.query<{ version: number }>('SELECT version FROM reco_schema ORDER BY version');
    await c.query('INSERT INTO reco_schema (version) VALUES (3)');
    return r.rows.map((v) => v.version);
  });
  assert.deepEqual(versions, [1, 2]);
  await assert.rejects(openStore(location), /schema version 3 is newer than this reco \(2\)/);
});
