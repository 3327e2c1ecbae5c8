/**
 * `reco features`: the declared ranking features (src/features/registry.ts): name, scope, window,
 * description; expanded features (one column per genre or candidate source) are listed once with their
 * column pattern. `--json` prints the table as JSON.
 */
import type { Command } from 'commander';
import { FEATURES } from '../../features/registry.js';
import { action } from '../context.js';

interface FeaturesOpts {
  json: boolean;
  scope?: string;
}

export function register(program: Command): void {
  program
    .command('features')
    .description('list the declared ranking features (name, scope, window, description)')
    .option('--scope <scope>', 'only this scope: user | item | user-item | context')
    .option('--json', 'print JSON', false)
    .action(
      action(async (opts: FeaturesOpts) => {
        const defs = FEATURES.filter((d) => !opts.scope || d.scope === opts.scope);
        const rows = defs.map((d) => ({
          name: d.expand ? `${d.name}[<${d.expand}>]` : d.name,
          scope: d.scope,
          window: d.window,
          description: d.description,
        }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const table = [
          ['name', 'scope', 'window', 'description'],
          ...rows.map((r) => [r.name, r.scope, r.window, r.description]),
        ];
        const widths = [0, 1, 2].map((c) => Math.max(...table.map((r) => r[c]!.length)));
        const text = table
          .map((r) => r.map((v, c) => (c < 3 ? v.padEnd(widths[c]!) : v)).join('  '))
          .join('\n');
        process.stdout.write(`${text}\n${rows.length} features\n`);
      }),
    );
}
