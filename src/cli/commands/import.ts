import type { Command } from 'commander';
import { type HeaderMode, importEventsFile, parseColumnSpec } from '../../data/import/events-file.js';
import { importItemsFile } from '../../data/import/items-file.js';
import { importMovieLens } from '../../data/import/movielens.js';
import { UsageError } from '../../errors.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';
import { startProgress } from '../progress.js';

export function register(program: Command): void {
  const imp = program
    .command('import')
    .description('import data into the store (one transaction per file: all rows or none)');

  imp
    .command('movielens')
    .description(
      'MovieLens 100K (u.data, u.item, u.user) or ml-latest-small / ml-25m (ratings.csv, movies.csv, tags.csv)',
    )
    .argument('<dir>', 'the MovieLens folder')
    .action(
      action(async (dir: string, _opts: unknown, cmd: Command) => {
        const g = globals(cmd);
        const store = await openStore(g.db);
        const progress = startProgress({
          label: 'import movielens',
          total: 100_000,
          unit: 'ratings',
          quiet: g.quiet,
        });
        try {
          const s = await importMovieLens(store, dir, { onProgress: (n) => progress.update(n) });
          progress.done(
            `imported MovieLens (${s.layout}) into ${store.path}: ${s.users} users, ${s.items} items, ${s.ratings} ratings${s.tags ? `, ${s.tags} tags` : ''}`,
          );
        } finally {
          await store.close();
        }
      }),
    );

  imp
    .command('events')
    .description('interaction events from CSV/TSV (header with user,item[,rating|value][,timestamp][,type])')
    .argument('<file>', 'CSV or TSV file')
    .option(
      '--columns <list>',
      'column order (user,item,rating,timestamp; _ skips one) for a file without a header or with --header skip, or header names mapped to columns (userId=user,movieId=item,stars=rating)',
    )
    .option(
      '--header <mode>',
      'the first line: names (column names), skip (ignored; --columns gives the order) or none',
    )
    .option('--delimiter <char>', 'field separator (detected when absent)')
    .option('--no-quotes', 'fields are never quoted: a " is an ordinary character')
    .option('--type <name>', 'event type for rows without a type or rating column', 'view')
    .action(
      action(
        async (
          file: string,
          opts: { columns?: string; header?: string; delimiter?: string; quotes: boolean; type: string },
          cmd: Command,
        ) => {
          const g = globals(cmd);
          const columns = opts.columns ? parseColumnSpec(opts.columns) : undefined;
          if (opts.header !== undefined && !['names', 'skip', 'none'].includes(opts.header))
            throw new UsageError(`--header must be names, skip or none, got "${opts.header}"`);
          const store = await openStore(g.db);
          const progress = startProgress({
            label: 'import events',
            total: 0,
            unit: 'events',
            quiet: g.quiet,
          });
          try {
            const s = await importEventsFile(store, file, {
              ...(columns ? { columns } : {}),
              ...(opts.header !== undefined ? { header: opts.header as HeaderMode } : {}),
              ...(opts.delimiter !== undefined
                ? { delimiter: opts.delimiter === '\\t' ? '\t' : opts.delimiter }
                : {}),
              noQuotes: !opts.quotes,
              defaultType: opts.type,
              onProgress: (n) => progress.update(n),
            });
            progress.done(
              `imported ${s.rows} events from ${file} into ${store.path} (${s.users} new users, ${s.items} new items)`,
            );
            if (s.newTypes.length > 0 && !g.quiet)
              process.stderr.write(
                `new event types declared with weight 1, values counted as they are: ${s.newTypes.join(', ')} (reco types set NAME --weight W --value log|count|binary|centered to change)\n`,
              );
          } finally {
            await store.close();
          }
        },
      ),
    );

  imp
    .command('items')
    .description(
      'item metadata from CSV/TSV with a header (id, title, genres, tags, created_at, other attributes)',
    )
    .argument('<file>', 'CSV or TSV file')
    .option('--delimiter <char>', 'field separator (detected when absent)')
    .option('--no-quotes', 'fields are never quoted: a " is an ordinary character')
    .action(
      action(async (file: string, opts: { delimiter?: string; quotes: boolean }, cmd: Command) => {
        const g = globals(cmd);
        const store = await openStore(g.db);
        const progress = startProgress({ label: 'import items', total: 0, unit: 'items', quiet: g.quiet });
        try {
          const s = await importItemsFile(store, file, {
            ...(opts.delimiter !== undefined
              ? { delimiter: opts.delimiter === '\\t' ? '\t' : opts.delimiter }
              : {}),
            noQuotes: !opts.quotes,
            onProgress: (n) => progress.update(n),
          });
          progress.done(`imported ${s.rows} items from ${file} into ${store.path}`);
        } finally {
          await store.close();
        }
      }),
    );
}
