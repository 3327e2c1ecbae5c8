/**
 * GBDT prediction throughput for a 300-tree model (31 leaves, binary objective) on seeded generated data
 * (50 features: continuous, skewed with many zeros, small integers; 2% missing):
 * - reco batch raw prediction (GbdtPredictor.predictRaw on a row-major Float64Array), rows/s;
 * - reco single-row serving path (predictRawOne), rows/s and microseconds per row;
 * - reco SHAP contributions (ShapExplainer), rows/s;
 * - end to end from the text file (read + predict + write, as `reco gbdt task=predict`) beside the
 *   reference LightGBM program single-threaded on the same file, with their ratio and the largest raw-score
 *   difference (should be 0).
 * The model is trained by the reference LightGBM (LIGHTGBM_BIN or the build script's path) when present,
 * else by reco's own trainer. Sizes: BENCH_GBDT_PREDICT_ROWS (100000), BENCH_GBDT_PREDICT_TREES (300).
 *
 *   node dist/bench/gbdt-predict.js
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runPredict } from '../src/cli/commands/gbdt.js';
import { Rng } from '../src/core/random.js';
import { train } from '../src/ranking/gbdt/boosting/gbdt.js';
import { parseParams } from '../src/ranking/gbdt/config-parser.js';
import { lightgbmArgs } from '../src/ranking/gbdt/config-writer.js';
import { ShapExplainer } from '../src/ranking/gbdt/explain.js';
import { readDataFile } from '../src/ranking/gbdt/io/data-file.js';
import { formatG } from '../src/ranking/gbdt/io/format-number.js';
import { loadModelFile, modelToText } from '../src/ranking/gbdt/io/model-text.js';
import type { GbdtModel } from '../src/ranking/gbdt/model.js';
import { type TrainParams, trainParams } from '../src/ranking/gbdt/params.js';
import { GbdtPredictor } from '../src/ranking/gbdt/predict.js';

const ROWS = Number(process.env.BENCH_GBDT_PREDICT_ROWS ?? 100000);
const TREES = Number(process.env.BENCH_GBDT_PREDICT_TREES ?? 300);
const TRAIN_ROWS = 20000;
const NUM_FEATURES = 50;

/** Generated rows as TSV text (label first) with a label that depends on a few features. */
function generate(rows: number, seed: number): string {
  const gen = new Rng(seed);
  const r = () => gen.float();
  const lines: string[] = new Array(rows);
  const x = new Array<string>(NUM_FEATURES + 1);
  for (let i = 0; i < rows; i++) {
    let score = 0;
    for (let f = 0; f < NUM_FEATURES; f++) {
      let v: number;
      if (f % 3 === 0) v = r() * 2 - 1;
      else if (f % 3 === 1) v = r() < 0.6 ? 0 : -Math.log(r() + 1e-12);
      else v = Math.floor(r() * 6);
      if (f < 8) score += (f % 2 === 0 ? 1 : -0.7) * v;
      x[f + 1] = r() < 0.02 ? 'nan' : formatG(v, 6);
    }
    x[0] = score + (r() - 0.5) * 2 > 0 ? '1' : '0';
    lines[i] = x.join('\t');
  }
  return `${lines.join('\n')}\n`;
}

function referenceLightgbm(): string | undefined {
  const c = [
    process.env.LIGHTGBM_BIN,
    resolve(process.env.HOME ?? '/root', '.cache/reference-lightgbm/package/dependencies/LightGBM/lightgbm'),
  ];
  return c.find((p): p is string => p !== undefined && p.length > 0 && existsSync(p));
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const v = fn();
  return [v, (performance.now() - t0) / 1000];
}

/**
 * Repeats fn until at least minSeconds have passed; returns wall and CPU (user) seconds per call. On a
 * shared machine the CPU figure is the steadier one.
 */
function perCall(fn: () => void, minSeconds = 1.5): { wall: number; cpu: number } {
  fn(); // warm up
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let el = 0;
  do {
    fn();
    n++;
    el = (performance.now() - t0) / 1000;
  } while (el < minSeconds);
  return { wall: el / n, cpu: process.cpuUsage(c0).user / 1e6 / n };
}

