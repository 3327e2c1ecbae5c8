/**
 * The ranked model's parameters (`RANKED_PARAMS`), each JSON one with its typed parser: `sources` to a list
 * of (model, count), `sourceParams` to parameters per model, `gbdt` and `catalogueGbdt` to LightGBM
 * parameters, `exclude` to feature names. A bad value is refused with a UsageError naming the parameter.
 *
 * The label views are named as in docs/ranking.md: `next` (each user's latest events are the labels) and
 * `missing` (a random share of his items); `labelSplit` still takes their older names 'temporal' and
 * 'random'.
 */
import { modelNameOf, objectEntries, type Params, paramsByModel, refuse } from '../core/param-spec.js';
import type { ModelName } from '../types.js';

/** A label view: the items a user takes next, or the items missing from his history. */
export type LabelView = 'next' | 'missing';

/** A candidate source of stage 1: a model of the registry and how many candidates it contributes. */
export interface CandidateSourceSpec {
  name: ModelName;
  count: number;
}

/** LightGBM parameters by name (its configuration values). */
export type LightgbmParams = Readonly<Record<string, string | number | boolean>>;

/** `sources`: {model: count}, in its order (the first anchors the blend). */
function parseSources(v: unknown): CandidateSourceSpec[] {
  const entries = objectEntries(v, 'an object of model name -> candidates, e.g. {"ease":100,"itemknn":50}');
  if (entries.length === 0) refuse('needs at least one source');
  return entries.map(([k, n]) => {
    if (k === 'ranked') refuse("cannot use 'ranked' as its own source");
    const name = modelNameOf(k, ['ranked']);
    if (!(typeof n === 'number' && Number.isInteger(n) && n >= 1))
      refuse(`: the candidates from '${k}' must be a positive integer, got ${JSON.stringify(n)}`);
    return { name, count: n };
  });
}

