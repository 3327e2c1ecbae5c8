import type { Command } from 'commander';
import { exportEventsCsv } from '../../data/export.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';
import { startProgress } from '../progress.js';

export function register(program: Command): void {
  const exp = program.command('export').description('export data from the store');
  exp
    .command('events')
    .description('all events as CSV: user,item,type,value,timestamp (ISO 8601)')
    .requiredOption('--out <file>', 'output CSV file')
    .action(
      action(async (opts: { out: string }, cmd: Command) => {
        const g = globals(cmd);
        const store = await openStore(g.db);
        const total = (await store.counts()).events;
        const progress = startProgress({ label: 'export events', total, unit: 'events', quiet: g.quiet });
        try {
          const n = await exportEventsCsv(store, opts.out, (k) => progress.update(k));
          progress.done(`exported ${n} events to ${opts.out}`);
        } finally {
          await store.close();
        }
      }),
    );
}
