/**
 * `reco evaluate`: offline evaluation of the models on a split of the store's events; prints one row per
 * model (metrics at K and fit time), plus the oracle row when the store holds a simulated world.
 */

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseServingTime } from '../../data/serving-time.js';
import { SPLIT_KINDS, type SplitKind, type SplitOptions } from '../../data/splits.js';
import { UsageError } from '../../errors.js';
import { evaluateRun } from '../../evaluation/evaluate-run.js';
import { worldOracle } from '../../evaluation/oracle.js';
import { describeResult, formatResultTable } from '../../evaluation/report.js';
import { loadWorld, WORLD_META_KEY } from '../../simulation/oracle.js';
import { storeWeights } from '../../store/event-types.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';
import {
  modelFactory,
  parseModelList,
  parseModelParams,
  parseNumber,
  parsePositiveInt,
  requireEvents,
} from '../model-options.js';
import { type Progress, startProgress } from '../progress.js';
import { MLFLOW_HELP, RUN_NAME_HELP, type RunFlags, runOptionsFrom } from '../run-options.js';

interface EvaluateOpts extends RunFlags {
  split: string;
  ratio?: string;
  seed: string;
  n: string;
  cut?: string;
  k: string;
  models?: string;
  params?: string;
  json?: string;
  auc: boolean;
  oracle: boolean;
  at?: string;
}

export function splitOptionsFrom(
  opts: Pick<EvaluateOpts, 'split' | 'ratio' | 'seed' | 'n' | 'cut'>,
): SplitOptions {
  if (!(SPLIT_KINDS as readonly string[]).includes(opts.split))
    throw new UsageError(`unknown split "${opts.split}"; valid: ${SPLIT_KINDS.join(', ')}`);
  const split: SplitOptions = { kind: opts.split as SplitKind, seed: parseNumber(opts.seed, '--seed') };
  if (opts.ratio !== undefined) split.ratio = parseNumber(opts.ratio, '--ratio');
  split.n = parsePositiveInt(opts.n, '--n');
  if (opts.cut !== undefined) {
    const t = /^\d+$/.test(opts.cut) ? Number(opts.cut) : Date.parse(opts.cut);
    if (!Number.isFinite(t))
      throw new UsageError(`--cut must be a date (2024-03-01) or ms since the epoch, got "${opts.cut}"`);
    split.cut = t;
  }
  return split;
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description(
      'offline evaluation: fit each model on the train side of a split, score its top K on the test side',
    )
    .option('--split <kind>', `random | global | leave-last | temporal`, 'random')
    .option(
      '--ratio <x>',
      'train fraction: per user (random, temporal) or time quantile (global); default 0.75 random, 0.8 others',
    )
    .option('--seed <n>', 'seed of the random split', '42')
    .option('--n <n>', 'events held out per user (leave-last)', '1')
    .option('--cut <date>', 'global split at this date (ISO or ms) instead of a quantile')
    .option('--k <n>', 'list length K', '10')
    .option(
      '--models <list>',
      'comma-separated models (default: all: popularity,itemknn,als,ease,content,hybrid,ranked)',
    )
    .option('--params <json>', 'model parameters, e.g. \'{"als":{"factors":64}}\'')
    .option('--json <file>', 'also write the results as JSON')
    .option(
      '--at <when>',
      'the time each user is served at: user (as of his own last train event), now (as of the end of the train side) or a date / ms; default user for temporal and leave-last splits, now otherwise',
    )
    .option('--no-auc', 'skip AUC (it scores every item for every user)')
    .option('--no-oracle', 'no oracle row even when the store holds a simulated world')
    .option('--run-name <name>', RUN_NAME_HELP)
    .option('--mlflow <uri>', MLFLOW_HELP)
    .action(
      action(async (opts: EvaluateOpts, cmd: Command) => {
        const g = globals(cmd);
        const split = splitOptionsFrom(opts);
        const k = parsePositiveInt(opts.k, '--k');
        const models = parseModelList(opts.models);
        const params = parseModelParams(opts.params);
        const run = runOptionsFrom(opts);
        const store = await openStore(g.db);
        try {
          await requireEvents(store);
          const log = await store.loadEventLog();
          const items = await store.listItems();
          const oracle =
            opts.oracle && (await store.getMeta(WORLD_META_KEY)) !== undefined
              ? worldOracle(await loadWorld(store))
              : undefined;
          let progress: Progress | undefined;
          const { result, runId } = await evaluateRun(store, run, log, items, {
            split,
            k,
            models,
            params,
            create: modelFactory(g.quiet),
            weights: storeWeights(store),
            auc: opts.auc,
            ...(opts.at !== undefined ? { at: parseServingTime(opts.at) } : {}),
            ...(oracle ? { oracle } : {}),
            onModelStart: (name, users) => {
              progress = startProgress({
                label: `evaluate ${name}`,
                total: users,
                unit: 'users',
                quiet: g.quiet,
              });
            },
            onUsers: (n) => progress?.update(n),
            onModelDone: (row) =>
              progress?.done(
                `${row.model}: NDCG@${k} ${row.ndcg.toFixed(4)}, fit ${row.fitSeconds.toFixed(2)} s, ` +
                  `${row.users} users scored in ${row.recommendSeconds.toFixed(2)} s`,
              ),
          });
          process.stdout.write(`${describeResult(result)}\n${formatResultTable(result)}\n`);
          if (!g.quiet) process.stderr.write(`recorded as run ${runId} (reco runs show ${runId})\n`);
          if (opts.json) {
            writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
            if (!g.quiet) process.stderr.write(`results written to ${opts.json}\n`);
          }
        } finally {
          await store.close();
        }
      }),
    );
}
