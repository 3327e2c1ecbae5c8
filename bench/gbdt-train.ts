/**
 * GBDT training speed and quality, reco against the reference LightGBM side by side in one run: both
 * single-threaded, same parameters (lambdarank, 300 trees, 31 leaves, max_bin 255, min_data_in_leaf 50), on a
 * seeded generated learning-to-rank set (200,000 rows in 1,000 queries, 50 features: continuous, skewed with
 * many zeros, low-cardinality integers; 2% missing) with a validation set of 250 queries. Prints both times
 * (reading the text files included, as LightGBM's are), their ratio, both validation NDCG@10, and reco's
 * prediction throughput. Wall-clock and CPU seconds are both printed: on a machine shared with other work
 * the CPU ratio is the steadier of the two. Then reco with num_threads=2 (worker threads for half of the
 * lambdarank gradients and of each large histogram), and its speed-up over one thread, which depends on a
 * second core being free. LightGBM is LIGHTGBM_BIN or the build script's path; "skipped" when absent.
 * BENCH_GBDT_TWO_CORES=0 skips the two-thread reco run.
 * Sizes: BENCH_GBDT_QUERIES (1000), BENCH_GBDT_DOCS (200 per query), BENCH_GBDT_TREES (300).
 * BENCH_GBDT_DIR keeps the generated files there (reused when present), e.g. for profiling.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Rng } from '../src/core/random.js';
import { train } from '../src/ranking/gbdt/boosting/gbdt.js';
import { lightgbmArgs } from '../src/ranking/gbdt/config-writer.js';
import { readDataFile } from '../src/ranking/gbdt/io/data-file.js';
import { type TrainParams, trainParams } from '../src/ranking/gbdt/params.js';
import { GbdtPredictor } from '../src/ranking/gbdt/predict.js';

const QUERIES = Number(process.env.BENCH_GBDT_QUERIES ?? 1000);
const DOCS = Number(process.env.BENCH_GBDT_DOCS ?? 200);
const TREES = Number(process.env.BENCH_GBDT_TREES ?? 300);
const VALID_QUERIES = Math.max(1, Math.round(QUERIES / 4));
const NUM_FEATURES = 50;

/**
 * Writes `queries` queries of DOCS documents as LightGBM TSV (label first) plus a `.query` file. Features
 * 0-29 Gaussian, 30-39 exponential with 60% zeros, 40-49 integers 0..k (k = 2..11); 2% of values missing.
 * Relevance 0-4 from a fixed nonlinear function of some features plus a per-query shift and noise.
 */
