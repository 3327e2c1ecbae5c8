/**
 * `reco study NAME`: a controlled experiment on simulated worlds (../../study/): every cell a tracked run
 * of kind `study` in the store, a report folder (README.md with the tables, SVG charts, results.json).
 * Progress on stderr, one summary line at the end; the cells' own lines with --verbose.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { openStore } from '../../store/open.js';
import { parseGrid } from '../../study/grid.js';
import { writeReport } from '../../study/report.js';
import { runStudy } from '../../study/run-study.js';
import { findStudy, studyNames } from '../../study/studies.js';
import { action, globals } from '../context.js';
import { modelFactory, parseModelList, parsePositiveInt } from '../model-options.js';
import { startProgress } from '../progress.js';
import { MLFLOW_HELP, runOptionsFrom } from '../run-options.js';

interface StudyOpts {
  grid: string[];
  seeds: string;
  parallel: string;
  models?: string;
  out?: string;
  mlflow?: string;
}

export function register(program: Command): void {
  program
    .command('study')
    .description(
      `controlled experiments on simulated worlds, each cell a tracked run, with a report (${studyNames().join(', ')})`,
    )
    .argument('<name>', `the study: ${studyNames().join(', ')}`)
    .option(
      '--grid <name=v1,v2>',
      "levels of a world parameter instead of the study's own (repeatable: the product), e.g. tasteShare=1,0.5",
      (v: string, acc: string[]) => acc.concat(v),
      [] as string[],
    )
    .option('--seeds <n>', 'worlds per level (seeds 1..n)', '3')
    .option(
      '--parallel <n>',
      'cells at once, each in a worker thread (default: 2, or 1 on a single core)',
      String(Math.min(2, availableParallelism())),
    )
    .option('--models <list>', "comma-separated models instead of the study's own")
    .option('--out <dir>', 'report folder (default: studies/<name>)')
    .option('--mlflow <uri>', MLFLOW_HELP)
    .action(
      action(async (name: string, opts: StudyOpts, cmd: Command) => {
        const g = globals(cmd);
        const def = findStudy(name);
        if (!def) throw new UsageError(`unknown study "${name}"; valid: ${studyNames().join(', ')}`);
        const seeds = parsePositiveInt(opts.seeds, '--seeds');
        const parallel = parsePositiveInt(opts.parallel, '--parallel');
        const levels = parseGrid(opts.grid);
        const models = opts.models !== undefined ? parseModelList(opts.models) : undefined;
        const mirror = runOptionsFrom({
          ...(opts.mlflow !== undefined ? { mlflow: opts.mlflow } : {}),
        }).mirror;
        const out = opts.out ?? `studies/${def.name}`;
        const total = (levels ?? def.levels).length * seeds;
        const store = await openStore(g.db);
        try {
          const progress = startProgress({
            label: `study ${def.name}`,
            total,
            unit: 'cells',
            quiet: g.quiet,
          });
          const say = (line: string) => {
            if (g.verbose && !g.quiet) process.stderr.write(`${line}\n`);
          };
          const result = await runStudy(def, {
            seeds,
            ...(levels ? { levels } : {}),
            ...(models ? { models } : {}),
            create: modelFactory(!g.verbose || g.quiet),
            parallel,
            store,
            ...(mirror !== undefined ? { mirror } : {}),
            onCellStart: (_i, n, label) => say(`cell ${_i + 1}/${n}: ${label}`),
            onCellDone: (done) => progress.update(done),
            note: (line) => say(`  ${line}`),
          });
          const command = ['reco', 'study', ...process.argv.slice(process.argv.indexOf('study') + 1)].join(
            ' ',
          );
          const report = writeReport(out, def, result, command);
          progress.done(
            `study ${def.name}: ${result.cells.length} cells (${result.levels.length} levels x ${seeds} seeds) in ${result.seconds.toFixed(0)} s, recorded as runs of kind study; report ${report.dir}/README.md`,
          );
        } finally {
          await store.close();
        }
      }),
    );
}
