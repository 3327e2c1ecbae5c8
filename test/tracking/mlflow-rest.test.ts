/**
 * Runs logged to an MLflow tracking server: a node:http server in the test plays MLflow, checks every
 * request against the REST API's documented shapes and limits (../shared/fixtures/mlflow/README.md), and
 * answers as MLflow does (or with errors, or not at all).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open.js';
import {
  LOG_BATCH_LIMITS,
  logBatchChunks,
  mirrorFromEnv,
  mlflowMirror,
} from '../../src/tracking/mlflow-rest.js';
import { RunRecorder } from '../../src/tracking/run-recorder.js';
import { tempDir } from '../helpers/cli.js';
import { simulatedStore, trainSmall } from '../helpers/world.js';

const dir = tempDir('reco-mlflow-rest-');
const KEY = /^[/\w.\- ]{1,250}$/;

interface Received {
  method: string;
  endpoint: string;
  body: Record<string, unknown>;
}

/** An MLflow stand-in: records requests, and fails the test (400, and `problems`) on any bad shape. */
class FakeMlflow {
  readonly received: Received[] = [];
  readonly problems: string[] = [];
  readonly experiments = new Map<string, string>();
  /** Answer runs/log-batch with this status (200 by default). */
  logBatchStatus = 200;
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      void this.body(req).then((raw) => {
        const answer = this.handle(req, raw);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    after(() => this.server.close());
    return this;
  }

  private async body(req: IncomingMessage): Promise<string> {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    return Buffer.concat(parts).toString('utf8');
  }

  private check(ok: boolean, what: string): void {
    if (!ok) this.problems.push(what);
  }

  private entries(
    list: unknown,
    what: string,
    max: number,
    maxValue: number,
  ): { key: string; value: string }[] {
    this.check(Array.isArray(list), `${what} is a list`);
    const items = (Array.isArray(list) ? list : []) as { key: string; value: string }[];
    this.check(items.length <= max, `${what}: ${items.length} > ${max}`);
    for (const e of items)
      this.check(
        typeof e.key === 'string' &&
          KEY.test(e.key) &&
          typeof e.value === 'string' &&
          e.value.length <= maxValue,
        `${what}: bad entry ${JSON.stringify(e).slice(0, 100)}`,
      );
    return items;
  }

  private handle(req: IncomingMessage, raw: string): { status: number; body: unknown } {
    const url = new URL(req.url!, 'http://x');
    const prefix = '/api/2.0/mlflow/';
    const endpoint = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const body =
      req.method === 'GET'
        ? Object.fromEntries(url.searchParams)
        : (JSON.parse(raw) as Record<string, unknown>);
    this.received.push({ method: req.method!, endpoint, body });
    const problemsBefore = this.problems.length;
    if (req.method === 'POST')
      this.check(req.headers['content-type'] === 'application/json', `${endpoint}: JSON content type`);
    let answer: { status: number; body: unknown } = { status: 200, body: {} };
    switch (`${req.method} ${endpoint}`) {
      case 'GET experiments/get-by-name': {
        const id = this.experiments.get(String(body.experiment_name));
        answer = id
          ? { status: 200, body: { experiment: { experiment_id: id, name: body.experiment_name } } }
          : { status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such experiment' } };
        break;
      }
      case 'POST experiments/create': {
        this.check(
          typeof body.name === 'string' && body.name.length > 0 && body.name.length <= 500,
          'experiment name',
        );
        const id = String(100 + this.experiments.size);
        this.experiments.set(String(body.name), id);
        answer = { status: 200, body: { experiment_id: id } };
        break;
      }
      case 'POST runs/create':
        this.check(typeof body.experiment_id === 'string', 'runs/create: experiment_id string');
        this.check(typeof body.run_name === 'string', 'runs/create: run_name');
        this.check(Number.isInteger(body.start_time), 'runs/create: start_time ms');
        this.entries(body.tags, 'runs/create tags', 100, 5000);
        answer = {
          status: 200,
          body: { run: { info: { run_id: 'f'.repeat(32), status: 'RUNNING' }, data: {} } },
        };
        break;
      case 'POST runs/log-batch': {
        this.check(body.run_id === 'f'.repeat(32), 'log-batch: run_id');
        this.check(Buffer.byteLength(raw) <= LOG_BATCH_LIMITS.bytes, 'log-batch: body at most 1 MB');
        const params = body.params === undefined ? [] : this.entries(body.params, 'params', 100, 6000);
        const tags = body.tags === undefined ? [] : this.entries(body.tags, 'tags', 100, 5000);
        const metrics = (body.metrics ?? []) as {
          key: string;
          value: unknown;
          timestamp: number;
          step: number;
        }[];
        this.check(metrics.length <= 1000, `metrics: ${metrics.length} > 1000`);
        this.check(params.length + tags.length + metrics.length <= 1000, 'log-batch: 1000 items at most');
        this.check(params.length + tags.length + metrics.length > 0, 'log-batch: not empty');
        this.check(
          new Set(params.map((p) => p.key)).size === params.length,
          'log-batch: duplicate param keys',
        );
        for (const m of metrics)
          this.check(
            KEY.test(m.key) &&
              (typeof m.value === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(String(m.value))) &&
              Number.isInteger(m.timestamp) &&
              Number.isInteger(m.step),
            `metric ${JSON.stringify(m)}`,
          );
        if (this.logBatchStatus !== 200)
          answer = { status: this.logBatchStatus, body: { error_code: 'INTERNAL_ERROR', message: 'boom' } };
        break;
      }
      case 'POST runs/update':
        this.check(body.run_id === 'f'.repeat(32), 'runs/update: run_id');
        this.check(['FINISHED', 'FAILED', 'KILLED'].includes(String(body.status)), 'runs/update: status');
        this.check(Number.isInteger(body.end_time), 'runs/update: end_time');
        answer = { status: 200, body: { run_info: {} } };
        break;
      default:
        this.problems.push(`unexpected ${req.method} ${url.pathname}`);
    }
    return this.problems.length > problemsBefore
      ? { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: this.problems.at(-1) } }
      : answer;
  }

  sent(endpoint: string): Record<string, unknown>[] {
    return this.received.filter((r) => r.endpoint === endpoint).map((r) => r.body);
  }
}

const WORLD = { users: 40, items: 30, events: 1000, dim: 4, genres: 4, seed: 2 };

test('a training is logged to MLflow: experiment, run with its tags, every param and metric, its end', async () => {
  const mlflow = await new FakeMlflow().start();
  const store = await simulatedStore(join(dir, 'a.db'), WORLD);
  try {
    const warnings: string[] = [];
    const trained = await trainSmall(store, join(dir, 'models-a'), {
      mirror: mlflowMirror(mlflow.url, { experiment: 'recsys' }),
      warn: (l) => warnings.push(l),
    });
    assert.deepEqual(mlflow.problems, []);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      mlflow.received.slice(0, 3).map((r) => `${r.method} ${r.endpoint}`),
      ['GET experiments/get-by-name', 'POST experiments/create', 'POST runs/create'],
    );
    const local = (await store.getRun(trained.runId))!;
    const [create] = mlflow.sent('runs/create');
    assert.equal(create!.experiment_id, '100');
    assert.equal(create!.run_name, local.name);
    assert.equal(create!.start_time, local.startTime);
    const createTags = create!.tags as { key: string; value: string }[];
    assert.ok(createTags.some((t) => t.key === 'mlflow.runName' && t.value === local.name));
    assert.ok(createTags.some((t) => t.key === 'reco.run_id' && t.value === local.id));
    // every param and metric value reached the server, in logging order
    const batches = mlflow.sent('runs/log-batch');
    const params = batches.flatMap((b) => (b.params ?? []) as { key: string; value: string }[]);
    assert.deepEqual(params.map((p) => p.key).sort(), await local.params.map((p) => p.key));
    const metrics = batches.flatMap(
      (b) => (b.metrics ?? []) as { key: string; value: number; step: number }[],
    );
    const history = await store.metricHistory(local.id);
    assert.deepEqual(
      metrics.map((m) => [m.key, m.value, m.step]),
      history.map((m) => [m.key, m.value, m.step]),
    );
    const tags = [
      ...createTags,
      ...batches.flatMap((b) => (b.tags ?? []) as { key: string; value: string }[]),
    ];
    for (const t of await local.tags.filter((t) => t.key !== 'reco.mirror.run_id'))
      assert.ok(
        tags.some((x) => x.key === t.key && x.value === t.value),
        `tag ${t.key}`,
      );
    assert.deepEqual(mlflow.sent('runs/update'), [
      { run_id: 'f'.repeat(32), status: 'FINISHED', end_time: local.endTime },
    ]);
    assert.equal((await local.tags.find((t) => t.key === 'reco.mirror.run_id'))?.value, 'f'.repeat(32));
  } finally {
    await store.close();
  }
});

