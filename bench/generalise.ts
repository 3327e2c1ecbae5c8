/**
 * Generalisation bench (issue "The ranker must generalise beyond MovieLens 100K"): every model of a
 * default `reco train` bundle, scored the way outside reviewers score reco on their held-out public data,
 * through the black-box path a user takes, on data sets we assemble ourselves:
 *
 *   node dist/bench/generalise.js [--quick] [--only NAME,...] [--keep DIR] [--json FILE]
 *     diagnosis: [--protocols random|temporal] [--models M,...] (only their lists, the bar among them)
 *     [--no-whole] (no whole-data training of the scale sets)
 *   npm run bench -- generalise --quick --only=ml100k,plays --json=out.json   (through bench/run.ts: NAME=VALUE)
 *
 * For each data set: its events are written as a CSV file (items.csv beside it when the set has item
 * metadata), then for each protocol the bench splits the rows itself, imports the train part into a fresh
 * store (`reco import events train.csv [format flags]`, `reco import items items.csv`), runs `reco train`
 * (all default models: popularity, itemknn, als, ease, content, hybrid, ranked), writes every model's lists
 * (`reco recommend --all --k 10 --model M --out FILE`; users served as of their own last event, the default
 * --at user; seen items excluded by reco) and computes NDCG@10 from the files (./generalise/score.ts):
 * binary relevance, every held-out item of a user relevant (ratings and counts alike) unless he has it on
 * the train side; users with such items only.
 *
 * Protocols (the rows of the CSV, split with reco's own splitter so that MovieLens figures match the
 * evaluation runner's, bench/pipeline.ts):
 *   random    per user, 75% of his (user, item) pairs to train, 25% held out (seed 42)
 *   temporal  per user, his latest 20% of events held out
 * Bar per data set and protocol: ranked >= best single model - 0.005.
 *
 * Data sets (./generalise/datasets.ts; full size, quick size in brackets):
 *   ml100k            MovieLens 100K (../shared, never copied here) ratings as user,item,rating,timestamp
 *                     (seconds); events only [every 4th user]
 *   ml100k-items      the same, plus items.csv (title, genres, release date)
 *   sim-month         simulated implicit clicks (event-log world, clicks kept; CSV user,item,timestamp in
 *                     ms, --type click), 3,000 users and items, 600,000 generated events (~100,000 clicks)
 *                     [600 users, 1,000 items, 120,000], over one month: users live ~4 days (lognormal),
 *                     items age in 7 days
 *   sim-5y            the same over five years: lifetimes ~30 days, 80% of items released in the span,
 *                     ageing 120 days
 *   sim-20y           the same over twenty years: lifetimes ~90 days, 90% released in the span, ageing a year
 *   sim-1.7k          the movielens-preset world (943 users, 1,682 items, 100,000 ratings 1-5, ISO 8601
 *                     times) with items [200 users, 20,000 ratings]
 *   sim-1.7k-noitems  the same events without items
 *   sim-10k           10,000 items, 2,000 users, 100,000 ratings (movielens preset shapes), with items
 *                     [2,500 items, 400 users, 20,000]
 *   sim-50k           50,000 items, 20,000 users, 1,000,000 ratings, with items [5,000, 1,000, 50,000]; also
 *                     trained once on all its events: the scaling target (reco train <= 10 min, <= 8 GB)
 *   halfstar          explicit half-star ratings 0.5-5.0 (a movielens-preset world's stars moved half a star
 *                     down or up with probability 0.15 each), 1,000 users, 5,000 items, 100,000 ratings over
 *                     2015-2020, in MovieLens 25M's layout userId,movieId,rating,timestamp imported with
 *                     --columns userId=user,movieId=item,rating=value,timestamp=timestamp --type rating
 *                     [250 users, 2,000 items, 20,000]
 *   sparse-22y        half-star ratings over 22 years (1996-2018), 610 users over 9,700 items (100,000 ratings;
 *                     lifetimes a median 3 days, lognormal sigma 3: users active in different eras), events
 *                     only, the half-star layout [150 users, 2,500 items, 15,000]
 *   plays             heavy-tailed play counts per (user, item), 1 to 100,000 (a ratings world's pairs, each
 *                     count ceil(5 * exp(z) * U^(-1/1.1)), z the pair's standardised true affinity, capped),
 *                     2,000 users, 10,000 items, 100,000 pairs over 2023, no header, imported with --columns
 *                     user,item,value,timestamp --type play (log2(1 + count)); items with titles only
 *                     [400 users, 2,000 items, 20,000]
 *
 * Output (stdout): one table per protocol (data set x each model's NDCG@10, ranked, the best single model,
 * ranked - best, PASS/FAIL, train wall time and peak RSS of the `reco train` child), the 10k-item train
 * time against MovieLens 100K's in the same run (bar <= 2.5x), the 50k set's whole-data train (bar <= 10 min
 * and <= 8 GB), and a one-line summary. Progress goes to stderr, one line per step. --json FILE writes the
 * results; --keep DIR keeps every generated file (CSV, stores, bundles, lists) in DIR. Quick mode (small
 * versions of every set) took 16 min on two cores shared with other jobs (load 8-11); the full suite, every
 * set at full size, about an hour there (sim-50k alone 25 min, its 20,000-user lists 5-6 min a protocol).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SplitOptions, splitLog } from '../src/data/splits.js';
import { modelNames } from '../src/models/factory.js';
import type { EventLog } from '../src/types.js';
import { readLists, readUserItems, writeEvents, writeItems } from './generalise/csv.js';
import { DATA_SET_NAMES, DATA_SETS, type DataSet } from './generalise/datasets.js';
import { RECO_MAIN, type RecoRun, reco } from './generalise/reco-cli.js';
import { heldOut, meanNdcg } from './generalise/score.js';

const K = 10;
const MARGIN = 0.005;
const RATIO_BAR = 2.5;
const SCALE_SECONDS = 600;
const SCALE_BYTES = 8 * 1024 ** 3;
const MODELS: string[] = modelNames();
const SINGLES = MODELS.filter((m) => m !== 'ranked');

interface Protocol {
  name: string;
  label: string;
  split: SplitOptions;
}
const PROTOCOLS: Protocol[] = [
  {
    name: 'random',
    label: 'random per-user 75/25 (seed 42)',
    split: { kind: 'random', ratio: 0.75, seed: 42 },
  },
  { name: 'temporal', label: "each user's latest 20% held out", split: { kind: 'temporal', ratio: 0.8 } },
];

interface TrainFigures {
  events: number;
  trainSeconds: number;
  peakRss: number;
}

interface ProtocolResult extends Partial<TrainFigures> {
  protocol: string;
  testEvents?: number;
  /** Users scored (held-out items not seen in train). */
  users?: number;
  importSeconds?: number;
  recommendSeconds?: number;
  ndcg: Record<string, number>;
  /** Scored users without a list, per model (only when some). */
  missingLists?: Record<string, number>;
  best?: { model: string; ndcg: number };
  ranked?: number;
  /** `reco train` failed: the single models were trained alone (--models), ranked has no lists. */
  singlesOnly?: boolean;
  delta?: number;
  pass?: boolean;
  errors: string[];
}

