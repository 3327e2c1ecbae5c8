/**
 * Stall benchmark (issue 17: nothing heavy on the main thread): does anything hold the server's event loop?
 *   node dist/bench/stall.js [--db PATH] [--duration S] [--clients 8] [--k 1000] [--ping-rate 50]
 *                            [--phases idle,explain,reload,retrain] [--default-sources]
 * Over the MovieLens-sized simulated world trained as ./serve.ts trains it (or --db), a real `reco serve`
 * (answer cache on, as served; rank threads as `auto` chooses, RECO_RANK_THREADS sets them) is pinged by an
 * open-loop client (GET /v1/ping at --ping-rate a second, each latency counted from its due time, so a held
 * event loop is charged in full) while:
 *   idle:    nothing else runs (the floor);
 *   explain: --clients connections hammer recommendations?k=--k&explain=true for random users;
 *   reload:  admin reloads (POST /v1/models/reload) run back to back (after the explain phase: the server
 *            remembers those requests and recomputes them under each new bundle);
 *   retrain: POST /v1/models/retrain, until its bundle is swapped in, and --duration seconds after.
 * Each phase prints the pings' p50, p99 and max against the target p99 <= 50 ms, and what the load did.
 */

import { rmSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { ADMIN_KEY, arg, KEY, startServer, stopServer, trainedWorld, userRequests } from './serve-world.js';

const duration = Number(arg('duration') ?? 10);
const clients = Number(arg('clients') ?? 8);
const k = Number(arg('k') ?? 1000);
const pingRate = Number(arg('ping-rate') ?? 50);
const phases = (arg('phases') ?? 'idle,explain,reload,retrain').split(',');
const TARGET_P99_MS = 50;

interface Pings {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** p99 counted from when each ping was sent (a late sender, starved by a loaded machine, not charged). */
  p99Sent: number;
}

/** Pings at `pingRate` a second until `stop` resolves; each latency from its due time (open loop). */
async function pingWhile(url: string, stop: Promise<unknown>): Promise<Pings> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const lat: number[] = [];
  const fromSent: number[] = [];
  const waiting: Promise<void>[] = [];
  let stopped = false;
  void stop.finally(() => {
    stopped = true;
  });
  const start = performance.now();
  let sent = 0;
  while (!stopped) {
    const due = Math.floor(((performance.now() - start) / 1000) * pingRate) + 1;
    while (sent < due) {
      const scheduled = start + (sent++ * 1000) / pingRate;
      const t0 = performance.now();
      waiting.push(
        new Promise<void>((resolve, reject) => {
          const req = httpGet(`${url}/v1/ping`, { agent, headers: { 'x-api-key': KEY } }, (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode !== 200) reject(new Error(`ping: status ${res.statusCode}`));
              lat.push(performance.now() - scheduled);
              fromSent.push(performance.now() - t0);
              resolve();
            });
          });
          req.on('error', reject);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(waiting);
  agent.destroy();
  const sorted = Float64Array.from(lat).sort();
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  const sent99 = Float64Array.from(fromSent).sort()[Math.floor(0.99 * fromSent.length)] ?? Number.NaN;
  return {
    count: sorted.length,
    p50: q(0.5),
    p99: q(0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p99Sent: sent99,
  };
}

/**
 * The server's own event-loop delay since the last call (prom-client's nodejs_eventloop_lag_*, from
 * perf_hooks.monitorEventLoopDelay, reset by each scrape): what its main thread held, apart from what a
 * loaded machine adds to a ping's trip.
 */
async function loopDelay(url: string): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { 'x-api-key': KEY } })).text();
  const num = (name: string) =>
    1000 * Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { p99: num('nodejs_eventloop_lag_p99_seconds'), max: num('nodejs_eventloop_lag_max_seconds') };
}

async function report(url: string, phase: string, p: Pings, what: string): Promise<boolean> {
  const met = p.p99 <= TARGET_P99_MS;
  const loop = await loopDelay(url);
  console.log(
    `  ${phase.padEnd(8)} ping p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, max ${p.max.toFixed(1)} ms, p99 from sending ${p.p99Sent.toFixed(1)} ms (${p.count} pings; target p99 <= ${TARGET_P99_MS} ms: ${met ? 'met' : 'NOT met'}); server event-loop delay p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms; ${what} (load average ${loadavg()[0]!.toFixed(1)})`,
  );
  return met;
}

/**
 * Waits until the server has worked off what a phase left queued (a ranked answer for a user not asked yet
 * comes within a second), so that the next phase is measured on its own; returns the seconds waited.
 */
