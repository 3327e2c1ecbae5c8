/**
 * `reco start` (what `npm start` runs): the product on a fresh clone, serving within seconds. When the
 * database is empty it creates a demo world with the simulator (the movielens preset). Then:
 * - when the current bundle was trained on exactly the store's events, it serves it at once;
 * - otherwise it fits the quick models (popularity and the collaborative ones: item-kNN, ALS, EASE) in
 *   this process, saves them as a bundle and serves it;
 * and, while serving, trains every model (the ranked one included) with its offline evaluation in a worker
 * thread when the serving bundle lacks them; the server swaps that bundle in when it is written (it watches
 * the `current` pointer), and the evaluation's summary table is printed then. The web app and /health say
 * which model serves. Quiet by default: the statistics and per-model progress only with --verbose.
 * --no-serve trains every model with its evaluation and stops.
 */
import type { Command } from 'commander';
import { defaultModelsDir, listVersions, type ModelBundle, openBundle } from '../../models/bundle.js';
import { createModel, modelNames } from '../../models/factory.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { trainBundle } from '../../training/train-bundle.js';
import { trainInWorker } from '../../training/train-in-worker.js';
import type { ModelName } from '../../types.js';
import { action, type GlobalOptions, globals } from '../context.js';
import { serve } from './serve.js';

/** The models fitted before serving: quick to fit (seconds on MovieLens 100K). */
export const QUICK_MODELS: ModelName[] = ['popularity', 'itemknn', 'als', 'ease'];
const EVALUATE_K = 10;

/** Runs another reco subcommand in this process, with the same global options. */
async function runStep(args: string[], g: GlobalOptions): Promise<void> {
  const { buildProgram } = await import('../program.js');
  const globalArgs = ['--db', g.db, ...(g.quiet ? ['--quiet'] : []), ...(g.verbose ? ['--verbose'] : [])];
  if (g.verbose) process.stderr.write(`\n$ reco ${args.join(' ')}\n`);
  const argv = ['node', 'reco', ...globalArgs, ...args];
  await (await buildProgram(argv)).parseAsync(argv);
}

/** The current bundle when it was trained on exactly the events the store holds now. */
export async function reusableBundle(store: Store, modelsDir: string): Promise<ModelBundle | undefined> {
  if (listVersions(modelsDir).length === 0) return undefined;
  try {
    const bundle = openBundle(modelsDir);
    const d = bundle.manifest.data;
    const c = await store.counts();
    if (d.position === (await store.eventPosition()) && d.events === c.events) return bundle;
  } catch {
    // no current bundle, or one that does not read: train anew
  }
  return undefined;
}

/** Whether a bundle is the full one: every model, ranked included, with its evaluation. */
function isFull(bundle: ModelBundle): boolean {
  return bundle.has('ranked') && bundle.manifest.metrics !== undefined;
}

/** The evaluation's summary table of a bundle (NDCG and recall at K, fit time per model). */
export function summaryTable(bundle: ModelBundle): string {
  const metrics = bundle.manifest.metrics;
  if (!metrics) return '';
  const rows = Object.entries(metrics.models).map(([name, m]) => {
    const fit = bundle.manifest.models.find((x) => x.name === name)?.fitSeconds;
    return `${name.padEnd(12)} ${(m['ndcg'] ?? Number.NaN).toFixed(4).padStart(9)} ${(m['recall'] ?? Number.NaN).toFixed(4).padStart(9)} ${fit === undefined ? '' : `${fit.toFixed(2)} s`}`;
  });
  return `model bundle ${bundle.version}: ${metrics.split}, K=${metrics.k}\n${'model'.padEnd(12)} ${`NDCG@${metrics.k}`.padStart(9)} ${`recall@${metrics.k}`.padStart(9)} fit\n${rows.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'the main job: create a demo world if the database is empty, serve the app and the API within seconds, train every model in the background and swap it in',
    )
    .option('--seed <n>', 'seed of the demo world', '1')
    .option('--no-serve', 'train every model with its evaluation and stop (do not serve)')
    .option('--port <n>', 'port (env PORT; default 8000)')
    .option('--host <addr>', 'address (env HOST; default 127.0.0.1)')
    .action(
      action(async (opts: { seed: string; serve: boolean; port?: string; host?: string }, cmd: Command) => {
        const g = globals(cmd);
        const t0 = performance.now();
        const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
        const modelsDir = defaultModelsDir(g.db);
        const store = await openStore(g.db);
        const empty = (await store.counts()).events === 0;
        await store.close();
        if (empty) {
          process.stderr.write(
            `reco start: ${store.path} is empty: creating a demo world (movielens preset, seed ${opts.seed})\n`,
          );
          await runStep(['simulate', '--preset', 'movielens', '--seed', opts.seed], {
            ...g,
            quiet: g.quiet || !g.verbose,
          });
        }
        if (g.verbose) await runStep(['stats'], g);
        if (!opts.serve) {
          await runStep(['train', '--evaluate'], g);
          process.stdout.write(`\n${summaryTable(openBundle(modelsDir))}`);
          return;
        }
        const data = await openStore(g.db);
        let bundle = await reusableBundle(data, modelsDir);
        if (bundle)
          process.stderr.write(
            `reco start: the data is unchanged since bundle ${bundle.version}: serving it\n`,
          );
        else {
          process.stderr.write(`reco start: fitting the quick models (${QUICK_MODELS.join(', ')}) ...\n`);
          const quick = await trainBundle({
            store: data,
            modelsDir,
            models: QUICK_MODELS,
            create: createModel,
            run: { kind: 'train', name: 'start-quick' },
          });
          bundle = openBundle(modelsDir, quick.manifest.version);
          process.stderr.write(
            `reco start: quick models fitted in ${quick.seconds.toFixed(1)} s (bundle ${bundle.version})\n`,
          );
        }
        const c = await data.counts();
        await data.close();
        const server = await serve(
          g.db,
          {
            watch: true,
            printKeys: true,
            listenBeforeRankThreads: true,
            ...(opts.port !== undefined ? { port: opts.port } : {}),
            ...(opts.host !== undefined ? { host: opts.host } : {}),
          },
          { ...g, quiet: false },
        );
        process.stderr.write(
          `reco start: serving ${c.users} users, ${c.items} items, ${c.events} events after ${elapsed()}; open ${server.url}/\n`,
        );
        if (isFull(bundle)) {
          process.stdout.write(`\n${summaryTable(bundle)}`);
          return;
        }
        process.stderr.write(
          'reco start: training every model (ranked included) with its evaluation in the background ...\n',
        );
        const models: ModelName[] = modelNames();
        trainInWorker({ db: g.db, modelsDir, models, runKind: 'train', evaluateK: EVALUATE_K }).then(
          (version) => {
            process.stderr.write(
              `reco start: bundle ${version} trained after ${elapsed()}; the server swaps it in\n`,
            );
            process.stdout.write(`\n${summaryTable(openBundle(modelsDir, version))}`);
          },
          (err: Error) =>
            process.stderr.write(
              `reco start: the background training failed, the quick models keep serving: ${err.message}\n`,
            ),
        );
      }),
    );
}