interface SetResult {
  name: string;
  what?: string;
  made?: Record<string, unknown>;
  events?: number;
  users?: number;
  /** Items with events, and items in the store's catalogue (items.csv adds those without events). */
  items?: number;
  catalogue?: number;
  values?: { min: number; median: number; max: number };
  skipped?: string;
  protocols: ProtocolResult[];
  whole?: WholeResult;
}

/** `reco train` on every event of a set (the scaling target). */
interface WholeResult extends TrainFigures {
  pass: boolean;
  errors: string[];
  /** When the full training failed: the single models trained alone (context, not the target). */
  singlesOnly?: { trainSeconds: number; peakRss: number };
}

interface Args {
  quick: boolean;
  only?: string[];
  /** Diagnosis: only these protocols, only these models' lists (the bar among them), no whole-data run. */
  protocols?: string[];
  models?: string[];
  whole: boolean;
  keep?: string;
  json?: string;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { quick: false, whole: true };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = () => (eq > 0 ? a.slice(eq + 1) : argv[++k]);
    const list = () => (value() ?? '').split(',').filter((x) => x.length > 0);
    if (name === '--quick') out.quick = true;
    else if (name === '--only') out.only = list();
    else if (name === '--keep') out.keep = value();
    else if (name === '--protocols') out.protocols = list();
    else if (name === '--models') out.models = list();
    else if (name === '--no-whole') out.whole = false;
    else if (name === '--json') out.json = value();
    else process.stderr.write(`generalise: ignoring ${a}\n`);
  }
  const unknown = (out.only ?? []).filter((n) => !DATA_SET_NAMES.includes(n));
  if (unknown.length > 0 || out.only?.length === 0) {
    process.stderr.write(`generalise: --only takes data set names among ${DATA_SET_NAMES.join(', ')}\n`);
    process.exit(2);
  }
  const badProtocol = (out.protocols ?? []).filter((x) => !PROTOCOLS.some((p) => p.name === x));
  const badModel = (out.models ?? []).filter((x) => !MODELS.includes(x));
  if (
    badProtocol.length > 0 ||
    badModel.length > 0 ||
    out.protocols?.length === 0 ||
    out.models?.length === 0
  ) {
    process.stderr.write(
      `generalise: --protocols takes ${PROTOCOLS.map((p) => p.name).join(', ')}; --models takes ${MODELS.join(', ')}\n`,
    );
    process.exit(2);
  }
  if ((argv.includes('--keep') && !out.keep) || (argv.includes('--json') && !out.json)) {
    process.stderr.write('generalise: --keep and --json take a path\n');
    process.exit(2);
  }
  return out;
}

