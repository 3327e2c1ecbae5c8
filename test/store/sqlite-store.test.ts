import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStore } from '../../src/store/open.js';

const dir = mkdtempSync(join(tmpdir(), 'reco-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// dense indices, the log's time order and a failed transaction: the store contract (./contract.test.ts)

test('unknown items are refused when creation is off', async () => {
  const store = await openStore(join(dir, 'c.db'));
  await assert.rejects(
    () =>
      store.insertEvents([{ user: 'u', item: 'nope', type: 'view', timestamp: 1 }], { createItems: false }),
    /unknown item "nope"/,
  );
  assert.equal((await store.counts()).events, 0);
  await store.close();
});

test('meta blobs round-trip and schema version is recorded', async () => {
  const path = join(dir, 'd.db');
  const store = await openStore(path);
  await store.setMeta('world', Buffer.from([1, 2, 3]));
  await store.setMeta('world', 'replaced');
  assert.equal((await store.getMeta('world'))?.toString(), 'replaced');
  assert.equal(await store.getMeta('missing'), undefined);
  await store.close();
});
