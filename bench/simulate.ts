/**
 * Simulator speed and memory: generating 10 million events (target: under 60 s with the store insert and
 * under 4 GB peak RSS), first without a store, then into a fresh SQLite store. Sizes scale with the
 * events count (resolveParams: ~100 events per user, half as many items as users).
 * `BENCH_SIM_EVENTS=1000000 node dist/bench/simulate.js` (or `--events 1000000`) for a smaller run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveParams } from '../src/simulation/params.js';
import { simulateIntoStore, simulateWorld } from '../src/simulation/simulate.js';
import { openStore } from '../src/store/open.js';

const flag = process.argv.indexOf('--events');
const N = Number(flag >= 0 ? process.argv[flag + 1] : (process.env.BENCH_SIM_EVENTS ?? 10_000_000));
const params = resolveParams(undefined, { events: N, seed: 1 });
const rssMb = () => process.resourceUsage().maxRSS / 1024;
/** CPU seconds (user + system) of this process so far: on a shared machine wall time overstates the cost. */
const cpuSec = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(
  `world: ${fmt(params.users)} users, ${fmt(params.items)} items, ${fmt(N)} events, dim ${params.dim}`,
);
let t = performance.now();
let cpu = cpuSec();
const { events } = simulateWorld(params);
const genSec = (performance.now() - t) / 1000;
const genCpu = cpuSec() - cpu;
const genRss = rssMb();
console.log(
  `generate only: ${fmt(events.length)} events in ${genSec.toFixed(2)} s wall, ${genCpu.toFixed(2)} s CPU (${fmt(events.length / genSec)} events/s), peak RSS ${fmt(genRss)} MB`,
);

const dir = mkdtempSync(join(tmpdir(), 'reco-bench-sim-'));
try {
  const store = await openStore(join(dir, 'sim.db'));
  t = performance.now();
  cpu = cpuSec();
  const r = await simulateIntoStore(store, params);
  const totalSec = (performance.now() - t) / 1000;
  const totalCpu = cpuSec() - cpu;
  await store.close();
  const rss = rssMb();
  console.log(
    `simulate into store: ${fmt(r.events.length)} events in ${totalSec.toFixed(2)} s (generate ${r.generateSeconds.toFixed(2)} s, write ${r.insertSeconds.toFixed(2)} s; ${fmt(r.events.length / totalSec)} events/s), ${totalCpu.toFixed(2)} s CPU, peak RSS ${fmt(rss)} MB`,
  );
  const scaled = (totalSec * 10_000_000) / N;
  console.log(
    `target 10M events < 60 s: ${N >= 10_000_000 ? (totalSec < 60 ? 'met' : 'MISSED') : `~${scaled.toFixed(0)} s extrapolated`}; < 4 GB: ${rss < 4096 ? 'met' : 'MISSED'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