const progress = (s: string) => process.stderr.write(`${s}\n`);
const f4 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(4));
const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;
const int = (n: number) => n.toLocaleString('en-US');

function distinct(a: Int32Array, n: number): number {
  return new Set(a.subarray(0, n)).size;
}

function valueSummary(log: EventLog): { min: number; median: number; max: number } {
  const v = Float32Array.from(log.value.subarray(0, log.length)).sort();
  return { min: v[0] ?? 0, median: v[v.length >> 1] ?? 0, max: v[v.length - 1] ?? 0 };
}

/** A failed command as one line: the command and the last line it printed. */
function failure(run: RecoRun): string {
  const last = run.stderr.split('\n').at(-1) || '(no message)';
  return `${run.command} -> exit ${run.code ?? 'signal'}: ${last}`;
}

/** A fresh store with `events` (and the set's items) imported; the error when a command failed. */
async function importInto(
  db: string,
  events: string,
  set: DataSet,
  itemsFile: string,
): Promise<{ seconds: number; error?: string }> {
  let seconds = 0;
  const steps = [['import', 'events', events, ...set.format.importArgs]];
  if (set.items) steps.push(['import', 'items', itemsFile]);
  for (const args of steps) {
    const run = await reco(db, args);
    seconds += run.seconds;
    if (run.code !== 0) return { seconds, error: failure(run) };
  }
  return { seconds };
}

/**
 * `reco train` (every default model). When it fails, the failure is recorded and the single models are
 * trained alone (`--models` without ranked), so that their figures are still measured: ranked then has
 * none and fails its bar.
 */
async function trainStore(
  db: string,
  tag: string,
): Promise<{ run?: RecoRun; singlesOnly: boolean; failed?: RecoRun; errors: string[] }> {
  const run = await reco(db, ['train']);
  if (run.code === 0) {
    progress(`${tag} reco train ${run.seconds.toFixed(1)} s, peak RSS ${gb(run.peakRss)}`);
    return { run, singlesOnly: false, errors: [] };
  }
  const errors = [failure(run)];
  progress(
    `${tag} train FAILED after ${run.seconds.toFixed(1)} s: ${failure(run)}; training the single models alone`,
  );
  const retry = await reco(db, ['train', '--models', SINGLES.join(',')]);
  if (retry.code !== 0) {
    errors.push(failure(retry));
    progress(`${tag} train FAILED: ${failure(retry)}`);
    return { singlesOnly: true, failed: run, errors };
  }
  progress(
    `${tag} reco train --models ${SINGLES.join(',')}: ${retry.seconds.toFixed(1)} s, peak RSS ${gb(retry.peakRss)}`,
  );
  return { run: retry, singlesOnly: true, failed: run, errors };
}

