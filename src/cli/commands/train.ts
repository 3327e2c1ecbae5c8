/**
 * `reco train`: fits the models on every event in the store and saves them as a versioned bundle
 * (../../models/bundle.ts), which `reco recommend`, `reco similar` and the server load.
 */
import type { Command } from 'commander';
import { evaluate } from '../../evaluation/evaluate.js';
import { worldOracle } from '../../evaluation/oracle.js';
import { defaultModelsDir, type FittedModel, type StoredMetrics, writeBundle } from '../../models/bundle.js';
import { buildInteractions, interactionWeights } from '../../recommenders/interactions.js';
import type { Recommender } from '../../recommenders/recommender.js';
import { loadWorld, WORLD_META_KEY } from '../../simulation/oracle.js';
import { openStore } from '../../store/open.js';
import type { ModelName } from '../../types.js';
import { action, globals } from '../context.js';
import {
  modelFactory,
  parseModelList,
  parseModelParams,
  parsePositiveInt,
  requireEvents,
} from '../model-options.js';
import { startProgress } from '../progress.js';

interface TrainOpts {
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
    .option('--models-dir <dir>', 'where bundles live (default: models/ beside the database)')
    .option(
      '--evaluate',
      'first evaluate each model (random 75/25 split, seed 42) and store the metrics',
      false,
    )
    .option('--k <n>', 'K for --evaluate', '10')
    .action(
      action(async (opts: TrainOpts, cmd: Command) => {
        const g = globals(cmd);
        const models = parseModelList(opts.models);
        const params = parseModelParams(opts.params);
        const k = parsePositiveInt(opts.k, '--k');
        const store = openStore(g.db);
        try {
          requireEvents(store);
          const started = performance.now();
          // the events and their position in one read transaction: the bundle records exactly what it saw
          // (a server swapping it in replays what was stored after, e.g. during this training)
          const { log, position, items } = store.transaction(() => ({
            log: store.loadEventLog(),
            position: store.eventPosition(),
            items: store.listItems(),
          }));
          const weights = interactionWeights();
          let metrics: StoredMetrics | undefined;
          if (opts.evaluate) {
            const oracle =
              store.getMeta(WORLD_META_KEY) !== undefined ? worldOracle(loadWorld(store)) : undefined;
            const progress = startProgress({
              label: 'evaluate',
              total: models.length + (oracle ? 1 : 0),
              unit: 'models',
              quiet: g.quiet,
            });
            const result = await evaluate(log, items, {
              split: { kind: 'random', ratio: 0.75, seed: 42 },
              k,
              models,
              params,
              weights,
              auc: false,
              create: modelFactory(g.quiet),
              ...(oracle ? { oracle } : {}),
              onModelDone: () => progress.tick(),
            });
            progress.done(
              `evaluated ${models.join(', ')}${oracle ? ' and the oracle' : ''}: ${result.split}, K=${k}`,
            );
            metrics = {
              split: result.split,
              k,
              models: Object.fromEntries(
                result.rows.map((r) => [
                  r.model,
                  {
                    ndcg: r.ndcg,
                    precision: r.precision,
                    recall: r.recall,
                    map: r.map,
                    hitRate: r.hitRate,
                    coverage: r.coverage,
                  },
                ]),
              ),
            };
          }
          const interactions = buildInteractions(log, weights);
          const fitted: FittedModel[] = [];
          const progress = startProgress({
            label: 'train',
            total: models.length,
            unit: 'models',
            quiet: g.quiet,
          });
          // models with default parameters, which hybrid and ranked reuse instead of fitting copies
          const defaults = new Map<ModelName, Recommender>();
          for (const name of models) {
            const model = modelFactory(g.quiet)(name, params[name]);
            const t0 = performance.now();
            await model.fit({ interactions, log, items, fitted: defaults });
            if (params[name] === undefined) defaults.set(name, model);
            const fitSeconds = (performance.now() - t0) / 1000;
            fitted.push({ model, fitSeconds });
            progress.tick();
            if (!g.quiet) process.stderr.write(`fitted ${name} in ${fitSeconds.toFixed(2)} s\n`);
          }
          const { manifest, dir } = writeBundle({
            modelsDir: opts.modelsDir ?? defaultModelsDir(g.db),
            data: {
              db: store.path,
              users: log.userIds.length,
              items: log.itemIds.length,
              events: log.length,
              position,
              firstEvent: log.length > 0 ? log.timestamp[0]! : null,
              lastEvent: log.length > 0 ? log.timestamp[log.length - 1]! : null,
            },
            weights,
            userIds: log.userIds,
            itemIds: log.itemIds,
            models: fitted,
            ...(metrics ? { metrics } : {}),
          });
          const seconds = (performance.now() - started) / 1000;
          progress.done(
            `trained ${models.join(', ')} on ${log.length.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s -> ${dir} (version ${manifest.version}, now current)`,
          );
        } finally {
          store.close();
        }
      }),
    );
}
