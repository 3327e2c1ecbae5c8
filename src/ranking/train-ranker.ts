/**
 * Training the ranked model (`fit`): per label view (./params.ts: next, missing or both), its training set
 * (./training-set.ts) and trees (./view-training.ts), the catalogue model beside the first view, then the
 * candidate sources refitted on all the events and the feature state of every event, for serving.
 * Whatever split produced the given events, the internal splits are made from them alone.
 */
import { Rng } from '../core/random.js';
import { interactionWeights } from '../data/interactions.js';
import { RecoError } from '../errors.js';
import type { FeatureSpec } from '../features/build.js';
import { FeatureState } from '../features/state.js';
import type { FitData, Recommender } from '../recommenders/recommender.js';
import { prefixedSink } from '../training/metric-sink.js';
import { type LabelView, labelViewsOf, type RankedParams } from './params.js';
import { formatSafetyNet, judgeRanker, type NetBlend, type SafetyVerdict } from './safety-net.js';
import { fitSources } from './sources.js';
import { buildTrainingSet, type NetGroup, type TrainingRows, type TrainingSeconds } from './training-set.js';
import { chooseViewBlends, formatViewBlendChoice, type ViewBlendChoice } from './view-blends.js';
import { type TrainedView, trainView, type ViewTrainingReport } from './view-training.js';

/** Where the training went (kept in the saved meta, printed by `reco train`). */
export interface RankerTrainingReport {
  views: ViewTrainingReport[];
  seconds: TrainingSeconds;
  /** The safety net's verdict (./safety-net.ts; absent without held-out users). */
  net?: SafetyVerdict;
  /** missingTime 'auto': the time chosen and the served NDCG@10 (mean of the views) under each. */
  missingTime?: MissingTimeChoice;
  /** viewBlends 'net': the views' blend weights chosen on the net's held-out users. */
  viewBlends?: ViewBlendChoice;
}

/** What missingTime 'auto' chose, on the net's held-out users. */
export interface MissingTimeChoice {
  chosen: 'end' | 'both';
  end: number;
  both: number;
}

/** A fitted ranker: what serving scores with and a bundle stores. */
export interface FittedRanker {
  /** The candidate sources, in the order of the `sources` parameter. */
  sources: Recommender[];
  state: FeatureState;
  spec: FeatureSpec;
  /** The label views, in scoring order. */
  views: TrainedView[];
  /** The catalogue model (scoreAll; one view at most, empty when not trained). */
  catalogue: TrainedView[];
  nItems: number;
  /** Serving time as of fitting (the fit data's `now`, or the last event + 1 ms). */
  now: number;
  /** The source served instead of the trees (the safety net's fallback), when they fell behind it. */
  fallback?: string;
  /** The source the safety net blends into the trees' score, and its weight (absent: none). */
  netBlend?: NetBlend;
}

