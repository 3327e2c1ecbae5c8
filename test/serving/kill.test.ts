/**
 * Kill test: a real server process takes events from concurrent senders, is killed with SIGKILL mid-stream,
 * and every event it acknowledged must be in the database afterwards (SQLite WAL, committed before the answer).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open.js';
import { CLIENT_KEY, ITEMS, KEYS } from './helpers.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

test('SIGKILL mid-stream loses no acknowledged event', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reco-kill-'));
  const db = join(dir, 'reco.db');
  const seed = await openStore(db);
  await seed.upsertItems(ITEMS);
  await seed.close();
  const start = () => {
    const child = spawn(
      process.execPath,
      [CLI, '--db', db, 'serve', '--port', '0', '--no-watch', '--rate-limit', '0'],
      {
        env: { ...process.env, RECO_API_KEYS: KEYS.map((k) => `${k.role}:${k.key}`).join(',') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const url = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /on (http:\/\/[^\s]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`server ended early (${code})`)));
      setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    });
    return { child, url };
  };
  const first = start();
  const child = first.child;
  try {
    const url = await first.url;
    const acked: string[] = [];
    const BATCH = 50;
    let seq = 0;
    let killed = false;
    const sender = async (s: number) => {
      while (!killed) {
        const events = Array.from({ length: BATCH }, () => {
          const n = seq++;
          return {
            user: `k${s}`,
            item: ITEMS[n % ITEMS.length]!.id,
            type: 'view',
            timestamp: 1_700_000_000_000 + n,
          };
        });
        try {
          const r = await fetch(`${url}/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
          });
          if (r.status !== 200) throw new Error(`status ${r.status}: ${await r.text()}`);
          await r.json();
          for (const e of events) acked.push(`${e.user}|${e.item}|${e.timestamp}`);
        } catch (err) {
          if (!killed) throw err;
          return;
        }
        if (acked.length >= 3000 && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(sender));
    await new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    assert.equal(child.signalCode, 'SIGKILL');
    // restart: the new server reads every acknowledged event back
    const second = start();
    try {
      const url2 = await second.url;
      for (let s = 0; s < 4; s++) {
        const r = await fetch(`${url2}/v1/users/k${s}/history?limit=10000`, {
          headers: { 'x-api-key': CLIENT_KEY },
        });
        assert.equal(r.status, 200);
        const got = new Set(
          ((await r.json()) as { events: { item: string; timestamp: string }[] }).events.map(
            (e) => `k${s}|${e.item}|${Date.parse(e.timestamp)}`,
          ),
        );
        const mine = acked.filter((a) => a.startsWith(`k${s}|`));
        assert.deepEqual(
          mine.filter((a) => !got.has(a)),
          [],
          `user k${s}: acknowledged events missing after restart`,
        );
      }
    } finally {
      second.child.kill('SIGKILL');
      await new Promise((r) => second.child.once('exit', r));
    }
    const store = await openStore(db);
    try {
      const log = await store.loadEventLog();
      const stored = new Set<string>();
      for (let k = 0; k < log.length; k++)
        stored.add(`${log.userIds[log.user[k]!]}|${log.itemIds[log.item[k]!]}|${log.timestamp[k]}`);
      const missing = acked.filter((a) => !stored.has(a));
      assert.ok(acked.length >= 3000);
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events lost`);
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
