/**
 * `reco loop`: the simulated world's people against a recommender (../../loop/). With --server, through a
 * running server's public HTTP API with a client key; without, in this process over the database's
 * serving services (the same strategies, without HTTP). Records a tracked run of kind `loop`.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { interleavedPair } from '../../experiments/definition.js';
import type { LoopClient } from '../../loop/client.js';
import { peopleFromOverrides } from '../../loop/params.js';
import { recordDay, recordLoopParams, recordLoopResult } from '../../loop/record.js';
import { type Arm, closedLoop, type LoopResult } from '../../loop/run.js';
import { relativeLift } from '../../loop/stats.js';
import { defaultModelsDir } from '../../models/bundle.js';
import { parseApiKeys } from '../../serving/api-keys.js';
import { loadWorld } from '../../simulation/oracle.js';
import { openStore } from '../../store/open.js';
import { withRun } from '../../tracking/run-recorder.js';
import { worldParams } from '../../tracking/run-values.js';
import { action, globals } from '../context.js';
import { startProgress } from '../progress.js';
import { MLFLOW_HELP, RUN_NAME_HELP, type RunFlags, runOptionsFrom } from '../run-options.js';
import { defaultKeysFile } from './serve.js';

interface LoopOpts extends RunFlags {
  server?: string;
  key?: string;
  users: string;
  days: string;
  preDays: string;
  k: string;
  seed: string;
  experiment?: string;
  strategies?: string;
  reference: boolean;
  param: string[];
  json?: boolean;
}

function intOf(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer in ${min}..${max} (got "${value}")`);
  return n;
}

/** `a,b,...` or `name=strategy,...` as arms (random, oracle and interleave:A,B included). */
export function parseArms(text: string): Arm[] {
  // interleave:A,B holds a comma: split on commas outside it
  const parts = text.match(/(?:[^,=]+=)?interleave:[^,]+,[^,]+|[^,]+/g) ?? [];
  const arms = parts.map((part) => {
    const eq = part.indexOf('=');
    const name = eq > 0 && !part.startsWith('interleave:') ? part.slice(0, eq) : part;
    const strategy = eq > 0 && !part.startsWith('interleave:') ? part.slice(eq + 1) : part;
    if (strategy.startsWith('interleave:') && !interleavedPair(strategy))
      throw new UsageError(`--strategies: "${strategy}" must be interleave:A,B`);
    return { name: name.trim(), strategy: strategy.trim() };
  });
  if (arms.length === 0 || arms.some((a) => a.name === '' || a.strategy === ''))
    throw new UsageError(`--strategies needs a list like popularity,ranked (got "${text}")`);
  const names = new Set(arms.map((a) => a.name));
  if (names.size !== arms.length) throw new UsageError(`--strategies names a variant twice: "${text}"`);
  return arms;
}

