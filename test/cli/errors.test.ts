import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, UsageError } from '../../src/errors.js';

test('InputError names file, line and column', () => {
  const e = new InputError('not a number: "x"', 'ratings.csv', 12, 'rating');
  assert.equal(e.message, 'ratings.csv, line 12, column rating: not a number: "x"');
  assert.equal(e.exitCode, 1);
});

test('UsageError exits with code 2', () => {
  assert.equal(new UsageError('bad').exitCode, 2);
});
