/**
 * `reco runs`: the tracked runs in the store (../../tracking/run-recorder.ts): list, show one, compare
 * several, export them as an MLflow file store (mlruns/).
 */
import type { Command } from 'commander';
import { RecoError, UsageError } from '../../errors.js';
import { openStore } from '../../store/open.js';
import { RUN_KINDS, type RunKind, type RunRecord, type Store } from '../../store/store.js';
import { ensureExperiment, exportRun, type MlflowFormat } from '../../tracking/mlflow-filestore.js';
import { userName } from '../../tracking/provenance.js';
import { runNameProblem } from '../../tracking/run-recorder.js';
import {
  compareRuns,
  formatComparison,
  formatRun,
  formatRunList,
  runJson,
} from '../../tracking/run-report.js';
import { action, globals } from '../context.js';
import { parsePositiveInt } from '../model-options.js';

function parseKind(raw: string | undefined): RunKind | undefined {
  if (raw === undefined) return undefined;
  if (!(RUN_KINDS as readonly string[]).includes(raw))
    throw new UsageError(`--kind must be one of ${RUN_KINDS.join(', ')}, got "${raw}"`);
  return raw as RunKind;
}

/** The run `ref` names: its id, or a prefix of one id only (at least 4 hex digits). */
export async function findRun(store: Store, ref: string): Promise<RunRecord> {
  const exact = await store.getRun(ref);
  if (exact) return exact;
  const matches = /^[0-9a-f]{4,31}$/.test(ref)
    ? (await store.listRuns()).filter((r) => r.id.startsWith(ref))
    : [];
  if (matches.length === 1) return (await store.getRun(matches[0]!.id))!;
  if (matches.length > 1)
    throw new UsageError(`run "${ref}" is ambiguous: ${matches.map((r) => r.id).join(', ')}`);
  throw new RecoError(`no run "${ref}" in ${store.path} (see: reco runs list)`);
}

/** Opens the store, runs fn, closes it. */
async function withStore(cmd: Command, fn: (store: Store) => void | Promise<void>): Promise<void> {
  const store = await openStore(globals(cmd).db);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

const print = (text: string) => void process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

export function register(program: Command): void {
  const runs = program
    .command('runs')
    .description('tracked runs of train, evaluate and the server retrainer: list, show, compare, export');

  runs
    .command('list')
    .description('runs, newest first')
    .option('--kind <kind>', `only runs of this kind (${RUN_KINDS.join(', ')})`)
    .option('--limit <n>', 'at most this many')
    .option('--json', 'as JSON', false)
    .action(
      action(async (opts: { kind?: string; limit?: string; json: boolean }, cmd: Command) => {
        const kind = parseKind(opts.kind);
        const limit = opts.limit === undefined ? undefined : parsePositiveInt(opts.limit, '--limit');
        await withStore(cmd, async (store) => {
          const list = await store.listRuns({
            ...(kind ? { kind } : {}),
            ...(limit !== undefined ? { limit } : {}),
          });
          if (opts.json) printJson(list);
          else print(formatRunList(list));
        });
      }),
    );

  runs
    .command('show')
    .description('one run: params, tags, latest metrics (and the span of each curve), artifacts')
    .argument('<id>', 'run id (or a unique prefix of at least 4 characters)')
    .option('--json', 'as JSON (with every curve)', false)
    .action(
      action(async (ref: string, opts: { json: boolean }, cmd: Command) => {
        await withStore(cmd, async (store) => {
          const run = await findRun(store, ref);
          const history = await store.metricHistory(run.id);
          if (opts.json) printJson(runJson(run, history));
          else print(formatRun(run, history));
        });
      }),
    );

  runs
    .command('compare')
    .description('runs side by side: the parameters that differ, every metric')
    .argument('<ids...>', 'two or more run ids (or unique prefixes)')
    .option('--json', 'as JSON', false)
    .action(
      action(async (refs: string[], opts: { json: boolean }, cmd: Command) => {
        if (refs.length < 2) throw new UsageError('runs compare needs two or more run ids');
        await withStore(cmd, async (store) => {
          const comparison = compareRuns(await Promise.all(refs.map((ref) => findRun(store, ref))));
          if (opts.json) printJson(comparison);
          else print(formatComparison(comparison));
        });
      }),
    );

  runs
    .command('export')
    .description(
      "write runs as MLflow's file store (mlruns/): mlflow ui --backend-store-uri DIR shows them; MLflow 3 through mlflow migrate-filestore",
    )
    .argument('[ids...]', 'the runs to export (default: every run, or every run of --kind)')
    .requiredOption(
      '--mlruns <dir>',
      'the mlruns folder (created when missing; other experiments are left alone)',
    )
    .option('--experiment <name>', 'the MLflow experiment the runs go to (created when missing)', 'reco')
    .option('--kind <kind>', `only runs of this kind (${RUN_KINDS.join(', ')})`)
    .option('--mlflow-format <n>', "meta.yaml as MLflow 2 writes it, or 1 (MLflow 1.x's)", '2')
    .action(
      action(
        async (
          refs: string[],
          opts: { mlruns: string; experiment: string; kind?: string; mlflowFormat: string },
          cmd: Command,
        ) => {
          const kind = parseKind(opts.kind);
          if (opts.mlflowFormat !== '1' && opts.mlflowFormat !== '2')
            throw new UsageError(`--mlflow-format must be 1 or 2, got "${opts.mlflowFormat}"`);
          const format = Number(opts.mlflowFormat) as MlflowFormat;
          const problem =
            opts.experiment.length > 500
              ? 'must have at most 500 characters'
              : runNameProblem(opts.experiment);
          if (problem) throw new UsageError(`--experiment ${problem}, got "${opts.experiment}"`);
          await withStore(cmd, async (store) => {
            const ids =
              refs.length > 0
                ? (await Promise.all(refs.map((ref) => findRun(store, ref)))).map((r) => r.id)
                : (await store.listRuns(kind ? { kind } : {})).map((r) => r.id);
            const options = {
              root: opts.mlruns,
              experiment: opts.experiment,
              format,
              defaultUser: userName(),
            };
            const experiment = ensureExperiment(opts.mlruns, opts.experiment, format);
            for (const id of ids) {
              const run = (await store.getRun(id))!;
              if (kind && run.kind !== kind) continue;
              exportRun({ ...run, metrics: await store.metricHistory(id) }, experiment, options);
            }
            if (!globals(cmd).quiet)
              process.stderr.write(
                `exported ${ids.length} run(s) to ${opts.mlruns}, experiment "${experiment.name}" (id ${experiment.id})\n`,
              );
          });
        },
      ),
    );
}