test('2,500 metrics go in chunks within the limits, in order', async () => {
  const mlflow = await new FakeMlflow().start();
  mlflow.experiments.set('reco', '7');
  const store = await openStore(join(dir, 'b.db'));
  try {
    const run = await RunRecorder.start(store, { kind: 'evaluate', mirror: mlflowMirror(mlflow.url) });
    for (let i = 0; i < 150; i++) run.param(`p${i}`, 'x'.repeat(i === 0 ? 7000 : 3));
    for (let i = 0; i < 2500; i++) run.metric(`m${i % 7}`, i === 3 ? Number.NaN : i / 3, i);
    for (let i = 0; i < 120; i++) run.tag(`t${i}`, String(i));
    await run.flush();
    await run.end('FINISHED');
    assert.deepEqual(mlflow.problems, []);
    assert.equal(mlflow.sent('experiments/create').length, 0, 'the existing experiment is used');
    assert.equal(mlflow.sent('runs/create')[0]!.experiment_id, '7');
    const batches = mlflow.sent('runs/log-batch');
    const all = (kind: string) =>
      batches.flatMap((b) => (b[kind] ?? []) as { key: string; value: unknown; step: number }[]);
    assert.equal(all('params').length, 150);
    assert.equal((all('params')[0]!.value as string).length, 6000, 'cut to the server limit');
    assert.equal(all('tags').length, 120);
    const metrics = all('metrics');
    assert.deepEqual(
      metrics.map((m) => m.step),
      Array.from({ length: 2500 }, (_, i) => i),
    );
    assert.equal(metrics[3]!.value, 'NaN');
    // 150 params and 120 tags need two requests; the 2,770 items need three at 1,000 each
    assert.equal(batches.length, 3);
    assert.deepEqual(
      logBatchChunks({ params: [], tags: [], metrics: await store.metricHistory(run.id) }).map(
        (b) => b.metrics!.length,
      ),
      [1000, 1000, 500],
    );
  } finally {
    await store.close();
  }
});

