/**
 * `reco loop --server`: the loop as a real client of a real `reco serve` child process on a tiny simulated
 * world. The takes it reports are events in the server's history (type click, at simulated times after
 * the world's last event), and the loop is recorded as a tracked run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createModel } from '../../src/models/factory.js';
import { openStore } from '../../src/store/open.js';
import { trainBundle } from '../../src/training/train-bundle.js';
import { reco, tempDir } from '../helpers/cli.js';
import { simulatedStore } from '../helpers/world.js';

const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.js');
const KEY = 'loop-test-client-key-0123456789';

interface LoopJson {
  start: number;
  end: number;
  takes: number;
  slates: number;
  variants: { name: string; users: number; takes: number; slates: number }[];
  run: string;
}

test('reco loop against a reco serve child: its takes are in the server history', async () => {
  const dir = tempDir('reco-loop-serve-');
  const db = join(dir, 'reco.db');
  const store = await simulatedStore(db, { users: 40, items: 60, events: 1500, dim: 8, genres: 6, seed: 4 });
  await trainBundle({
    store,
    modelsDir: join(dir, 'models'),
    models: ['popularity', 'itemknn'],
    create: createModel,
    params: { itemknn: { neighbours: 10 } },
    run: { mirror: null },
  });
  const before = (await store.counts()).events;
  await store.close();
  const child = spawn(
    process.execPath,
    [CLI, '--db', db, 'serve', '--port', '0', '--no-watch', '--rate-limit', '0', '--rank-threads', '0'],
    { env: { ...process.env, RECO_API_KEYS: `client:${KEY}` }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      // generous: a loaded machine starts a server slowly
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 120_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /on (http:\/\/[^\s]+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server ended early (${code}): ${out}`));
      });
    });
    // spawned (not spawnSync): the loop runs while this test waits for it
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(
        process.execPath,
        [
          CLI,
          '--db',
          db,
          '-q',
          'loop',
          '--server',
          url,
          '--key',
          KEY,
          '--users',
          '15',
          '--days',
          '3',
          '--k',
          '5',
          '--seed',
          '3',
          '--strategies',
          'popularity,itemknn',
          '--no-reference',
          '--json',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as LoopJson;
    assert.ok(out.slates > 0 && out.takes > 0, `slates ${out.slates}, takes ${out.takes}`);
    assert.deepEqual(out.variants.map((v) => v.name).sort(), ['itemknn', 'popularity']);

    // every take is an event of the server: its users' histories hold exactly the loop's clicks, at
    // simulated times within the loop's days (after the world's events)
    const users = new Set<string>();
    const s = await openStore(db);
    try {
      assert.equal((await s.counts()).events, before + out.takes);
      for (const id of s.userIds()) users.add(id);
    } finally {
      await s.close();
    }
    let clicks = 0;
    for (const id of users) {
      const res = await fetch(`${url}/v1/users/${id}/history?limit=1000`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.equal(res.status, 200);
      const h = (await res.json()) as {
        events: { item: string; type: string; timestamp: string | number }[];
      };
      for (const e of h.events) {
        const t = typeof e.timestamp === 'number' ? e.timestamp : Date.parse(e.timestamp);
        if (t < out.start) continue; // the world's own events
        assert.equal(e.type, 'click');
        assert.ok(t < out.end, `a click at ${e.timestamp} after the loop's days`);
        clicks++;
      }
    }
    assert.equal(clicks, out.takes);
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
  }
  // the loop's tracked run
  const runs = reco('--db', db, 'runs', 'list');
  assert.equal(runs.code, 0, runs.stderr);
  assert.match(runs.stdout, /loop/);
});

test('reco loop: bad options are named', async () => {
  const dir = tempDir('reco-loop-args-');
  const db = join(dir, 'reco.db');
  await (await simulatedStore(db, { users: 20, items: 30, events: 400, dim: 4, genres: 4, seed: 1 })).close();
  let r = reco('--db', db, 'loop', '--users', '0', '--strategies', 'popularity');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--users must be an integer/);
  r = reco('--db', db, 'loop', '--users', '5');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--strategies \(the loop's split\) or --experiment/);
  r = reco('--db', db, 'loop', '--strategies', 'a=popularity,a=ranked');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /names a variant twice/);
  r = reco('--db', db, 'loop', '--strategies', 'popularity', '--param', 'patience=0');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /patience must be an integer/);
});
