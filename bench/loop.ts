/**
 * `npm run bench -- loop`: the closed loop's acceptance figures on the movielens-preset world (seed 1),
 * trained once (popularity, item-kNN, ALS, EASE, ranked) and kept in a cache folder (`--base DIR`, default
 * <tmp>/reco-bench-loop): each part works on a fresh copy.
 *   aa          200 simulated A/A experiments in process (popularity against itself, each with its own
 *               seed: people, arrivals, split): share flagged by Welch at 5% (target 5% +- 3%), and by the
 *               sequential interval peeked at every simulated day (target <= 5%).
 *   ab          ranked against popularity through HTTP (a `reco serve` child, the loop as a client), after a
 *               pre-period in which everyone is served popularity (`--pre-days`, default 7; `--ab-days`
 *               experiment days, default 14): the lift of CTR per exposure, CUPED-adjusted on each user's
 *               pre-period CTR (the primary metric) and unadjusted, 95% interval, p (target: called for
 *               ranked at 1%), and the true lift from the oracle's probabilities of the same exposures
 *               (target: inside the interval); users the call needed, and the sample size at 80% power.
 *   order       each of popularity, item-kNN, ALS, EASE and ranked served to every person (in process,
 *               same arrivals; `--order-seeds 1,2,3` repeats it with other people streams and arrivals,
 *               each person's sums added over the seeds): online CTR and true CTR (the oracle's expected
 *               takes of the slates served), every pair compared person by person, beside offline NDCG@10
 *               (random 75/25 splits, `--split-seeds 42,1,...`, the mean and the split-by-split spread;
 *               `--evaluation F1,F2` reuses `reco evaluate --json` files of the same world;
 *               `--order-models`, `--order-days` narrow it).
 *   interleave  interleave:ranked,popularity in process, the A/B's pre-period and days: users needed by
 *               the sign test at 1% (by one run's joining order) against the A/B's. The comparison the
 *               target is read on (one rule for both, several seeds) is bench/loop-power-run.ts and
 *               bench/loop-power.ts.
 * `--only aa,ab` picks parts; `--aa N` sets the A/A count.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signTest } from '../src/experiments/interleave.js';
import { sampleSize } from '../src/experiments/sample-size.js';
import { HttpClient, InProcessClient } from '../src/loop/client.js';
import type { VariantMetrics } from '../src/loop/metrics.js';
import { DEFAULT_PEOPLE } from '../src/loop/params.js';
import { type LoopOptions, runLoop } from '../src/loop/run.js';
import { excludesZero, pairedLift, relativeLift } from '../src/loop/stats.js';
import { loadWorld } from '../src/simulation/oracle.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'src', 'cli', 'main.js');
const KEY = 'bench-loop-client-key-0123456789';
const MODELS = 'popularity,itemknn,als,ease,ranked';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const only = new Set((arg('only') ?? 'ab,interleave,order,aa').split(','));
const base = arg('base') ?? join(tmpdir(), 'reco-bench-loop');
const AA = Number(arg('aa') ?? 200);
const PRE_DAYS = Number(arg('pre-days') ?? 7);
/** A/A with a pre-period: the lifts CUPED-adjusted on it (as the A/B's). */
const AA_PRE_DAYS = Number(arg('aa-pre-days') ?? 0);
const AB_DAYS = Number(arg('ab-days') ?? 14);

