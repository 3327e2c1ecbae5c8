/**
 * Limits shared through Redis (src/serving/shared-limits.ts), against this machine's real Redis
 * (RECO_TEST_REDIS_URL, default redis://127.0.0.1:6379; .ci/run starts one when none runs): two app
 * instances standing for two replicas meet one rate limit per key, and two sign-in throttles one count of
 * wrong passwords; a Redis that goes away lets requests through; a URL where nothing answers is refused at
 * start, naming the option. Under CI=true these tests run, never skip.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { SignInThrottle } from '../../src/accounts/sign-in-throttle.js';
import { buildApp } from '../../src/serving/app.js';
import { connectSharedLimits, type SharedLimits } from '../../src/serving/shared-limits.js';
import { client, KEYS, makeWorld, type World } from './helpers.js';

const URL = process.env['RECO_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function redisSkip(): Promise<string | false> {
  try {
    (await connectSharedLimits(URL, 'RECO_TEST_REDIS_URL')).redis.disconnect();
    return false;
  } catch (err) {
    if (process.env['CI'] === 'true')
      throw new Error(`CI=true: Redis tests must run, but ${(err as Error).message}`);
    return `no Redis: ${(err as Error).message}`;
  }
}
const skip = await redisSkip();

describe('limits shared through Redis', { skip }, () => {
  // a prefix of this run's own: the counts of other runs (and other deployments) are not ours
  const prefix = `reco-test-${randomBytes(6).toString('hex')}:`;
  let w: World;
  const shared: SharedLimits[] = [];
  const replicas: FastifyInstance[] = [];
  before(async () => {
    w = await makeWorld();
    for (let r = 0; r < 2; r++) {
      const s = await connectSharedLimits(URL, 'RECO_TEST_REDIS_URL', prefix);
      shared.push(s);
      replicas.push(
        await buildApp({
          services: w.services,
          keys: KEYS,
          rateLimit: 5,
          sharedLimits: s,
          defaultMetrics: false,
        }),
      );
    }
  });
  after(async () => {
    for (const app of replicas) await app.close();
    const keys = await shared[0]!.redis.keys(`${prefix}*`);
    if (keys.length > 0) await shared[0]!.redis.del(...keys);
    for (const s of shared) s.redis.disconnect();
    await w.close();
  });

  const ping = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/v1/ping', headers: client });

  test('a key spreading its requests over two replicas meets one limit', async () => {
    const codes: number[] = [];
    for (let k = 0; k < 6; k++) codes.push((await ping(replicas[k % 2]!)).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429]);
    // each replica counting alone would have let all six through (three each)
  });

  test('wrong passwords on one replica lock the account on the other', async () => {
    const throttles = shared.map(
      (s) => new SignInThrottle({ accountFailures: 3, lockSeconds: 60, shared: s }),
    );
    const account = `someone-${randomBytes(4).toString('hex')}@example.org`;
    assert.equal(await throttles[0]!.failed(account, '10.0.0.1'), 0);
    assert.equal(await throttles[0]!.failed(account, '10.0.0.1'), 0);
    assert.equal(
      await throttles[1]!.failed(account, '10.0.0.2'),
      60,
      'the third failure, on the other replica',
    );
    assert.ok((await throttles[0]!.retryAfter(account, '10.0.0.3')) > 0);
    await throttles[1]!.succeeded(account);
    assert.equal(await throttles[0]!.retryAfter(account, '10.0.0.3'), 0, 'forgotten on both');
  });

  test('a Redis that goes away lets requests through rather than refusing them', async () => {
    const s = await connectSharedLimits(URL, 'RECO_TEST_REDIS_URL', prefix);
    const app = await buildApp({
      services: w.services,
      keys: KEYS,
      rateLimit: 5,
      sharedLimits: s,
      defaultMetrics: false,
    });
    try {
      s.redis.disconnect();
      const codes: number[] = [];
      for (let k = 0; k < 3; k++) codes.push((await ping(app)).statusCode);
      assert.deepEqual(codes, [200, 200, 200]);
    } finally {
      await app.close();
    }
  });
});

test('a Redis URL that is not one, or where nothing answers, is refused naming the option', async () => {
  await assert.rejects(
    connectSharedLimits('http://127.0.0.1:6379', '--redis'),
    /--redis: expected a redis:\/\/ URL/,
  );
  await assert.rejects(
    connectSharedLimits('redis://user:secret@127.0.0.1:1', 'RECO_REDIS_URL'),
    (err: Error) =>
      /RECO_REDIS_URL: Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1 does not answer/.test(err.message) &&
      !err.message.includes('secret'),
  );
});
