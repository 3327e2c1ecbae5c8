/**
 * `reco start` (what `npm start` runs): the main job on a fresh clone. When the database is empty it creates
 * a demo world with the simulator (the movielens preset), then trains every model (with an offline
 * evaluation whose metrics go into the bundle), prints a summary, and starts the HTTP API (`reco serve`) on
 * PORT (default 8000), printing the docs URL and the API keys (generated on first run); --no-serve stops
 * after training.
 * Each step is the same subcommand a user would run, so the output is the one documented for it.
 */
import type { Command } from 'commander';
import { defaultModelsDir, openBundle } from '../../models/bundle.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';
import { serve } from './serve.js';

/** Runs another reco subcommand in this process, with the same global options. */
async function runStep(args: string[], g: { db: string; quiet: boolean; verbose: boolean }): Promise<void> {
  const { buildProgram } = await import('../program.js');
  const globalArgs = ['--db', g.db, ...(g.quiet ? ['--quiet'] : []), ...(g.verbose ? ['--verbose'] : [])];
  process.stderr.write(`\n$ reco ${args.join(' ')}\n`);
  await buildProgram().parseAsync(['node', 'reco', ...globalArgs, ...args]);
}

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'the main job: create a demo world if the database is empty, train, evaluate, summarise, serve the API',
    )
    .option('--seed <n>', 'seed of the demo world', '1')
    .option('--no-serve', 'stop after training (do not start the HTTP API)')
    .option('--port <n>', 'API port (env PORT; default 8000)')
    .option('--host <addr>', 'API address (env HOST; default 127.0.0.1)')
    .action(
      action(async (opts: { seed: string; serve: boolean; port?: string; host?: string }, cmd: Command) => {
        const g = globals(cmd);
        const t0 = performance.now();
        const store = openStore(g.db);
        const empty = store.counts().events === 0;
        store.close();
        if (empty) {
          process.stderr.write(
            `${g.db} is empty: creating a demo world (movielens preset, seed ${opts.seed})\n`,
          );
          await runStep(['simulate', '--preset', 'movielens', '--seed', opts.seed], g);
        }
        await runStep(['stats'], g);
        await runStep(['train', '--evaluate'], g);
        const bundle = openBundle(defaultModelsDir(g.db));
        const metrics = bundle.manifest.metrics;
        if (metrics) {
          const rows = Object.entries(metrics.models).map(([name, m]) => {
            const fit = bundle.manifest.models.find((x) => x.name === name)?.fitSeconds;
            return `${name.padEnd(12)} ${(m.ndcg ?? Number.NaN).toFixed(4).padStart(9)} ${(m.recall ?? Number.NaN).toFixed(4).padStart(9)} ${fit === undefined ? '' : `${fit.toFixed(2)} s`}`;
          });
          process.stdout.write(
            `\nmodel bundle ${bundle.version}: ${metrics.split}, K=${metrics.k}\n${'model'.padEnd(12)} ${`NDCG@${metrics.k}`.padStart(9)} ${`recall@${metrics.k}`.padStart(9)} fit\n${rows.join('\n')}\n`,
          );
        }
        const after = openStore(g.db);
        const c = after.counts();
        after.close();
        process.stderr.write(
          `\nreco start: ${g.db} holds ${c.users} users, ${c.items} items, ${c.events} events; models trained and saved in ${((performance.now() - t0) / 1000).toFixed(1)} s. Try: npm run reco -- recommend --user u1\n`,
        );
        if (opts.serve) {
          process.stderr.write('\n$ reco serve\n');
          await serve(
            g.db,
            {
              watch: true,
              printKeys: true,
              ...(opts.port !== undefined ? { port: opts.port } : {}),
              ...(opts.host !== undefined ? { host: opts.host } : {}),
            },
            { ...g, quiet: false },
          );
        }
      }),
    );
}
