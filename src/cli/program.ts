/**
 * The `reco` command tree. Each subcommand lives in its own module under ./commands and is registered here.
 */
import { Command } from 'commander';
import { register as registerExport } from './commands/export.js';
import { register as registerImport } from './commands/import.js';
import { defaultDbPath } from './context.js';

export function buildProgram(): Command {
  const program = new Command('reco')
    .description('reco: a real-time recommender system (simulate, import, train, evaluate, serve)')
    .option('--db <path>', 'SQLite database file (env RECO_DB)', defaultDbPath())
    .option('--verbose', 'show stack traces and extra detail', false)
    .option('-q, --quiet', 'no progress output', false)
    .showHelpAfterError('(add --help for usage)')
    .enablePositionalOptions();
  // Subcommands, one module each (keep this list sorted):
  registerExport(program);
  registerImport(program);
  return program;
}
