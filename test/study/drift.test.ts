import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModel } from '../../src/models/factory.js';
import { resolveParams } from '../../src/simulation/params.js';
import { DRIFT_INTERVALS } from '../../src/study/drift.js';
import { findStudy } from '../../src/study/studies.js';

test('drift (offline replay): per model and retraining interval, period means beside the oracle', async () => {
  const def = findStudy('drift')!;
  const params = resolveParams(undefined, {
    ...def.base,
    users: 150,
    items: 80,
    events: 6000,
    driftScale: 1,
    seed: 2,
  });
  const notes: string[] = [];
  const values = await def.runCell({
    level: def.levels[2]!,
    seed: 2,
    params,
    models: ['popularity'],
    create: createModel,
    note: (l) => notes.push(l),
  });
  assert.equal(notes.length, DRIFT_INTERVALS.length);
  for (const days of DRIFT_INTERVALS) {
    const get = (series: string, metric: string) =>
      values.find((v) => v.series === series && v.metric === metric)?.value;
    const frac = get(`popularity every ${days} d`, 'ndcg_frac');
    const ndcg = get(`popularity every ${days} d`, 'ndcg');
    const oracle = get(`oracle every ${days} d`, 'ndcg');
    assert.ok(ndcg !== undefined && oracle !== undefined && frac !== undefined, `${days} d`);
    assert.ok(ndcg > 0 && oracle > ndcg, `${days} d: the oracle above popularity`);
    assert.ok(Math.abs(frac - ndcg / oracle) < 1e-9);
  }
});
