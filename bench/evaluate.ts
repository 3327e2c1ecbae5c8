/**
 * Offline evaluation figures (the `reco evaluate` runner, src/evaluation/evaluate.ts):
 *
 * 1. MovieLens 100K (research use; read from disk, never copied), imported through the MovieLens importer
 *    into an in-memory store: NDCG@10 and fit time per model beside the reference values, for
 *    - the random per-user 75/25 split of (user, item) pairs, seed 42;
 *    - the temporal per-user split, each user's latest 20 % held out.
 * 2. The movielens-preset synthetic world (seed 1): the same random split with the oracle row; the models
 *    should rank in the same order as on MovieLens and all below the oracle.
 *
 *   node dist/bench/evaluate.js [--ml=DIR] [--skip-ml] [--skip-sim] [--models=a,b]
 *   MovieLens folder: --ml=DIR, $RECO_ML100K, else ../shared/data/ml-100k beside the checkout (skipped when absent).
 */
import { existsSync } from 'node:fs';
import { importMovieLens } from '../src/data/import/movielens.js';
import type { SplitOptions } from '../src/data/splits.js';
import { type EvaluationResult, evaluate } from '../src/evaluation/evaluate.js';
import { worldOracle } from '../src/evaluation/oracle.js';
import { describeResult, formatTable } from '../src/evaluation/report.js';
import { createModel, modelNames } from '../src/models/factory.js';
import { resolveParams } from '../src/simulation/params.js';
import { simulateIntoStore } from '../src/simulation/simulate.js';
import { openStore } from '../src/store/open.js';
import type { Store } from '../src/store/store.js';
import type { ModelName } from '../src/types.js';
import { ML100K_DIR } from './shared-data.js';

const RANDOM_REFERENCE: Partial<Record<string, number>> = {
  popularity: 0.251,
  itemknn: 0.429,
  ease: 0.478,
  als: 0.481,
};
const TEMPORAL_REFERENCE: Partial<Record<string, number>> = {
  popularity: 0.121,
  itemknn: 0.186,
  ease: 0.207,
};

const args = process.argv.slice(2);
const flag = (name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const mlDir = flag('ml') ?? args.find((a) => !a.startsWith('-')) ?? ML100K_DIR;
const models = (flag('models')?.split(',') as ModelName[] | undefined) ?? modelNames();

async function run(store: Store, split: SplitOptions, withOracle: boolean): Promise<EvaluationResult> {
  const world = withOracle ? await (await import('../src/simulation/oracle.js')).loadWorld(store) : undefined;
  return evaluate(await store.loadEventLog(), await store.listItems(), {
    split,
    k: 10,
    models,
    create: createModel,
    auc: false,
    ...(world ? { oracle: worldOracle(world) } : {}),
  });
}

function printAgainst(
  title: string,
  result: EvaluationResult,
  reference: Partial<Record<string, number>>,
): void {
  console.log(`\n${title}\n${describeResult(result)}`);
  const rows = [['model', 'NDCG@10', 'reference', 'ratio', 'P@10', 'R@10', 'MAP@10', 'coverage', 'fit s']];
  for (const r of result.rows) {
    const ref = reference[r.model];
    rows.push([
      r.model,
      r.ndcg.toFixed(4),
      ref === undefined ? '-' : ref.toFixed(3),
      ref === undefined ? '-' : (r.ndcg / ref).toFixed(3),
      r.precision.toFixed(4),
      r.recall.toFixed(4),
      r.map.toFixed(4),
      r.coverage.toFixed(3),
      r.model === 'oracle' ? '-' : r.fitSeconds.toFixed(2),
    ]);
  }
  console.log(formatTable(rows));
}

/** Model names from best to worst NDCG@10. */
const orderOf = (rows: { model: string; ndcg: number }[]) =>
  rows
    .filter((r) => r.model !== 'oracle')
    .sort((a, b) => b.ndcg - a.ndcg)
    .map((r) => r.model);

let mlRandom: EvaluationResult | undefined;
if (!args.includes('--skip-ml')) {
  if (!existsSync(mlDir)) console.log(`MovieLens 100K not found at ${mlDir}: skipped (pass --ml=DIR)`);
  else {
    const store = await openStore(':memory:');
    const t = performance.now();
    await importMovieLens(store, mlDir);
    console.log(`MovieLens 100K from ${mlDir}: imported in ${((performance.now() - t) / 1000).toFixed(2)} s`);
    mlRandom = await run(store, { kind: 'random', ratio: 0.75, seed: 42 }, false);
    printAgainst('MovieLens 100K, random per-user 75/25, seed 42', mlRandom, RANDOM_REFERENCE);
    const temporal = await run(store, { kind: 'temporal', ratio: 0.8 }, false);
    printAgainst(
      "MovieLens 100K, temporal per user (each user's latest 20 % held out)",
      temporal,
      TEMPORAL_REFERENCE,
    );
    await store.close();
  }
}

if (!args.includes('--skip-sim')) {
  const store = await openStore(':memory:');
  const t = performance.now();
  await simulateIntoStore(store, resolveParams('movielens', { seed: 1 }));
  console.log(
    `\nsynthetic world (preset movielens, seed 1): simulated in ${((performance.now() - t) / 1000).toFixed(2)} s`,
  );
  const sim = await run(store, { kind: 'random', ratio: 0.75, seed: 42 }, true);
  printAgainst('synthetic movielens world, random per-user 75/25, seed 42, with the oracle', sim, {});
  const oracle = sim.rows.find((r) => r.model === 'oracle')!;
  const below = sim.rows.filter((r) => r !== oracle && r.ndcg < oracle.ndcg).length;
  console.log(`models below the oracle: ${below} of ${sim.rows.length - 1}`);
  const simOrder = orderOf(sim.rows);
  console.log(`order on the synthetic world: ${simOrder.join(' > ')}`);
  if (mlRandom) {
    const mlOrder = orderOf(mlRandom.rows);
    console.log(`order on MovieLens 100K:      ${mlOrder.join(' > ')}`);
    console.log(`same order: ${simOrder.join() === mlOrder.join() ? 'yes' : 'NO'}`);
    // the candidate generators alone (ranked learns from time and is not made for a random split)
    const generators = (order: string[]) => order.filter((m) => m !== 'ranked');
    console.log(
      `same order of the candidate generators: ${generators(simOrder).join() === generators(mlOrder).join() ? 'yes' : 'NO'}`,
    );
    // which pairs swap, and by how much NDCG on each side (a swap inside noise is a tie)
    const ndcgOf = (rows: EvaluationResult['rows'], m: string) => rows.find((r) => r.model === m)!.ndcg;
    for (let a = 0; a < mlOrder.length; a++)
      for (let b = a + 1; b < mlOrder.length; b++) {
        const [x, y] = [mlOrder[a]!, mlOrder[b]!];
        if (simOrder.indexOf(x) > simOrder.indexOf(y))
          console.log(
            `  swapped: ${x} above ${y} on MovieLens by ${(ndcgOf(mlRandom.rows, x) - ndcgOf(mlRandom.rows, y)).toFixed(4)}, below on the synthetic world by ${(ndcgOf(sim.rows, y) - ndcgOf(sim.rows, x)).toFixed(4)}`,
          );
      }
  }
  await store.close();
}