const fmtRate = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'reco-bench-predict-'));
  try {
    const trainPath = join(dir, 'train.tsv');
    const testPath = join(dir, 'test.tsv');
    writeFileSync(trainPath, generate(TRAIN_ROWS, 1));
    writeFileSync(testPath, generate(ROWS, 2));
    const lgb = referenceLightgbm();
    const modelPath = join(dir, 'model.txt');
    const common: Partial<TrainParams> = {
      objective: 'binary',
      numIterations: TREES,
      numLeaves: 31,
      minDataInLeaf: 20,
      learningRate: 0.1,
    };
    let source: string;
    let trainSeconds: number;
    if (lgb) {
      const args = lightgbmArgs(common);
      [, trainSeconds] = time(() =>
        spawnSync(
          lgb,
          [
            'task=train',
            `data=${trainPath}`,
            `output_model=${modelPath}`,
            'num_threads=1',
            'verbosity=-1',
            ...args,
          ],
          { encoding: 'utf8' },
        ),
      );
      source = 'the reference LightGBM';
    } else {
      const data = readDataFile(trainPath);
      let m: GbdtModel;
      [m, trainSeconds] = time(() => train(trainParams(common), data));
      writeFileSync(modelPath, modelToText(m));
      source = "reco's trainer";
    }
    const model = loadModelFile(modelPath);
    const leaves = model.trees.reduce((s, t) => s + t.numLeaves, 0);
    console.log(
      `gbdt-predict: model of ${model.trees.length} trees (${(leaves / model.trees.length).toFixed(1)} leaves on average, ` +
        `${model.maxFeatureIdx + 1} features) trained by ${source} in ${trainSeconds.toFixed(1)}s on ${TRAIN_ROWS} rows`,
    );

    const [data, readSeconds] = time(() => readDataFile(testPath, { model }));
    const p = new GbdtPredictor(model);
    const out = new Float64Array(data.numRows);
    const batch = perCall(() => p.predictRaw(data.values, data.numRows, out));
    console.log(
      `  batch raw prediction:   ${fmtRate(data.numRows / batch.wall)} rows/s wall, ${fmtRate(data.numRows / batch.cpu)} rows/s CPU ` +
        `(${data.numRows} rows in ${(batch.wall * 1000).toFixed(0)} ms; ${((batch.cpu / data.numRows / model.trees.length) * 1e9).toFixed(1)} ns CPU per row-tree)`,
    );
    const single = 20000;
    let sink = 0;
    const one = perCall(() => {
      for (let r = 0; r < single; r++)
        sink += p.predictRawOne(data.values, (r % data.numRows) * p.numFeatures);
    });
    console.log(
      `  single-row serving:     ${fmtRate(single / one.wall)} rows/s wall, ${fmtRate(single / one.cpu)} rows/s CPU ` +
        `(${((one.cpu / single) * 1e6).toFixed(2)} us CPU per row)`,
    );
    const shapRows = 200;
    const e = new ShapExplainer(model);
    const [, shapSeconds] = time(() => e.contrib(data.values, shapRows));
    console.log(`  SHAP contributions:     ${(shapRows / shapSeconds).toFixed(0)} rows/s (${shapRows} rows)`);
    console.log(`  reading the TSV file:   ${fmtRate(data.numRows / readSeconds)} rows/s`);

    // End to end on the file, beside LightGBM.
    const recoOut = join(dir, 'reco.pred');
    const [, recoSeconds] = time(() =>
      runPredict(
        parseParams([
          'task=predict',
          `data=${testPath}`,
          `input_model=${modelPath}`,
          `output_result=${recoOut}`,
          'predict_raw_score=true',
        ]),
        () => {},
      ),
    );
    let line = `  end to end (file in, file out): reco ${recoSeconds.toFixed(2)}s (${fmtRate(data.numRows / recoSeconds)} rows/s)`;
    if (lgb) {
      const lgbOut = join(dir, 'lgb.pred');
      const [, lgbSeconds] = time(() =>
        spawnSync(
          lgb,
          [
            'task=predict',
            `data=${testPath}`,
            `input_model=${modelPath}`,
            `output_result=${lgbOut}`,
            'predict_raw_score=true',
            'num_threads=1',
            'verbosity=-1',
          ],
          { encoding: 'utf8' },
        ),
      );
      const a = readFileSync(recoOut, 'utf8').trim().split('\n');
      const b = readFileSync(lgbOut, 'utf8').trim().split('\n');
      let maxDiff = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
      for (let i = 0; i < Math.min(a.length, b.length); i++)
        maxDiff = Math.max(maxDiff, Math.abs(Number(a[i]) - Number(b[i])));
      line += `, LightGBM (1 thread) ${lgbSeconds.toFixed(2)}s (${fmtRate(data.numRows / lgbSeconds)} rows/s); reco/LightGBM time ${(recoSeconds / lgbSeconds).toFixed(2)}x; max |reco - LightGBM| raw score ${maxDiff}`;
    } else line += '; LightGBM: skipped (not built)';
    console.log(line);
    if (sink === 0.123456789) console.log(''); // keep the single-row loop from being optimised away
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