/** `gbdt`, `catalogueGbdt`: LightGBM parameters, each a string, number or boolean. */
function parseLightgbmParams(v: unknown): LightgbmParams {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, x] of objectEntries(v, 'an object of LightGBM parameters, e.g. {"feature_fraction":0.8}')) {
    if (!(typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean'))
      refuse(`must give '${k}' a string, number or boolean, got ${JSON.stringify(x)}`);
    out[k] = x;
  }
  return out;
}

/** `exclude`: feature names (or columns). */
function parseExclude(v: unknown): string[] {
  if (!Array.isArray(v)) refuse('must be an array of feature names, e.g. ["u_events"]');
  return v.map((x: unknown) =>
    typeof x === 'string' ? x : refuse('must be an array of feature names, e.g. ["u_events"]'),
  );
}

export const RANKED_PARAMS = {
  sources: {
    type: 'json',
    default: { hybrid: 100, ease: 50, itemknn: 30, popularity: 20 },
    doc: 'stage 1: candidate sources and how many candidates each contributes (deduplicated union); the first also anchors the safety blend',
    parse: parseSources,
  },
  sourceParams: {
    type: 'json',
    default: {},
    doc: 'parameters of the candidate sources, keyed by model name, e.g. {"ease":{"lambda":300}}',
    parse: (v: unknown) => paramsByModel(v, ['ranked']),
  },
  labelSplit: {
    type: 'enum',
    default: 'both',
    values: ['next', 'missing', 'both'],
    aliases: { temporal: 'next', random: 'missing' },
    doc: "how the labels are held out of the given events: 'next' (each user's latest events, features as of his first label event; also 'temporal'), 'missing' (a random share of each user's items, features from the other events only; also 'random'), or 'both' (one model per view, scored by P(next) + P(missing); needs objective binary)",
  },
  missingTime: {
    type: 'enum',
    default: 'auto',
    values: ['end', 'user', 'both', 'auto'],
    doc: "the time the missing view's training rows are computed at: 'end' (the end of the given events: what a server serving everyone now sees), 'user' (each user's own last feature-side event + 1 ms: what reco recommend --at user sees), 'both' (a group at each, so that the trees see both gaps), or 'auto' (the view trained under 'both' and under 'end', the safety net's held-out users choose: 'end' unless 'both' serves them better)",
  },
  objective: {
    type: 'enum',
    default: 'binary',
    values: ['binary', 'lambdarank'],
    doc: "the trees' loss: 'binary' (log-loss, outputs probabilities) or 'lambdarank' (LambdaMART, per-user NDCG; a single label view only)",
  },
  featureRatio: {
    type: 'number',
    default: 0.8,
    min: 0.05,
    max: 0.95,
    doc: "share of each user's events (oldest first) in the feature period; the rest give the labels",
  },
  validFraction: {
    type: 'number',
    default: 0.2,
    min: 0,
    max: 0.9,
    doc: 'share of the training users held out as the early-stopping validation group',
  },
  minUsers: {
    type: 'int',
    default: 1000,
    min: 2,
    doc: 'per label view, at least this many users (a seeded random sample of those with label events; all of them when fewer) give training rows',
  },
  maxUsers: {
    type: 'int',
    default: 4000,
    min: 2,
    doc: 'per label view, at most this many users give training rows, however large the catalogue (itemsPerUser)',
  },
  itemsPerUser: {
    type: 'number',
    default: 8,
    min: 0,
    doc: "per label view, between minUsers and maxUsers, one training user for every this many items with events: a large catalogue's trees need more users to see positives across it (50k items, 1M ratings: 1,000 users ranked 0.1498 NDCG@10 against EASE's 0.1607, 4,000 users 0.1592); catalogues below minUsers x itemsPerUser items with events (8,000) keep minUsers; 0: always minUsers",
  },
  extraNegatives: {
    type: 'int',
    default: 50,
    min: 0,
    doc: 'per user, items drawn at random from outside his candidates added to his training group (labelled like the others), so that the trees also order the rest of the catalogue (scoreAll, AUC)',
  },
  catalogueModel: {
    type: 'boolean',
    default: true,
    doc: "scoreAll's model of the whole catalogue (AUC over all items): one more GBDT, of the first label view, trained per user on his candidates, every label item outside them and catalogueNegatives random others (learning rate 0.1 by default: about a third of the ranker's training). recommend() and serving never use it; false: scoreAll uses the views",
  },
  catalogueNegatives: {
    type: 'int',
    default: 50,
    min: 1,
    doc: 'catalogue model: per user, items drawn at random from outside his candidates (negatives unless label items) beside every label item outside them',
  },
  catalogueGbdt: {
    type: 'json',
    default: { learning_rate: 0.1 },
    doc: 'catalogue model: LightGBM parameters over the views\', by default {"learning_rate":0.1} (half the rounds of 0.05 for an AUC 0.0007 lower on the synthetic world)',
    parse: parseLightgbmParams,
  },
  scoreAllBelowCandidates: {
    type: 'boolean',
    default: false,
    doc: "scoreAll: place every item stage 1 did not propose below the candidates, in the views' order (true), or score all items on one probability scale (false: by the catalogue model with every tree, the log-odds of the items outside the candidates lowered by log(their count / catalogueNegatives), the rate their negatives were drawn at; without a catalogue model, by the views)",
  },
  exitTrees: {
    type: 'int',
    default: 40,
    min: 0,
    doc: "early exit (Cambazoglu et al., WSDM 2010): every candidate is scored by each view's first exitTrees trees, and only the exitKeep best by that partial score by the rest (the others rank below them); 0: every candidate by every tree",
  },
  exitKeep: {
    type: 'int',
    default: 50,
    min: 1,
    doc: "early exit: how many candidates (the best by the first exitTrees trees) go through every view's remaining trees",
  },
  safetyNet: {
    type: 'boolean',
    default: true,
    doc: "on the net's held-out users (netFraction), when the ranked model (as served) falls more than safetyMargin NDCG@10 below its best candidate source in either label view, blend that source's per-user z-score into the served score (of the weights that bring both views within the margin, the one with the best mean) or, when no weight does, serve that source instead (the verdict is kept in the bundle and printed by reco train); false: measured and reported only",
  },
  safetyMargin: {
    type: 'number',
    default: 0.005,
    min: 0,
    doc: "safety net: how far (NDCG@10 on the net's held-out users, in each label view) the ranked model may fall below its best source before the net blends that source in or serves it instead",
  },
  netBlend: {
    type: 'boolean',
    default: true,
    doc: "safety net: when the trees fall behind, first try blending the best source's z-score into their score (false: serve that source alone at once)",
  },
  netFraction: {
    type: 'number',
    default: 0.3,
    min: 0,
    max: 0.5,
    doc: 'safety net: share of the users held out of everything the trees learn from (training, early stopping, blend, the catalogue model), on whom the net judges the ranked model as served (each user as of his own last event); 0: no net',
  },
  crossFit: {
    type: 'boolean',
    default: true,
    doc: "with the safety net's held-out users, the missing view's stage 1 is fitted twice (cross-fitting): the held-out users' rows come from sources fitted on every event but their label events, the other users' rows from sources fitted on every event but theirs; so the trees learn from, and the net judges them with, sources fitted on 86-94% of the events instead of the feature side's 80%, closer to serving's sources fitted on all of them (the next view keeps one fit on the feature side: its labels are the users' latest events, which a store does not hold yet); false: one fit on the feature side for every user",
  },
  viewBlends: {
    type: 'enum',
    values: ['net', 'own'],
    default: 'net',
    doc: "with the safety net's held-out users, how each label view's blend weight (its first source's z-score added to its trees' output) is chosen: 'net', every pair of weights scored on the held-out users as served (the sum of the views' probabilities), the pair whose worst view is nearest its best source, when it beats the views' own weights there by more than 1.645 standard errors of the per-user differences (else the own weights stay; the served trees keep what is chosen); 'own', each view alone on its early-stopping users",
  },
  maxNetUsers: {
    type: 'int',
    default: 1000,
    min: 1,
    doc: "safety net: at most this many held-out users (a seeded sample): the net's cost stays bounded whatever the number of users",
  },
  exclude: {
    type: 'json',
    default: [],
    doc: 'feature names (or columns) left out of the model',
    parse: parseExclude,
  },
  numIterations: { type: 'int', default: 400, min: 1, doc: 'boosting rounds at most (early stopping)' },
  learningRate: { type: 'number', default: 0.05, min: 0, exclusiveMin: true, doc: 'shrinkage' },
  numLeaves: { type: 'int', default: 31, min: 2, doc: 'leaves per tree' },
  minDataInLeaf: { type: 'int', default: 50, min: 1, doc: 'rows per leaf at least' },
  earlyStopping: {
    type: 'int',
    default: 30,
    min: 0,
    doc: 'stop after this many rounds without gain on the validation users (AUC for binary, NDCG@10 for lambdarank)',
  },
  gbdt: {
    type: 'json',
    default: {},
    doc: 'further LightGBM parameters, e.g. {"feature_fraction":0.8}',
    parse: parseLightgbmParams,
  },
  seed: { type: 'int', default: 42, doc: 'seed of the validation users and the trainer' },
} as const;

/** The ranked model's parameters as it uses them. */
export type RankedParams = Params<typeof RANKED_PARAMS>;

/** The label views `labelSplit` trains, in scoring order (the first also trains the catalogue model). */
export function labelViewsOf(params: RankedParams): LabelView[] {
  return params.labelSplit === 'both' ? ['next', 'missing'] : [params.labelSplit];
}
