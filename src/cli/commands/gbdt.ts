/**
 * `reco gbdt key=value ...`: gradient boosting with LightGBM's own command-line syntax for the common
 * subset (LightGBM docs, "Parameters" and "Quick Start"):
 *   reco gbdt task=train data=F valid_data=F objective=... key=value ... output_model=M
 *   reco gbdt task=predict data=F input_model=M output_result=P [predict_raw_score=true | predict_contrib=true]
 *   reco gbdt config=FILE [key=value ...]        (command-line values win over the file's)
 * Data files are LightGBM's (libsvm, TSV/CSV, header, label_column, categorical_feature, `.query` beside
 * the data). Unknown or unsupported parameters are usage errors. `--backend lightgbm` trains with the
 * LightGBM program named by LIGHTGBM_BIN instead of reco's trainer (`auto`: when LIGHTGBM_BIN is set).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, UsageError } from '../../errors.js';
import { train } from '../../ranking/gbdt/boosting/gbdt.js';
import type { IoParams } from '../../ranking/gbdt/config.js';
import { type ParsedParams, parseParams } from '../../ranking/gbdt/config-parser.js';
import { parameterHelp, parametersBlock } from '../../ranking/gbdt/config-writer.js';
import { ShapExplainer } from '../../ranking/gbdt/explain.js';
import { type DataFile, readDataFile } from '../../ranking/gbdt/io/data-file.js';
import { formatG } from '../../ranking/gbdt/io/format-number.js';
import { loadModelFile, modelToText } from '../../ranking/gbdt/io/model-text.js';
import { type GbdtBackend, resolveBackend, trainWithLightgbm } from '../../ranking/gbdt/lightgbm-bin.js';
import type { GbdtModel } from '../../ranking/gbdt/model.js';
import { GbdtPredictor } from '../../ranking/gbdt/predict.js';
import { action, globals } from '../context.js';
import { formatRate } from '../progress.js';

interface GbdtOptions {
  backend: string;
}

type Print = (line: string) => void;

function dataOptions(io: IoParams) {
  return {
    header: io.header,
    labelColumn: io.labelColumn,
    categoricalFeature: io.categoricalFeature,
    ignoreColumn: io.ignoreColumn,
  };
}

function seconds(t0: number): string {
  return ((performance.now() - t0) / 1000).toFixed(2);
}

/** task=train: read data, train (reco or the LightGBM program), save the model as LightGBM text. */
export function runTrain(parsed: ParsedParams, backend: string, print: Print): GbdtModel {
  const { train: params, io } = parsed;
  if (!io.data) throw new UsageError('task=train needs data=FILE');
  if (!['reco', 'lightgbm', 'auto'].includes(backend))
    throw new UsageError(`--backend ${backend}: use reco, lightgbm or auto`);
  const which = resolveBackend(backend as GbdtBackend);
  if (io.inputModel)
    throw new UsageError('input_model (continued training) is not supported with task=train');
  const t0 = performance.now();
  const trainData = readDataFile(io.data, dataOptions(io));
  const valid: DataFile[] = io.validData.map((v) =>
    readDataFile(v, { ...dataOptions(io), numFeatures: trainData.numFeatures }),
  );
  if (params.objective === 'lambdarank') {
    if (!trainData.groups)
      throw new UsageError(`objective=lambdarank needs query groups: ${io.data}.query is missing`);
    for (const v of valid)
      if (!v.groups)
        throw new UsageError(`objective=lambdarank needs query groups: ${v.path}.query is missing`);
  }
  print(
    `[LightGBM] [Info] Finished loading data in ${seconds(t0)} seconds (${trainData.numRows} rows, ${trainData.numFeatures} features)`,
  );
  const t1 = performance.now();
  let model: GbdtModel;
  const every = params.metricFreq;
  if (which === 'lightgbm') {
    model = trainWithLightgbm(params, trainData, valid, {
      onOutput: (line) => {
        if (/Iteration:|Early stopping|Did not meet|best iteration/i.test(line)) print(line);
      },
    });
  } else {
    model = train(
      params,
      trainData,
      valid.map((v, i) => ({ name: `valid_${i + 1}`, data: v })),
      {
        onIteration(it, results) {
          if (it % every !== 0) return;
          for (const r of results)
            print(
              `[LightGBM] [Info] Iteration:${it}, ${r.dataName} ${r.metricName} : ${formatG(r.value, 6)}`,
            );
        },
        onLog: (m) => print(`[LightGBM] [Info] ${m}`),
      },
    );
  }
  print(`[LightGBM] [Info] Finished training in ${seconds(t1)} seconds (${model.trees.length} trees)`);
  model.featureNames = trainData.featureNames.map((n) => n.replace(/\s/g, '_'));
  // the categorical features as the indices they resolved to (LightGBM writes them as given)
  model.parametersText = parametersBlock(params, {
    ...io,
    categoricalFeature: trainData.categoricalFeatures.join(','),
  });
  writeFileSync(io.outputModel, modelToText(model));
  print(`[LightGBM] [Info] Saved the model to ${io.outputModel}`);
  return model;
}

