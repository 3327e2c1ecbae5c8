/**
 * Recommender acceptance bench on MovieLens 100K (research use; read from disk, never copied).
 *
 *   node dist/bench/recommenders.js [model ...] [--threads]   (default: every candidate generator)
 *   data: the first argument ending in u.data, else u.data in $RECO_ML100K or ../shared/data/ml-100k
 *   --threads: also fit ALS and EASE with threads = 1 and 2 (before/after of the worker thread)
 *
 * Protocol of the reference numbers: a random per-user 75/25 split of (user, item) pairs, seed 42
 * (src/data/splits.ts `random`: each user's ratings shuffled, round(0.75 m) to train), every held-out
 * rating relevant, the user's train items removed, NDCG@10 with binary relevance (src/evaluation/metrics.ts),
 * averaged over users with test items. Models run with their registry defaults (no settings passed here).
 * Prints fit time (wall, and CPU seconds of all threads: on a shared machine the wall time depends on the
 * load), NDCG@10 and the reference value of the numpy implementations of the same algorithms, then the
 * ALS fold-in time per user.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { csrRow } from '../src/core/csr.js';
import { ndcgAtK } from '../src/core/ndcg.js';
import { buildInteractions, interactionWeights } from '../src/data/interactions.js';
import { splitLog } from '../src/data/splits.js';
import type { AlsRecommender } from '../src/recommenders/als.js';
import { createRecommender, recommenderNames } from '../src/recommenders/index.js';
import type { FitData, UserProfile } from '../src/recommenders/recommender.js';
import type { Csr, ModelName } from '../src/types.js';
import { loadMovieLens, ML100K_DIR } from './shared-data.js';

const REFERENCE: Partial<Record<ModelName, { ndcg: number; maxFitSeconds?: number }>> = {
  popularity: { ndcg: 0.251 },
  itemknn: { ndcg: 0.429, maxFitSeconds: 1 },
  ease: { ndcg: 0.478, maxFitSeconds: 5 },
  als: { ndcg: 0.481, maxFitSeconds: 5 },
};

/** Mean binary NDCG@k over users with test items; train items removed. */
export function meanNdcg(
  recommend: (profile: UserProfile, k: number) => Int32Array,
  train: Csr,
  test: Csr,
  k: number,
): number {
  let sum = 0;
  let users = 0;
  const gains = new Float64Array(k);
  for (let u = 0; u < test.rows; u++) {
    const t = csrRow(test, u);
    if (t.items.length === 0) continue;
    const row = csrRow(train, u);
    const list = recommend({ user: u, items: row.items, weights: row.weights }, k);
    gains.fill(0);
    for (let r = 0; r < list.length; r++) {
      // test items are sorted: binary search
      let lo = 0;
      let hi = t.items.length - 1;
      const item = list[r]!;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (t.items[mid] === item) {
          gains[r] = 1;
          break;
        }
        if (t.items[mid]! < item) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    sum += ndcgAtK(gains, k, t.items.length);
    users++;
  }
  return users > 0 ? sum / users : 0;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pathArg = args.find((a) => a.endsWith('u.data'));
  const path = pathArg ?? join(ML100K_DIR, 'u.data');
  if (!existsSync(path)) {
    console.log(`recommenders bench: skipped (no MovieLens 100K at ${path}; set RECO_ML100K)`);
    return;
  }
  const compareThreads = args.includes('--threads');
  const wanted = args.filter((a) => a !== pathArg && !a.startsWith('-')) as ModelName[];
  const names = wanted.length > 0 ? wanted : recommenderNames();
  const { log, items } = await loadMovieLens(dirname(path));
  const split = splitLog(log, { kind: 'random', ratio: 0.75, seed: 42 });
  const weights = interactionWeights();
  const train = buildInteractions(split.train, weights);
  const test = buildInteractions(split.test, weights);
  console.log(`MovieLens 100K: ${log.length} ratings, ${split.description}`);
  console.log(
    `train ${train.indptr[train.rows]} pairs, test ${test.indptr[test.rows]} pairs; NDCG@10, binary`,
  );
  console.log('model        fit s   cpu s   target s   NDCG@10   reference   diff     status');
  const data: FitData = { interactions: train, log: split.train, items };
  for (const name of names) {
    const model = createRecommender(name);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await model.fit(data);
    const fitSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const ndcg = meanNdcg((p, k) => model.recommend(p, k).items, train, test, 10);
    const ref = REFERENCE[name];
    const okNdcg = ref ? ndcg >= ref.ndcg - 0.01 : true;
    const okTime = ref?.maxFitSeconds ? fitSeconds < ref.maxFitSeconds : true;
    console.log(
      [
        name.padEnd(11),
        fitSeconds.toFixed(2).padStart(6),
        cpuSeconds.toFixed(2).padStart(7),
        (ref?.maxFitSeconds ? `< ${ref.maxFitSeconds}` : '-').padStart(9),
        ndcg.toFixed(4).padStart(9),
        (ref ? ref.ndcg.toFixed(3) : '-').padStart(11),
        (ref ? (ndcg - ref.ndcg >= 0 ? '+' : '') + (ndcg - ref.ndcg).toFixed(4) : '-').padStart(8),
        `   ${ref ? (okNdcg ? (okTime ? 'ok' : 'ok (slow)') : 'MISS') : ''}`,
      ].join(' '),
    );
    if (name === 'als') {
      // Fold-in of every user from his train items (as for a new user), timed.
      const als = model as AlsRecommender;
      const x = new Float32Array(als.params.factors);
      const t1 = performance.now();
      let users = 0;
      for (let u = 0; u < train.rows; u++) {
        const row = csrRow(train, u);
        als.foldIn({ items: row.items, weights: row.weights }, x);
        users++;
      }
      const us = ((performance.now() - t1) * 1000) / users;
      const cold = meanNdcg(
        (p, k) => model.recommend({ items: p.items, weights: p.weights }, k).items,
        train,
        test,
        10,
      );
      console.log(
        `  als fold-in: ${us.toFixed(0)} us per user (mean ${(train.indptr[train.rows]! / train.rows).toFixed(0)} items); NDCG@10 with every user folded in ${cold.toFixed(4)}`,
      );
    }
  }
  if (compareThreads) {
    console.log('threads (before/after the worker): wall s / cpu s');
    for (const name of ['ease', 'als'] as const) {
      for (const threads of [1, 2, 1, 2]) {
        const model = createRecommender(name, { threads });
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await model.fit(data);
        const wall = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        console.log(
          `  ${name} threads=${threads}: ${wall.toFixed(2)} / ${((cpu.user + cpu.system) / 1e6).toFixed(2)}`,
        );
      }
    }
  }
}

if (process.argv[1]?.endsWith('recommenders.js')) await main();
