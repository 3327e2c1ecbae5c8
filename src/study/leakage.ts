/**
 * `reco study leakage`: the ranker trained on point-in-time features (each training row's features from
 * the events strictly before its user's first label event) against the same ranker trained on features
 * computed over all the data, label events included (RankedRecommender.studyLeakFeatures: the leak the
 * system reco replaces had). Both are measured three ways:
 *   - offline, as its own training sees it: the early-stopping AUC on the validation users' groups,
 *     whose features are built the same way as the training rows (leaky for the leaky one);
 *   - on later events: fitted on the events before the cut (the midnight after the 80 % time quantile)
 *     and served as of that cut (point-in-time features, as a server has), its AUC over all unseen items
 *     and NDCG@10 against the events after the cut, beside the oracle's;
 *   - online, in the closed loop (./closed-loop.ts): the world's people served in process by a bundle of
 *     that very ranker (the same fit, written as it is) for a week of simulated days from the cut (no
 *     retraining), beside the random and the oracle slates.
 * The leak shows as a higher offline AUC and a lower AUC on later events; online, whatever the loop
 * measures (docs/studies.md: a lower CTR in every world measured).
 */

import { timeQuantile } from '../data/splits.js';
import { evaluate, type MetricRow } from '../evaluation/evaluate.js';
import { worldOracle } from '../evaluation/oracle.js';
import type { RankedRecommender } from '../ranking/ranker.js';
import type { Recommender } from '../recommenders/recommender.js';
import type { ModelFactory } from '../training/fit-models.js';
import { loopValues, midnightAfter, studyLoop, studyReferences } from './closed-loop.js';
import { oracleFractions, SMALL_WORLD, type StudyDefinition, type StudyValue } from './study.js';
import { worldData } from './world-log.js';

const RANKER_PARAMS = { labelSplit: 'next' };
const CUT = 0.8;
/** The closed loop after the cut: people, simulated days, slate size. */
export const LEAKAGE_LOOP = { users: 500, days: 7, k: 10 };
/** oracleFractions' metric names -> this study's (measured on later events). */
const LATER = new Map([
  ['ndcg', 'ndcg_later'],
  ['auc', 'auc_later'],
  ['ndcg_frac', 'ndcg_later_frac'],
  ['auc_frac', 'auc_later_frac'],
]);
const SERIES = { honest: 'ranked (point in time)', leaky: 'ranked (leaky features)' } as const;

/** `create`, with the ranker it builds trained on leaky features. */
function leakyFactory(create: ModelFactory, captured: Recommender[]): ModelFactory {
  return (name, params) => {
    const model = create(name, params);
    if (name === 'ranked') (model as RankedRecommender).studyLeakFeatures = true;
    captured.push(model);
    return model;
  };
}

