/**
 * The `reco` command tree. Each subcommand lives in its own module under ./commands and is registered here.
 */
import { Command } from 'commander';
import { register as registerAdmin } from './commands/admin.js';
import { register as registerEvaluate } from './commands/evaluate.js';
import { register as registerExperiment } from './commands/experiment.js';
import { register as registerExplain } from './commands/explain.js';
import { register as registerExport } from './commands/export.js';
import { register as registerFeatures } from './commands/features.js';
import { register as registerGbdt } from './commands/gbdt.js';
import { register as registerImport } from './commands/import.js';
import { register as registerLoop } from './commands/loop.js';
import { register as registerOracle } from './commands/oracle.js';
import { register as registerRecommend } from './commands/recommend.js';
import { register as registerRuns } from './commands/runs.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerSimilar } from './commands/similar.js';
import { register as registerSimulate } from './commands/simulate.js';
import { register as registerStart } from './commands/start.js';
import { register as registerStats } from './commands/stats.js';
import { register as registerStudy } from './commands/study.js';
import { register as registerTrain } from './commands/train.js';
import { register as registerTrainWorker } from './commands/train-worker.js';
import { register as registerTypes } from './commands/types.js';
import { defaultDbPath } from './context.js';

export function buildProgram(): Command {
  const program = new Command('reco')
    .description('reco: a real-time recommender system (simulate, import, train, evaluate, serve)')
    .option('--db <path>', 'SQLite database file (env RECO_DB)', defaultDbPath())
    .option('--verbose', 'show stack traces and extra detail', false)
    .option('-q, --quiet', 'no progress output', false)
    .showHelpAfterError('(add --help for usage)')
    // usage errors exit with 2, help with 0 (see main.ts); set before subcommands so they inherit it
    .exitOverride()
    .enablePositionalOptions();
  // Subcommands, one module each (keep this list sorted):
  registerAdmin(program);
  registerEvaluate(program);
  registerExperiment(program);
  registerExplain(program);
  registerExport(program);
  registerFeatures(program);
  registerGbdt(program);
  registerImport(program);
  registerLoop(program);
  registerOracle(program);
  registerRecommend(program);
  registerRuns(program);
  registerServe(program);
  registerSimilar(program);
  registerSimulate(program);
  registerStart(program);
  registerStats(program);
  registerStudy(program);
  registerTrain(program);
  registerTrainWorker(program);
  registerTypes(program);
  return program;
}
