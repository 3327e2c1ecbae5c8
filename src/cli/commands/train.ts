/**
 * `reco train`: fits the models on every event in the store and saves them as a versioned bundle
 * (../../models/bundle.ts), which `reco recommend`, `reco similar` and the server load.
 */
import type { Command } from 'commander';
import { defaultModelsDir } from '../../models/bundle.js';
import { formatSafetyNet, rankerVerdict } from '../../ranking/safety-net.js';
import { openStore } from '../../store/open.js';
import { trainBundle } from '../../training/train-bundle.js';
import { formatTuning } from '../../training/tune-report.js';
import { action, globals } from '../context.js';
import {
  modelFactory,
  parseDuration,
  parseModelList,
  parseModelParams,
  parsePositiveInt,
  requireEvents,
} from '../model-options.js';
import { type Progress, startProgress } from '../progress.js';
import { MLFLOW_HELP, RUN_NAME_HELP, type RunFlags, runOptionsFrom } from '../run-options.js';

interface TrainOpts extends RunFlags {
  tune: boolean;
  tuneBudget: string;
  models?: string;
  params?: string;
  modelsDir?: string;
  evaluate: boolean;
  k: string;
}

export function register(program: Command): void {
  program
    .command('train')
    .description(
      'fit the models on everything in the store and save them as a new model bundle (made current)',
    )
    .option(
      '--models <list>',
      'comma-separated models (default: all: popularity,itemknn,als,ease,content,hybrid,ranked)',
    )
    .option('--params <json>', 'model parameters, e.g. \'{"als":{"factors":64}}\'')
    .option(
      '--tune-budget <duration>',
      "seconds (or 90s, 2m) to choose the models' key parameters and the event weighting on a validation split of the data (docs/tuning.md); parameters given by --params are kept",
      '60s',
    )
    .option('--no-tune', "keep every model's documented defaults and the declared event weighting")
    .option('--models-dir <dir>', 'where bundles live (default: models/ beside the database)')
    .option(
      '--evaluate',
      'first evaluate each model (random 75/25 split, seed 42) and store the metrics',
      false,
    )
    .option('--k <n>', 'K for --evaluate', '10')
    .option('--run-name <name>', RUN_NAME_HELP)
    .option('--mlflow <uri>', MLFLOW_HELP)
    .action(
      action(async (opts: TrainOpts, cmd: Command) => {
        const g = globals(cmd);
        const models = parseModelList(opts.models);
        const params = parseModelParams(opts.params);
        const k = parsePositiveInt(opts.k, '--k');
        const budgetSeconds = parseDuration(opts.tuneBudget, '--tune-budget');
        const run = runOptionsFrom(opts);
        const store = await openStore(g.db);
        try {
          await requireEvents(store);
          let evaluation: Progress | undefined;
          let withOracle = false;
          let training: Progress | undefined;
          const trained = await trainBundle({
            store,
            modelsDir: opts.modelsDir ?? defaultModelsDir(g.db),
            models,
            params,
            create: modelFactory(g.quiet),
            run: { kind: 'train', ...run },
            ...(opts.tune
              ? {
                  tune: {
                    budgetSeconds,
                    ...(g.verbose ? { say: (line: string) => process.stderr.write(`${line}\n`) } : {}),
                  },
                }
              : {}),
            onTuned: (report) => process.stdout.write(`${formatTuning(report, g.verbose).join('\n')}\n`),
            ...(opts.evaluate ? { evaluateK: k } : {}),
            onEvaluateStart: (total, oracle) => {
              withOracle = oracle;
              evaluation = startProgress({ label: 'evaluate', total, unit: 'models', quiet: g.quiet });
            },
            onEvaluated: () => evaluation?.tick(),
            onEvaluateDone: (split) =>
              evaluation?.done(
                `evaluated ${models.join(', ')}${withOracle ? ' and the oracle' : ''}: ${split}, K=${k}`,
              ),
            onTrainStart: () => {
              training = startProgress({
                label: 'train',
                total: models.length,
                unit: 'models',
                quiet: g.quiet,
              });
            },
            onModelFitted: (name, seconds) => {
              training?.tick();
              if (!g.quiet) process.stderr.write(`fitted ${name} in ${seconds.toFixed(2)} s\n`);
            },
          });
          training?.done(
            `trained ${models.join(', ')} on ${trained.events.toLocaleString('en-US')} events in ${trained.seconds.toFixed(2)} s -> ${trained.dir} (version ${trained.manifest.version}, now current); run ${trained.runId}`,
          );
          // the ranker's safety net: whether it serves its trees or falls back to a source
          const net = rankerVerdict(trained.manifest.models);
          if (net) process.stdout.write(`ranked: ${formatSafetyNet(net)}\n`);
        } finally {
          await store.close();
        }
      }),
    );
}