async function runProtocol(
  set: DataSet,
  proto: Protocol,
  dir: string,
  itemsFile: string,
  only?: readonly string[],
) {
  const res: ProtocolResult = { protocol: proto.name, ndcg: {}, errors: [] };
  const tag = `${set.name} ${proto.name}:`;
  mkdirSync(dir, { recursive: true });
  const split = splitLog(set.log, proto.split);
  const trainFile = join(dir, 'train.csv');
  const testFile = join(dir, 'test.csv');
  writeEvents(trainFile, split.train, set.format);
  writeEvents(testFile, split.test, set.format);
  res.events = split.train.length;
  res.testEvents = split.test.length;
  progress(`${tag} split ${int(split.train.length)} train / ${int(split.test.length)} held-out events`);

  const db = join(dir, 'reco.db');
  const imported = await importInto(db, trainFile, set, itemsFile);
  res.importSeconds = imported.seconds;
  if (imported.error) {
    res.errors.push(imported.error);
    progress(`${tag} import FAILED: ${imported.error}`);
    return res;
  }
  progress(`${tag} imported in ${imported.seconds.toFixed(1)} s`);

  const trained = await trainStore(db, tag);
  res.errors.push(...trained.errors);
  if (!trained.run) return res;
  res.trainSeconds = trained.run.seconds;
  res.peakRss = trained.run.peakRss;
  if (trained.singlesOnly) res.singlesOnly = true;

  const hasHeader = set.format.header !== undefined;
  const relevant = heldOut(readUserItems(trainFile, hasHeader), readUserItems(testFile, hasHeader));
  res.users = relevant.size;
  let recommendSeconds = 0;
  for (const model of (trained.singlesOnly ? SINGLES : MODELS).filter((m) => !only || only.includes(m))) {
    const out = join(dir, `recs-${model}.csv`);
    const run = await reco(db, ['recommend', '--all', '--k', String(K), '--model', model, '--out', out]);
    recommendSeconds += run.seconds;
    if (run.code !== 0) {
      res.errors.push(failure(run));
      progress(`${tag} recommend ${model} FAILED: ${failure(run)}`);
      continue;
    }
    const score = meanNdcg(relevant, readLists(out), K);
    res.ndcg[model] = score.ndcg;
    if (score.missing > 0) (res.missingLists ??= {})[model] = score.missing;
  }
  res.recommendSeconds = recommendSeconds;
  for (const m of SINGLES) {
    const v = res.ndcg[m];
    if (v !== undefined && !Number.isNaN(v) && (!res.best || v > res.best.ndcg))
      res.best = { model: m, ndcg: v };
  }
  res.ranked = res.ndcg['ranked'];
  if (res.ranked !== undefined && res.best) {
    res.delta = res.ranked - res.best.ndcg;
    res.pass = res.ranked >= res.best.ndcg - MARGIN;
  } else if (res.best) res.pass = false; // no ranked list: the bar is not met
  progress(
    `${tag} ${int(res.users)} users scored; NDCG@${K} ${MODELS.map((m) => `${m} ${f4(res.ndcg[m])}`).join(', ')}; ranked - best (${res.best?.model ?? 'n/a'}) ${f4(res.delta)}: ${res.pass === undefined ? 'n/a' : res.pass ? 'PASS' : 'FAIL'} (recommend ${recommendSeconds.toFixed(1)} s)`,
  );
  return res;
}

/** The scaling target: `reco train` on every event of the set. */
async function runWhole(set: DataSet, dataFile: string, dir: string, itemsFile: string) {
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'reco.db');
  const whole: WholeResult = {
    events: set.log.length,
    trainSeconds: Number.NaN,
    peakRss: 0,
    pass: false,
    errors: [],
  };
  const imported = await importInto(db, dataFile, set, itemsFile);
  if (imported.error) {
    whole.errors.push(imported.error);
    progress(`${set.name} whole data: import FAILED: ${imported.error}`);
    return whole;
  }
  const trained = await trainStore(db, `${set.name} whole data (${int(set.log.length)} events):`);
  whole.errors.push(...trained.errors);
  const full = trained.singlesOnly ? trained.failed : trained.run;
  whole.trainSeconds = full?.seconds ?? Number.NaN;
  whole.peakRss = full?.peakRss ?? 0;
  if (trained.singlesOnly && trained.run)
    whole.singlesOnly = { trainSeconds: trained.run.seconds, peakRss: trained.run.peakRss };
  whole.pass = !trained.singlesOnly && whole.trainSeconds <= SCALE_SECONDS && whole.peakRss <= SCALE_BYTES;
  return whole;
}

function pad(s: string, w: number, left = false): string {
  return left ? s.padEnd(w) : s.padStart(w);
}

