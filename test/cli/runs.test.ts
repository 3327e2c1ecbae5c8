import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readYamlMapping } from '../../src/tracking/pyyaml.js';
import type { Comparison } from '../../src/tracking/run-report.js';
import { reco, tempDir } from '../helpers/cli.js';

const dir = tempDir('reco-runs-cli-');
const db = join(dir, 'r.db');
const run = (...args: string[]) => {
  const r = reco('--db', db, '-q', ...args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
};
const json = <T>(...args: string[]) => JSON.parse(run(...args, '--json')) as T;

interface Info {
  id: string;
  name: string;
  kind: string;
  status: string;
  error?: string;
}
interface Shown extends Info {
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  metrics: { key: string; value: number; step: number }[];
  artifacts: { path: string; bytes: number }[];
  curves: { key: string; values: { step: number; value: number }[] }[];
}

const train = (name: string, factors: number) =>
  run(
    'train',
    '--models',
    'popularity,als',
    '--params',
    JSON.stringify({ als: { factors, iterations: 3, threads: 1 } }),
    '--evaluate',
    '--k',
    '5',
    '--run-name',
    name,
    // the defaults kept (tuning could choose other ALS parameters for 3 and 6 factors)
    '--no-tune',
  );

before(() => {
  run('simulate', '--users', '60', '--items', '40', '--events', '1500', '--seed', '3');
  train('small', 3);
  train('large', 6);
});

test('reco train records a run per training; runs compare shows the one parameter that differs', () => {
  const runs = json<Info[]>('runs', 'list', '--kind', 'train');
  assert.deepEqual(
    runs.map((r) => [r.name, r.kind, r.status]),
    [
      ['large', 'train', 'FINISHED'],
      ['small', 'train', 'FINISHED'],
    ],
  );
  const [large, small] = runs as [Info, Info];
  const c = json<Comparison>('runs', 'compare', small.id, large.id.slice(0, 6));
  assert.deepEqual(
    c.params,
    [{ key: 'als.factors', values: ['3', '6'] }],
    'same data, world, split, other params',
  );
  const ndcg = c.metrics.find((m) => m.key === 'als.ndcg_at_5')!;
  assert.equal(ndcg.values.length, 2);
  assert.ok(ndcg.values.every((v) => typeof v === 'number' && v >= 0 && v <= 1));
  const popularity = c.metrics.find((m) => m.key === 'popularity.ndcg_at_5')!.values;
  assert.equal(popularity[0], popularity[1], 'popularity does not depend on ALS factors');
  const text = run('runs', 'compare', small.id, large.id);
  assert.match(text, /parameters that differ:\nparam\s+\S+\s+\S+\nals\.factors\s+3\s+6\n\n/);
  assert.match(text, /^als\.ndcg_at_5\s+[0-9.]+\s+[0-9.]+$/m);

  const shown = json<Shown>('runs', 'show', large.id);
  assert.deepEqual(
    shown.curves.map((c) => [c.key, c.values.map((v) => v.step)]),
    [['als.loss', [1, 2, 3]]],
  );
  assert.deepEqual(
    shown.artifacts.map((a) => a.path),
    ['bundle.json', 'evaluation.json'],
  );
  const text2 = run('runs', 'show', large.id.slice(0, 8));
  assert.match(text2, new RegExp(`^run ${large.id}: large$`, 'm'));
  assert.match(text2, /^als\.loss\s+[0-9.]+\s+3\s+3 values, steps 1\.\.3$/m);
});

test('reco evaluate records an evaluate run with the table as metrics and the report as artifact', () => {
  const out = join(dir, 'eval.json');
  run('evaluate', '--models', 'popularity', '--k', '5', '--json', out, '--run-name', 'ev');
  const [ev] = json<Info[]>('runs', 'list', '--kind', 'evaluate');
  assert.equal(ev!.name, 'ev');
  const shown = json<Shown>('runs', 'show', ev!.id);
  const result = JSON.parse(readFileSync(out, 'utf8')) as {
    rows: { model: string; ndcg: number; auc: number }[];
  };
  const pop = result.rows.find((r) => r.model === 'popularity')!;
  const metric = (key: string) => shown.metrics.find((m) => m.key === key)?.value;
  assert.equal(metric('popularity.ndcg_at_5'), pop.ndcg);
  assert.equal(metric('popularity.auc'), pop.auc);
  assert.ok(metric('oracle.ndcg_at_5')! > 0, 'the oracle row of a simulated world');
  assert.equal(shown.params.find((p) => p.key === 'split.seed')?.value, '42');
  assert.equal(shown.params.find((p) => p.key === 'world.seed')?.value, '3');
});

test('a failing training is listed FAILED with its error; bad references and names are clear errors', () => {
  const bad = reco('--db', db, '-q', 'train', '--models', 'als', '--params', '{"als":{"factors":0}}');
  assert.notEqual(bad.code, 0);
  const [last] = json<Info[]>('runs', 'list', '--limit', '1');
  assert.equal(last!.status, 'FAILED');
  assert.match(last!.error!, /factors/);
  assert.match(bad.stderr, /factors/);

  const missing = reco('--db', db, 'runs', 'show', 'ffffffff');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no run "ffffffff"/);
  assert.equal(reco('--db', db, 'runs', 'list', '--kind', 'nap').code, 2);
  const name = reco('--db', db, 'train', '--run-name', 'two\nlines');
  assert.equal(name.code, 2);
  assert.match(name.stderr, /--run-name must be one line/);
  assert.equal(reco('--db', db, 'runs', 'compare', last!.id).code, 2, 'one run is no comparison');
});