export async function trainRanker(
  data: FitData,
  params: RankedParams,
  log?: (line: string) => void,
  internal: { leakFeatures?: boolean } = {},
): Promise<{ fitted: FittedRanker; report: RankerTrainingReport }> {
  const say = log ?? (() => {});
  const seconds: TrainingSeconds = { sources: 0, features: 0, gbdt: 0, refit: 0 };
  const rng = new Rng(params.seed, 1);
  const catalogue: TrainedView[] = [];
  const net: NetGroup[][] = [];
  const netUsers = pickNetUsers(data, params);
  const curve = (name: string) => data.metrics && prefixedSink(data.metrics, name);
  let spec: FeatureSpec | undefined;
  // per view: its training rows (every user's) and, with a net, the trees trained without the held-out
  // users that the net judges; missingTime 'auto' builds the missing view under 'both' and judges its
  // trees on all the groups and on each user's end group alone (exactly the rows 'end' builds)
  const built: { label: LabelView; rows: TrainingRows; auto: boolean; netFree: boolean }[] = [];
  const judged: TrainedView[] = [];
  // the judged trees' reports, kept when those trees are the ones served (every view's rows net-free)
  const judgedReports: ViewTrainingReport[] = [];
  let judgedEnd: { view: TrainedView; report: ViewTrainingReport } | undefined;
  for (const [k, label] of labelViewsOf(params).entries()) {
    const auto = label === 'missing' && params.missingTime === 'auto';
    const viewParams: RankedParams = auto ? { ...params, missingTime: 'both' } : params;
    // one catalogue model, of the first label view (next by default: the next items)
    const set = await buildTrainingSet(label, data, viewParams, {
      rng,
      catalogue: params.catalogueModel && k === 0,
      givenSpec: spec,
      seconds,
      ...(netUsers ? { netUsers } : {}),
      ...(log ? { log } : {}),
      ...(internal.leakFeatures ? { leakFeatures: true } : {}),
    });
    spec = set.spec;
    built.push({ label, rows: set.rows, auto, netFree: set.netFree });
    const t0 = performance.now();
    if (netUsers && set.net.length > 0) {
      net.push(set.net);
      // net-free rows: these trees are the served ones (retraining on the same rows would refit them), so
      // they print and record their curve as the served trees do
      const served = set.netFree;
      const judgedRows = served ? set.rows : withoutUsers(set.rows, netUsers);
      const judgedView = trainView(
        judgedRows,
        spec,
        params,
        served ? say : () => {},
        {},
        served ? curve(`gbdt.${label}`) : undefined,
      );
      judged.push(judgedView.view);
      judgedReports.push(judgedView.report);
      if (auto) judgedEnd = trainView(endGroups(judgedRows), spec, params, () => {});
    }
    if (set.catalogue && set.catalogue.userRows.length >= 2)
      catalogue.push(
        trainView(
          set.catalogue,
          spec,
          params,
          (m) => say(`catalogue model: ${m}`),
          params.catalogueGbdt,
          curve(`gbdt.${label}.catalogue`),
        ).view,
      );
    seconds.gbdt += (performance.now() - t0) / 1000;
  }
  if (!spec) throw new RecoError('ranked: no label view');
  const judging = net.length === built.length;
  // the views' blend weights, chosen on the held-out users as served (./view-blends.ts), for the trees
  // as built and, under missingTime 'auto', with the missing view's end trees
  const autoView = built.findIndex((b) => b.auto);
  const variants: { views: TrainedView[]; choice?: ViewBlendChoice }[] = [];
  if (judging) {
    const choose = (views: TrainedView[]) =>
      params.viewBlends === 'net'
        ? chooseViewBlends(net, views, spec!.sources.length, params.objective === 'binary')
        : { views };
    variants.push(choose(judged));
    if (judgedEnd) variants.push(choose(judged.map((v, j) => (j === autoView ? judgedEnd!.view : v))));
  }
  let verdict = judging ? judgeRanker(net, variants[0]!.views, spec.sources, params) : undefined;
  let missingTime: MissingTimeChoice | undefined;
  let endChosen = params.missingTime === 'auto';
  if (judging && judgedEnd) {
    // 'auto': the trees' own figures (before any blend or fallback) under each, on the held-out users
    const other = judgeRanker(net, variants[1]!.views, spec.sources, params);
    const both = verdict ? verdict.ranked : Number.NaN;
    const end = other ? other.ranked : Number.NaN;
    // the end's (the default) unless the trees under both times rank the held-out users better
    const chosen = both > end ? 'both' : 'end';
    missingTime = { chosen, end, both };
    if (other) say(`missingTime end: ${formatSafetyNet(other)}`);
    if (verdict) say(`missingTime both: ${formatSafetyNet(verdict)}`);
    say(
      `missingTime auto: the trees' NDCG@10 on held-out users as served (mean of the views): end ${end.toFixed(4)}, both ${both.toFixed(4)}: ${chosen}`,
    );
    endChosen = chosen === 'end';
    if (endChosen) verdict = other;
  }
  const variant = judging ? variants[endChosen && judgedEnd ? 1 : 0] : undefined;
  if (variant?.choice) say(formatViewBlendChoice(variant.views, variant.choice));
  if (verdict) say(formatSafetyNet(verdict));

  // the served trees: every user's rows (the held-out ones too), under the net's choices; when no view's
  // rows hold a held-out user (there were enough others), the judged trees themselves
  const views: TrainedView[] = [];
  const reports: ViewTrainingReport[] = [];
  const t1 = performance.now();
  for (const [k, { label, rows, auto, netFree }] of built.entries()) {
    if (variant && netFree) {
      const end = auto && endChosen && judgedEnd;
      views.push(variant.views[k]!);
      reports.push({ ...(end ? judgedEnd!.report : judgedReports[k]!), blend: variant.views[k]!.blend });
      continue;
    }
    // with a net, each view keeps the blend weight chosen for the judged trees on the held-out users (the
    // served score is the sum of the views' probabilities, so one view's weight changes how the other
    // orders the list; a weight chosen again on this training's validation users served what the net
    // never saw: MovieLens 100K with items, random protocol, 0.427 NDCG@10 against 0.491 for hybrid)
    const { view, report } = trainView(
      auto && endChosen ? endGroups(rows) : rows,
      spec,
      params,
      say,
      {},
      curve(`gbdt.${label}`),
      variant?.views[k]?.blend,
    );
    views.push(view);
    reports.push(report);
  }
  seconds.gbdt += (performance.now() - t1) / 1000;

  // sources refitted on everything for serving
  const t0 = performance.now();
  const sources = await fitSources(data, params);
  const state = FeatureState.fromLog(data.log, data.items, { weights: interactionWeights() });
  const fitted: FittedRanker = {
    sources,
    state,
    spec,
    views,
    catalogue,
    nItems: data.interactions.cols,
    now: data.now ?? state.lastTime + 1,
    ...(verdict?.fallback ? { fallback: verdict.fallback } : {}),
    ...(verdict?.blend ? { netBlend: verdict.blend } : {}),
  };
  seconds.refit = (performance.now() - t0) / 1000;
  say(
    `ranker: ${views.map((v, k) => `${v.label} ${v.model.trees.length} trees (valid ${reports[k]!.validMetric.name} ${reports[k]!.validMetric.value.toFixed(4)})`).join(', ')}; ` +
      `sources ${seconds.sources.toFixed(1)} s, features ${seconds.features.toFixed(1)} s, ` +
      `gbdt ${seconds.gbdt.toFixed(1)} s, refit ${seconds.refit.toFixed(1)} s`,
  );
  return {
    fitted,
    report: {
      views: reports,
      seconds,
      ...(verdict ? { net: verdict } : {}),
      ...(missingTime ? { missingTime } : {}),
      ...(variant?.choice ? { viewBlends: variant.choice } : {}),
    },
  };
}