export const leakageStudy: StudyDefinition = {
  name: 'leakage',
  title: 'Point-in-time features against features over all data',
  question:
    "The system reco replaces computed its ranker's features over all its data, the label events " +
    'included. Does that leak show, as it should, as a better offline AUC and a worse AUC on the events ' +
    'that come later?',
  axis: 'world',
  base: SMALL_WORLD,
  levels: [{ label: 'small world', world: {} }],
  models: ['ranked'],
  metrics: [
    { key: 'auc_offline', title: "Offline AUC (the ranker's validation users)" },
    { key: 'auc_later', title: 'AUC on later events' },
    { key: 'ndcg_later', title: 'NDCG@10 on later events' },
    { key: 'auc_later_frac', title: 'AUC on later events as a fraction of the oracle' },
    { key: 'ctr', title: 'Online CTR (takes a slate) in the closed loop after the cut' },
    { key: 'normalised', title: 'Online normalised score: (CTR - random) / (oracle - random)' },
    { key: 'regret', title: "Online regret a slate against the oracle's slate (expected takes)" },
  ],
  pairs: [
    {
      title: 'AUC offline and on later events',
      metrics: ['auc_offline', 'auc_later'],
      labels: ['offline (validation users)', 'later events'],
    },
  ],
  method:
    "The ranker (`labelSplit: 'next'`, every other parameter its default) is fitted on the events before " +
    'the cut (the midnight after the 80 % time quantile), twice: with point-in-time features (what reco does) and with features over ' +
    "all its events, label events included. Offline AUC: the early-stopping AUC on its validation users' " +
    'groups, built like its training rows. AUC and NDCG@10 on later events: every user with events after ' +
    'the cut, served as of the cut, against those events (AUC over every unseen item). Online: a bundle ' +
    "of each ranker (that very fit, beside a popularity model, the bundle's candidate generator) serves " +
    `${LEAKAGE_LOOP.users} of the world's people for ${LEAKAGE_LOOP.days} simulated days in the closed ` +
    'loop (`reco loop` in process, slates of 10, no retraining); both loops meet the same people and ' +
    'arrivals; the normalised score uses the random and the oracle slates over the same people and days.',
  async runCell(cell) {
    const { world, log, items } = worldData(cell.params);
    // the 80 % time quantile, moved on to the midnight after it (where the closed loop starts)
    const cut = midnightAfter(timeQuantile(log, CUT));
    const split = { kind: 'global' as const, cut, seed: 42 };
    const loop = {
      world,
      log,
      cut,
      // the bundle's candidate generator beside the ranker (its own popularity source, reused)
      models: ['popularity' as const, 'ranked' as const],
      params: { ranked: RANKER_PARAMS },
      ...LEAKAGE_LOOP,
      users: Math.min(LEAKAGE_LOOP.users, cell.params.users),
      seed: cell.seed,
    };
    const reference = await studyReferences({ ...loop, create: cell.create });
    const out: StudyValue[] = [];
    // the oracle's row: scored once, with the honest pass (same world and split for both rankers)
    let oracleRow: MetricRow | undefined;
    for (const leaky of [false, true]) {
      const series = leaky ? SERIES.leaky : SERIES.honest;
      const built: Recommender[] = [];
      const create: ModelFactory = leaky
        ? leakyFactory(cell.create, built)
        : (name, params) => {
            const m = cell.create(name, params);
            built.push(m);
            return m;
          };
      const result = await evaluate(log, items, {
        split,
        k: 10,
        models: ['ranked'],
        params: { ranked: RANKER_PARAMS },
        create,
        ...(leaky ? {} : { oracle: worldOracle(world) }),
        onModelDone: (row) =>
          cell.note(
            `${row.model}${leaky && row.model !== 'oracle' ? ' (leaky)' : ''}: AUC ${row.auc.toFixed(4)}`,
          ),
      });
      const ranker = built.find((m) => m.name === 'ranked') as RankedRecommender | undefined;
      const offline = ranker?.report?.views[0]?.validMetric;
      if (offline) out.push({ series, metric: 'auc_offline', value: offline.value });
      oracleRow ??= result.rows.find((r) => r.model === 'oracle');
      const rows = leaky && oracleRow ? [...result.rows, oracleRow] : result.rows;
      for (const v of oracleFractions({ ...result, rows })) {
        const metric = LATER.get(v.metric)!;
        if (v.series !== 'oracle') out.push({ series, metric, value: v.value });
        else if (!leaky) out.push({ series: 'oracle', metric, value: v.value });
      }
      // the bundle serves this very ranker (fitted above on the same events), not a refit
      const online = await studyLoop({
        ...loop,
        create,
        ...(ranker ? { fitted: new Map([['ranked', ranker]]) } : {}),
        arms: [{ name: series, strategy: 'ranked' }],
      });
      out.push(...loopValues(online.loop, reference, () => series));
      cell.note(`${series}: online CTR ${online.loop.variants[0]?.ctr.toFixed(4)}`);
    }
    return out;
  },
};
