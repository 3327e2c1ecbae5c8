/** `reco similar --item ID`: the items most similar to one item, from a model of the current bundle. */
import type { Command } from 'commander';
import { RecoError, UsageError } from '../../errors.js';
import { defaultModelsDir, type ModelBundle, openBundle } from '../../models/bundle.js';
import { openStore } from '../../store/open.js';
import type { ModelName } from '../../types.js';
import { action, globals } from '../context.js';
import { formatItemList } from '../item-list.js';
import { parsePositiveInt } from '../model-options.js';

interface SimilarOpts {
  item: string;
  k: string;
  model?: string;
  modelsDir?: string;
  version?: string;
}

/** Models tried in order when --model is absent: the bundle default, then the item-item methods. */
const SIMILAR_PREFERENCE: ModelName[] = ['itemknn', 'ease', 'als', 'content', 'hybrid'];

function pickModel(bundle: ModelBundle, requested?: string): string {
  if (requested) {
    const m = bundle.model(requested);
    if (!m.similarItems)
      throw new UsageError(
        `model "${requested}" has no item similarity; try one of: ${SIMILAR_PREFERENCE.join(', ')}`,
      );
    return requested;
  }
  // `ranked` re-orders candidates for a user and has no item similarity: not worth loading here
  const def = bundle.defaultModel();
  for (const name of def === 'ranked' ? SIMILAR_PREFERENCE : [def, ...SIMILAR_PREFERENCE]) {
    if (bundle.has(name) && bundle.model(name).similarItems) return name;
  }
  throw new RecoError(
    `no model of bundle ${bundle.version} gives item similarity; train one of: ${SIMILAR_PREFERENCE.join(', ')}`,
  );
}

export function register(program: Command): void {
  program
    .command('similar')
    .description('items most similar to an item (item-kNN by default)')
    .requiredOption('--item <id>', 'the item')
    .option('--k <n>', 'how many', '10')
    .option(
      '--model <name>',
      'model (default: the bundle default if it has item similarity, else itemknn, ease, als, content)',
    )
    .option('--models-dir <dir>', 'where bundles live (default: models/ beside the database)')
    .option('--version <id>', 'bundle version (default: current)')
    .action(
      action(async (opts: SimilarOpts, cmd: Command) => {
        const g = globals(cmd);
        const k = parsePositiveInt(opts.k, '--k');
        const store = await openStore(g.db);
        try {
          const i = store.itemIndex(opts.item);
          if (i === undefined)
            throw new UsageError(
              `unknown item "${opts.item}" (the store ${store.path} has ${(await store.counts()).items} items)`,
            );
          const bundle = openBundle(opts.modelsDir ?? defaultModelsDir(g.db), opts.version);
          if (i >= bundle.manifest.data.items)
            throw new RecoError(
              `item "${opts.item}" was added after bundle ${bundle.version} was trained: run "reco train" again`,
            );
          const name = pickModel(bundle, opts.model);
          const top = bundle.model(name).similarItems!(i, k);
          const source = await store.getItem(opts.item);
          process.stdout.write(
            `items similar to ${opts.item}${source?.title ? ` (${source.title})` : ''} by ${name}, bundle ${bundle.version}\n${await formatItemList(store, top)}\n`,
          );
        } finally {
          await store.close();
        }
      }),
    );
}
