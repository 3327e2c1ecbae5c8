/**
 * Replicas benchmark (issue #16): two real `reco serve` processes over one PostgreSQL schema.
 *   node dist/bench/replicas.js [--pg URL] [--models LIST] [--trials N] [--duration S] [--skip PHASES]
 * Over the MovieLens-sized simulated world (seed 1) put into a new schema of the test database (dropped at
 * the end) and trained there (--models, default popularity,itemknn,ease,als, no tuning), it measures:
 *   propagation: an event posted to replica A, until replica B's next answer leaves the item out (seen),
 *                p50 / p99 idle (target <= 15 / 50 ms), and p99 under 500 requests/s plus 50 events/s
 *                (target <= 100 ms);
 *   ingestion:   1,000-event batches posted by 8 connections to both replicas (target >= 50,000 events/s);
 *   catch-up:    replica A killed (SIGKILL) and restarted: from spawn to ready with nothing missed, then
 *                killed again, 100,000 events posted to B and restarted: the difference is the backlog's
 *                cost (target <= 2 s; after the hot swap, so that the bundle is recent);
 *   hot swap:    POST /v1/models/retrain on A, `reco train-worker --once`: from the worker's end until both
 *                replicas serve the new bundle (target <= 3 s);
 *   outage:      with --outage only (it stops the machine's PostgreSQL with pg_ctlcluster, and starts it):
 *                reads answered from memory, writes refused with 503, both recovering;
 *   convergence: 100,000 events, 1,000 new users and 200 new items sent interleaved to both replicas, then
 *                every user's answers (each model) compared between A and B, and with one SQLite server
 *                fed the log in its order (byte-identical).
 * The machine's load average is printed with each figure (other work on the machine colours them).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { ADMIN_KEY, arg, CLI, KEY } from './serve-world.js';

const PG = arg('pg') ?? process.env['RECO_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const MODELS = arg('models') ?? 'popularity,itemknn,ease,als';
const TRIALS = Number(arg('trials') ?? 200);
const DURATION = Number(arg('duration') ?? 10);
const SKIP = new Set((arg('skip') ?? '').split(','));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

interface Replica {
  child: ChildProcess;
  url: string;
}

function reco(args: string[], what: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.signal})`);
  return (performance.now() - t0) / 1000;
}

function startReplica(db: string, modelsDir: string): Promise<Replica> {
  // REPLICA_NODE_ARGS: node options for the replicas only (e.g. --cpu-prof)
  const nodeArgs = (process.env['REPLICA_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      CLI,
      '--db',
      db,
      'serve',
      '--port',
      '0',
      '--rate-limit',
      '0',
      '--models-dir',
      modelsDir,
      '--rank-threads',
      '0',
    ],
    {
      env: { ...process.env, RECO_API_KEYS: `client:${KEY},admin:${ADMIN_KEY}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving .* on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`replica ended (${code}): ${out}`)));
  });
}

async function stop(r: Replica): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGTERM');
  await new Promise((resolve) => r.child.once('exit', resolve));
}

async function call(
  url: string,
  path: string,
  body?: unknown,
  admin = false,
): Promise<Record<string, unknown>> {
  const r = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'x-api-key': admin ? ADMIN_KEY : KEY,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function shown(url: string, user: string): Promise<string[]> {
  const a = await call(url, `/v1/users/${encodeURIComponent(user)}/recommendations?k=20&strategy=popularity`);
  return (a['items'] as { id: string }[]).map((x) => x.id);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

/** The last timestamp given: 30 days back at the start (the server refuses times ahead of its clock). */
let clock = Date.now() - 30 * 86_400_000;
/** A fresh timestamp, a second after the last. */
const now = () => (clock += 1000);

/** One propagation trial: ms from A's acknowledgement until B's answer leaves the item out. */
async function propagation(a: Replica, b: Replica, user: string): Promise<number> {
  const items = await shown(b.url, user);
  const item = items[items.length - 1]!;
  await call(a.url, '/v1/events', { user, item, type: 'click', timestamp: now() });
  const t0 = performance.now();
  for (;;) {
    if (!(await shown(b.url, user)).includes(item)) return performance.now() - t0;
    if (performance.now() - t0 > 10_000) throw new Error(`event for ${user} not on B within 10 s`);
  }
}

