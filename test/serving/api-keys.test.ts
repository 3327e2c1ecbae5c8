import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { allows, KeyRing, loadOrCreateKeys, parseApiKeys } from '../../src/serving/api-keys.js';

test('parseApiKeys reads role:key pairs and names the bad entry', () => {
  assert.deepEqual(parseApiKeys('client:abcdefgh, admin:ijklmnop\n# note\n', 'env'), [
    { role: 'client', key: 'abcdefgh' },
    { role: 'admin', key: 'ijklmnop' },
  ]);
  assert.throws(
    () => parseApiKeys('client:abcdefgh,root:ijklmnop', 'RECO_API_KEYS'),
    /RECO_API_KEYS: entry 2 .*role/,
  );
  assert.throws(() => parseApiKeys('client:short', 'f'), /entry 1: the key must have 8 characters/);
});

test('KeyRing finds the principal of a key, and nothing for a wrong or prefix key', () => {
  const ring = new KeyRing([
    { role: 'client', key: 'client-secret-1' },
    { role: 'admin', key: 'admin-secret-22' },
  ]);
  assert.equal(ring.verify('client-secret-1')?.role, 'client');
  assert.equal(ring.verify('admin-secret-22')?.role, 'admin');
  assert.equal(ring.verify('client-secret-'), undefined);
  assert.equal(ring.verify('client-secret-12'), undefined);
  assert.equal(ring.verify(''), undefined);
  assert.notEqual(ring.verify('client-secret-1')?.id, ring.verify('admin-secret-22')?.id);
  assert.ok(!ring.verify('client-secret-1')!.id.includes('secret'), 'the id does not reveal the key');
});

test('roles: admin may do what a client may, not the reverse', () => {
  assert.equal(allows('admin', 'client'), true);
  assert.equal(allows('admin', 'admin'), true);
  assert.equal(allows('client', 'client'), true);
  assert.equal(allows('client', 'admin'), false);
});

test('loadOrCreateKeys: env first, else the file, else new keys in an owner-only file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reco-keys-'));
  try {
    const file = join(dir, 'sub', 'api-keys');
    const first = loadOrCreateKeys(file, undefined);
    assert.equal(first.generated, true);
    assert.deepEqual(first.keys.map((k) => k.role).sort(), ['admin', 'client']);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = loadOrCreateKeys(file, undefined);
    assert.equal(again.generated, false);
    assert.deepEqual(again.keys, first.keys);
    assert.match(readFileSync(file, 'utf8'), /^admin:/m);
    const env = loadOrCreateKeys(file, 'client:from-the-env');
    assert.deepEqual(env.keys, [{ role: 'client', key: 'from-the-env' }]);
    writeFileSync(file, 'nothing here\n');
    assert.throws(() => loadOrCreateKeys(file, undefined), /entry 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
