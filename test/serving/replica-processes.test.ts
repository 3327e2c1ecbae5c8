/**
 * Real `reco serve` replicas over one PostgreSQL schema (issue #16), each connected through a TCP relay so
 * that the database can be cut off from them while it keeps serving the other tests. An event posted to one
 * replica is in its next answer and soon in the other's; a replica killed while four senders post loses
 * nothing acknowledged and catches up when restarted; with the database cut off, answers go on from
 * memory and writes answer 503; a training asked of one replica and done by `reco train-worker` is swapped
 * in by both. (Timings are the benchmark's: bench/replicas.ts.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openStore } from '../../src/store/open.js';
import { PG_URL, pgSkip } from '../helpers/pg.js';
import { type ServerProcess, startServer } from '../helpers/server.js';
import { pgBackend } from '../helpers/store-backends.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { ADMIN_KEY, CLIENT_KEY, ITEMS, KEYS, seedEvents, TEST_MODELS, trainBundle } from './helpers.js';

const skip = await pgSkip('the replica process tests');
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function call(
  url: string,
  path: string,
  init: { method?: string; body?: unknown; admin?: boolean } = {},
) {
  const r = await fetch(`${url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${init.admin ? ADMIN_KEY : CLIENT_KEY}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** The item ids a replica recommends to `user` (popularity, seen items left out). */
async function shown(url: string, user: string): Promise<string[]> {
  const r = await call(url, `/v1/users/${user}/recommendations?k=50&strategy=popularity`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body['items'] as { id: string }[]).map((x) => x.id);
}

async function health(url: string) {
  return (await call(url, '/health', { admin: true })).body as {
    ready: boolean;
    model: { version: string } | null;
    log: { applied: number; head: number; lag: number; caughtUp: boolean; error: string | null };
  };
}