async function propagationTrials(a: Replica, b: Replica, users: string[], n: number): Promise<number[]> {
  const out: number[] = [];
  for (let t = 0; t < n; t++)
    out.push(await propagation(t % 2 ? b : a, t % 2 ? a : b, users[(t * 7919) % users.length]!));
  return out;
}

function eventBatch(users: string[], items: string[], n: number, seed: number): unknown[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return {
      user: users[s % users.length]!,
      item: items[(s >>> 8) % items.length]!,
      type: 'click',
      timestamp: now(),
    };
  });
}

async function main() {
  console.log(`replicas benchmark (load average ${load()})`);
  const dir = mkdtempSync(join(tmpdir(), 'reco-bench-replicas-'));
  const schema = `bench_replicas_${randomBytes(4).toString('hex')}`;
  const db = `${PG}${PG.includes('?') ? '&' : '?'}schema=${schema}`;
  const modelsDir = join(dir, 'models');
  const replicas: Replica[] = [];
  try {
    console.log(
      `  world: simulate movielens preset into PostgreSQL ${reco(['--db', db, '-q', 'simulate', '--preset', 'movielens', '--seed', '1'], 'simulate').toFixed(1)} s, train ${MODELS} ${reco(['--db', db, '-q', 'train', '--no-tune', '--models', MODELS, '--models-dir', modelsDir], 'train').toFixed(1)} s`,
    );
    const simulated = await lastPosition(schema);
    let a = await startReplica(db, modelsDir);
    const b = await startReplica(db, modelsDir);
    replicas.push(a, b);
    const users = Array.from({ length: 943 }, (_, u) => `u${u + 1}`);
    const items = Array.from({ length: 1682 }, (_, i) => `i${i + 1}`);

    if (!SKIP.has('propagation')) {
      await propagationTrials(a, b, users, 20); // warm-up
      const idle = await propagationTrials(a, b, users, TRIALS);
      console.log(
        `  propagation idle (${TRIALS} trials): p50 ${quantile(idle, 0.5).toFixed(1)} ms (target <= 15), p99 ${quantile(idle, 0.99).toFixed(1)} ms (target <= 50), max ${Math.max(...idle).toFixed(1)} ms; load ${load()}`,
      );
      // 500 requests/s across both replicas, 50 events/s, and propagation trials meanwhile
      const reqs = (seed: number) =>
        Array.from({ length: 500 }, (_, k) => ({
          method: 'GET' as const,
          path: `/v1/users/u${((seed + k * 7919) % 943) + 1}/recommendations?k=10`,
        }));
      const loaders = [a, b].map((r, k) =>
        autocannon({
          url: r.url,
          connections: 8,
          overallRate: 250,
          duration: DURATION,
          requests: reqs(k),
          headers: { 'x-api-key': KEY },
        }),
      );
      // 50 events a second, open loop: each sent when due, whatever the answers before it
      let posting = true;
      const poster = (async () => {
        const sent: Promise<unknown>[] = [];
        const start = performance.now();
        while (posting) {
          const due = Math.floor((performance.now() - start) / 20);
          while (sent.length <= due) {
            const k = sent.length;
            sent.push(call(k % 2 ? a.url : b.url, '/v1/events', { events: eventBatch(users, items, 1, k) }));
          }
          await new Promise((r) => setTimeout(r, 5));
        }
        await Promise.all(sent);
        return sent.length;
      })();
      const trials: number[] = [];
      const end = performance.now() + (DURATION - 1) * 1000;
      let t = 0;
      while (performance.now() < end) {
        trials.push(await propagation(t % 2 ? b : a, t % 2 ? a : b, users[(t++ * 104729) % users.length]!));
        await new Promise((r) => setTimeout(r, 20));
      }
      const results = await Promise.all(loaders);
      posting = false;
      const posted = await poster;
      const rps = results.reduce((s, r) => s + r.requests.average, 0);
      const p99s = results.map((r) => r.latency.p99);
      console.log(
        `  propagation under load (${trials.length} trials; ${rps.toFixed(0)} requests/s answered, p99 ${p99s.join('/')} ms; ${(posted / DURATION).toFixed(0)} events/s): p50 ${quantile(trials, 0.5).toFixed(1)} ms, p99 ${quantile(trials, 0.99).toFixed(1)} ms (target <= 100); load ${load()}`,
      );
    }

    if (!SKIP.has('ingestion')) {
      const batches = Array.from({ length: 16 }, (_, k) =>
        JSON.stringify({ events: eventBatch(users, items, 1000, 1000 + k) }),
      );
      const runs = [a, b].map((r) =>
        autocannon({
          url: r.url,
          connections: 4,
          duration: DURATION,
          requests: batches.map((body) => ({ method: 'POST' as const, path: '/v1/events', body })),
          headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        }),
      );
      const res = await Promise.all(runs);
      const ok = res.reduce((s, r) => s + r['2xx'], 0);
      const bad = res.reduce((s, r) => s + r.non2xx + r.errors, 0);
      console.log(
        `  ingestion, 1,000-event batches to both replicas: ${((ok * 1000) / DURATION).toFixed(0)} events/s (target >= 50,000; ${bad} failed), p99 ${res.map((r) => r.latency.p99).join('/')} ms a batch; load ${load()}`,
      );
    }

    if (!SKIP.has('swap')) {
      const before = ((await call(a.url, '/health', undefined, true)) as { model: { version: string } }).model
        .version;
      await call(a.url, '/v1/models/retrain', {}, true);
      const t0 = performance.now();
      const seconds = reco(
        ['--db', db, '-q', 'train-worker', '--once', '--models-dir', modelsDir],
        'train-worker',
      );
      const ended = performance.now();
      const served = await Promise.all(
        [a, b].map(async (r) => {
          for (;;) {
            const h = (await call(r.url, '/health', undefined, true)) as { model: { version: string } };
            if (h.model.version !== before) return performance.now() - ended;
            await new Promise((res) => setTimeout(res, 20));
          }
        }),
      );
      console.log(
        `  hot swap: trained by reco train-worker in ${seconds.toFixed(1)} s (from the request ${((ended - t0) / 1000).toFixed(1)} s); both replicas serve it ${(served[0]! / 1000).toFixed(2)} / ${(served[1]! / 1000).toFixed(2)} s after the training's end (target <= 3); load ${load()}`,
      );
    }

    if (!SKIP.has('catchup')) {
      // after the swap: the bundle is recent, so a restart replays little but the backlog
      const restart = async (backlog: number) => {
        a.child.kill('SIGKILL');
        await new Promise((r) => a.child.once('exit', r));
        for (let k = 0; k < backlog / 1000; k++)
          await call(b.url, '/v1/events', { events: eventBatch(users, items, 1000, 5000 + k) });
        const s0 = performance.now();
        a = await startReplica(db, modelsDir);
        replicas[0] = a;
        return (performance.now() - s0) / 1000;
      };
      const none = await restart(0);
      const backlog = await restart(100_000);
      const h = (await call(a.url, '/health', undefined, true)) as { log: { applied: number } };
      const hb = (await call(b.url, '/health', undefined, true)) as { log: { applied: number } };
      console.log(
        `  catch-up: A killed and restarted, ready in ${none.toFixed(2)} s with nothing missed; killed again, 100,000 events posted to B, restarted and ready in ${backlog.toFixed(2)} s: the backlog cost ${(backlog - none).toFixed(2)} s (target <= 2); applied ${h.log.applied} of B's ${hb.log.applied}; load ${load()}`,
      );
    }

    if (!SKIP.has('convergence')) await convergence(a, b, dir, modelsDir, schema, simulated);
    if (process.argv.includes('--outage')) await outage(a, b, users, items);
  } finally {
    for (const r of replicas) await stop(r);
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The machine's PostgreSQL cluster stopped or started (its documented commands). */
function cluster(action: 'stop' | 'start'): void {
  const version = readdirSync('/etc/postgresql')[0]!;
  const r = spawnSync(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', version, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error(`pg_ctlcluster ${action} failed (${r.status})`);
}

/**
 * With --outage only (it stops the machine's PostgreSQL): the database stopped under both replicas, reads
 * answered from memory, writes refused with 503; started again, both take writes and converge.
 */
async function outage(a: Replica, b: Replica, users: string[], items: string[]) {
  const t0 = performance.now();
  cluster('stop');
  let reads = 0;
  let readFaults = 0;
  const refused: string[] = [];
  try {
    for (let k = 0; k < 100; k++) {
      const r = k % 2 ? a : b;
      const res = await fetch(`${r.url}/v1/users/${users[k]}/recommendations?k=10`, {
        headers: { 'x-api-key': KEY },
      });
      if (res.status === 200) reads++;
      else readFaults++;
      await res.arrayBuffer();
    }
    for (const r of [a, b]) {
      const res = await fetch(`${r.url}/v1/events`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ events: eventBatch(users, items, 10, 77) }),
      });
      const body = (await res.json()) as { message?: string };
      refused.push(`${res.status} "${body.message ?? ''}"`);
    }
  } finally {
    cluster('start');
  }
  const down = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  let recovered = 0;
  for (const r of [a, b])
    for (;;) {
      const res = await fetch(`${r.url}/v1/events`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ user: users[0], item: items[0], type: 'click', timestamp: now() }),
      });
      await res.arrayBuffer();
      if (res.status < 300) break;
      if (performance.now() - t1 > 30_000)
        throw new Error('writes not accepted 30 s after PostgreSQL started');
      await new Promise((res2) => setTimeout(res2, 100));
    }
  recovered = (performance.now() - t1) / 1000;
  // both clear their log fault and reach the same position
  for (;;) {
    const [ha, hb] = (await Promise.all([a, b].map((r) => call(r.url, '/health', undefined, true)))) as {
      log: { applied: number; error: string | null };
    }[];
    if (ha!.log.applied === hb!.log.applied && ha!.log.error === null && hb!.log.error === null) break;
    await new Promise((res2) => setTimeout(res2, 20));
  }
  const caught = (performance.now() - t1) / 1000;
  console.log(
    `  outage: PostgreSQL stopped ${down.toFixed(1)} s: ${reads} of ${reads + readFaults} reads answered; writes answered ${refused.join(' / ')}; after the start, writes accepted within ${recovered.toFixed(1)} s on both, both at the same log position with no log fault ${caught.toFixed(1)} s after it; load ${load()}`,
  );
}

