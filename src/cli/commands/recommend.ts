/**
 * `reco recommend`: top-K lists from the current model bundle, seen items excluded.
 * - `--user ID`: one user's list as a table with titles.
 * - `--all [--out FILE]`: every user's list as CSV `user,item,rank,score` (external ids), for outside tools.
 * The model is --model, else the bundle's default: `ranked` when present, else the best by stored NDCG
 * (train --evaluate), else `hybrid`, else the bundle's first model.
 */
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { buildInteractions } from '../../data/interactions.js';
import { parseServingTime, type ServingTimeRule, servingTimes } from '../../data/serving-time.js';
import { UsageError } from '../../errors.js';
import { defaultModelsDir, type ModelBundle, openBundle } from '../../models/bundle.js';
import { profileFromRow, userProfileFromStore } from '../../models/profiles.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/store.js';
import { action, globals } from '../context.js';
import { formatItemList, scoreText } from '../item-list.js';
import { parsePositiveInt, requireEvents } from '../model-options.js';
import { startProgress } from '../progress.js';

interface RecommendOpts {
  user?: string;
  all: boolean;
  k: string;
  model?: string;
  out?: string;
  modelsDir?: string;
  version?: string;
  at: string;
}

async function writeAll(
  store: Store,
  bundle: ModelBundle,
  modelName: string,
  k: number,
  out: string | undefined,
  quiet: boolean,
  at: ServingTimeRule,
) {
  const model = bundle.model(modelName);
  const fitted = bundle.fittedSizes(await store.counts(), store.path);
  const log = await store.loadEventLog();
  const x = buildInteractions(log, bundle.manifest.weights);
  const times = servingTimes(log, at);
  const toFile = out !== undefined && out !== '-';
  const stream = toFile ? createWriteStream(out) : process.stdout;
  const write = (s: string) =>
    new Promise<void>((resolve, reject) => {
      if (stream.write(s)) resolve();
      else stream.once('drain', resolve).once('error', reject);
    });
  const nUsers = log.userIds.length;
  const progress = startProgress({ label: `recommend ${modelName}`, total: nUsers, unit: 'users', quiet });
  await write('user,item,rank,score\n');
  let rows = 0;
  const batch: string[][] = [];
  for (let u = 0; u < nUsers; u++) {
    const profile = profileFromRow(x, u, fitted);
    const t = times?.[u];
    if (t !== undefined && !Number.isNaN(t)) profile.at = t;
    const top = model.recommend(profile, k);
    const uid = log.userIds[u]!;
    for (let r = 0; r < top.items.length; r++)
      batch.push([uid, log.itemIds[top.items[r]!]!, String(r + 1), scoreText(top.scores[r]!)]);
    if (batch.length >= 20_000 || u === nUsers - 1) {
      rows += batch.length;
      await write(stringify(batch));
      batch.length = 0;
      progress.update(u + 1);
    }
  }
  if (toFile)
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  progress.done(
    `wrote ${rows.toLocaleString('en-US')} recommendations (${modelName}, K=${k}, ${nUsers.toLocaleString('en-US')} users, bundle ${bundle.version}) to ${toFile ? out : 'stdout'}`,
  );
}

async function printUser(
  store: Store,
  bundle: ModelBundle,
  modelName: string,
  k: number,
  userId: string,
  at: ServingTimeRule,
) {
  const u = store.userIndex(userId);
  if (u === undefined)
    throw new UsageError(
      `unknown user "${userId}" (the store ${store.path} has ${(await store.counts()).users} users)`,
    );
  const model = bundle.model(modelName);
  const fitted = bundle.fittedSizes(await store.counts(), store.path);
  const profile = await userProfileFromStore(store, userId, u, bundle.manifest.weights, fitted, at);
  const top = model.recommend(profile, k);
  process.stdout.write(
    `top ${top.items.length} for user ${userId} (${profile.items.length} items seen, excluded) by ${modelName}, bundle ${bundle.version}\n${await formatItemList(store, top)}\n`,
  );
}

export function register(program: Command): void {
  program
    .command('recommend')
    .description('top-K recommendations from the current model bundle (seen items excluded)')
    .option('--user <id>', 'one user: print his list with titles')
    .option('--all', 'every user: CSV user,item,rank,score', false)
    .option('--k <n>', 'list length', '10')
    .option(
      '--model <name>',
      'model (default: ranked if trained, else the best by stored metrics, else hybrid)',
    )
    .option('--out <file>', 'with --all: write the CSV here (default: stdout)')
    .option('--models-dir <dir>', 'where bundles live (default: models/ beside the database)')
    .option('--version <id>', 'bundle version (default: current)')
    .option(
      '--at <when>',
      "the time each list is made at (ranked's time features): user (each user as of his own last event), now (as of the bundle's training, as the server does), or a date / ms",
      'user',
    )
    .action(
      action(async (opts: RecommendOpts, cmd: Command) => {
        const g = globals(cmd);
        if (opts.all === (opts.user !== undefined))
          throw new UsageError('give exactly one of --user <id> and --all');
        if (opts.out !== undefined && !opts.all) throw new UsageError('--out goes with --all');
        const k = parsePositiveInt(opts.k, '--k');
        const store = await openStore(g.db);
        try {
          await requireEvents(store);
          const bundle = openBundle(opts.modelsDir ?? defaultModelsDir(g.db), opts.version);
          const modelName = opts.model ?? bundle.defaultModel();
          const at = parseServingTime(opts.at);
          if (opts.all) await writeAll(store, bundle, modelName, k, opts.out, g.quiet, at);
          else await printUser(store, bundle, modelName, k, opts.user!, at);
        } finally {
          await store.close();
        }
      }),
    );
}
