import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { loadWorld } from '../../simulation/oracle.js';
import { answerPairs } from '../../simulation/oracle-csv.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';

export function register(program: Command): void {
  program
    .command('oracle')
    .description("the simulated world's true interaction probability for (user, item[, time]) pairs")
    .requiredOption('--pairs <file>', 'CSV with user,item[,timestamp] rows ("-" for standard input)')
    .option('--out <file>', 'write the CSV here instead of standard output')
    .action(
      action(async (opts: { pairs: string; out?: string }, cmd: Command) => {
        const g = globals(cmd);
        let text: string;
        try {
          text = readFileSync(opts.pairs === '-' ? 0 : opts.pairs, 'utf8');
        } catch (err) {
          throw new InputError(`cannot read: ${(err as Error).message}`, opts.pairs);
        }
        const store = await openStore(g.db);
        try {
          const csv = answerPairs(store, await loadWorld(store), text, opts.pairs);
          if (opts.out) writeFileSync(opts.out, csv);
          else process.stdout.write(csv);
        } finally {
          await store.close();
        }
      }),
    );
}
