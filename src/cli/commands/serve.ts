/**
 * `reco serve`: the HTTP API (src/serving/) over the store and the current model bundle.
 * Keys: RECO_API_KEYS ("role:key,..."), else the key file (--keys-file, default api-keys beside the
 * database), generated with owner-only permissions and printed on first run. Rate limit: RECO_RATE_LIMIT
 * requests per second per key (default 2,000; 0 = off), counted in Redis across replicas with --redis URL
 * (RECO_REDIS_URL), which also holds the sign-in throttle's counts. The server watches the bundle's `current` pointer
 * and swaps in a bundle trained by `reco train` while it runs.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { defaultModelsDir } from '../../models/bundle.js';
import { loadOrCreateKeys } from '../../serving/api-keys.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';

export interface ServeOptions {
  port?: string;
  host?: string;
  modelsDir?: string;
  keysFile?: string;
  rateLimit?: string;
  /** Redis URL: rate limits and the sign-in throttle shared with other replicas. */
  redis?: string;
  autoCreateItems?: boolean;
  cacheSize?: string;
  rankThreads?: string;
  watch: boolean;
  /** Print the keys even when they were not generated now (`reco start`). */
  printKeys?: boolean;
  /**
   * Listen at once, the rank threads warming up meanwhile (ranked answers on the main thread until they
   * are ready): `reco start`, which serves within seconds.
   */
  listenBeforeRankThreads?: boolean;
}