/** `reco ARGS` in a child process without blocking this one (the fake server answers meanwhile). */
function recoAsync(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { env: { ...process.env, RECO_DB: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a server answering 500 fails nothing: the training succeeds, one line on stderr, the run kept', async () => {
  const mlflow = await new FakeMlflow().start();
  mlflow.logBatchStatus = 500;
  const db = join(dir, 'c.db');
  await (await simulatedStore(db, WORLD)).close();
  const r = await recoAsync({}, '--db', db, '-q', 'train', '--models', 'popularity', '--mlflow', mlflow.url);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0]!,
    /^reco: mlflow: cannot log to the run: http:\/\/127\.0\.0\.1:\d+: POST runs\/log-batch answered 500 INTERNAL_ERROR: boom; run [0-9a-f]{32} is kept in the store only/,
  );
  assert.equal(mlflow.sent('runs/log-batch').length, 1, 'no more requests once it failed');
  assert.equal(mlflow.sent('runs/update').length, 0);
  const after = await openStore(db);
  try {
    const [run] = await after.listRuns();
    assert.equal(run!.status, 'FINISHED');
    assert.ok(await (await after.getRun(run!.id))!.metrics.some((m) => m.key === 'popularity.fit_seconds'));
  } finally {
    await after.close();
  }
});

test('a server that is down, or an MLFLOW_TRACKING_URI that is no server, is one warning', async () => {
  const closed = await new FakeMlflow().start();
  const url = closed.url;
  await new Promise<void>((resolve) =>
    (closed as unknown as { server: Server }).server.close(() => resolve()),
  );
  const db = join(dir, 'd.db');
  await (await simulatedStore(db, WORLD)).close();
  const r = await recoAsync(
    { MLFLOW_TRACKING_URI: url },
    '--db',
    db,
    '-q',
    'evaluate',
    '--models',
    'popularity',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /^reco: mlflow: cannot create the run: http:\/\/127\.0\.0\.1:\d+: GET experiments\/get-by-name: .*ECONNREFUSED/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1);

  const warnings: string[] = [];
  const s = await openStore(join(dir, 'e.db'));
  try {
    const run = await RunRecorder.start(s, {
      kind: 'train',
      mirror: mirrorFromEnv({ MLFLOW_TRACKING_URI: 'file:./mlruns' }) ?? null,
      warn: (l) => warnings.push(l),
    });
    await run.end('FINISHED');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /file:\.\/mlruns is not an http\(s\) MLflow tracking server/);
    assert.equal((await s.getRun(run.id))!.status, 'FINISHED');
  } finally {
    await s.close();
  }
  const usage = await recoAsync({}, '--db', db, 'train', '--mlflow', 'file:./mlruns');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--mlflow must be an http\(s\) URL/);
});
