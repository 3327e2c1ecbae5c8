/**
 * Optional training backend: the LightGBM program itself (its command-line interface, LightGBM
 * docs "Quick Start"/"Parameters"), run through files. The training (and validation) data are written as
 * TSV (label first, 17 significant digits, `nan` for missing; `precise_float_parser=true` so that LightGBM
 * reads back exactly the same doubles), query sizes as `<file>.query`, the parameters as a config file;
 * the program trains and writes its text model, which is loaded back as a GbdtModel.
 * Where the program is: the environment variable LIGHTGBM_BIN.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecoError, UsageError } from '../../errors.js';
import type { TrainParams } from './config.js';
import { lightgbmArgs, lightgbmTrainArgs } from './config-writer.js';
import { formatG } from './io/format-number.js';
import { loadModelFile } from './io/model-text.js';
import type { GbdtModel } from './model.js';

/** The data the backend needs (the trainer's DenseData, row-major). */
export interface BackendData {
  numRows: number;
  numFeatures: number;
  values: Float64Array;
  layout?: 'row' | 'column';
  labels: Float32Array;
  /** Query sizes in row order. */
  groups?: Int32Array;
  featureNames?: string[];
  /** Categorical feature indices (LightGBM's categorical_feature; the label not counted). */
  categoricalFeatures?: number[];
}

export interface LightgbmBinOptions {
  /** The program; default process.env.LIGHTGBM_BIN. */
  bin?: string;
  /** Each line LightGBM prints (its metrics and info), as it comes at the end of the run. */
  onOutput?: (line: string) => void;
  /** Keep the working directory (for debugging); it is printed through onOutput. */
  keepFiles?: boolean;
}

/** The LightGBM program named by LIGHTGBM_BIN, if that file exists. */
export function lightgbmBinFromEnv(): string | undefined {
  const b = process.env.LIGHTGBM_BIN;
  return b && b.length > 0 && existsSync(b) ? b : undefined;
}

/** Writes rows as LightGBM TSV (label first) and, when there are queries, the `.query` file beside it. */
export function writeLightgbmTsv(path: string, d: BackendData): void {
  const nf = d.numFeatures;
  const at =
    d.layout === 'column'
      ? (r: number, f: number) => d.values[f * d.numRows + r]!
      : (r: number, f: number) => d.values[r * nf + f]!;
  const lines: string[] = new Array(d.numRows);
  const cells: string[] = new Array(nf + 1);
  for (let r = 0; r < d.numRows; r++) {
    cells[0] = formatG(d.labels[r]!, 17);
    for (let f = 0; f < nf; f++) cells[f + 1] = formatG(at(r, f), 17);
    lines[r] = cells.join('\t');
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  if (d.groups) writeFileSync(`${path}.query`, `${Array.from(d.groups).join('\n')}\n`);
}

/**
 * Trains with the LightGBM program: same parameters, same data; returns its model. Raises RecoError when
 * the program is missing or fails (with the end of its output).
 */
export function trainWithLightgbm(
  params: TrainParams,
  train: BackendData,
  valid: BackendData[] = [],
  options: LightgbmBinOptions = {},
): GbdtModel {
  const bin = options.bin ?? lightgbmBinFromEnv();
  if (!bin) throw new UsageError('the LightGBM backend needs LIGHTGBM_BIN set to the lightgbm program');
  if (!existsSync(bin)) throw new UsageError(`LIGHTGBM_BIN: ${bin} does not exist`);
  for (const v of valid)
    if (v.numFeatures !== train.numFeatures)
      throw new UsageError(
        `validation data has ${v.numFeatures} features, training data ${train.numFeatures}`,
      );
  const dir = mkdtempSync(join(tmpdir(), 'reco-lightgbm-'));
  try {
    const trainPath = join(dir, 'train.tsv');
    writeLightgbmTsv(trainPath, train);
    const validPaths = valid.map((v, i) => {
      const p = join(dir, `valid_${i + 1}.tsv`);
      writeLightgbmTsv(p, v);
      return p;
    });
    const modelPath = join(dir, 'model.txt');
    const conf = [
      ...lightgbmArgs({
        task: 'train',
        data: trainPath,
        ...(validPaths.length > 0 ? { validData: validPaths } : {}),
        outputModel: modelPath,
        labelColumn: '0',
        categoricalFeature: (train.categoricalFeatures ?? []).join(','),
      }),
      // a LightGBM parameter reco does not take: it reads numbers exactly as reco does
      'precise_float_parser=true',
      ...lightgbmTrainArgs(params),
    ];
    const confPath = join(dir, 'train.conf');
    writeFileSync(confPath, `${conf.join('\n')}\n`);
    const run = spawnSync(bin, [`config=${confPath}`], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    if (options.onOutput) for (const line of output.split('\n')) if (line.length > 0) options.onOutput(line);
    if (run.error) throw new RecoError(`cannot run LightGBM (${bin}): ${run.error.message}`);
    if (run.status !== 0 || !existsSync(modelPath)) {
      const tail = output.trim().split('\n').slice(-5).join('\n');
      throw new RecoError(`LightGBM failed (exit ${run.status}):\n${tail}`);
    }
    const model = loadModelFile(modelPath);
    if (train.featureNames && train.featureNames.length === model.featureNames.length)
      model.featureNames = [...train.featureNames];
    return model;
  } finally {
    if (options.keepFiles) options.onOutput?.(`LightGBM files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Which trainer: reco's own, the LightGBM program, or the program when LIGHTGBM_BIN is set (auto). */
export type GbdtBackend = 'reco' | 'lightgbm' | 'auto';

/** Resolves 'auto' to the backend it means here and now. */
export function resolveBackend(backend: GbdtBackend): 'reco' | 'lightgbm' {
  if (backend === 'auto') return lightgbmBinFromEnv() ? 'lightgbm' : 'reco';
  if (backend !== 'reco' && backend !== 'lightgbm')
    throw new UsageError(`backend "${String(backend)}": use reco, lightgbm or auto`);
  return backend;
}
