/**
 * `reco train-worker`: the trainings of replicas over a shared store (PostgreSQL). It waits for requests
 * (POST /v1/models/retrain on any replica; announced by the store's feed, and polled), trains one at a
 * time across every worker (an advisory lock), writes the bundle into the models folder the replicas share
 * and publishes it: the replicas swap it in (../../training/training-requests.ts).
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { defaultModelsDir } from '../../models/bundle.js';
import { openStore } from '../../store/open.js';
import { isPgLocation } from '../../store/pg-location.js';
import { trainInWorker } from '../../training/train-in-worker.js';
import { takeTraining } from '../../training/training-requests.js';
import type { ModelName } from '../../types.js';
import { action, globals } from '../context.js';
import { parseModelList } from '../model-options.js';

interface TrainWorkerOptions {
  modelsDir?: string;
  models?: string;
  poll: string;
  once?: boolean;
}

export function register(program: Command): void {
  program
    .command('train-worker')
    .description(
      'train the models when a replica asks (POST /v1/models/retrain), one training at a time across workers, over a shared PostgreSQL store',
    )
    .option(
      '--models-dir <dir>',
      'where bundles live, shared with the replicas (default: models/ beside the database)',
    )
    .option('--models <list>', 'comma-separated models when a request names none (default: all)')
    .option('--poll <seconds>', 'look for requests this often besides the notices', '5')
    .option('--once', 'take the waiting request, if any, and stop')
    .action(
      action(async (opts: TrainWorkerOptions, cmd: Command) => {
        const g = globals(cmd);
        const poll = Number(opts.poll);
        if (!Number.isFinite(poll) || poll <= 0)
          throw new UsageError(`--poll must be a positive number of seconds, got "${opts.poll}"`);
        const models = parseModelList(opts.models);
        // refused before anything is opened (no SQLite file left behind)
        if (!isPgLocation(g.db))
          throw new UsageError(
            `train-worker serves replicas over a shared store: --db (or RECO_DB) must be a postgres:// URL, not ${g.db}; with SQLite, reco serve retrains itself`,
          );
        const store = await openStore(g.db);
        const feed = store.feed;
        if (!feed) {
          await store.close();
          throw new UsageError(`train-worker: the store ${store.path} has no feed of changes`);
        }
        const modelsDir = opts.modelsDir ?? defaultModelsDir(g.db);
        const say = (m: string) => {
          if (!g.quiet) process.stdout.write(`reco train-worker: ${m}\n`);
        };
        const train = () =>
          takeTraining(store, feed, async (request) => {
            say(`training request ${request.id}`);
            const started = performance.now();
            const version = await trainInWorker({
              db: g.db,
              modelsDir,
              models: request.models.length > 0 ? (request.models as ModelName[]) : models,
            });
            say(
              `bundle ${version} trained in ${((performance.now() - started) / 1000).toFixed(1)} s and published`,
            );
            return version;
          });
        if (opts.once) {
          try {
            if (!(await train())) say('no training waiting');
          } finally {
            await store.close();
          }
          return;
        }
        // one pass at a time; a notice during a pass makes another
        let running: Promise<void> | undefined;
        let again = false;
        const kick = () => {
          if (running) {
            again = true;
            return;
          }
          running = (async () => {
            do {
              again = false;
              await train().catch((err: Error) =>
                process.stderr.write(`reco train-worker: ${err.message}\n`),
              );
            } while (again);
          })().finally(() => {
            running = undefined;
          });
        };
        const subscription = await feed.listen(
          (notice) => {
            if (notice.topic === 'retrain') kick();
          },
          (err) => process.stderr.write(`reco train-worker: notices: ${err.message} (reconnecting)\n`),
        );
        const timer = setInterval(kick, poll * 1000);
        say(`waiting for training requests on ${store.path} (bundles into ${modelsDir})`);
        kick();
        await new Promise<void>((resolve) => {
          for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
        });
        clearInterval(timer);
        await subscription.close();
        await running;
        await store.close();
      }),
    );
}
