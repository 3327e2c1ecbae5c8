import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createModel } from '../../src/models/factory.js';
import { resolveParams } from '../../src/simulation/params.js';
import { storeWeights } from '../../src/store/event-types.js';
import { openStore } from '../../src/store/open.js';
import type { RunRecord } from '../../src/store/store.js';
import { eventLogHash } from '../../src/tracking/provenance.js';
import { trainBundle } from '../../src/training/train-bundle.js';
import { trainInWorker } from '../../src/training/train-in-worker.js';
import { tempDir } from '../helpers/cli.js';
import { simulatedStore, trainSmall } from '../helpers/world.js';

const dir = tempDir('reco-train-run-');
const WORLD = { users: 50, items: 40, events: 1500, dim: 4, genres: 4, seed: 9 };

const simulated = (name: string) => simulatedStore(join(dir, name), WORLD);

const value = (entries: { key: string; value: string }[], key: string) =>
  entries.find((e) => e.key === key)?.value;
const metric = (run: RunRecord, key: string) => run.metrics.find((m) => m.key === key)?.value;

test('a training records its run: data, world, split and model params, metrics, curves, bundle', async () => {
  const store = await simulated('a.db');
  try {
    const trained = await trainSmall(store, join(dir, 'models-a'), { name: 'first' }, 4);
    const run = (await store.getRun(trained.runId))!;
    assert.equal(run.kind, 'train', 'the default kind');
    assert.equal(run.name, 'first');
    assert.equal(run.status, 'FINISHED');
    assert.ok(run.endTime! >= run.startTime);
    // params: the models' resolved parameters (defaults included), the world's, the split's
    assert.equal(value(run.params, 'als.factors'), '3');
    assert.equal(value(run.params, 'als.regularization'), '30', 'a default, resolved');
    assert.equal(value(run.params, 'world.users'), '50');
    assert.equal(
      value(run.params, 'world.genresPerItemShares'),
      JSON.stringify(resolveParams(undefined, WORLD).genresPerItemShares),
    );
    assert.equal(value(run.params, 'split.kind'), 'random');
    assert.equal(value(run.params, 'split.ratio'), '0.75');
    assert.equal(value(run.params, 'k'), '5');
    assert.equal(value(run.params, 'models'), 'popularity,als');
    const rules = storeWeights(store);
    assert.equal(value(run.params, 'weights.click.weight'), String(rules.types.get('click')!.weight));
    assert.equal(value(run.params, 'weights_fallback.value'), rules.fallback.value);
    // tags: provenance and the data's fingerprint
    const log = await store.loadEventLog();
    assert.equal(value(run.tags, 'reco.data.events'), String(log.length));
    assert.equal(value(run.tags, 'reco.data.users'), '50');
    assert.equal(value(run.tags, 'reco.data.hash'), eventLogHash(log));
    assert.equal(
      value(run.tags, 'reco.data.last_event'),
      new Date(log.timestamp[log.length - 1]!).toISOString(),
    );
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    assert.equal(value(run.tags, 'reco.version'), pkg.version);
    assert.match(
      value(run.tags, 'mlflow.source.git.commit') ?? '',
      /^[0-9a-f]{40}$/,
      'tests run in a checkout',
    );
    assert.equal(value(run.tags, 'reco.bundle.version'), trained.manifest.version);
    assert.equal(value(run.tags, 'reco.bundle.dir'), trained.dir);
    // metrics: the evaluation's rows, fit times, the ALS curve (one point per sweep)
    const stored = trained.manifest.metrics!.models;
    assert.equal(metric(run, 'als.ndcg_at_5'), stored['als']!['ndcg']);
    assert.equal(metric(run, 'popularity.precision_at_5'), stored['popularity']!['precision']);
    assert.equal(metric(run, 'als.fit_seconds'), trained.manifest.models[1]!.fitSeconds);
    assert.ok(metric(run, 'als.eval_fit_seconds')! >= 0);
    const curve = await store.metricHistory(run.id, 'als.loss');
    assert.deepEqual(
      curve.map((m) => m.step),
      [1, 2, 3, 4],
    );
    assert.ok(curve[3]!.value < curve[0]!.value);
    // artifacts: the evaluation report and the bundle's description
    const report = JSON.parse(
      (await run).artifacts.find((a) => a.path === 'evaluation.json')!.content.toString(),
    );
    assert.equal(report.k, 5);
    const bundle = JSON.parse(
      (await run).artifacts.find((a) => a.path === 'bundle.json')!.content.toString(),
    );
    assert.deepEqual(bundle.models, ['popularity', 'als']);
  } finally {
    await store.close();
  }
});

test('a failed training is recorded FAILED with its message, and still throws it', async () => {
  const store = await simulated('b.db');
  try {
    await assert.rejects(
      trainBundle({
        store,
        modelsDir: join(dir, 'models-b'),
        models: ['als'],
        create: createModel,
        params: { als: { factors: 0 } },
        run: { kind: 'retrain' },
      }),
      /factors/,
    );
    const [run] = await store.listRuns();
    assert.equal(run!.kind, 'retrain');
    assert.equal(run!.status, 'FAILED');
    assert.match(run!.error!, /factors/);
    assert.match(value((await store.getRun(run!.id))!.tags, 'reco.error')!, /factors/);
  } finally {
    await store.close();
  }
});

test("the server's trainer (a worker thread) records a retrain run", async () => {
  await (await simulated('c.db')).close();
  await trainInWorker({ db: join(dir, 'c.db'), modelsDir: join(dir, 'models-c'), models: ['popularity'] });
  const store = await openStore(join(dir, 'c.db'));
  try {
    const runs = await store.listRuns();
    assert.deepEqual(
      runs.map((r) => [r.kind, r.status]),
      [['retrain', 'FINISHED']],
    );
    assert.equal(
      value((await store.getRun(runs[0]!.id))!.tags, 'mlflow.source.name'),
      'reco serve (retrain)',
    );
  } finally {
    await store.close();
  }
});
