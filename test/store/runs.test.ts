import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-runs-store-');
const ID = '0123456789abcdef0123456789abcdef';

test('a run: created RUNNING, logged, finished; params immutable, tags overwritten, metrics appended', async () => {
  const store = await openStore(join(dir, 'a.db'));
  try {
    await store.createRun({ id: ID, name: 'train-1', kind: 'train', startTime: 1000 });
    assert.deepEqual(await store.listRuns(), [
      { id: ID, name: 'train-1', kind: 'train', status: 'RUNNING', startTime: 1000, endTime: null },
    ]);
    await store.logRun(ID, {
      params: [{ key: 'als.factors', value: '64' }],
      tags: [{ key: 'reco.version', value: '0.1.0' }],
      metrics: [
        { key: 'als.loss', value: 9, timestamp: 1100, step: 1 },
        { key: 'als.loss', value: 5, timestamp: 1200, step: 2 },
        { key: 'auc', value: Number.NaN, timestamp: 1200, step: 0 },
      ],
      artifacts: [{ path: 'evaluation.json', content: Buffer.from('{}') }],
    });
    // the same param again is accepted, another value is not (and the batch writes nothing)
    await store.logRun(ID, { params: [{ key: 'als.factors', value: '64' }] });
    await assert.rejects(
      () =>
        store.logRun(ID, {
          tags: [{ key: 'x', value: 'y' }],
          params: [{ key: 'als.factors', value: '32' }],
        }),
      /param "als.factors" .* is already "64"/,
    );
    await store.logRun(ID, {
      tags: [{ key: 'reco.version', value: '0.2.0' }],
      metrics: [{ key: 'als.loss', value: 7, timestamp: 1050, step: 1 }],
    });
    await store.finishRun(ID, 'FINISHED', 2000);
    const run = (await store.getRun(ID))!;
    assert.equal(run.status, 'FINISHED');
    assert.equal(run.endTime, 2000);
    assert.deepEqual(run.params, [{ key: 'als.factors', value: '64' }]);
    assert.deepEqual(
      run.tags,
      [{ key: 'reco.version', value: '0.2.0' }],
      'overwritten; the refused batch left no tag x',
    );
    // latest per key: the largest step, then timestamp
    assert.deepEqual(await run.metrics.map((m) => [m.key, m.value, m.step]), [
      ['als.loss', 5, 2],
      ['auc', Number.NaN, 0],
    ]);
    assert.equal(await run.artifacts[0]!.content.toString(), '{}');
    assert.deepEqual(
      (await store.metricHistory(ID, 'als.loss')).map((m) => [m.value, m.timestamp, m.step]),
      [
        [9, 1100, 1],
        [5, 1200, 2],
        [7, 1050, 1],
      ],
      'in logging order',
    );
    assert.equal((await store.metricHistory(ID)).length, 4);
  } finally {
    await store.close();
  }
});

test('runs are listed newest first and filtered by kind; bad input names the field', async () => {
  const store = await openStore(join(dir, 'b.db'));
  try {
    const ids = ['a', 'b', 'c'].map((c) => c.repeat(32));
    await store.createRun({ id: ids[0]!, name: 'one', kind: 'train', startTime: 1 });
    await store.createRun({ id: ids[1]!, name: 'two', kind: 'evaluate', startTime: 3 });
    await store.createRun({ id: ids[2]!, name: 'three', kind: 'train', startTime: 2 });
    assert.deepEqual(
      (await store.listRuns()).map((r) => r.name),
      ['two', 'three', 'one'],
    );
    assert.deepEqual(
      (await store.listRuns({ kind: 'train', limit: 1 })).map((r) => r.name),
      ['three'],
    );
    await store.finishRun(ids[0]!, 'FAILED', 5, 'boom');
    assert.equal((await store.getRun(ids[0]!))!.error, 'boom');
    assert.equal(await store.getRun('f'.repeat(32)), undefined);
    await assert.rejects(
      () => store.createRun({ id: 'ABC', name: 'x', kind: 'train', startTime: 1 }),
      /run id/,
    );
    await assert.rejects(
      () => store.createRun({ id: 'd'.repeat(32), name: 'x', kind: 'nap' as 'train', startTime: 1 }),
      /run kind must be one of/,
    );
    await assert.rejects(() => store.logRun('e'.repeat(32), { tags: [] }), /no run "e+"/);
    await assert.rejects(
      () => store.logRun(ids[1]!, { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0.5 }] }),
      /metric "m": step must be an integer/,
    );
    await assert.rejects(
      () => store.finishRun(ids[1]!, 'RUNNING' as 'FINISHED', 9),
      /run status must be one of/,
    );
  } finally {
    await store.close();
  }
});

test('migration 4 adds the run tables to a version-3 database and keeps its data', async () => {
  const path = join(dir, 'old.db');
  const db = new Database(path);
  for (const m of MIGRATIONS.filter((x) => x.version <= 3)) db.exec(m.sql);
  db.pragma('user_version = 3');
  db.prepare("INSERT INTO meta (key, value, updated_at) VALUES ('k', 'v', 1)").run();
  db.close();
  const store = await openStore(path);
  try {
    assert.equal((await store.getMeta('k'))?.toString(), 'v');
    await store.createRun({ id: ID, name: 'x', kind: 'evaluate', startTime: 1 });
    assert.equal((await store.listRuns()).length, 1);
  } finally {
    await store.close();
  }
});
