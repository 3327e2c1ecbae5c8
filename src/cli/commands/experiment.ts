/**
 * `reco experiment`: online experiments in the store (../../experiments/): create, list, show, start,
 * stop, results, and the sample size a test needs. A server running on the same store sees changes within
 * a few seconds.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ExperimentInput } from '../../experiments/definition.js';
import {
  formatExperiment,
  formatExperimentList,
  formatResults,
  formatSampleSize,
} from '../../experiments/report.js';
import { sampleSize } from '../../experiments/sample-size.js';
import { ExperimentService } from '../../experiments/service.js';
import { defaultModelsDir, listVersions } from '../../models/bundle.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';
import { parseNumber, parsePositiveInt } from '../model-options.js';

const print = (text: string) => void process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));
const collect = (value: string, previous: string[]) => [...previous, value];

/** Opens the store and the experiments over it, runs fn, closes the store. */
async function withExperiments(cmd: Command, fn: (x: ExperimentService) => Promise<void>): Promise<void> {
  const db = globals(cmd).db;
  const store = await openStore(db);
  try {
    const modelsDir = defaultModelsDir(db);
    await fn(
      await ExperimentService.open(store, {
        bundleProblem: (v) =>
          listVersions(modelsDir).includes(v) ? undefined : `no bundle "${v}" in ${modelsDir}`,
      }),
    );
  } finally {
    await store.close();
  }
}

/** `NAME=STRATEGY` or `NAME=bundle:VERSION`. */
function parseVariant(
  raw: string,
  k: number,
  weight: number | undefined,
): ExperimentInput['variants'][number] {
  const eq = raw.indexOf('=');
  if (eq <= 0 || eq === raw.length - 1)
    throw new UsageError(`--variant ${k + 1}: write NAME=STRATEGY or NAME=bundle:VERSION, got "${raw}"`);
  const name = raw.slice(0, eq);
  const spec = raw.slice(eq + 1);
  const w = weight === undefined ? {} : { weight };
  return spec.startsWith('bundle:') ? { name, bundle: spec.slice(7), ...w } : { name, strategy: spec, ...w };
}

interface CreateOptions {
  name: string;
  variant: string[];
  weight: string[];
  attributionHours?: string;
  coverage?: string;
  seed?: string;
  draft: boolean;
  json: boolean;
}

export function register(program: Command): void {
  const exp = program
    .command('experiment')
    .description('online experiments: create, list, show, start, stop, results, sample-size');

  exp
    .command('create')
    .description('create an experiment (running at once unless --draft); the first variant is the control')
    .requiredOption('--name <name>', 'its name')
    .option(
      '--variant <NAME=SPEC>',
      'a variant: NAME=STRATEGY (a model, ranked, interleave:A,B) or NAME=bundle:VERSION; repeat',
      collect,
      [],
    )
    .option('--weight <w>', 'the weight of each variant, in order (default equal); repeat', collect, [])
    .option('--attribution-hours <h>', 'how long after an exposure an event counts for it', '24')
    .option('--coverage <share>', 'share of users in the experiment', '1')
    .option('--seed <seed>', "the assignment hash's salt (default: the id)")
    .option('--draft', 'create it without starting it', false)
    .option('--json', 'as JSON', false)
    .action(
      action(async (o: CreateOptions, cmd: Command) => {
        if (o.weight.length > 0 && o.weight.length !== o.variant.length)
          throw new UsageError(`--weight given ${o.weight.length} times for ${o.variant.length} variants`);
        const weights = o.weight.map((w, k) => parseNumber(w, `--weight ${k + 1}`));
        const input: ExperimentInput = {
          name: o.name,
          variants: o.variant.map((v, k) => parseVariant(v, k, weights[k])),
          attributionHours: parseNumber(o.attributionHours ?? '24', '--attribution-hours'),
          coverage: parseNumber(o.coverage ?? '1', '--coverage'),
          status: o.draft ? 'draft' : 'running',
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
        };
        await withExperiments(cmd, async (x) => {
          const e = await x.create(input);
          if (o.json) printJson(e);
          else print(`created ${e.id} (${e.status})\n${formatExperiment(e)}`);
        });
      }),
    );

  exp
    .command('list')
    .description('every experiment, newest first')
    .option('--json', 'as JSON', false)
    .action(
      action(async (o: { json: boolean }, cmd: Command) => {
        await withExperiments(cmd, async (x) =>
          o.json ? printJson(await x.list()) : print(formatExperimentList(await x.list())),
        );
      }),
    );

  for (const [verb, what] of [
    ['show', 'one experiment'],
    ['start', 'start a draft'],
    ['stop', 'stop an experiment (its results stay readable)'],
  ] as const)
    exp
      .command(verb)
      .description(what)
      .argument('<id>', 'experiment id')
      .option('--json', 'as JSON', false)
      .action(
        action(async (id: string, o: { json: boolean }, cmd: Command) => {
          await withExperiments(cmd, async (x) => {
            const e = await (verb === 'show' ? x.get(id) : x[verb](id));
            if (o.json) printJson(e);
            else print(formatExperiment(e));
          });
        }),
      );

  exp
    .command('results')
    .description(
      'per variant: users, exposures, clicks, CTR, lift against the control (95% and sequential intervals), SRM, guardrails',
    )
    .argument('<id>', 'experiment id')
    .option(
      '--cuped',
      'add the CUPED-adjusted lift of clicks per user (pre-exposure events as covariate)',
      false,
    )
    .option('--tuning <n>', "the sequential test's N*: the number of users expected in all", '5000')
    .option('--timeline <points>', 'add the figures at this many times')
    .option('--json', 'as JSON', false)
    .action(
      action(
        async (
          id: string,
          o: { cuped: boolean; tuning: string; timeline?: string; json: boolean },
          cmd: Command,
        ) => {
          const tuning = parsePositiveInt(o.tuning, '--tuning');
          const points = o.timeline === undefined ? 0 : parsePositiveInt(o.timeline, '--timeline');
          await withExperiments(cmd, async (x) => {
            const r = await x.results(id, {
              cuped: o.cuped,
              sequentialTuning: tuning,
              timelinePoints: points,
            });
            if (o.json) printJson(r);
            else print(formatResults(r));
          });
        },
      ),
    );

  exp
    .command('sample-size')
    .description(
      'users (or exposures) per variant needed to detect a relative lift of a rate (or of a mean, with --sd)',
    )
    .requiredOption('--baseline <rate>', "the control's rate, e.g. 0.05 (with --sd: its mean)")
    .option('--sd <s>', "a mean or ratio metric's standard deviation per user (e.g. reco loop's)")
    .requiredOption('--lift <relative>', 'the relative lift to detect, e.g. 0.1 for +10%')
    .option('--alpha <a>', 'significance level (two-sided)', '0.05')
    .option('--power <p>', 'power', '0.8')
    .option('--json', 'as JSON', false)
    .action(
      action(
        async (o: {
          baseline: string;
          lift: string;
          alpha: string;
          power: string;
          sd?: string;
          json: boolean;
        }) => {
          const lift = parseNumber(o.lift, '--lift');
          const s = sampleSize({
            ...(o.sd !== undefined ? { sd: parseNumber(o.sd, '--sd') } : {}),
            baseline: parseNumber(o.baseline, '--baseline'),
            lift,
            alpha: parseNumber(o.alpha, '--alpha'),
            power: parseNumber(o.power, '--power'),
          });
          if (o.json) printJson(s);
          else print(formatSampleSize(s, lift));
        },
      ),
    );
}
