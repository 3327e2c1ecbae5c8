import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModel } from '../../src/models/factory.js';
import { resolveParams } from '../../src/simulation/params.js';
import { findStudy } from '../../src/study/studies.js';

test('leakage: features over all data raise the offline AUC and lower the AUC on later events', async () => {
  const def = findStudy('leakage')!;
  const params = resolveParams(undefined, {
    users: 300,
    items: 150,
    events: 15_000,
    ratingsOnly: true,
    seed: 1,
  });
  const values = await def.runCell({
    level: def.levels[0]!,
    seed: 1,
    params,
    models: def.models,
    create: createModel,
    note: () => {},
  });
  const get = (series: string, metric: string) => {
    const v = values.find((x) => x.series === series && x.metric === metric);
    assert.ok(v, `${series} ${metric}`);
    return v.value;
  };
  const honest = 'ranked (point in time)';
  const leaky = 'ranked (leaky features)';
  assert.ok(get(leaky, 'auc_offline') > get(honest, 'auc_offline'), 'offline: the leak looks better');
  assert.ok(get(leaky, 'auc_later') < get(honest, 'auc_later'), 'later events: the leak is worse');
  assert.ok(get('oracle', 'auc_later') > get(honest, 'auc_later'));
  // online, in the closed loop after the cut: each ranker served, measured against the oracle's slates
  for (const series of [honest, leaky]) {
    assert.ok(get(series, 'ctr') > 0, `${series}: online CTR`);
    assert.ok(get(series, 'regret') >= -1e-9, `${series}: regret`);
    assert.ok(get(series, 'normalised') < 1, `${series}: below the oracle`);
  }
});