/** task=predict: one line per row, tab-separated values with 17 significant digits, as LightGBM writes. */
export function runPredict(parsed: ParsedParams, print: Print): number {
  const { io } = parsed;
  if (!io.data) throw new UsageError('task=predict needs data=FILE');
  if (!io.inputModel) throw new UsageError('task=predict needs input_model=FILE');
  if (io.predictRawScore && io.predictContrib)
    throw new UsageError('predict_raw_score and predict_contrib cannot both be true');
  const model = loadModelFile(io.inputModel);
  const data = readDataFile(io.data, { header: io.header, model });
  const t0 = performance.now();
  const rows = data.numRows;
  const opts = { numIteration: io.numIterationPredict };
  let width: number;
  let out: Float64Array;
  if (io.predictContrib) {
    const e = new ShapExplainer(model, opts);
    width = e.rowWidth;
    out = e.contrib(data.values, rows);
  } else {
    const p = new GbdtPredictor(model, opts);
    width = p.numOutputs;
    out = io.predictRawScore ? p.predictRaw(data.values, rows) : p.predict(data.values, rows);
  }
  const lines: string[] = new Array(rows);
  const cells: string[] = new Array(width);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) cells[j] = formatG(out[r * width + j]!, 17);
    lines[r] = cells.join('\t');
  }
  try {
    writeFileSync(io.outputResult, rows > 0 ? `${lines.join('\n')}\n` : '');
  } catch (e) {
    throw new InputError(`cannot write the predictions: ${(e as Error).message}`, io.outputResult);
  }
  const s = (performance.now() - t0) / 1000;
  print(
    `[LightGBM] [Info] Predicted ${rows} rows in ${s.toFixed(2)}s (${formatRate(rows, s)} rows/s) to ${io.outputResult}`,
  );
  return rows;
}

export function register(program: Command): void {
  program
    .command('gbdt')
    .description(
      'gradient boosting with LightGBM syntax: task=train|predict data=F key=value ... (config=FILE)',
    )
    .argument('<params...>', 'LightGBM parameters as key=value')
    .option(
      '--backend <name>',
      'train with reco or with the LightGBM program in LIGHTGBM_BIN (lightgbm)',
      'reco',
    )
    .addHelpText(
      'after',
      `
Examples:
  reco gbdt task=train objective=lambdarank data=rank.train valid_data=rank.test num_trees=100 output_model=m.txt
  reco gbdt task=predict data=rank.test input_model=m.txt output_result=pred.txt predict_raw_score=true
  reco gbdt task=train config=train.conf num_leaves=63

Parameters (LightGBM's names, aliases in parentheses, = default):
${parameterHelp()
  .map((l) => `  ${l}`)
  .join('\n')}`,
    )
    .action(
      action((args: string[], opts: GbdtOptions, cmd: Command) => {
        const g = globals(cmd);
        const parsed = parseParams(args);
        const quiet = g.quiet || parsed.train.verbosity < 1;
        const print: Print = quiet ? () => {} : (line) => process.stdout.write(`${line}\n`);
        if (parsed.io.task === 'train') runTrain(parsed, opts.backend, print);
        else runPredict(parsed, print);
      }),
    );
}
