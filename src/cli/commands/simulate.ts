import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_PARAMS, presetNames, resolveParams, type WorldParams } from '../../simulation/params.js';
import { simulateIntoStore } from '../../simulation/simulate.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';
import { startProgress } from '../progress.js';

interface SimulateOptions {
  preset?: string;
  seed: string;
  users?: string;
  items?: string;
  events?: string;
  dim?: string;
  genres?: string;
  param: string[];
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative integer (got "${value}")`);
  return n;
}

/** `--param name=value` overrides for any world parameter (numbers, booleans, JSON arrays). */
export function parseParamOverrides(list: string[]): Partial<WorldParams> {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    if (!(key in DEFAULT_PARAMS)) throw new UsageError(`--param ${item}: unknown parameter "${key}"`);
    const raw = item.slice(eq + 1);
    const def = (DEFAULT_PARAMS as unknown as Record<string, unknown>)[key];
    let v: unknown;
    try {
      v = typeof def === 'string' ? raw : JSON.parse(raw);
    } catch {
      throw new UsageError(`--param ${item}: cannot read the value "${raw}"`);
    }
    if (typeof v !== typeof def || Array.isArray(v) !== Array.isArray(def))
      throw new UsageError(
        `--param ${item}: ${key} takes a ${Array.isArray(def) ? 'JSON array' : typeof def}`,
      );
    out[key] = v;
  }
  return out as Partial<WorldParams>;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description('generate a synthetic world (latent factors, genres, popularity, time) and its event log')
    .option('--preset <name>', `a preset: ${presetNames().join(', ')}`)
    .option('--seed <n>', 'random seed (same seed, same world and events)', '1')
    .option('--users <n>', 'number of users')
    .option('--items <n>', 'number of items')
    .option('--events <n>', 'number of events (all types)')
    .option('--dim <n>', 'latent factor dimension')
    .option('--genres <n>', 'number of genres (1..32)')
    .option(
      '--param <name=value>',
      'override any world parameter, e.g. driftShare=0.3 (repeatable)',
      (v: string, acc: string[]) => acc.concat(v),
      [] as string[],
    )
    .action(
      action(async (opts: SimulateOptions, cmd: Command) => {
        const g = globals(cmd);
        const params = resolveParams(opts.preset, {
          ...parseParamOverrides(opts.param),
          seed: intOption('seed', opts.seed),
          users: intOption('users', opts.users),
          items: intOption('items', opts.items),
          events: intOption('events', opts.events),
          dim: intOption('dim', opts.dim),
          genres: intOption('genres', opts.genres),
        });
        const store = await openStore(g.db);
        try {
          const gen = startProgress({
            label: 'generate',
            total: params.events,
            unit: 'events',
            quiet: g.quiet,
          });
          let ins: ReturnType<typeof startProgress> | undefined;
          const r = await simulateIntoStore(store, params, {
            onGenerate: (n) => gen.update(n),
            onInsert: (n) => {
              if (!ins) {
                gen.done();
                ins = startProgress({
                  label: 'insert',
                  total: params.events,
                  unit: 'events',
                  quiet: g.quiet,
                });
              }
              ins.update(n);
            },
          });
          ins?.done(
            `simulated into ${store.path}: ${params.users} users, ${params.items} items, ${r.events.length.toLocaleString('en-US')} events` +
              ` (seed ${params.seed}${opts.preset ? `, preset ${opts.preset}` : ''}); generate ${r.generateSeconds.toFixed(2)} s,` +
              ` write ${r.insertSeconds.toFixed(2)} s${r.events.usersShort > 0 ? `; ${r.events.usersShort} users ran out of items` : ''}`,
          );
        } finally {
          await store.close();
        }
      }),
    );
}