/** A training set without the groups of the users marked in `users`. */
function withoutUsers(rows: TrainingRows, users: Uint8Array): TrainingRows {
  const userRows = rows.userRows.filter((g) => users[g.u] !== 1);
  return { ...rows, userRows, rows: userRows.reduce((a, g) => a + g.n, 0) };
}

/** The missing view's groups at the end alone, out of a 'both' training set (each user's last group). */
function endGroups(rows: TrainingRows): TrainingRows {
  const userRows = rows.userRows.filter((g, q) => rows.userRows[q + 1]?.u !== g.u);
  return { ...rows, userRows, rows: userRows.reduce((a, g) => a + g.n, 0) };
}

/**
 * The safety net's held-out users (1 per user index): a seeded sample of `netFraction` of the users with two
 * events or more, at most `maxNetUsers`; undefined when none (netFraction 0, or too few users).
 */
function pickNetUsers(data: FitData, params: RankedParams): Uint8Array | undefined {
  const x = data.interactions;
  const eligible: number[] = [];
  for (let u = 0; u < x.rows; u++) if (x.indptr[u + 1]! - x.indptr[u]! >= 2) eligible.push(u);
  const want = Math.min(params.maxNetUsers, Math.round(eligible.length * params.netFraction));
  if (want < 1 || eligible.length - want < 2) return undefined;
  const users = Int32Array.from(eligible);
  new Rng(params.seed, 5).shuffle(users);
  const mask = new Uint8Array(x.rows);
  for (const u of users.subarray(0, want)) mask[u] = 1;
  return mask;
}
