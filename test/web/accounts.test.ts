/**
 * Accounts without a browser: password hashing (parameters beside the hash, salts differ, wrong passwords
 * refused, lengths), sessions (only digests stored, expiry, revocation on sign-out and password change),
 * the sign-in throttle (the tenth failure locks, the right password waits), account deletion (personal
 * data gone, events kept under the unlinked id), app-made API keys (verified, revoked) and the page routes'
 * guards through Fastify's inject (403 for a person on /admin, CSRF proof required).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AccountService } from '../../src/accounts/accounts.js';
import { AppKeyRing } from '../../src/accounts/app-api-keys.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/accounts/passwords.js';
import { SessionService, tokenDigest } from '../../src/accounts/sessions.js';
import { SignInThrottle } from '../../src/accounts/sign-in-throttle.js';
import { ConflictError, InvalidInputError } from '../../src/errors.js';
import { buildApp } from '../../src/serving/app.js';
import { createWebServices } from '../../src/web/compose-web.js';
import { storeKinds } from '../helpers/store-backends.js';
import { KEYS, makeWorld, type World } from '../serving/helpers.js';

const cost = { log2N: 12, r: 8, p: 1 };
process.env['RECO_SCRYPT_LOG2N'] = '12';

describe('passwords', () => {
  test('scrypt with its parameters and a per-password salt; verified only by the right password', async () => {
    const a = await hashPassword('correct horse', cost);
    const b = await hashPassword('correct horse', cost);
    assert.match(a, /^scrypt\$12\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b, 'salts differ');
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horsf', a), false);
    assert.equal(await verifyPassword('correct horse', 'plain'), false);
    assert.equal(
      await verifyPassword('correct horse', a.replace('$12$', '$13$')),
      false,
      'the stored cost is the one used',
    );
  });

  test('8 to 128 characters', () => {
    assert.match(passwordProblem('1234567')!, /at least 8/);
    assert.equal(passwordProblem('12345678'), undefined);
    assert.equal(passwordProblem('x'.repeat(128)), undefined);
    assert.match(passwordProblem('x'.repeat(129))!, /at most 128/);
  });
});

// on SQLite and on PostgreSQL (a schema of its own, dropped afterwards; ../helpers/store-backends.ts)
for (const kind of await storeKinds())
  describe(`accounts, sessions, throttle (${kind.name})`, { skip: kind.skip }, () => {
    let world: World;
    before(async () => {
      world = await makeWorld({ db: kind.db() });
    });
    after(() => world.close());

    const service = (throttle = new SignInThrottle({ lockSeconds: 60 }), now?: () => number) =>
      new AccountService(
        world.store,
        world.services.users,
        new SessionService(world.store.accounts, 1000, now),
        throttle,
      );

    test('sign-up makes a reco user the server chose; the email is unique; fields are named', async () => {
      const s = service();
      const { account, token } = await s.signUp({
        email: ' Ann@Example.com ',
        password: 'long enough',
        displayName: 'Ann',
      });
      assert.equal(account.email, 'ann@example.com');
      assert.match(account.userId, /^acct-[0-9a-f]{24}$/);
      assert.ok(world.store.userIndex(account.userId) !== undefined);
      assert.equal((await world.store.accounts.session(tokenDigest(token)))?.accountId, account.id);
      await assert.rejects(
        s.signUp({ email: 'ann@example.com', password: 'long enough', displayName: 'A' }),
        ConflictError,
      );
      await assert.rejects(
        s.signUp({ email: 'nope', password: 'long enough', displayName: 'A' }),
        (e: InvalidInputError) => e.field === 'email',
      );
      await assert.rejects(
        s.signUp({ email: 'b@x.io', password: 'short', displayName: 'A' }),
        (e: InvalidInputError) => e.field === 'password',
      );
      await assert.rejects(
        s.signUp({ email: 'b@x.io', password: 'long enough', displayName: 'a\u0007b' }),
        (e: InvalidInputError) => e.field === 'displayName',
      );
    });

    test('sessions: digests only, expire, revoked on sign-out and on a password change', async () => {
      let now = 1_000_000;
      const s = service(undefined, () => now);
      const { account, token } = await s.signUp({
        email: 'sam@example.com',
        password: 'first password',
        displayName: 'Sam',
      });
      const row = (await world.store.accounts.session(tokenDigest(token)))!;
      assert.equal(row.expiresAt, now + 1000);
      assert.equal((await s.sessions.resolve(token))?.id, account.id);
      const other = await s.signIn('sam@example.com', 'first password', '10.0.0.1');
      await s.signOut(token);
      assert.equal(await s.sessions.resolve(token), undefined);
      assert.equal((await s.sessions.resolve(other.token))?.id, account.id);
      const changed = await s.changePassword(account, 'first password', 'second password');
      assert.equal(await s.sessions.resolve(other.token), undefined, 'other sessions revoked');
      assert.equal((await s.sessions.resolve(changed.token))?.id, account.id);
      now += 1001;
      assert.equal(await s.sessions.resolve(changed.token), undefined, 'expired');
      assert.equal(await world.store.accounts.session(tokenDigest(changed.token)), undefined, 'and removed');
    });

    test('the tenth wrong password locks the account; the right one waits; other accounts do not', async () => {
      const s = service(new SignInThrottle({ lockSeconds: 60 }));
      await s.signUp({ email: 'tom@example.com', password: 'right password', displayName: 'Tom' });
      await s.signUp({ email: 'una@example.com', password: 'right password', displayName: 'Una' });
      const codes: string[] = [];
      for (let k = 0; k < 10; k++)
        codes.push(
          await s.signIn('tom@example.com', `wrong ${k}`, `10.1.0.${k}`).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      assert.deepEqual(codes, [...Array(9).fill('SignInRefusedError'), 'ThrottledError']);
      await assert.rejects(
        s.signIn('tom@example.com', 'right password', '10.2.0.1'),
        (e: Error & { retryAfter: number }) => e.name === 'ThrottledError' && e.retryAfter > 50,
      );
      assert.ok((await s.signIn('una@example.com', 'right password', '10.2.0.1')).token);
    });

    test('deleting an account removes its personal data and keeps its events under the unlinked id', async () => {
      const s = service();
      const { account } = await s.signUp({
        email: 'del@example.com',
        password: 'delete me now',
        displayName: 'Del',
      });
      await world.services.ingestor.ingest([
        { user: account.userId, item: 'i1', type: 'like', value: 1, timestamp: Date.now() },
      ]);
      await assert.rejects(s.deleteAccount(account, 'wrong password'), InvalidInputError);
      await s.deleteAccount(account, 'delete me now');
      assert.equal(await world.store.accounts.byEmail('del@example.com'), undefined);
      assert.equal(await world.store.accounts.byId(account.id), undefined);
      assert.equal((await world.store.userEvents(account.userId)).length, 1);
    });

    test('API keys made in the app are checked in constant time with the configured ones, and revoked', async () => {
      const ring = new AppKeyRing(KEYS, world.store.accounts);
      const { id, key } = await ring.create('client', 'mobile app', 'acc');
      assert.equal(ring.verify(key)?.role, 'client');
      assert.equal(ring.verify(KEYS[1]!.key)?.role, 'admin');
      assert.equal(ring.verify(`${key}x`), undefined);
      await ring.revoke(id);
      assert.equal(ring.verify(key), undefined);
      assert.ok(
        !(await world.store.accounts.apiKeys()).some((k) => k.keyHash.toString('utf8').includes(key)),
        'only digests stored',
      );
    });
  });

describe('page guards', () => {
  let world: World;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let web: Awaited<ReturnType<typeof createWebServices>>;
  before(async () => {
    world = await makeWorld();
    web = await createWebServices(world.services, { keys: KEYS });
    app = await buildApp({ services: world.services, keys: KEYS, rateLimit: 0, defaultMetrics: false, web });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await world.close();
  });

  test('no session: pages redirect to sign-in; a person gets 403 on /admin; headers are set', async () => {
    const anon = await app.inject({ url: '/browse' });
    assert.equal(anon.statusCode, 303);
    assert.equal(anon.headers.location, '/signin?next=%2Fbrowse');
    const { token } = await web.accounts.signUp({
      email: 'p@example.com',
      password: 'person password',
      displayName: 'P',
    });
    const page = await app.inject({ url: '/browse', headers: { cookie: `reco_session=${token}` } });
    assert.equal(page.statusCode, 200);
    assert.match(
      String(page.headers['content-security-policy']),
      /script-src 'self';.*frame-ancestors 'none'/,
    );
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'same-origin');
    assert.equal(
      (await app.inject({ url: '/admin/models', headers: { cookie: `reco_session=${token}` } })).statusCode,
      403,
    );
  });

  test('a POST without the CSRF proof, or from another origin, is refused and stores nothing', async () => {
    const { account, token } = await web.accounts.signUp({
      email: 'q@example.com',
      password: 'person password',
      displayName: 'Q',
    });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const bare = await app.inject({
      method: 'POST',
      url: '/feedback',
      headers: { ...form, cookie: `reco_session=${token}` },
      payload: 'item=i1&kind=like',
    });
    assert.equal(bare.statusCode, 403);
    const got = await app.inject({ url: '/account', headers: { cookie: `reco_session=${token}` } });
    const secret = /reco_csrf=([^;]+)/.exec(String(got.headers['set-cookie']))![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(got.body)![1]!;
    const cookie = `reco_session=${token}; reco_csrf=${secret}`;
    const foreign = await app.inject({
      method: 'POST',
      url: '/feedback',
      headers: { ...form, cookie, origin: 'http://evil.example' },
      payload: `_csrf=${csrf}&item=i1&kind=like`,
    });
    assert.equal(foreign.statusCode, 403);
    assert.equal((await world.store.userEvents(account.userId)).length, 0);
    const ok = await app.inject({
      method: 'POST',
      url: '/feedback',
      headers: { ...form, cookie },
      payload: `_csrf=${csrf}&item=i1&kind=like&user=u1`,
    });
    assert.equal(ok.statusCode, 303);
    assert.deepEqual(
      (await world.store.userEvents(account.userId)).map((e) => e.item),
      ['i1'],
    );
    assert.equal(
      (await world.store.userEvents('u1')).some((e) => e.type === 'like'),
      false,
      'the form cannot name the user',
    );
  });

  test('an admin creates an API key the API accepts, then revokes it; promotes an account', async () => {
    const creds = await web.accounts.createAdmin('ops@example.com');
    const { token } = await web.accounts.signIn(creds.email, creds.password, '127.0.0.9');
    const got = await app.inject({ url: '/admin/accounts', headers: { cookie: `reco_session=${token}` } });
    assert.equal(got.statusCode, 200);
    const secret = /reco_csrf=([^;]+)/.exec(String(got.headers['set-cookie']))![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(got.body)![1]!;
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `reco_session=${token}; reco_csrf=${secret}`,
    };
    const made = await app.inject({
      method: 'POST',
      url: '/admin/keys',
      headers,
      payload: `_csrf=${csrf}&label=batch+jobs&role=client`,
    });
    assert.equal(made.statusCode, 200);
    const key = /data-new-key="?[^>]*>([A-Za-z0-9_-]{43})</.exec(made.body)![1]!;
    const id = /New key ([0-9a-f]{12})/.exec(made.body)![1]!;
    assert.equal(
      (await app.inject({ url: '/v1/ping', headers: { authorization: `Bearer ${key}` } })).statusCode,
      200,
    );
    const revoked = await app.inject({
      method: 'POST',
      url: `/admin/keys/${id}/revoke`,
      headers,
      payload: `_csrf=${csrf}`,
    });
    assert.equal(revoked.statusCode, 303);
    assert.equal(
      (await app.inject({ url: '/v1/ping', headers: { authorization: `Bearer ${key}` } })).statusCode,
      401,
    );
    const person = await web.accounts.signUp({
      email: 'rise@example.com',
      password: 'person password',
      displayName: 'R',
    });
    const promoted = await app.inject({
      method: 'POST',
      url: `/admin/accounts/${person.account.id}/role`,
      headers,
      payload: `_csrf=${csrf}&role=admin`,
    });
    assert.equal(promoted.statusCode, 303);
    assert.equal(
      (await app.inject({ url: '/admin', headers: { cookie: `reco_session=${person.token}` } })).statusCode,
      200,
    );
  });
});
