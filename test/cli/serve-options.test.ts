import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoRankThreads } from '../../src/cli/commands/serve.js';

test('rank threads "auto": none on one core, two on two, one per core but the main thread beyond, at most 8', () => {
  assert.equal(autoRankThreads(1), 0);
  assert.equal(autoRankThreads(2), 2);
  assert.equal(autoRankThreads(3), 2);
  assert.equal(autoRankThreads(4), 3);
  assert.equal(autoRankThreads(32), 8);
});
