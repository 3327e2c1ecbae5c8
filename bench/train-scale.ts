/**
 * Training that scales (issue "The ranker must generalise beyond MovieLens 100K"): `reco train` (every
 * default model, ranked included, as a user runs it) on three stores, side by side, in one run:
 *
 *   node dist/bench/train-scale.js [--only ml100k,sim-10k,sim-50k] [--repeat N] [--train-args '--no-tune']
 *   npm run bench -- train-scale --only=ml100k,sim-10k --repeat=2
 *
 *   ml100k   MovieLens 100K (../shared, `reco import movielens`): 943 users, 1,682 items, 100,000 ratings
 *   sim-10k  `reco simulate --preset movielens --users 2000 --items 10000 --events 100000 --seed 7`
 *   sim-50k  `reco simulate --preset movielens --users 20000 --items 50000 --events 1000000 --seed 7`
 *
 * Bars: sim-10k's train time <= 2.5x MovieLens 100K's (same run); sim-50k's <= 10 minutes and <= 8 GB peak
 * RSS. Each `reco train` runs in a child process (./generalise/reco-cli.ts: wall time, CPU time of all its
 * threads, peak RSS from /proc). With --repeat N the MovieLens and 10k trainings alternate N times and the
 * ratio is taken per pair (the machine's load moves between runs; a pair sees about the same), the median
 * pair reported; CPU seconds are printed beside wall seconds for the same reason. Stores and bundles live in
 * a temporary directory, removed at the end. Output: one table and a one-line summary on stdout; progress on
 * stderr.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, option } from './args.js';
import { type RecoRun, reco } from './generalise/reco-cli.js';
import { ML100K_DIR } from './shared-data.js';

const RATIO_BAR = 2.5;
const SCALE_SECONDS = 600;
const SCALE_BYTES = 8 * 1024 ** 3;

interface Store {
  name: string;
  what: string;
  /** The `reco` arguments that fill the store. */
  fill: string[];
}

const STORES: Store[] = [
  {
    name: 'ml100k',
    what: 'MovieLens 100K: 943 users, 1,682 items, 100k ratings',
    fill: ['import', 'movielens', ML100K_DIR],
  },
  {
    name: 'sim-10k',
    what: 'simulated: 2,000 users, 10,000 items, 100k ratings',
    fill: ['simulate', '--preset', 'movielens', '--users', '2000', '--items', '10000', '--events', '100000'],
  },
  {
    name: 'sim-50k',
    what: 'simulated: 20,000 users, 50,000 items, 1M ratings',
    fill: [
      'simulate',
      '--preset',
      'movielens',
      '--users',
      '20000',
      '--items',
      '50000',
      '--events',
      '1000000',
    ],
  },
];

const only = option('only')?.split(',') ?? STORES.map((s) => s.name);
const repeat = Math.max(1, Number(option('repeat') ?? 1));
const trainArgs = option('train-args')?.split(' ').filter(Boolean) ?? [];
const say = (line: string) => process.stderr.write(`${line}\n`);
const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;

