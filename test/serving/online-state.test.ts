import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lru } from '../../src/serving/lru.js';

test('Lru evicts the least recently used entry and counts hits and misses', () => {
  const c = new Lru<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1); // a is now the most recent
  c.set('c', 3); // evicts b
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
  assert.equal(c.size, 2);
  assert.equal(c.hits, 3);
  assert.equal(c.misses, 1);
  const off = new Lru<string, number>(0);
  off.set('a', 1);
  assert.equal(off.get('a'), undefined);
});