/** The client key: --key, RECO_API_KEY, else the first client key of the key file beside the database. */
function clientKey(opts: LoopOpts, db: string): string {
  const key = opts.key ?? process.env['RECO_API_KEY'];
  if (key) return key;
  const file = defaultKeysFile(db);
  if (existsSync(file)) {
    const found = parseApiKeys(readFileSync(file, 'utf8'), file).find((k) => k.role === 'client');
    if (found) return found.key;
  }
  throw new UsageError(`--key (or RECO_API_KEY) is needed: no client key in ${file}`);
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function register(program: Command): void {
  program
    .command('loop')
    .description("the simulated world's people against a recommender: sessions, slates, takes, per variant")
    .option('--server <url>', 'a running reco server (default: in this process, over --db and its models)')
    .option('--key <key>', 'client API key (env RECO_API_KEY; default: the key file beside the database)')
    .option('--users <n>', 'people taking part (a sample of the world)', '500')
    .option('--days <n>', 'simulated days', '7')
    .option(
      '--pre-days <n>',
      "days before the experiment, every person served the first variant's strategy (CUPED's covariate; --strategies only)",
      '0',
    )
    .option('--k <n>', 'slate size', '10')
    .option('--seed <n>', 'random seed (people, arrivals, the loop split)', '1')
    .option('--experiment <id>', "read variants from the server's answers for this experiment")
    .option(
      '--strategies <list>',
      "the loop's own split: strategies (or name=strategy), also random, oracle, interleave:A,B",
    )
    .option('--no-reference', 'skip the random and oracle reference passes (no normalised score)')
    .option(
      '--param <name=value>',
      'a people parameter, e.g. positionDecay=0.8 (repeatable)',
      (v: string, acc: string[]) => acc.concat(v),
      [] as string[],
    )
    .option('--json', 'print the result as JSON')
    .option('--run-name <name>', RUN_NAME_HELP)
    .option('--mlflow <uri>', MLFLOW_HELP)
    .action(
      action(async (opts: LoopOpts, cmd: Command) => {
        const g = globals(cmd);
        const users = intOf('users', opts.users, 1, 10_000_000);
        const days = intOf('days', opts.days, 1, 3650);
        const preDays = intOf('pre-days', opts.preDays, 0, 3650);
        const k = intOf('k', opts.k, 1, 1000);
        const seed = intOf('seed', opts.seed, 0, 0xffffffff);
        const people = peopleFromOverrides(opts.param);
        const arms = opts.strategies !== undefined ? parseArms(opts.strategies) : undefined;
        if (arms && opts.experiment)
          throw new UsageError('--strategies and --experiment exclude each other (whose split is it?)');
        if (preDays > 0 && !arms) throw new UsageError("--pre-days needs --strategies (the loop's split)");
        if (!arms && !opts.experiment)
          throw new UsageError("--strategies (the loop's split) or --experiment (the server's) is needed");
        if (opts.server !== undefined && !/^https?:\/\/[^/]/.test(opts.server))
          throw new UsageError(`--server must be an http(s) URL (got "${opts.server}")`);
        const store = await openStore(g.db);
        let client: LoopClient | undefined;
        try {
          const world = await loadWorld(store);
          if (users > world.params.users)
            throw new UsageError(`--users ${users}: the world has ${world.params.users} users`);
          const history = await store.loadEventLog();
          // the clients' modules (an in-process server) loaded when the loop runs, not by every command
          const { HttpClient, InProcessClient } = await import('../../loop/client.js');
          client = opts.server
            ? new HttpClient(opts.server, clientKey(opts, g.db))
            : await InProcessClient.open(store, defaultModelsDir(g.db));
          const bar = startProgress({ label: 'loop', total: days, unit: 'days', quiet: g.quiet });
          const result = await withRun(store, { kind: 'loop', ...runOptionsFrom(opts) }, async (run) => {
            recordLoopParams(run, {
              mode: opts.server ? 'http' : 'in-process',
              ...(opts.server ? { server: opts.server } : {}),
              users,
              days,
              preDays,
              k,
              seed,
              ...(opts.strategies ? { strategies: opts.strategies } : {}),
              ...(opts.experiment ? { experiment: opts.experiment } : {}),
              people,
            });
            run.paramList(await worldParams(store));
            const out = await closedLoop(
              {
                world,
                history,
                users,
                days,
                preDays,
                k,
                seed,
                people,
                ...(arms ? { arms } : {}),
                ...(opts.experiment ? { experiment: opts.experiment } : {}),
                client: client!,
                onDay: (day, metrics) => {
                  recordDay(run, day, metrics);
                  bar.update(day + 1);
                },
              },
              opts.reference,
            );
            recordLoopResult(run, out, days);
            return { ...out, run: run.id };
          });
          bar.done(
            `loop: ${users} people, ${days} days, ${result.sessions} sessions, ${result.slates} slates, ${result.takes} takes (run ${result.run})`,
          );
          const lifts = liftsOf(result);
          if (opts.json) {
            const { metrics: _m, pre: _p, ...json } = result;
            process.stdout.write(`${JSON.stringify({ ...json, lifts }, null, 2)}\n`);
            return;
          }
          const rows = [
            [
              'variant',
              'users',
              'slates',
              'CTR',
              'true CTR',
              'takes/user',
              'session',
              'coverage',
              'genres',
              'regret',
              'normalised',
            ],
            ...result.variants.map((v) => [
              v.name,
              String(v.users),
              String(v.slates),
              pct(v.ctr),
              pct(v.trueCtr),
              v.takesPerUser.toFixed(2),
              v.sessionLength.toFixed(2),
              pct(v.coverage),
              v.genreDiversity.toFixed(2),
              v.regret.toFixed(4),
              v.normalised === undefined ? '-' : v.normalised.toFixed(3),
            ]),
          ];
          const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
          for (const r of rows) process.stdout.write(`${r.map((x, c) => x.padEnd(widths[c]!)).join('  ')}\n`);
          for (const l of lifts)
            process.stdout.write(
              `${l.variant} against ${l.control}: CTR lift ${pct(l.value)}, 95% CI [${pct(l.ci[0])}, ${pct(l.ci[1])}], p ${l.p.toExponential(2)}${l.cuped ? ' (CUPED on the pre-period)' : ''}; true lift ${pct(l.trueLift)}\n`,
            );
          if (result.reference)
            process.stdout.write(
              `reference: random CTR ${pct(result.reference.random)}, oracle CTR ${pct(result.reference.oracle)}\n`,
            );
        } finally {
          await client?.close();
          await store.close();
        }
      }),
    );
}

/**
 * Each variant's CTR lift over the first (the loop's split; CUPED-adjusted on the pre-period when there
 * was one), with the true lift of the same exposures. Interleaved variants and the server's split: none.
 */
function liftsOf(r: LoopResult) {
  const variants = [...r.metrics.values()];
  const control = variants[0];
  if (!control || control.users === 0) return [];
  const base = r.variants.find((v) => v.name === control.name)!;
  return variants.slice(1).flatMap((m) => {
    if (m.users === 0 || m.name === 'none') return [];
    const l = relativeLift(control.sample(r.pre), m.sample(r.pre), 0.05, control.users + m.users);
    const v = r.variants.find((x) => x.name === m.name)!;
    return [
      {
        control: control.name,
        variant: m.name,
        ...l,
        cuped: r.pre !== undefined,
        trueLift: v.trueCtr / base.trueCtr - 1,
      },
    ];
  });
}
