/**
 * The store contract for the web app's parts (harness: ../helpers/store-backends.ts): accounts, sessions
 * and app-made API keys, and the operators' activity views, the same on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountRecord } from '../../src/store/accounts.js';
import { storeContract } from '../helpers/store-backends.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

function account(n: number, over: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: `a${n}`,
    email: `p${n}@example.com`,
    displayName: `Person ${n}`,
    passwordHash: `scrypt$12$8$1$salt${n}$hash${n}`,
    role: 'person',
    userId: `acct-${n}`,
    createdAt: 1000 + n,
    onboarded: false,
    ...over,
  };
}

await storeContract('accounts and activity', ({ fresh }) => {
  test('accounts: created once per email and user id, read back, listed newest first, counted, patched', async () => {
    const { store, location } = await fresh();
    const accounts = store.accounts;
    assert.equal(await accounts.create(account(1)), true);
    assert.equal(await accounts.create(account(2, { role: 'admin', onboarded: true })), true);
    assert.equal(await accounts.create(account(3, { email: 'p1@example.com' })), false, 'email taken');
    assert.equal(await accounts.create(account(4, { userId: 'acct-2' })), false, 'user id taken');
    assert.equal(await accounts.create(account(1, { email: 'other@example.com' })), false, 'id taken');
    assert.deepEqual(await accounts.count(), { accounts: 2, admins: 1 });
    assert.deepEqual(await accounts.byId('a1'), account(1));
    assert.deepEqual(
      await accounts.byEmail('p2@example.com'),
      account(2, { role: 'admin', onboarded: true }),
    );
    assert.equal(await accounts.byEmail('p3@example.com'), undefined);
    assert.deepEqual(
      (await accounts.list()).map((a) => a.id),
      ['a2', 'a1'],
    );
    assert.deepEqual(
      (await accounts.list(1)).map((a) => a.id),
      ['a2'],
    );
    await accounts.update('a1', { displayName: 'Ann', onboarded: true, role: 'admin' });
    await accounts.update('a1', {});
    await accounts.update('nobody', { displayName: 'x' });
    const again = (await fresh(location)).store;
    assert.deepEqual(
      await again.accounts.byId('a1'),
      account(1, { displayName: 'Ann', onboarded: true, role: 'admin' }),
    );
    assert.deepEqual(await again.accounts.count(), { accounts: 2, admins: 2 });
  });

  test('accounts: a failed transaction writes no account', async () => {
    const { store } = await fresh();
    await assert.rejects(
      store.transaction(async () => {
        assert.equal(await store.accounts.create(account(1)), true);
        assert.ok(await store.accounts.byId('a1'), 'seen inside the transaction');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await store.accounts.byId('a1'), undefined);
    assert.deepEqual(await store.accounts.count(), { accounts: 0, admins: 0 });
  });

  test('sessions by token digest: read, removed one, by account, expired; removing an account removes its sessions', async () => {
    const { store } = await fresh();
    const accounts = store.accounts;
    await accounts.create(account(1));
    await accounts.create(account(2));
    await accounts.createSession(digest('t1'), { accountId: 'a1', createdAt: 10, expiresAt: 100 });
    await accounts.createSession(digest('t2'), { accountId: 'a1', createdAt: 20, expiresAt: 200 });
    await accounts.createSession(digest('t3'), { accountId: 'a1', createdAt: 30, expiresAt: 300 });
    await accounts.createSession(digest('t4'), { accountId: 'a2', createdAt: 40, expiresAt: 400 });
    await accounts.createSession(digest('t5'), { accountId: 'a2', createdAt: 50, expiresAt: 50 });
    assert.deepEqual(await accounts.session(digest('t2')), {
      accountId: 'a1',
      createdAt: 20,
      expiresAt: 200,
    });
    assert.equal(await accounts.session(digest('nope')), undefined);
    await accounts.removeSession(digest('t2'));
    assert.equal(await accounts.session(digest('t2')), undefined);
    assert.equal(await accounts.removeExpiredSessions(100), 2, 't1 and t5');
    assert.equal(await accounts.session(digest('t1')), undefined);
    assert.equal(await accounts.removeSessions('a1'), 1, 't3');
    assert.equal(await accounts.removeSessions('a1'), 0);
    await accounts.createSession(digest('t6'), { accountId: 'a2', createdAt: 60, expiresAt: 600 });
    await accounts.remove('a2');
    assert.equal(await accounts.byId('a2'), undefined);
    assert.equal(await accounts.session(digest('t4')), undefined);
    assert.equal(await accounts.session(digest('t6')), undefined);
    assert.deepEqual(await accounts.count(), { accounts: 1, admins: 0 });
    assert.equal(await accounts.create(account(5, { email: 'p2@example.com' })), true, 'the email is free');
  });

  test('API keys: digests kept, listed newest first with revoked ones, revoked once', async () => {
    const { store } = await fresh();
    const accounts = store.accounts;
    const key = (id: string, createdAt: number, role: 'client' | 'admin' = 'client') => ({
      id,
      role,
      keyHash: digest(`key-${id}`),
      label: `label ${id}`,
      createdBy: id === 'k1' ? null : 'a1',
      createdAt,
      revokedAt: null,
    });
    await accounts.createApiKey(key('k1', 100));
    await accounts.createApiKey(key('k2', 300, 'admin'));
    await accounts.createApiKey(key('k3', 200));
    assert.equal(await accounts.revokeApiKey('k3', 500), true);
    assert.equal(await accounts.revokeApiKey('k3', 600), false, 'already revoked');
    assert.equal(await accounts.revokeApiKey('k9', 600), false, 'no such key');
    const keys = await accounts.apiKeys();
    assert.deepEqual(
      keys.map((k) => [k.id, k.role, k.createdBy, k.revokedAt]),
      [
        ['k2', 'admin', 'a1', null],
        ['k3', 'client', 'a1', 500],
        ['k1', 'client', null, null],
      ],
    );
    assert.ok(Buffer.isBuffer(keys[0]!.keyHash));
    assert.deepEqual(keys[0]!.keyHash, digest('key-k2'));
    await accounts.createApiKey(key('k4', 700));
    await assert.rejects(accounts.createApiKey(key('k4', 800)), 'the id is taken');
  });

  test('activity: latest events by position, counts by type and by minute of ingestion, from a position on', async () => {
    const { store } = await fresh();
    const t0 = Date.UTC(2026, 0, 1);
    assert.deepEqual(await store.activity.latest(5), []);
    assert.deepEqual((await store.activity.countsByType()).position, 0);
    assert.deepEqual(await store.activity.perMinute(0), { minutes: [], position: 0 });
    // 40 old events in batches of 8, then (ingested later) 5 more
    for (let b = 0; b < 5; b++)
      await store.insertEvents(
        Array.from({ length: 8 }, (_, k) => ({
          user: `u${k % 3}`,
          item: `i${k}`,
          type: k % 4 === 0 ? 'click' : 'view',
          timestamp: t0 + b * 8 + k,
        })),
      );
    await sleep(5);
    const since = Date.now();
    await sleep(2);
    await store.insertEvents([
      { user: 'u9', item: 'i1', type: 'rating', value: 4, timestamp: t0 - 5 },
      { user: 'u1', item: 'i2', type: 'view', timestamp: t0 + 100 },
      { user: 'u1', item: 'i3', type: 'view', timestamp: t0 + 101 },
    ]);
    const latest = await store.activity.latest(2);
    assert.deepEqual(
      latest.map((e) => [e.position, e.user, e.item, e.type, e.value, e.timestamp]),
      [
        [43, 'u1', 'i3', 'view', 1, t0 + 101],
        [42, 'u1', 'i2', 'view', 1, t0 + 100],
      ],
    );
    assert.ok(latest[0]!.ingestedAt >= since);
    const { counts, position } = await store.activity.countsByType();
    assert.equal(position, 43);
    assert.deepEqual([...counts].sort(), [
      ['click', 10],
      ['rating', 1],
      ['view', 32],
    ]);
    const total = (m: { minutes: { count: number }[] }) => m.minutes.reduce((s, x) => s + x.count, 0);
    const all = await store.activity.perMinute(since - 3_600_000);
    assert.deepEqual([total(all), all.position], [43, 43]);
    for (const m of all.minutes) assert.equal(m.minute % 60_000, 0);
    const recent = await store.activity.perMinute(since);
    assert.equal(recent.position, 43);
    assert.deepEqual(
      recent.minutes.map((m) => [m.type, m.count]).sort(),
      [
        ['rating', 1],
        ['view', 2],
      ],
      'only the events ingested since',
    );
    assert.deepEqual(await store.activity.perMinute(Date.now() + 3_600_000), { minutes: [], position: 43 });
    await store.insertEvents([{ user: 'u1', item: 'i4', type: 'click', timestamp: t0 + 200 }]);
    const next = await store.activity.perMinute(since - 3_600_000, recent.position);
    assert.deepEqual([next.position, next.minutes.map((m) => [m.type, m.count])], [44, [['click', 1]]]);
  });
});