function printTables(results: SetResult[]): void {
  const w = 10;
  for (const proto of PROTOCOLS) {
    console.log(
      `\nNDCG@${K}, ${proto.label}; binary relevance (held-out items not seen in train), users with some only`,
    );
    console.log(
      [
        pad('data set', 17, true),
        pad('users', 6),
        ...SINGLES.map((m) => pad(m, w)),
        ' |',
        pad('ranked', 8),
        pad('best (model)', 19),
        pad('ranked-best', 12),
        pad('bar', 5),
        pad('train', 9),
        pad('peak RSS', 10),
      ].join(' '),
    );
    for (const r of results) {
      const p = r.protocols.find((x) => x.protocol === proto.name);
      if (!p) {
        console.log(`${pad(r.name, 17, true)} ${r.skipped ? `skipped: ${r.skipped}` : 'not run'}`);
        continue;
      }
      console.log(
        [
          pad(r.name, 17, true),
          pad(p.users !== undefined ? String(p.users) : '-', 6),
          ...SINGLES.map((m) => pad(f4(p.ndcg[m]), w)),
          ' |',
          pad(p.singlesOnly ? 'no model' : f4(p.ranked), 8),
          pad(p.best ? `${f4(p.best.ndcg)} (${p.best.model})` : 'n/a', 19),
          pad(p.delta !== undefined ? `${p.delta >= 0 ? '+' : ''}${p.delta.toFixed(4)}` : 'n/a', 12),
          pad(p.pass === undefined ? 'n/a' : p.pass ? 'PASS' : 'FAIL', 5),
          pad(
            p.trainSeconds !== undefined ? `${p.trainSeconds.toFixed(1)} s${p.singlesOnly ? '*' : ''}` : '-',
            9,
          ),
          pad(p.peakRss ? gb(p.peakRss) : '-', 10),
        ].join(' '),
      );
      for (const e of p.errors) console.log(`    error: ${e}`);
    }
  }
  if (results.some((r) => r.protocols.some((p) => p.singlesOnly)))
    console.log('* reco train failed; the single models were trained alone (--models without ranked)');
}