async function lastPosition(schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    return Number(
      (await c.query<{ p: string }>(`SELECT max(id)::text AS p FROM ${schema}.events`)).rows[0]!.p,
    );
  } finally {
    await c.end();
  }
}

/**
 * 100,000 events, 1,000 new users and 200 new items sent interleaved by 4 senders to both replicas; then
 * every user's answers from A, B and a SQLite server given the same world (simulated with the same seed),
 * fed every event stored after it in PostgreSQL's order with the first bundle, then swapped to the
 * replicas' bundle (which replays the events after its training).
 */
async function convergence(
  a: Replica,
  b: Replica,
  dir: string,
  modelsDir: string,
  schema: string,
  startPosition: number,
) {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  const single = join(dir, 'single.db');
  reco(['--db', single, '-q', 'simulate', '--preset', 'movielens', '--seed', '1'], 'simulate (SQLite)');
  const users = Array.from({ length: 943 }, (_, u) => `u${u + 1}`);
  const items = Array.from({ length: 1682 }, (_, i) => `i${i + 1}`);
  const t0 = performance.now();
  const sender = async (k: number) => {
    for (let n = 0; n < 250; n++) {
      const to = (k + n) % 2 ? a : b;
      if (n % 5 === 0 && n / 5 < 50) {
        const id = `bench-item-${k}-${n / 5}`;
        await call(
          to.url,
          '/v1/items',
          { items: [{ id, title: `Bench ${k} ${n / 5}`, genres: ['Drama'] }] },
          true,
        );
        items.push(id);
      }
      const events = [
        { user: `bench-user-${k}-${n}`, item: items[n % items.length]!, type: 'click', timestamp: now() },
        ...eventBatch(users, items, 99, k * 100_000 + n),
      ];
      await call(to.url, '/v1/events', { events });
    }
  };
  await Promise.all([0, 1, 2, 3].map(sender));
  const sent = (performance.now() - t0) / 1000;
  const end = await lastPosition(schema);
  for (const r of [a, b])
    for (;;) {
      const h = (await call(r.url, '/health', undefined, true)) as { log: { applied: number } };
      if (h.log.applied >= end) break;
      await new Promise((res) => setTimeout(res, 20));
    }
  await new Promise((res) => setTimeout(res, 500)); // item notices
  // the log after the start, in its order, and the new items in their order, to the SQLite server
  const newItems = await c.query<{ id: string; title: string; genres: string }>(
    `SELECT id, title, genres FROM ${schema}.items WHERE id LIKE 'bench-item-%' ORDER BY idx`,
  );
  const log = await c.query<{ u: string; i: string; t: string; v: number; ts: string }>(
    `SELECT u.id AS u, i.id AS i, t.name AS t, e.value AS v, e.ts::text AS ts FROM ${schema}.events e
     JOIN ${schema}.users u ON u.idx = e.user_idx JOIN ${schema}.items i ON i.idx = e.item_idx
     JOIN ${schema}.event_types t ON t.code = e.type WHERE e.id > $1 ORDER BY e.id`,
    [startPosition],
  );
  const allUsers = (await c.query<{ id: string }>(`SELECT id FROM ${schema}.users ORDER BY idx`)).rows.map(
    (r) => r.id,
  );
  await c.end();
  const singleModels = join(dir, 'models-single');
  cpSync(modelsDir, singleModels, { recursive: true });
  const versions = readdirSync(singleModels)
    .filter((v) => /^\d{8}-/.test(v))
    .sort();
  writeFileSync(join(singleModels, 'current'), `${versions[0]}\n`);
  const one = await startReplica(single, singleModels);
  try {
    await call(
      one.url,
      '/v1/items',
      {
        items: newItems.rows.map((r) => ({
          id: r.id,
          title: r.title,
          genres: JSON.parse(r.genres) as string[],
        })),
      },
      true,
    );
    for (let k = 0; k < log.rows.length; k += 1000)
      await call(one.url, '/v1/events', {
        events: log.rows
          .slice(k, k + 1000)
          .map((r) => ({ user: r.u, item: r.i, type: r.t, value: r.v, timestamp: Number(r.ts) })),
      });
    await call(one.url, '/v1/models/reload', { version: versions[versions.length - 1] }, true);
    let same = 0;
    let differ = 0;
    let differSingle = 0;
    // the web app's first admin (an account's user, made by each server on its own store) aside
    const compared = allUsers.filter((u) => !u.startsWith('acct-'));
    for (const user of compared)
      for (const strategy of MODELS.split(',')) {
        const path = `/v1/users/${encodeURIComponent(user)}/recommendations?k=10&strategy=${strategy}`;
        const [x, y, z] = await Promise.all(
          [a, b, one].map((r) =>
            fetch(`${r.url}${path}`, { headers: { 'x-api-key': KEY } }).then((res) => res.text()),
          ),
        );
        if (x === y) same++;
        else differ++;
        if (x !== z && differSingle++ < 3)
          console.log(`    differs from the single server: ${path}\n      replica ${x}\n      single  ${z}`);
      }
    console.log(
      `  convergence: ${log.rows.length} events, ${allUsers.length - 943} new users, ${newItems.rows.length} new items sent interleaved by 4 senders in ${sent.toFixed(1)} s; answers of ${compared.length} users x ${MODELS.split(',').length} models: A = B for ${same}, different ${differ}; A != single SQLite server for ${differSingle} (target: 0 and 0)`,
    );
  } finally {
    await stop(one);
  }
}

await main();
