import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseParamOverrides } from '../../src/cli/commands/simulate.js';
import { UsageError } from '../../src/errors.js';
import { resolveParams } from '../../src/simulation/params.js';

test('presets and overrides resolve in order; sizes follow the events count', () => {
  const ml = resolveParams('movielens', { seed: 3 });
  assert.equal(ml.users, 943);
  assert.equal(ml.items, 1682);
  assert.equal(ml.events, 100_000);
  assert.equal(ml.ratingsOnly, true);
  assert.equal(ml.seed, 3);
  const scaled = resolveParams(undefined, { events: 50_000 });
  assert.equal(scaled.users, 500);
  assert.equal(scaled.items, 250);
  assert.equal(resolveParams('movielens', { users: 1000 }).users, 1000);
});

test('bad parameters are usage errors naming the parameter', () => {
  const usage = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  usage(() => resolveParams('nope', {}), /unknown preset "nope"/);
  usage(() => resolveParams(undefined, { users: 0 }), /users must be an integer/);
  usage(() => resolveParams(undefined, { genres: 40 }), /genres must be an integer in 1\.\.32/);
  usage(() => resolveParams('movielens', { events: 2_000_000 }), /ratings do not fit/);
  usage(() => resolveParams(undefined, { driftShare: 1.5 }), /driftShare must be in 0\.\.1/);
  usage(() => parseParamOverrides(['nosuch=1']), /unknown parameter "nosuch"/);
  usage(() => parseParamOverrides(['driftShare=abc']), /cannot read the value/);
  usage(() => parseParamOverrides(['ratingShares=3']), /takes a JSON array/);
});

test('--param overrides are typed by the defaults', () => {
  assert.deepEqual(parseParamOverrides(['driftShare=0.3', 'ratingsOnly=true', 'ratingShares=[1,1,1,1,1]']), {
    driftShare: 0.3,
    ratingsOnly: true,
    ratingShares: [1, 1, 1, 1, 1],
  });
  assert.deepEqual(parseParamOverrides(['activityKind=gamma']), { activityKind: 'gamma' });
});
