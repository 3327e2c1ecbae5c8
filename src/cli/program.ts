/**
 * The `reco` command tree. Each subcommand lives in its own module under ./commands and is registered here;
 * a command line that names one loads only that module (a command's start does not wait for the modules
 * of all the others: `reco import` started in 0.65 s with all of them loaded).
 */
import { Command } from 'commander';
import { defaultDbPath } from './context.js';

type CommandModule = { register(program: Command): void };

/** Subcommands by name, one module each (keep this list sorted). */
const COMMANDS: ReadonlyMap<string, () => Promise<CommandModule>> = new Map([
  ['admin', () => import('./commands/admin.js')],
  ['evaluate', () => import('./commands/evaluate.js')],
  ['experiment', () => import('./commands/experiment.js')],
  ['explain', () => import('./commands/explain.js')],
  ['export', () => import('./commands/export.js')],
  ['features', () => import('./commands/features.js')],
  ['gbdt', () => import('./commands/gbdt.js')],
  ['import', () => import('./commands/import.js')],
  ['loop', () => import('./commands/loop.js')],
  ['oracle', () => import('./commands/oracle.js')],
  ['recommend', () => import('./commands/recommend.js')],
  ['runs', () => import('./commands/runs.js')],
  ['serve', () => import('./commands/serve.js')],
  ['similar', () => import('./commands/similar.js')],
  ['simulate', () => import('./commands/simulate.js')],
  ['start', () => import('./commands/start.js')],
  ['stats', () => import('./commands/stats.js')],
  ['study', () => import('./commands/study.js')],
  ['train', () => import('./commands/train.js')],
  ['train-worker', () => import('./commands/train-worker.js')],
  ['types', () => import('./commands/types.js')],
]);

/** The subcommand an argument list names (its first argument that is not a global option or its value). */
function subcommandOf(program: Command, args: readonly string[]): string | undefined {
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (!a.startsWith('-')) return a;
    const option = program.options.find((o) => o.long === a || o.short === a);
    if (option && (option.required || option.optional)) k++;
  }
  return undefined;
}

/**
 * The program for `argv` (as process.argv: node, script, arguments): with the one subcommand it names, or
 * with every subcommand (help, or no or an unknown subcommand).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('reco')
    .description('reco: a real-time recommender system (simulate, import, train, evaluate, serve)')
    .option('--db <path>', 'SQLite database file (env RECO_DB)', defaultDbPath())
    .option('--verbose', 'show stack traces and extra detail', false)
    .option('-q, --quiet', 'no progress output', false)
    .showHelpAfterError('(add --help for usage)')
    // usage errors exit with 2, help with 0 (see main.ts); set before subcommands so they inherit it
    .exitOverride()
    .enablePositionalOptions();
  const named = argv ? subcommandOf(program, argv.slice(2)) : undefined;
  const load = named === undefined ? undefined : COMMANDS.get(named);
  for (const module of load ? [load] : [...COMMANDS.values()]) (await module()).register(program);
  return program;
}
