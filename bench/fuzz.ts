/**
 * Memory under the fuzz suite (issue 17: "memory after the fuzz suite returns within 20% of its level
 * before"):
 *   node dist/bench/fuzz.js [--db PATH] [--preset movielens|tiny] [--requests 4000] [--rounds 2]
 * Builds a synthetic world (`reco simulate --preset movielens`, the demo world of `npm start`) with the
 * quick models (popularity, item-kNN, ALS, EASE) unless --db names a trained store (copied: the fuzz writes
 * to it), starts `reco serve` on it (rate limit off, rank threads as configured by default), warms it up with
 * 1,000 generated requests, then reads its resident set and V8 heap (from its own /metrics) before and after
 * each round of --requests requests generated from the OpenAPI document (test/helpers/fuzz.ts: valid,
 * mutated and hostile; seeds 17, 18, ...) and the fixed hostile requests (oversize bodies, 10,240 new
 * genres, ...). Prints each level, the ratio after/before and the target (1.20), and what the rounds
 * answered. Every answer is also checked as the fuzz test checks it; problems are counted.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openStore } from '../src/store/open.js';
import {
  AnswerChecker,
  extraRequests,
  type FuzzWorld,
  fuzzRequests,
  type OpenApiDoc,
  runFuzz,
  serverMemory,
} from '../test/helpers/fuzz.js';
import { startServer } from '../test/helpers/server.js';
import { ADMIN_KEY, arg, KEY, run } from './serve-world.js';

const TARGET = 1.2;

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const requests = Number(arg('requests') ?? 4000);
  const rounds = Number(arg('rounds') ?? 2);
  const dir = mkdtempSync(join(tmpdir(), 'reco-bench-fuzz-'));
  const db = join(dir, 'reco.db');
  try {
    const given = arg('db');
    if (given) {
      if (!existsSync(given)) throw new Error(`--db ${given}: no such file`);
      cpSync(given, db);
      cpSync(join(dirname(given), 'models'), join(dir, 'models'), { recursive: true });
    } else {
      run(['--db', db, '-q', 'simulate', '--preset', arg('preset') ?? 'movielens', '--seed', '1']);
      run(['--db', db, '-q', 'train', '--models', 'popularity,itemknn,als,ease']);
    }
    const store = await openStore(db);
    const world: FuzzWorld = {
      users: store.userIds().slice(0, 200),
      items: store.itemIds().slice(0, 200),
      types: store.eventTypeNames(),
      genres: [...new Set((await store.listItems()).flatMap((it) => it.genres ?? []))],
      versions: [readFileSync(join(dir, 'models', 'current'), 'utf8').trim(), 'nope'],
      clientKey: KEY,
      adminKey: ADMIN_KEY,
    };
    await store.close();
    const server = await startServer(db, [
      { role: 'client', key: KEY },
      { role: 'admin', key: ADMIN_KEY },
    ]);
    try {
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDoc;
      const checker = new AnswerChecker(doc);
      await runFuzz(server.url, fuzzRequests(doc, world, 1000, 1), checker);
      await sleep(3000);
      const before = await serverMemory(server.url, KEY);
      console.log(
        `before (after 1,000 warm-up requests): RSS ${mb(before.rss)}, heap used ${mb(before.heapUsed)}`,
      );
      for (let round = 1; round <= rounds; round++) {
        const list = [...fuzzRequests(doc, world, requests, 16 + round), ...extraRequests(world)];
        const report = await runFuzz(server.url, list, checker);
        await sleep(5000);
        const after = await serverMemory(server.url, KEY);
        const ratio = after.rss / before.rss;
        console.log(
          `after round ${round} (${list.length} requests in ${report.seconds.toFixed(0)} s, statuses ${JSON.stringify([...report.statuses].sort((a, b) => a[0] - b[0]))}, ${report.problemCount} answers at fault): RSS ${mb(after.rss)} (${ratio.toFixed(2)} x before; target <= ${TARGET}: ${ratio <= TARGET ? 'met' : 'NOT met'}), heap used ${mb(after.heapUsed)} (${(after.heapUsed / before.heapUsed).toFixed(2)} x)`,
        );
        for (const [kind, n] of report.kinds) console.log(`  ${n} x ${kind}`);
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