/** The 10k-item set's train time over MovieLens 100K's, per protocol, from the same run. */
function trainRatios(results: SetResult[]) {
  const ml = results.find((r) => r.name === 'ml100k');
  const tenK = results.find((r) => r.name === 'sim-10k');
  const out: { protocol: string; ml100k: number; sim10k: number; ratio: number; pass: boolean }[] = [];
  for (const proto of PROTOCOLS) {
    // only trainings of every default model compare (not the single models trained alone after a failure)
    const seconds = (r: SetResult | undefined) => {
      const p = r?.protocols.find((x) => x.protocol === proto.name);
      return p && !p.singlesOnly ? p.trainSeconds : undefined;
    };
    const a = seconds(ml);
    const b = seconds(tenK);
    if (a === undefined || b === undefined) continue;
    out.push({ protocol: proto.name, ml100k: a, sim10k: b, ratio: b / a, pass: b / a <= RATIO_BAR });
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const root = args.keep ?? mkdtempSync(join(tmpdir(), 'reco-generalise-'));
  mkdirSync(root, { recursive: true });
  const mode = args.quick ? 'quick' : 'full';
  const specs = DATA_SETS.filter((s) => !args.only || args.only.includes(s.name));
  progress(
    `generalise (${mode}): ${specs.length} data sets x ${PROTOCOLS.length} protocols in ${root}; reco = ${RECO_MAIN}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
  );
  const results: SetResult[] = [];
  try {
    for (const spec of specs) {
      const t1 = performance.now();
      const made = await spec.make(args.quick);
      if ('skipped' in made) {
        progress(`${spec.name}: skipped (${made.skipped})`);
        results.push({ name: spec.name, skipped: made.skipped, protocols: [] });
        continue;
      }
      const set = made;
      const res: SetResult = {
        name: set.name,
        what: set.what,
        made: set.made,
        events: set.log.length,
        users: distinct(set.log.user, set.log.length),
        items: distinct(set.log.item, set.log.length),
        catalogue: set.items?.length ?? distinct(set.log.item, set.log.length),
        protocols: [],
      };
      if (set.format.valued) res.values = valueSummary(set.log);
      const dir = join(root, set.name);
      mkdirSync(dir, { recursive: true });
      const dataFile = join(dir, 'data.csv');
      const itemsFile = join(dir, 'items.csv');
      writeEvents(dataFile, set.log, set.format);
      if (set.items) writeItems(itemsFile, set.items, set.itemColumns ?? 'all');
      progress(
        `${set.name}: ${set.what}: ${int(res.events!)} events, ${int(res.users!)} users, ${int(res.items!)} items with events (${int(res.catalogue!)} in the catalogue)${res.values ? `, values ${res.values.min}..${res.values.max} (median ${res.values.median})` : ''}; made and written in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
      for (const proto of PROTOCOLS.filter((p) => !args.protocols || args.protocols.includes(p.name)))
        res.protocols.push(await runProtocol(set, proto, join(dir, proto.name), itemsFile, args.models));
      if (set.scale && args.whole) res.whole = await runWhole(set, dataFile, join(dir, 'whole'), itemsFile);
      results.push(res);
      if (!args.keep) rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    if (!args.keep) rmSync(root, { recursive: true, force: true });
  }

  const seconds = (performance.now() - t0) / 1000;
  printTables(results);
  const ratios = trainRatios(results);
  console.log('');
  if (ratios.length === 0)
    console.log(
      'train time, sim-10k vs ml100k: not measured (both sets and a successful reco train of each are needed)',
    );
  for (const r of ratios)
    console.log(
      `train time, sim-10k vs ml100k (${r.protocol} train parts, same run${args.quick ? ', quick sizes' : ''}): ${r.sim10k.toFixed(1)} s / ${r.ml100k.toFixed(1)} s = ${r.ratio.toFixed(2)}x; bar <= ${RATIO_BAR}x: ${r.pass ? 'PASS' : 'FAIL'}`,
    );
  const scale = results.find((r) => r.whole);
  if (scale?.whole)
    console.log(
      `scale, ${scale.name} whole data (${int(scale.whole.events)} events, ${int(scale.catalogue!)} items${args.quick ? ', quick size' : ''}): reco train ${scale.whole.singlesOnly ? 'FAILED after ' : ''}${scale.whole.trainSeconds.toFixed(1)} s, peak RSS ${gb(scale.whole.peakRss)}${scale.whole.singlesOnly ? ` (single models alone: ${scale.whole.singlesOnly.trainSeconds.toFixed(1)} s, ${gb(scale.whole.singlesOnly.peakRss)})` : ''}; bar <= ${SCALE_SECONDS / 60} min and <= ${gb(SCALE_BYTES)}: ${scale.whole.pass ? 'PASS' : 'FAIL'}${scale.whole.errors.length ? ` (${scale.whole.errors.join('; ')})` : ''}`,
    );

  const rows = results.flatMap((r) => r.protocols);
  const passes = (name: string) => {
    const ps = rows.filter((p) => p.protocol === name);
    return `${name} ${ps.filter((p) => p.pass).length}/${ps.length}`;
  };
  const errors = rows.flatMap((p) => p.errors).length + (scale?.whole?.errors.length ?? 0);
  const summary =
    `generalise ${mode}: ${results.filter((r) => !r.skipped).length} data sets${results.some((r) => r.skipped) ? ` (${results.filter((r) => r.skipped).length} skipped)` : ''}; ` +
    `ranked >= best - ${MARGIN}: ${rows.filter((p) => p.pass).length}/${rows.length} (${PROTOCOLS.map((p) => passes(p.name)).join(', ')}); ` +
    `10k/ML train ${ratios.length ? `${Math.max(...ratios.map((r) => r.ratio)).toFixed(2)}x ${ratios.every((r) => r.pass) ? 'PASS' : 'FAIL'}` : 'n/a'}; ` +
    `50k train ${scale?.whole ? `${scale.whole.singlesOnly ? 'failed after ' : ''}${scale.whole.trainSeconds.toFixed(0)} s ${gb(scale.whole.peakRss)} ${scale.whole.pass ? 'PASS' : 'FAIL'}` : 'n/a'}; ` +
    `${errors} command error${errors === 1 ? '' : 's'}; ${(seconds / 60).toFixed(1)} min`;
  console.log(`\n${summary}`);

  if (args.json) {
    writeFileSync(
      args.json,
      `${JSON.stringify(
        {
          bench: 'generalise',
          mode,
          date: new Date().toISOString(),
          node: process.version,
          cores: cpus().length,
          k: K,
          bar: {
            rankedVsBestSingle: -MARGIN,
            trainRatio10kVsMl100k: RATIO_BAR,
            scaleSeconds: SCALE_SECONDS,
            scaleBytes: SCALE_BYTES,
          },
          protocols: PROTOCOLS,
          models: MODELS,
          sets: results,
          trainRatios: ratios,
          seconds,
          summary,
        },
        null,
        2,
      )}\n`,
    );
    progress(`results written to ${args.json}`);
  }
  process.exit(errors > 0 ? 1 : 0);
}

await main();
