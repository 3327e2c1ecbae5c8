import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampledUsers } from '../../src/ranking/training-set.js';

test("a view's training users: all of them up to maxUsers, else a seeded sample of maxUsers, ascending", () => {
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
