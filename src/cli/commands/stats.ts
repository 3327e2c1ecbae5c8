import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  compareStats,
  computeStats,
  type DatasetStats,
  formatComparison,
  formatStats,
} from '../../data/stats.js';
import { InputError, UsageError } from '../../errors.js';
import { storeWeights } from '../../store/event-types.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';

interface StatsOptions {
  json?: boolean;
  compare?: string;
  against?: string;
  tolerance: string;
}

export async function storeStats(path: string): Promise<DatasetStats> {
  const store = await openStore(path);
  try {
    return computeStats(await store.loadEventLog(), await store.listItems(), storeWeights(store));
  } finally {
    await store.close();
  }
}

function readStatsJson(file: string): DatasetStats {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read statistics JSON: ${(err as Error).message}`, file);
  }
  const s = (parsed as { stats?: unknown }).stats ?? parsed;
  if (typeof s !== 'object' || s === null || !('eventsPerUser' in s))
    throw new InputError('not the output of "reco stats --json"', file);
  return s as DatasetStats;
}

export function register(program: Command): void {
  program
    .command('stats')
    .description(
      'dataset statistics (sizes, density, Gini, quantiles, ratings, genres), optionally side by side',
    )
    .option('--json', 'print JSON')
    .option('--compare <db>', 'compare with another store (the reference)')
    .option('--against <file>', 'compare with statistics saved by "reco stats --json"')
    .option('--tolerance <x>', 'relative tolerance for the within flag', '0.1')
    .action(
      action(async (opts: StatsOptions, cmd: Command) => {
        const g = globals(cmd);
        if (opts.compare && opts.against) throw new UsageError('give --compare or --against, not both');
        const tolerance = Number(opts.tolerance);
        if (!(tolerance >= 0))
          throw new UsageError(`--tolerance must be a non-negative number (got "${opts.tolerance}")`);
        const stats = await storeStats(g.db);
        const refName = opts.compare ?? opts.against;
        if (refName === undefined) {
          process.stdout.write(
            opts.json ? `${JSON.stringify({ db: g.db, stats }, null, 2)}\n` : `${formatStats(stats)}\n`,
          );
          return;
        }
        const reference = opts.compare ? await storeStats(opts.compare) : readStatsJson(refName);
        const rows = compareStats(stats, reference, tolerance);
        if (opts.json)
          process.stdout.write(
            `${JSON.stringify({ db: g.db, reference: refName, stats, referenceStats: reference, rows }, null, 2)}\n`,
          );
        else process.stdout.write(`${formatComparison(rows, [g.db, refName], tolerance)}\n`);
      }),
    );
}