test('runs export writes an MLflow file store; exporting again rewrites the runs in the same experiment', () => {
  const mlruns = join(dir, 'mlruns');
  const runs = json<Info[]>('runs', 'list', '--kind', 'train');
  run('runs', 'export', '--mlruns', mlruns, '--kind', 'train');
  run('runs', 'export', '--mlruns', mlruns, '--kind', 'train');
  const experiments = readdirSync(mlruns).filter((d) => d !== '.trash');
  assert.equal(experiments.length, 2, 'Default and reco, once');
  const meta = (path: string) => readYamlMapping(readFileSync(join(mlruns, path, 'meta.yaml'), 'utf8'));
  assert.equal(meta('0').get('name'), 'Default');
  const id = experiments.find((e) => e !== '0')!;
  assert.match(id, /^[1-9][0-9]{17}$/, "MLflow 2's experiment ids");
  assert.equal(meta(id).get('name'), 'reco');
  const finished = runs.filter((r) => r.status === 'FINISHED');
  assert.equal(finished.length, 2);
  assert.equal(meta(join(id, runs.find((r) => r.status === 'FAILED')!.id)).get('status'), 4);
  for (const r of finished) {
    const m = meta(join(id, r.id));
    assert.equal(m.get('run_name'), r.name);
    assert.equal(m.get('status'), 3);
    assert.equal(m.get('experiment_id'), id);
    assert.equal(readFileSync(join(mlruns, id, r.id, 'params', 'als.iterations'), 'utf8'), '3');
    assert.equal(readFileSync(join(mlruns, id, r.id, 'tags', 'mlflow.runName'), 'utf8'), r.name);
    const loss = readFileSync(join(mlruns, id, r.id, 'metrics', 'als.loss'), 'utf8');
    assert.match(
      loss,
      /^(\d{13} \d+\.\d+ [123]\n){3}$/,
      'one line per sweep, not doubled by the second export',
    );
    assert.ok(existsSync(join(mlruns, id, r.id, 'artifacts', 'evaluation.json')));
  }
  const bad = reco('--db', db, 'runs', 'export', '--mlruns', mlruns, '--mlflow-format', '3');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--mlflow-format must be 1 or 2/);
});