function intOf(raw: string, name: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/**
 * Rank threads for `auto`: none on one core; on two, two (measured: ranked answers at ~300 candidates
 * peak at 429 req/s on the main thread, 561 with one thread, 587 with two, whose p99 at 500 req/s is
 * 26 ms where the others saturate); on more cores, one per core but the main thread's, at most 8.
 */
export function autoRankThreads(cores = availableParallelism()): number {
  return cores < 2 ? 0 : cores === 2 ? 2 : Math.min(8, cores - 1);
}

export function defaultKeysFile(db: string): string {
  return join(dirname(resolve(db)), 'api-keys');
}

/** Starts the server; resolves once listening, with the URL. Used by `serve` and `start`. */
export async function serve(
  db: string,
  opts: ServeOptions,
  out: { verbose: boolean; quiet: boolean },
): Promise<{ url: string; close: () => Promise<void> }> {
  // the server's modules (Fastify, the web app, Redis) loaded when a server starts, not by every command
  const [
    { buildApp },
    { Checkpointer },
    { createServices },
    { connectSharedLimits },
    { createWebServices, webOptionsFromEnv },
  ] = await Promise.all([
    import('../../serving/app.js'),
    import('../../serving/checkpointer.js'),
    import('../../serving/compose.js'),
    import('../../serving/shared-limits.js'),
    import('../../web/compose-web.js'),
  ]);
  const port = intOf(opts.port ?? process.env['PORT'] ?? '8000', '--port', 0);
  const host = opts.host ?? process.env['HOST'] ?? '127.0.0.1';
  const rateLimit = intOf(opts.rateLimit ?? process.env['RECO_RATE_LIMIT'] ?? '2000', '--rate-limit', 0);
  const cacheSize = intOf(opts.cacheSize ?? '50000', '--cache-size', 0);
  const rawThreads = opts.rankThreads ?? process.env['RECO_RANK_THREADS'] ?? 'auto';
  const rankThreads = rawThreads === 'auto' ? autoRankThreads() : intOf(rawThreads, '--rank-threads', 0);
  const autoCreateItems = opts.autoCreateItems === true || process.env['RECO_AUTO_CREATE_ITEMS'] === '1';
  const keysFile = opts.keysFile ?? process.env['RECO_API_KEYS_FILE'] ?? defaultKeysFile(db);
  const keys = loadOrCreateKeys(keysFile);
  const modelsDir = opts.modelsDir ?? defaultModelsDir(db);
  const redisUrl = opts.redis ?? process.env['RECO_REDIS_URL'];
  const shared =
    redisUrl === undefined || redisUrl === ''
      ? undefined
      : await connectSharedLimits(redisUrl, opts.redis !== undefined ? '--redis' : 'RECO_REDIS_URL');
  const store = await openStore(db);
  const services = await createServices(store, {
    modelsDir,
    cacheSize,
    autoCreateItems,
    rankThreads,
    followBundles: opts.watch,
    onFollowerWarning: (m) => app.log.warn(m),
  });
  const { models } = services;
  // the web app (src/web/): accounts over the same services; the first admin is created on first run
  const webOptions = webOptionsFromEnv(keys.keys);
  const web = await createWebServices(
    services,
    shared ? { ...webOptions, throttle: { ...webOptions.throttle, shared } } : webOptions,
  );
  const firstAdmin = await web.accounts.ensureFirstAdmin();
  const app = await buildApp({
    services,
    keys: keys.keys,
    rateLimit,
    ...(shared ? { sharedLimits: shared } : {}),
    logger: { level: out.verbose ? 'info' : 'warn' },
    web,
    trustProxy: process.env['RECO_TRUST_PROXY'] === '1',
  });
  const checkpointer = new Checkpointer(store, 1000, (msg) => app.log.warn(msg));
  try {
    // over a shared store, the bundle its feed names current (published by the training)
    await models.swapAtStartup(await store.feed?.currentBundle());
    if (models.lastLoadError) app.log.error(`model bundle: ${models.lastLoadError.message}`);
  } catch (err) {
    app.log.error(
      `no model bundle loaded (recommendations answer 503 until one is): ${(err as Error).message}`,
    );
  }
  // a replica catches up with the event log after the swap (and follows it from then on)
  await services.follower?.start();
  const pointer = join(modelsDir, 'current');
  // (over a shared store the feed announces new bundles instead: ../../serving/services/log-follower.ts)
  if (opts.watch && !store.feed) {
    // a bundle trained by `reco train` while the server runs is swapped in (a faulty one is logged and skipped)
    watchFile(pointer, { interval: 2000 }, (cur, prev) => {
      if (cur.mtimeMs === prev.mtimeMs || app.retrainer.busy) return;
      let version = '';
      try {
        version = readFileSync(pointer, 'utf8').trim();
      } catch {
        return;
      }
      if (version === models.slot?.version) return;
      models.swapAsync().then(
        (slot) => app.log.warn(`model bundle ${slot.version} swapped in`),
        (err: Error) =>
          app.log.error(`new model bundle not loaded, the previous one keeps serving: ${err.message}`),
      );
    });
  }
  // the rank threads load the model and warm up before the first request (the main thread would rank,
  // cold, meanwhile); a thread that fails leaves ranking on the main thread
  const threadsReady = services.rankThreads
    .ready()
    .catch((err: Error) => app.log.error(`rank threads: ${err.message}`));
  if (!opts.listenBeforeRankThreads) await threadsReady;
  await app.listen({ port, host });
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  if (!out.quiet || keys.generated || firstAdmin) {
    const lines = [
      `reco: web app ${url}/ (operators: ${url}/admin)`,
      ...(firstAdmin
        ? [
            `reco: first admin account (shown once): email ${firstAdmin.email} password ${firstAdmin.password}`,
          ]
        : []),
      `reco: serving ${store.path} (${models.slot ? `model bundle ${models.slot.version}` : 'no model bundle yet'}) on ${url}`,
      `reco: API docs ${url}/docs, OpenAPI ${url}/openapi.json, health ${url}/health`,
      keys.generated || opts.printKeys
        ? `reco: API keys ${keys.generated ? 'generated into' : 'from'} ${keys.source}${keys.source === 'RECO_API_KEYS' ? '' : ' (owner-only)'}:\n${keys.keys.map((k) => `  ${k.role.padEnd(6)} ${k.key}`).join('\n')}`
        : `reco: API keys from ${keys.source} (${keys.keys.length})`,
      `reco: rate limit ${rateLimit > 0 ? `${rateLimit} requests/s per key${shared ? ' (shared through Redis)' : ' (this process)'}` : 'off'}; ranked answers computed ${rankThreads > 0 ? `on ${rankThreads} rank thread${rankThreads > 1 ? 's' : ''}` : 'on the main thread'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    unwatchFile(pointer);
    await app.close();
    await app.retrainer.done();
    await services.close();
    await checkpointer.stop();
    await store.close();
    shared?.redis.disconnect();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  return { url, close };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API (recommendations, events, items, users, models) over the store')
    .option('--port <n>', 'port (env PORT; default 8000; 0 = any free port)')
    .option('--host <addr>', 'address to listen on (env HOST; default 127.0.0.1)')
    .option('--models-dir <dir>', 'where bundles live (default: models/ beside the database)')
    .option(
      '--keys-file <file>',
      'API key file, role:key per line (env RECO_API_KEYS_FILE; default api-keys beside the database)',
    )
    .option('--rate-limit <n>', 'requests per second per key, 0 = off (env RECO_RATE_LIMIT; default 2000)')
    .option(
      '--redis <url>',
      'Redis (redis://host:port) holding the rate limits and sign-in throttle shared by several replicas (env RECO_REDIS_URL; default: each process counts alone)',
    )
    .option(
      '--auto-create-items',
      'create unknown items named by events instead of answering 404 (env RECO_AUTO_CREATE_ITEMS=1)',
    )
    .option('--cache-size <n>', 'answers kept in the per-user cache (0 = off)', '50000')
    .option(
      '--rank-threads <n|auto>',
      'worker threads computing ranked answers beside the main thread, each with its own copy of the model; 0: on the main thread (env RECO_RANK_THREADS; default auto: 2 on two cores, one per core but one beyond, none on one)',
    )
    .option(
      '--no-watch',
      "do not swap in bundles trained while the server runs (the models folder's current; over PostgreSQL, the bundles published)",
    )
    .action(
      action(async (opts: ServeOptions, cmd: Command) => {
        const g = globals(cmd);
        await serve(g.db, opts, g);
      }),
    );
}
