/**
 * The built-in studies by name: realism, noise (here), leakage (./leakage.ts) and drift (./drift.ts).
 * Every cell simulates a small world in memory (./world-log.ts) and never touches the store's data.
 */
import type { WorldParams } from '../simulation/params.js';
import { driftStudy } from './drift.js';
import { leakageStudy } from './leakage.js';
import {
  type CellContext,
  evaluateAgainstOracle,
  SMALL_WORLD,
  type StudyDefinition,
  type StudyValue,
} from './study.js';
import { worldData } from './world-log.js';

const QUICK_MODELS: StudyDefinition['models'] = ['popularity', 'itemknn', 'als', 'ease'];

const FRACTION_METRICS: StudyDefinition['metrics'] = [
  { key: 'ndcg_frac', title: 'NDCG@10 as a fraction of the oracle' },
  { key: 'auc_frac', title: 'AUC as a fraction of the oracle' },
  { key: 'ndcg', title: 'NDCG@10' },
  { key: 'auc', title: 'AUC' },
];

const EVALUATE_METHOD =
  "Each cell simulates its world, holds out each user's latest 20 % of events (temporal split; every " +
  'user served as of his last train event), fits every model on the rest and scores its top 10 and its ' +
  "AUC over all unseen items against the held-out events, beside the oracle row (the simulator's true " +
  'probability that the user is shown and takes each item, at his test-event times).';

const noiseStudy: StudyDefinition = {
  name: 'noise',
  title: 'From strong to weak latent structure',
  question:
    "How much of the models' skill is the world's latent structure? The share of the affinity's variance " +
    'explained by the latent taste (`tasteShare`) falls from 1 to 0.2; the rest is an idiosyncratic term ' +
    'fixed per (user, item) pair that the oracle knows and no model can learn from other pairs. Where ' +
    "does each model's gap to the oracle open, and where does more model stop helping?",
  axis: 'tasteShare (share of choices explained by taste; noise rises to the right)',
  base: { ...SMALL_WORLD, affinityScale: 6 },
  levels: [1, 0.8, 0.6, 0.4, 0.2].map((s) => ({ label: `${s}`, world: { tasteShare: s } })),
  models: QUICK_MODELS,
  metrics: FRACTION_METRICS,
  method: EVALUATE_METHOD,
  runCell: evaluateCell,
};

/**
 * The seed system's two generators as world parameters: users who pick by genre preference only (no
 * latent factors, no popularity, no quality, no drift, no ageing), and latent factors unrelated to genres
 * with a popularity law that drives exposure (no genre structure, no drift, no ageing); reco's full world
 * is the defaults.
 */

/** A cell of an offline study: its world simulated, every model evaluated beside the oracle. */
async function evaluateCell(cell: CellContext): Promise<StudyValue[]> {
  const { world, log, items } = worldData(cell.params);
  return evaluateAgainstOracle(world, log, items, cell);
}

export const SEED_GENRES_ONLY: Partial<WorldParams> = {
  userNoise: 0,
  itemNoise: 0,
  qualitySd: 0,
  popularityZipf: 0,
  popularityWeight: 0,
  driftShare: 0,
  contextWeight: 0,
  evergreen: 1,
  tenureExploreShare: 0,
  tasteExposureShare: 1,
};
export const SEED_LATENT_POPULARITY: Partial<WorldParams> = {
  itemGenreWeight: 0,
  userGenreWeight: 0,
  itemNoise: 1,
  userNoise: 1,
  tasteExposureShare: 0,
  qualitySd: 0,
  driftShare: 0,
  contextWeight: 0,
  evergreen: 1,
  tenureExploreShare: 0,
};

const realismStudy: StudyDefinition = {
  name: 'realism',
  title: "The seed system's generators against reco's world",
  question:
    'The system reco replaces generated its data twice: first from genre preferences only, then from ' +
    'latent factors with popularity. How far does each model get on each, against what the oracle ' +
    "allows, and how do they compare with reco's full world (genre-clustered latent tastes, quality, " +
    'popularity, ageing, drift, daily rhythm)?',
  axis: 'generator',
  base: SMALL_WORLD,
  levels: [
    { label: 'genres only', world: SEED_GENRES_ONLY },
    { label: 'latent + popularity', world: SEED_LATENT_POPULARITY },
    { label: 'reco full world', world: {} },
  ],
  models: QUICK_MODELS,
  metrics: FRACTION_METRICS,
  method: EVALUATE_METHOD,
  runCell: evaluateCell,
};

const STUDIES = new Map<string, StudyDefinition>([
  ['realism', realismStudy],
  ['noise', noiseStudy],
  ['leakage', leakageStudy],
  ['drift', driftStudy],
]);

export function studyNames(): string[] {
  return [...STUDIES.keys()];
}

export function findStudy(name: string): StudyDefinition | undefined {
  return STUDIES.get(name);
}