describe('reco serve replicas over PostgreSQL', { skip }, () => {
  const schemas = pgBackend();
  const dir = mkdtempSync(join(tmpdir(), 'reco-replica-processes-'));
  const modelsDir = join(dir, 'models');
  const proxy = new TcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432));
  const servers: ServerProcess[] = [];
  let direct: string;
  let relayed: string;
  let a: ServerProcess;
  let b: ServerProcess;

  const replica = async () => {
    const s = await startServer(relayed, KEYS, ['--models-dir', modelsDir, '--rank-threads', '0'], 120_000, {
      watch: true,
    });
    servers.push(s);
    return s;
  };

  before(async () => {
    direct = schemas.location();
    const store = await openStore(direct);
    await store.upsertItems(ITEMS);
    await store.insertEvents(seedEvents());
    await trainBundle(store, modelsDir, TEST_MODELS, '20260101-000000-000');
    await store.close();
    await proxy.start();
    const u = new URL(direct);
    u.port = String(proxy.port);
    relayed = u.toString();
    a = await replica();
    b = await replica();
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await proxy.close();
    await schemas.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test("an event posted to one replica is in its next answer, and in the other's", async () => {
    assert.ok((await shown(a.url, 'u1')).includes('i6'));
    const posted = await call(a.url, '/v1/events', {
      body: { user: 'u1', item: 'i6', type: 'rating', value: 5, timestamp: Date.UTC(2026, 1, 1) },
    });
    assert.ok(posted.status < 300, JSON.stringify(posted.body));
    assert.ok(!(await shown(a.url, 'u1')).includes('i6'), 'read your writes');
    await waitFor('replica B applies it', async () => !(await shown(b.url, 'u1')).includes('i6'));
    const h = await health(b.url);
    assert.equal(h.ready, true);
    assert.equal(h.log.caughtUp, true);
    assert.equal(h.log.error, null);
  });

  test('a replica killed while four senders post loses nothing acknowledged and catches up when restarted', async () => {
    const acked: { user: string; item: string; timestamp: number }[] = [];
    let killed = false;
    const sender = async (k: number) => {
      for (let n = 0; n < 25; n++) {
        const target = k % 2 === 0 ? a : b;
        const events = Array.from({ length: 40 }, (_, j) => ({
          user: `sender${k}-${n % 5}`,
          item: `i${1 + ((n + j) % 12)}`,
          type: 'click',
          timestamp: Date.UTC(2026, 2, 1) + k * 1e9 + n * 1000 + j,
        }));
        try {
          const r = await call(target.url, '/v1/events', { body: { events } });
          if (r.status < 300) acked.push(...events);
        } catch {
          // the killed replica's connection: not acknowledged
        }
        if (k === 0 && n === 8 && !killed) {
          killed = true;
          a.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(sender));
    assert.ok(killed);
    assert.ok(acked.length >= 2 * 25 * 40, `acknowledged ${acked.length}`);
    // every acknowledged event is stored exactly once
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    const schema = new URL(direct).searchParams.get('schema')!;
    const stored = await c.query<{ u: string; ts: string; n: number }>(
      `SELECT u.id AS u, e.ts::text AS ts, count(*)::int AS n FROM ${schema}.events e JOIN ${schema}.users u ON u.idx = e.user_idx WHERE u.id LIKE 'sender%' GROUP BY 1, 2`,
    );
    const last = await c.query<{ p: string }>(`SELECT max(id)::text AS p FROM ${schema}.events`);
    await c.end();
    const count = new Map(stored.rows.map((r) => [`${r.u}@${r.ts}`, r.n]));
    for (const e of acked) assert.equal(count.get(`${e.user}@${e.timestamp}`), 1, `${e.user}@${e.timestamp}`);
    const end = Number(last.rows[0]!.p);
    await waitFor(
      'the surviving replica applies every stored event',
      async () => (await health(b.url)).log.applied === end,
    );
    a = await replica();
    const h = await health(a.url);
    assert.equal(h.ready, true);
    assert.equal(h.log.applied, end, 'the restarted replica caught up before it listened');
    for (const user of ['sender0-1', 'sender1-1', 'sender3-4'])
      assert.deepEqual(await shown(a.url, user), await shown(b.url, user), user);
  });

  test('with the database cut off, answers go on from memory, writes answer 503, and both recover', async () => {
    await proxy.cut();
    try {
      for (const s of [a, b]) {
        assert.equal((await call(s.url, '/v1/users/u2/recommendations?k=3')).status, 200);
        const w = await call(s.url, '/v1/events', {
          body: { user: 'u2', item: 'i9', type: 'click', timestamp: Date.UTC(2026, 3, 1) },
        });
        assert.equal(w.status, 503, JSON.stringify(w.body));
        assert.match(String(w.body['message'] ?? w.body['error']), /cannot be reached/);
      }
    } finally {
      await proxy.restore();
    }
    await waitFor('writes work again', async () => {
      const w = await call(b.url, '/v1/events', {
        body: { user: 'u2', item: 'i9', type: 'click', timestamp: Date.UTC(2026, 3, 2) },
      });
      return w.status < 300;
    });
    assert.ok(!(await shown(b.url, 'u2')).includes('i9'));
    await waitFor(
      'A applies what B stored after the outage',
      async () => !(await shown(a.url, 'u2')).includes('i9'),
    );
  });

  test('after all of the above, both replicas answer every user identically', async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    const schema = new URL(direct).searchParams.get('schema')!;
    const users = (await c.query<{ id: string }>(`SELECT id FROM ${schema}.users ORDER BY idx`)).rows.map(
      (r) => r.id,
    );
    const end = Number(
      (await c.query<{ p: string }>(`SELECT max(id)::text AS p FROM ${schema}.events`)).rows[0]!.p,
    );
    await c.end();
    for (const s of [a, b]) await waitFor('caught up', async () => (await health(s.url)).log.applied === end);
    assert.ok(users.length > 20, `${users.length} users`);
    let compared = 0;
    for (const user of users)
      for (const strategy of ['popularity', ...TEST_MODELS]) {
        const path = `/v1/users/${encodeURIComponent(user)}/recommendations?k=10&strategy=${strategy}`;
        const [x, y] = await Promise.all([a, b].map((s) => call(s.url, path)));
        assert.equal(x!.status, 200);
        assert.deepEqual(y, x, `${user} ${strategy}`);
        compared++;
      }
    assert.equal(compared, users.length * (TEST_MODELS.length + 1));
  });

  test('a training asked of one replica and done by reco train-worker is swapped in by both', async () => {
    const before = (await health(a.url)).model!.version;
    const asked = await call(a.url, '/v1/models/retrain', { method: 'POST', admin: true });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    assert.equal((asked.body['status'] as { state: string }).state, 'queued');
    const worker = spawn(
      process.execPath,
      [CLI, '--db', direct, '-q', 'train-worker', '--once', '--models-dir', modelsDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    worker.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    // events acknowledged while it trains are in the new bundle's answers (replayed at the swap)
    const during = await call(b.url, '/v1/events', {
      body: { user: 'u3', item: 'i12', type: 'rating', value: 5, timestamp: Date.UTC(2026, 4, 1) },
    });
    assert.ok(during.status < 300);
    const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
    assert.equal(code, 0, out);
    let version = '';
    for (const s of [a, b])
      await waitFor('both replicas serve the new bundle', async () => {
        version = (await health(s.url)).model?.version ?? '';
        return version !== before;
      });
    assert.equal((await health(a.url)).model!.version, (await health(b.url)).model!.version);
    for (const s of [a, b]) assert.ok(!(await shown(s.url, 'u3')).includes('i12'));
    const status = await call(b.url, '/v1/models', { admin: true });
    await waitFor('the status says done', async () => {
      const r = await call(b.url, '/v1/models', { admin: true });
      return (r.body['retrain'] as { state: string }).state === 'done';
    });
    assert.equal(status.status, 200);
  });
});
