import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { LoopRun } from '../../src/tracking/loop-run.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-loop-run-');

test('a loop run: kind loop, its parameters, one step per period (each written at once), finished or failed', async () => {
  const store = openStore(join(dir, 'a.db'));
  try {
    const run = await LoopRun.start(store, { name: 'loop-a', mirror: null, params: { 'loop.days': '3' } });
    for (let day = 1; day <= 3; day++) {
      await run.step(day, [
        ['ctr', 0.1 * day],
        ['skipped', Number.NaN],
      ]);
      // written before the loop ends
      assert.equal(store.metricHistory(run.id, 'ctr').length, day);
    }
    await run.finish();
    const rec = store.getRun(run.id)!;
    assert.equal(rec.kind, 'loop');
    assert.equal(rec.status, 'FINISHED');
    assert.deepEqual(rec.params, [{ key: 'loop.days', value: '3' }]);
    assert.deepEqual(
      store.metricHistory(run.id, 'ctr').map((m) => [m.step, m.value]),
      [
        [1, 0.1],
        [2, 0.2],
        [3, 0.30000000000000004],
      ],
    );
    assert.equal(store.metricHistory(run.id, 'skipped').length, 0);
    const failed = await LoopRun.start(store, { mirror: null });
    await failed.fail(new Error('world ran out of users'));
    const f = store.getRun(failed.id)!;
    assert.equal(f.status, 'FAILED');
    assert.equal(f.error, 'world ran out of users');
  } finally {
    store.close();
  }
});