function reco(args: string[]): string {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, '-q', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`reco ${args.join(' ')} failed: ${r.stderr}`);
  console.log(`  reco ${args.slice(2).join(' ')}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return r.stdout;
}

/** The trained movielens-preset world (built once into `base`). */
function ensureBase(): string {
  const db = join(base, 'reco.db');
  if (!existsSync(join(base, 'models', 'current'))) {
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    console.log(`building the world in ${base}`);
    reco(['--db', db, 'simulate', '--preset', 'movielens', '--seed', '1']);
    reco(['--db', db, 'train', '--models', MODELS]);
  }
  return db;
}

/** A fresh copy of the base (database and models) in a temporary folder. */
function scratch(): { db: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'reco-loop-'));
  for (const f of ['reco.db', 'reco.db-wal', 'models'])
    if (existsSync(join(base, f))) cpSync(join(base, f), join(dir, f), { recursive: true });
  return { db: join(dir, 'reco.db'), dir };
}

async function loopOptions(store: Store, over: Partial<LoopOptions>): Promise<LoopOptions> {
  const world = await loadWorld(store);
  return {
    world,
    history: await store.loadEventLog(),
    users: world.params.users,
    days: 7,
    k: 10,
    seed: 1,
    people: DEFAULT_PEOPLE,
    ...over,
  };
}

const f = (x: number, d = 4) => x.toFixed(d);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Smallest count of users (by joining order, on a grid) from which the test stays called at `alpha`. */
function usersNeeded(
  joins: number,
  called: (n: number) => boolean,
  step = Math.max(10, Math.round(joins / 100)),
): number | undefined {
  let need: number | undefined;
  for (let n = joins; n >= step; n -= step) {
    if (called(n)) need = n;
    else break;
  }
  return need;
}

/** The first n joiners of the run, by arm (with their pre-period sums when `pre` is given: CUPED). */
function prefix(
  order: { p: number; arm: string }[],
  n: number,
  arm: string,
  m: VariantMetrics,
  pre?: VariantMetrics,
) {
  return m.sample(
    pre,
    order
      .slice(0, n)
      .filter((j) => j.arm === arm)
      .map((j) => j.p),
  );
}

const interval = (l: { value: number; ci: [number, number]; p: number; sequentialCi: [number, number] }) =>
  `${pct(l.value)}, 95% CI [${pct(l.ci[0])}, ${pct(l.ci[1])}], p ${l.p.toExponential(2)}, always-valid [${pct(l.sequentialCi[0])}, ${pct(l.sequentialCi[1])}]`;

/** Joining order over all variants (each person once, in the order the loop first served him). */
function joinOrder(metrics: ReadonlyMap<string, VariantMetrics>, first: Float64Array) {
  const out: { p: number; arm: string }[] = [];
  for (const m of metrics.values()) for (const p of m.joined) out.push({ p, arm: m.name });
  return out.sort((a, b) => first[a.p]! - first[b.p]! || a.p - b.p);
}

async function aa(): Promise<void> {
  console.log(
    `\n--- A/A calibration: ${AA} experiments in process (popularity vs popularity${AA_PRE_DAYS > 0 ? `, CUPED on ${AA_PRE_DAYS} days before` : ''}) ---`,
  );
  const s = scratch();
  const store = await openStore(s.db);
  const client = await InProcessClient.open(store, join(s.dir, 'models'));
  const users = 200;
  const days = 4;
  let fixed = 0;
  let sequential = 0;
  let finalSeq = 0;
  const t0 = performance.now();
  try {
    const options = await loopOptions(store, { users, days, preDays: AA_PRE_DAYS, client, measure: false });
    for (let e = 0; e < AA; e++) {
      let peekedFlag = false;
      const r = await runLoop({
        ...options,
        seed: 1000 + e,
        arms: [
          { name: 'A', strategy: 'popularity' },
          { name: 'B', strategy: 'popularity' },
        ],
        onDay: (_day, metrics, pre) => {
          const a = metrics.get('A')!;
          const b = metrics.get('B')!;
          const lift = relativeLift(a.sample(pre), b.sample(pre), 0.05, users);
          if (excludesZero(lift.sequentialCi)) peekedFlag = true;
        },
      });
      const lift = relativeLift(
        r.metrics.get('A')!.sample(r.pre),
        r.metrics.get('B')!.sample(r.pre),
        0.05,
        users,
      );
      if (lift.p < 0.05) fixed++;
      if (excludesZero(lift.sequentialCi)) finalSeq++;
      if (peekedFlag) sequential++;
      if ((e + 1) % 20 === 0)
        console.log(
          `  ${e + 1} experiments: Welch flagged ${fixed}, sequential (daily peeks) ${sequential}; ${((performance.now() - t0) / 1000).toFixed(0)} s`,
        );
    }
  } finally {
    await client.close();
    await store.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
  console.log(
    `A/A: ${users} people x ${days} days each; Welch p < 0.05 in ${fixed}/${AA} = ${pct(fixed / AA)} (target 5% +- 3%: ${Math.abs(fixed / AA - 0.05) <= 0.03 ? 'met' : 'NOT met'}); sequential interval excluding 0 at any daily peek ${sequential}/${AA} = ${pct(sequential / AA)} (target <= 5%: ${sequential / AA <= 0.05 ? 'met' : 'NOT met'}), at the end only ${finalSeq}/${AA}`,
  );
}

function startServer(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [CLI, '--db', db, 'serve', '--port', '0', '--rate-limit', '0', '--no-watch'],
    { env: { ...process.env, RECO_API_KEYS: `client:${KEY}` }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server ended (${code}): ${out}`)));
  });
}

let abUsersNeeded: number | undefined;