async function drain(url: string): Promise<number> {
  const t0 = performance.now();
  for (let u = 900; u > 0 && performance.now() - t0 < 300_000; u--) {
    const t = performance.now();
    await fetch(`${url}/v1/users/u${u}/recommendations?k=10`, { headers: { 'x-api-key': KEY } }).then((r) =>
      r.arrayBuffer(),
    );
    if (performance.now() - t < 1000) break;
  }
  return (performance.now() - t0) / 1000;
}

/** Requests for random users u1..u943 (the simulator's ids), seeded. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function admin(url: string, path: string, method = 'POST'): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { 'x-api-key': ADMIN_KEY, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
  return { status: r.status, body: await r.json() };
}

async function main(): Promise<void> {
  console.log(
    `stall benchmark: ping p99 while explaining, reloading and retraining (load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')})`,
  );
  const { dir, db } = trainedWorld('reco-bench-stall-');
  const { child, url, threads } = await startServer(db, { cache: true });
  const results: boolean[] = [];
  try {
    console.log(`  server ${url}, ranked answers computed ${threads}`);
    // warm-up (JIT, model pages): plain and explained answers
    await autocannon({
      url,
      connections: 4,
      amount: 1000,
      headers: { 'x-api-key': KEY },
      requests: userRequests((u) => `/v1/users/u${u}/recommendations?k=10`, 4242),
    });
    await loopDelay(url);
    if (phases.includes('idle'))
      results.push(await report(url, 'idle', await pingWhile(url, sleep(5000)), 'nothing else'));
    if (phases.includes('explain')) {
      // (autocannon's instance is a thenable without `finally`: made a promise)
      const load = Promise.resolve(
        autocannon({
          url,
          connections: clients,
          duration,
          headers: { 'x-api-key': KEY },
          requests: userRequests((u) => `/v1/users/u${u}/recommendations?k=${k}&explain=true`, 4242),
        }),
      );
      await loopDelay(url);
      const pings = await pingWhile(url, load);
      const r = await load;
      results.push(
        await report(
          url,
          'explain',
          pings,
          `${clients} clients, k=${k}&explain=true: ${r.requests.total} answers (${r.non2xx} not 2xx), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`,
        ),
      );
    }
    if (phases.includes('reload')) {
      console.log(`  (the explain phase's queue worked off in ${(await drain(url)).toFixed(0)} s)`);
      await loopDelay(url);
      const times: number[] = [];
      const reloads = (async () => {
        const until = performance.now() + duration * 1000;
        while (performance.now() < until) {
          const t0 = performance.now();
          const r = await admin(url, '/v1/models/reload');
          if (r.status !== 200) throw new Error(`reload: ${r.status} ${JSON.stringify(r.body)}`);
          times.push(performance.now() - t0);
        }
      })();
      const pings = await pingWhile(url, reloads);
      await reloads;
      const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
      results.push(
        await report(
          url,
          'reload',
          pings,
          `${times.length} reloads back to back, ${mean.toFixed(0)} ms each on average`,
        ),
      );
    }
    if (phases.includes('retrain')) {
      await drain(url);
      await loopDelay(url);
      const before = ((await admin(url, '/v1/models', 'GET')).body as { serving: { version: string } })
        .serving.version;
      const t0 = performance.now();
      let swapped = 0;
      const retrain = (async () => {
        const r = await admin(url, '/v1/models/retrain');
        if (r.status !== 202) throw new Error(`retrain: ${r.status} ${JSON.stringify(r.body)}`);
        for (;;) {
          await sleep(500);
          const m = (await admin(url, '/v1/models', 'GET')).body as {
            serving: { version: string };
            retrain: { state: string; error?: string };
          };
          if (m.retrain.state === 'failed') throw new Error(`retrain failed: ${m.retrain.error}`);
          if (m.retrain.state === 'done' && m.serving.version !== before) break;
        }
        swapped = performance.now() - t0;
        await sleep(duration * 1000); // the new bundle's rank threads warm up, the cache re-warms
      })();
      const pings = await pingWhile(url, retrain);
      await retrain;
      results.push(
        await report(
          url,
          'retrain',
          pings,
          `retrained and swapped in after ${(swapped / 1000).toFixed(1)} s, pinged ${duration} s more`,
        ),
      );
    }
  } finally {
    await stopServer(child);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `stall: ${results.filter((x) => x).length} of ${results.length} phases within ping p99 <= ${TARGET_P99_MS} ms`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