async function main(): Promise<void> {
  const unknown = only.filter((n) => !STORES.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`unknown store(s) ${unknown.join(', ')}`);
  const stores = STORES.filter((s) => only.includes(s.name));
  const dir = mkdtempSync(join(tmpdir(), 'reco-bench-train-scale-'));
  const runs = new Map<string, RecoRun[]>();
  try {
    const ready: Store[] = [];
    for (const s of stores) {
      if (s.name === 'ml100k' && !existsSync(join(ML100K_DIR, 'u.data'))) {
        say(`ml100k: MovieLens 100K not found at ${ML100K_DIR} (RECO_ML100K); skipped, no ratio`);
        continue;
      }
      const fill = await reco(join(dir, `${s.name}.db`), [
        ...s.fill,
        ...(s.name.startsWith('sim') ? ['--seed', '7'] : []),
      ]);
      if (fill.code !== 0) throw new Error(`${fill.command} failed: ${fill.stderr}`);
      say(`${s.name}: store filled in ${fill.seconds.toFixed(1)} s`);
      ready.push(s);
    }
    // MovieLens and the 10k world alternate (pairs), then the 50k world once
    const paired = ready.filter((s) => s.name !== 'sim-50k');
    for (let r = 0; r < repeat; r++)
      for (const s of paired) runs.set(s.name, [...(runs.get(s.name) ?? []), await train(dir, s, r)]);
    for (const s of ready.filter((x) => x.name === 'sim-50k')) runs.set(s.name, [await train(dir, s, 0)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report(stores, runs);
}

async function train(dir: string, s: Store, r: number): Promise<RecoRun> {
  const run = await reco(join(dir, `${s.name}.db`), [
    'train',
    '--models-dir',
    join(dir, `models-${s.name}`),
    ...trainArgs,
  ]);
  say(
    `${s.name} #${r + 1}: reco train ${run.code === 0 ? 'done' : `FAILED (${run.stderr.split('\n').pop()})`} in ${run.seconds.toFixed(1)} s wall, ${run.cpuSeconds.toFixed(1)} s CPU, peak RSS ${gb(run.peakRss)}`,
  );
  return run;
}

function report(stores: Store[], runs: Map<string, RecoRun[]>): void {
  const ml = runs.get('ml100k') ?? [];
  const rows = [
    ['store', 'reco train (wall s, each run)', 'CPU s', 'peak RSS', 'vs ml100k (wall, per pair)', 'bar', ''],
  ];
  const verdicts: string[] = [];
  for (const s of stores) {
    const rs = runs.get(s.name);
    if (!rs) continue;
    const failed = rs.some((x) => x.code !== 0);
    let ratio = '';
    let bar = '';
    let ok = !failed;
    if (s.name === 'sim-10k' && ml.length > 0) {
      const ratios = rs.map((x, k) => x.seconds / ml[Math.min(k, ml.length - 1)]!.seconds);
      const cpu = rs.map((x, k) => x.cpuSeconds / ml[Math.min(k, ml.length - 1)]!.cpuSeconds);
      ratio = `${median(ratios).toFixed(2)}x (${ratios.map((x) => x.toFixed(2)).join(', ')}; CPU ${median(cpu).toFixed(2)}x)`;
      bar = `<= ${RATIO_BAR}x`;
      ok &&= median(ratios) <= RATIO_BAR;
    }
    if (s.name === 'sim-50k') {
      bar = `<= ${SCALE_SECONDS} s, <= ${gb(SCALE_BYTES)}`;
      ok &&= rs[0]!.seconds <= SCALE_SECONDS && rs[0]!.peakRss <= SCALE_BYTES;
    }
    const verdict = bar === '' ? (failed ? 'FAILED' : '') : ok ? 'PASS' : 'FAIL';
    if (bar !== '') verdicts.push(`${s.name} ${verdict}`);
    rows.push([
      s.name,
      rs.map((x) => x.seconds.toFixed(1)).join(', '),
      rs.map((x) => x.cpuSeconds.toFixed(0)).join(', '),
      gb(Math.max(...rs.map((x) => x.peakRss))),
      ratio,
      bar,
      verdict,
    ]);
  }
  const width = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  for (const r of rows)
    console.log(
      r
        .map((c, j) => c.padEnd(width[j]!))
        .join('  ')
        .trimEnd(),
    );
  for (const s of stores) console.log(`  ${s.name}: ${s.what}`);
  console.log(
    `train-scale: ${verdicts.join(', ') || 'no bar measured'}${trainArgs.length ? ` (reco train ${trainArgs.join(' ')})` : ''}`,
  );
}

main().catch((err: unknown) => {
  console.error(`train-scale: ${(err as Error).message}`);
  process.exit(1);
});