async function ab(): Promise<void> {
  console.log(
    `\n--- A/B through HTTP: ranked against popularity, ${PRE_DAYS} days of popularity for all, then ${AB_DAYS} days ---`,
  );
  const s = scratch();
  const server = await startServer(s.db);
  const store = await openStore(s.db);
  const t0 = performance.now();
  try {
    const first = new Float64Array((await loadWorld(store)).params.users).fill(Number.POSITIVE_INFINITY);
    let seen = 0;
    const r = await runLoop(
      await loopOptions(store, {
        client: new HttpClient(server.url, KEY),
        days: AB_DAYS,
        preDays: PRE_DAYS,
        arms: [
          { name: 'control', strategy: 'popularity' },
          { name: 'treatment', strategy: 'ranked' },
        ],
        onDay: (_d, metrics) => {
          for (const m of metrics.values())
            for (const p of m.joined) if (first[p] === Number.POSITIVE_INFINITY) first[p] = seen++;
        },
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const a = r.metrics.get('control')!;
    const b = r.metrics.get('treatment')!;
    const nStar = a.users + b.users;
    const plain = relativeLift(a.sample(), b.sample(), 0.05, nStar);
    // the primary metric: CTR per exposure, CUPED-adjusted on the user's CTR in the pre-period
    const lift = r.pre ? relativeLift(a.sample(r.pre), b.sample(r.pre), 0.05, nStar) : plain;
    const ra = r.variants.find((v) => v.name === 'control')!;
    const rb = r.variants.find((v) => v.name === 'treatment')!;
    const trueLift = rb.trueCtr / ra.trueCtr - 1;
    const order = joinOrder(r.metrics, first);
    abUsersNeeded = usersNeeded(order.length, (n) => {
      const l = relativeLift(prefix(order, n, 'control', a, r.pre), prefix(order, n, 'treatment', b, r.pre));
      return l.p < 0.01 && l.value > 0;
    });
    // users per variant for 80% power at 1% to detect the true lift, from the measured per-user sd
    const sd = (l: typeof lift) => ((l.ci[1] - l.ci[0]) / (2 * 1.959964)) * Math.sqrt(nStar / 4) * ra.ctr;
    const need = (l: typeof lift) =>
      sampleSize({ baseline: ra.ctr, lift: trueLift, sd: sd(l), alpha: 0.01, power: 0.8 }).perVariant;
    for (const v of r.variants)
      console.log(
        `  ${v.name.padEnd(9)} users ${v.users}, slates ${v.slates}, CTR ${f(v.ctr)}, true CTR ${f(v.trueCtr)}, regret ${f(v.regret)}`,
      );
    if (r.pre)
      console.log(
        `  pre-period: ${r.pre.users} users, ${r.pre.slates} slates, CTR ${f(r.pre.takes / r.pre.slates)}`,
      );
    console.log(`  unadjusted: lift ${interval(plain)}; ${need(plain)} users a variant for 80% power at 1%`);
    console.log(
      `A/B (HTTP, ${r.slates} slates in ${seconds.toFixed(0)} s; ${a.users} + ${b.users} users x ${AB_DAYS} days after ${PRE_DAYS}): ${r.pre ? 'CUPED ' : ''}lift ${interval(lift)} (target: ranked called at 1%: ${lift.p < 0.01 && lift.value > 0 ? 'met' : 'NOT met'}); true lift ${pct(trueLift)} (inside the CI: ${trueLift >= lift.ci[0] && trueLift <= lift.ci[1] ? 'met' : 'NOT met'}); users needed at 1%: ${abUsersNeeded ?? 'not reached'}; ${need(lift)} users a variant for 80% power at 1%`,
    );
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((res) => server.child.once('exit', res));
    await store.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
}

async function order(): Promise<void> {
  console.log('\n--- Online CTR order against offline NDCG@10 ---');
  const s = scratch();
  // offline: one `reco evaluate --json` file per split seed (`--evaluation F1,F2,...` reuses them)
  const reuse = arg('evaluation')?.split(',');
  const splitSeeds = (arg('split-seeds') ?? '42').split(',');
  const jsons =
    reuse ??
    splitSeeds.map((seed) => {
      const json = join(s.dir, `evaluation-${seed}.json`);
      reco([
        '--db',
        s.db,
        'evaluate',
        '--split',
        'random',
        '--ratio',
        '0.75',
        '--seed',
        seed,
        '--k',
        '10',
        '--models',
        MODELS,
        '--no-auc',
        '--no-oracle',
        '--json',
        json,
      ]);
      return json;
    });
  // online: every person served one model at a time, from the same start, with the same arrivals and
  // people streams for a seed; per person, the takes, slates and expected takes summed over the seeds
  const models = (arg('order-models') ?? MODELS).split(',');
  const days = Number(arg('order-days') ?? 7);
  const seeds = (arg('order-seeds') ?? '1').split(',').map(Number);
  type Online = {
    takes: number;
    slates: number;
    expected: number;
    m: Float64Array;
    d: Float64Array;
    e: Float64Array;
    daily: number[][];
  };
  const online = new Map<string, Online>();
  // `--order-cache DIR`: each (seed, model) run's per-person sums kept there, and reused when present
  const cache = arg('order-cache');
  if (cache) mkdirSync(cache, { recursive: true });
  type Sums = {
    takes: number;
    slates: number;
    expected: number;
    m: number[];
    d: number[];
    e: number[];
    daily: number[];
  };
  const runOne = async (seed: number, model: string): Promise<Sums> => {
    const file = cache ? join(cache, `${seed}-${model}-${days}.json`) : undefined;
    if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Sums;
    const run = scratch();
    const store = await openStore(run.db);
    const client = await InProcessClient.open(store, join(run.dir, 'models'));
    const t0 = performance.now();
    try {
      // each day's own CTR (takes / slates of that day): warm-up and trends
      const daily: number[] = [];
      let before = { takes: 0, slates: 0 };
      const r = await runLoop(
        await loopOptions(store, {
          client,
          days,
          seed,
          arms: [{ name: model, strategy: model }],
          onDay: (_d, metrics) => {
            const m = metrics.get(model)!;
            daily.push((m.takes - before.takes) / Math.max(1, m.slates - before.slates));
            before = { takes: m.takes, slates: m.slates };
          },
        }),
      );
      const vm = r.metrics.get(model)!;
      const sums: Sums = {
        takes: vm.takes,
        slates: vm.slates,
        expected: vm.expected,
        m: [...vm.userTakes],
        d: [...vm.userSlates],
        e: [...vm.userExpected],
        daily,
      };
      if (file) writeFileSync(file, JSON.stringify(sums));
      console.log(`  (seed ${seed} ${model}: ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      return sums;
    } finally {
      await client.close();
      await store.close();
      rmSync(run.dir, { recursive: true, force: true });
    }
  };
  for (const seed of seeds)
    for (const model of models) {
      const sums = await runOne(seed, model);
      let o = online.get(model);
      if (!o) {
        const n = sums.m.length;
        o = {
          takes: 0,
          slates: 0,
          expected: 0,
          m: new Float64Array(n),
          d: new Float64Array(n),
          e: new Float64Array(n),
          daily: [],
        };
        online.set(model, o);
      }
      o.takes += sums.takes;
      o.slates += sums.slates;
      o.expected += sums.expected;
      for (let p = 0; p < o.m.length; p++) {
        o.m[p]! += sums.m[p]!;
        o.d[p]! += sums.d[p]!;
        o.e[p]! += sums.e[p]!;
      }
      o.daily.push(sums.daily);
      console.log(
        `  seed ${seed} ${model}: CTR ${f(sums.takes / sums.slates)}, true CTR ${f(sums.expected / sums.slates)}; by day ${sums.daily.map((x) => f(x, 3)).join(' ')}`,
      );
    }
  // read after the online runs: `--evaluation` files may be written meanwhile
  const ndcgs = new Map<string, number[]>();
  for (const json of jsons) {
    const evaluation = JSON.parse(readFileSync(json, 'utf8')) as { rows: { model: string; ndcg: number }[] };
    for (const row of evaluation.rows) {
      if (!ndcgs.has(row.model)) ndcgs.set(row.model, []);
      ndcgs.get(row.model)!.push(row.ndcg);
    }
  }
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  const sdOf = (x: number[]) =>
    x.length < 2 ? 0 : Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1));
  const ndcg = new Map<string, number>();
  for (const [m, v] of ndcgs) ndcg.set(m, mean(v));
  rmSync(s.dir, { recursive: true, force: true });
  console.log(`  ${jsons.length} split(s), ${seeds.length} loop seed(s) x ${days} days`);
  console.log('  model       NDCG@10 (mean, sd over splits)  online CTR  true CTR');
  for (const m of models) {
    const o = online.get(m)!;
    console.log(
      `  ${m.padEnd(10)}  ${f(ndcg.get(m) ?? Number.NaN)} (${f(sdOf(ndcgs.get(m) ?? []))})          ${f(o.takes / o.slates)}      ${f(o.expected / o.slates)}`,
    );
  }
  const byNdcg = [...models].sort((x, y) => ndcg.get(x)! - ndcg.get(y)!);
  const byCtr = [...models].sort(
    (x, y) => online.get(x)!.takes / online.get(x)!.slates - online.get(y)!.takes / online.get(y)!.slates,
  );
  const byTrue = [...models].sort(
    (x, y) =>
      online.get(x)!.expected / online.get(x)!.slates - online.get(y)!.expected / online.get(y)!.slates,
  );
  console.log(
    `order: offline ${byNdcg.join(' < ')}; online ${byCtr.join(' < ')} (${byNdcg.join() === byCtr.join() ? 'same' : 'DIFFERENT'}); true CTR ${byTrue.join(' < ')} (${byNdcg.join() === byTrue.join() ? 'same' : 'DIFFERENT'})`,
  );
  // every pair, compared person by person (same people, same arrivals): observed CTR and true CTR; and the
  // offline difference over the splits (mean, sd of the split-by-split differences)
  for (let i = 0; i < byNdcg.length; i++)
    for (let j = i + 1; j < byNdcg.length; j++) {
      const x = byNdcg[i]!;
      const y = byNdcg[j]!;
      const ox = online.get(x)!;
      const oy = online.get(y)!;
      const l = pairedLift(ox, oy);
      const t = pairedLift({ m: ox.e, d: ox.d }, { m: oy.e, d: oy.d });
      const dn = ndcgs.get(y)!.map((v, k) => v - ndcgs.get(x)![k]!);
      console.log(
        `  ${y} over ${x}: NDCG@10 ${f(mean(dn))} (sd ${f(sdOf(dn))}, ${dn.filter((v) => v > 0).length}/${dn.length} splits > 0); online CTR ${pct(l.value)} [${pct(l.ci[0])}, ${pct(l.ci[1])}], p ${l.p.toExponential(2)}; true CTR ${pct(t.value)} [${pct(t.ci[0])}, ${pct(t.ci[1])}], p ${t.p.toExponential(2)} (paired by person)`,
      );
    }
}

async function interleave(): Promise<void> {
  console.log('\n--- Interleaving: interleave:ranked,popularity in process ---');
  const s = scratch();
  const store = await openStore(s.db);
  const client = await InProcessClient.open(store, join(s.dir, 'models'));
  try {
    const first = new Float64Array((await loadWorld(store)).params.users).fill(Number.POSITIVE_INFINITY);
    let seen = 0;
    const r = await runLoop(
      await loopOptions(store, {
        client,
        days: AB_DAYS,
        preDays: PRE_DAYS,
        arms: [
          { name: 'control', strategy: 'popularity', weight: 0 },
          { name: 'il', strategy: 'interleave:ranked,popularity' },
        ],
        onDay: (_d, metrics) => {
          for (const m of metrics.values())
            for (const p of m.joined) if (first[p] === Number.POSITIVE_INFINITY) first[p] = seen++;
        },
      }),
    );
    const m = r.metrics.get('il')!;
    const order = joinOrder(r.metrics, first);
    const counts = (n: number) => {
      let a = 0;
      let b = 0;
      for (const j of order.slice(0, n)) {
        if (m.creditA[j.p]! > m.creditB[j.p]!) a++;
        else if (m.creditB[j.p]! > m.creditA[j.p]!) b++;
      }
      return { a, b };
    };
    const all = counts(order.length);
    const need = usersNeeded(
      order.length,
      (n) => {
        const c = counts(n);
        return c.a > c.b && signTest(c.a, c.b) < 0.01;
      },
      5,
    );
    console.log(
      `interleaving: ${order.length} users, prefer ranked ${all.a}, popularity ${all.b}, sign test p ${signTest(all.a, all.b).toExponential(2)}; users needed at 1%: ${need ?? 'not reached'}` +
        (abUsersNeeded !== undefined && need !== undefined
          ? ` vs the A/B's ${abUsersNeeded}: ${(need / abUsersNeeded).toFixed(3)} (target < 0.1: ${need < abUsersNeeded / 10 ? 'met' : 'NOT met'})`
          : ''),
    );
    // users for 80% power at 1% by the sign test, from the shares measured: q of those with a preference
    // prefer ranked, a share `decided` of all users has one (normal approximation of the binomial)
    const decided = (all.a + all.b) / order.length;
    const q = all.a / Math.max(1, all.a + all.b);
    const z = 2.575829 * 0.5 + 0.841621 * Math.sqrt(q * (1 - q));
    console.log(
      `  ${pct(decided)} of users with a preference, ${pct(q)} of them for ranked: ${Math.ceil((z / (q - 0.5)) ** 2 / decided)} users for 80% power at 1% (sign test)`,
    );
  } finally {
    await client.close();
    await store.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
}

ensureBase();
if (only.has('aa')) await aa();
if (only.has('ab')) await ab();
if (only.has('order')) await order();
if (only.has('interleave')) await interleave();
