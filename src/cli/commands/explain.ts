/**
 * `reco explain --user ID --item ID`: why the ranked model scores an item for a user: the candidate
 * sources that proposed it (rank and score in each), the model score, and the features that moved it
 * most (TreeSHAP contributions of the trees, LightGBM's pred_contrib), with their values.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { formatTable } from '../../evaluation/report.js';
import { defaultModelsDir, openBundle } from '../../models/bundle.js';
import { userProfileFromStore } from '../../models/profiles.js';
import { RankedRecommender } from '../../ranking/ranker.js';
import { openStore } from '../../store/open.js';
import { action, globals } from '../context.js';
import { parsePositiveInt } from '../model-options.js';

interface ExplainOpts {
  user: string;
  item: string;
  top: string;
  json: boolean;
  modelsDir?: string;
  version?: string;
}

/** What each label view's probability means. */
const VIEW_NAMES = { next: 'P(next)', missing: 'P(missing)' } as const;

export function register(program: Command): void {
  program
    .command('explain')
    .description(
      'explain the ranked score of one item for one user: candidate sources and feature contributions',
    )
    .requiredOption('--user <id>', 'user id')
    .requiredOption('--item <id>', 'item id')
    .option('--top <n>', 'features to show', '12')
    .option('--json', 'print JSON', false)
    .option('--models-dir <dir>', 'where bundles live (default: models/ beside the database)')
    .option('--version <id>', 'bundle version (default: current)')
    .action(
      action(async (opts: ExplainOpts, cmd: Command) => {
        const g = globals(cmd);
        const top = parsePositiveInt(opts.top, '--top');
        const store = await openStore(g.db);
        try {
          const u = store.userIndex(opts.user);
          if (u === undefined) throw new UsageError(`unknown user "${opts.user}"`);
          const i = store.itemIndex(opts.item);
          if (i === undefined) throw new UsageError(`unknown item "${opts.item}"`);
          const bundle = openBundle(opts.modelsDir ?? defaultModelsDir(g.db), opts.version);
          if (!bundle.has('ranked'))
            throw new UsageError(
              `bundle ${bundle.version} has no ranked model (it has: ${bundle.modelNames().join(', ')}); train it with: reco train`,
            );
          const ranked = bundle.model('ranked');
          if (!(ranked instanceof RankedRecommender))
            throw new UsageError("the bundle's ranked model cannot explain");
          const { users, items } = bundle.manifest.data;
          if (i >= items)
            throw new UsageError(`item "${opts.item}" is newer than model bundle ${bundle.version}`);
          const profile = await userProfileFromStore(store, opts.user, u, bundle.manifest.weights, {
            users,
            items,
          });
          const ex = ranked.explain(profile, i);
          if (opts.json) {
            process.stdout.write(`${JSON.stringify({ ...ex, user: opts.user, item: opts.item }, null, 2)}\n`);
            return;
          }
          const title = (await store.getItem(opts.item))?.title;
          const seen = profile.items.includes(i) ? ' (already seen by the user)' : '';
          const lines = [
            `user ${opts.user}, item ${opts.item}${title ? ` (${title})` : ''}${seen}: ranked score ${ex.score.toFixed(4)} as of ${new Date(ex.t).toISOString()}, bundle ${bundle.version}`,
            ex.sources.length
              ? `candidate sources: ${ex.sources.map((s) => `${s.name} (rank ${s.rank}, score ${s.score.toFixed(4)})`).join(', ')}`
              : 'candidate sources: none (the item is not among the candidates; scored as if it were)',
            `expected score (base) ${ex.base.toFixed(4)}; ${ex.views.map((v) => `${VIEW_NAMES[v.label]} ${v.probability.toFixed(4)}`).join(', ')}; the features that moved it most:`,
          ];
          const rows = [
            ['feature', 'value', 'contribution'],
            ...ex.contributions
              .slice(0, top)
              .map((c) => [
                c.feature,
                Number.isNaN(c.value) ? 'NaN' : String(+c.value.toFixed(4)),
                c.contribution.toFixed(4),
              ]),
          ];
          process.stdout.write(`${lines.join('\n')}\n${formatTable(rows)}\n`);
        } finally {
          await store.close();
        }
      }),
    );
}