function writeLtrSet(path: string, queries: number, seed: number): void {
  const gen = new Rng(seed);
  const rand = () => gen.float();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x = new Float64Array(NUM_FEATURES);
  const lines: string[] = [];
  const sizes: string[] = [];
  for (let q = 0; q < queries; q++) {
    const shift = gauss() * 0.5;
    sizes.push(String(DOCS));
    for (let d = 0; d < DOCS; d++) {
      for (let f = 0; f < 30; f++) x[f] = gauss();
      for (let f = 30; f < 40; f++) x[f] = rand() < 0.6 ? 0 : -Math.log(1 - rand());
      for (let f = 40; f < 50; f++) x[f] = Math.floor(rand() * (f - 38));
      const s =
        0.8 * x[0]! +
        0.6 * x[1]! -
        0.5 * x[2]! +
        0.4 * x[3]! * x[4]! +
        0.5 * Math.sin(2 * x[5]!) +
        0.3 * x[30]! +
        0.25 * (x[40]! === 1 ? 1 : 0) +
        0.1 * x[45]! +
        (x[6]! > 0.5 ? 0.4 : 0) +
        0.6 * gauss() +
        shift;
      const label = Math.max(0, Math.min(4, Math.floor(s + 0.6)));
      const cols: string[] = [String(label)];
      for (let f = 0; f < NUM_FEATURES; f++) {
        if (rand() < 0.02) cols.push('nan');
        else cols.push(f < 40 ? x[f]!.toFixed(4) : String(x[f]));
      }
      lines.push(cols.join('\t'));
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  writeFileSync(`${path}.query`, `${sizes.join('\n')}\n`);
}

/** LIGHTGBM_BIN when set (a path that does not exist skips LightGBM), else the build script's path. */
function referenceLightgbm(): string | undefined {
  const p =
    process.env.LIGHTGBM_BIN ??
    resolve(process.env.HOME ?? '/root', '.cache/reference-lightgbm/package/dependencies/LightGBM/lightgbm');
  return existsSync(p) ? p : undefined;
}

const PARAMS: Partial<TrainParams> = {
  objective: 'lambdarank',
  numIterations: TREES,
  learningRate: 0.1,
  numLeaves: 31,
  maxBin: 255,
  minDataInLeaf: 50,
  metric: ['ndcg'],
  evalAt: [10],
};

const keepDir = process.env.BENCH_GBDT_DIR;
const dir = keepDir ?? mkdtempSync(join(tmpdir(), 'reco-bench-gbdt-'));
try {
  const trainPath = join(dir, 'train.tsv');
  const validPath = join(dir, 'valid.tsv');
  let t = performance.now();
  if (!keepDir || !existsSync(trainPath)) {
    writeLtrSet(trainPath, QUERIES, 1);
    writeLtrSet(validPath, VALID_QUERIES, 2);
  }
  console.log(
    `data: ${QUERIES * DOCS} training rows in ${QUERIES} queries, ${VALID_QUERIES * DOCS} validation rows, ` +
      `${NUM_FEATURES} features (written in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
  console.log(`parameters: ${lightgbmArgs(PARAMS).join(' ')}, single thread`);

  // LightGBM, single-threaded.
  const bin = referenceLightgbm();
  let lgbSec: number | undefined;
  let lgbCpu: number | undefined;
  let lgbNdcg: number | undefined;
  if (!bin)
    console.log('LightGBM: skipped (no binary; set LIGHTGBM_BIN or run ../shared/tools/build-lightgbm.sh)');
  else {
    const args = [
      'task=train',
      `data=${trainPath}`,
      `valid_data=${validPath}`,
      ...lightgbmArgs(PARAMS),
      'num_threads=1',
      'deterministic=true',
      `output_model=${join(dir, 'lgb.model.txt')}`,
    ];
    t = performance.now();
    // bash's `time` reports the child's CPU time (user + sys) on stderr.
    const r = spawnSync('bash', ['-c', 'TIMEFORMAT="cpu %U %S"; time "$0" "$@"', bin, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    lgbSec = (performance.now() - t) / 1000;
    const cpu = /cpu ([0-9.]+) ([0-9.]+)/.exec(r.stderr ?? '');
    lgbCpu = cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined;
    if (r.status !== 0) {
      console.log(`LightGBM: failed (exit ${r.status}): ${r.stderr || r.stdout}`.slice(0, 2000));
      lgbSec = undefined;
    } else {
      const m = [...r.stdout.matchAll(/valid_1 ndcg@10 : ([0-9.eE+-]+)/g)];
      lgbNdcg = m.length > 0 ? Number(m[m.length - 1]![1]) : undefined;
      const el = [...r.stdout.matchAll(/([0-9.]+) seconds elapsed, finished iteration/g)];
      const trainOnly = el.length > 0 ? Number(el[el.length - 1]![1]) : Number.NaN;
      console.log(
        `LightGBM 1 thread: ${lgbSec.toFixed(2)} s total (of which boosting ${trainOnly.toFixed(2)} s; ` +
          `CPU ${lgbCpu?.toFixed(2)} s), validation NDCG@10 ${lgbNdcg?.toFixed(6)}`,
      );
    }
  }

  // reco, single-threaded.
  const cpu0 = process.cpuUsage();
  t = performance.now();
  const trainData = readDataFile(trainPath);
  const validData = readDataFile(validPath, { numFeatures: trainData.numFeatures });
  const readSec = (performance.now() - t) / 1000;
  let recoNdcg = Number.NaN;
  const t1 = performance.now();
  const model = train(trainParams(PARAMS), trainData, [{ name: 'valid_1', data: validData }], {
    onIteration: (_it, res) => {
      recoNdcg = res[res.length - 1]!.value;
    },
  });
  const trainSec = (performance.now() - t1) / 1000;
  const recoSec = readSec + trainSec;
  const c = process.cpuUsage(cpu0);
  const recoCpu = (c.user + c.system) / 1e6;
  console.log(
    `reco 1 thread:     ${recoSec.toFixed(2)} s total (reading ${readSec.toFixed(2)} s, binning + boosting ` +
      `${trainSec.toFixed(2)} s; CPU ${recoCpu.toFixed(2)} s), validation NDCG@10 ${recoNdcg.toFixed(6)}, ` +
      `${model.trees.length} trees`,
  );
  if (lgbSec !== undefined && lgbNdcg !== undefined) {
    const ratio = recoSec / lgbSec;
    const diff = recoNdcg - lgbNdcg;
    console.log(
      `ratio reco / LightGBM: ${ratio.toFixed(2)}x wall clock (target <= 2x: ${ratio <= 2 ? 'met' : 'MISSED'})` +
        (lgbCpu ? `, ${(recoCpu / lgbCpu).toFixed(2)}x CPU time` : '') +
        `; NDCG@10 difference ${diff >= 0 ? '+' : ''}${diff.toFixed(6)} ` +
        `(target within 0.005: ${Math.abs(diff) <= 0.005 ? 'met' : 'MISSED'})`,
    );
  }

  // reco with both cores (num_threads=2: a worker thread computes half of the lambdarank gradients).
  if (process.env.BENCH_GBDT_TWO_CORES !== '0') {
    let ndcg2 = Number.NaN;
    const c2 = process.cpuUsage();
    const t2 = performance.now();
    const m2 = train(
      trainParams({ ...PARAMS, numThreads: 2 }),
      trainData,
      [{ name: 'valid_1', data: validData }],
      {
        onIteration: (_it, res) => {
          ndcg2 = res[res.length - 1]!.value;
        },
      },
    );
    const sec2 = readSec + (performance.now() - t2) / 1000;
    const cpu2 = process.cpuUsage(c2);
    console.log(
      `reco 2 threads:    ${sec2.toFixed(2)} s total (reading ${readSec.toFixed(2)} s, one thread; CPU of training ` +
        `${((cpu2.user + cpu2.system) / 1e6).toFixed(2)} s), validation NDCG@10 ${ndcg2.toFixed(6)}, ` +
        `${m2.trees.length} trees; ${(recoSec / sec2).toFixed(2)}x the 1-thread speed` +
        (lgbSec !== undefined ? `, ${(sec2 / lgbSec).toFixed(2)}x LightGBM's 1-thread time` : ''),
    );
  }

  // Prediction throughput on the validation rows (raw scores, all trees).
  const predictor = new GbdtPredictor(model);
  const rows = validData.numRows;
  const out = new Float64Array(rows);
  predictor.predictRaw(validData.values, rows, out);
  t = performance.now();
  let reps = 0;
  do {
    predictor.predictRaw(validData.values, rows, out);
    reps++;
  } while (performance.now() - t < 1000);
  const predSec = (performance.now() - t) / 1000;
  console.log(
    `reco prediction: ${Math.round((rows * reps) / predSec).toLocaleString('en-US')} rows/s ` +
      `(${model.trees.length} trees, ${rows} rows x ${reps})`,
  );
} finally {
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
}
