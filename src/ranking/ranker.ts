/**
 * Stage 2: the learning-to-rank model over stage-1 candidates, as one more Recommender ('ranked') so that
 * evaluation, bundles and serving treat it like any model.
 *
 * What "relevant" means is not known from a training file alone: the items a user takes next (the future,
 * what serving faces) or the items missing from his history (what a random holdout tests). On MovieLens the
 * two differ sharply (users rate the well-known films first, the long tail later), and a model of one does
 * badly on the other. So by default (labelSplit 'both') the ranker learns one GBDT per label view and
 * scores a candidate by P(next) + P(missing), the probability that it is relevant under either view with
 * equal priors; each view can also be trained alone.
 *
 * Training each view (`fit`), with no leakage of the labels into the features:
 * 1. split the given events per user: 'temporal': each user's earliest `featureRatio` of events are the
 *    feature period and the rest the labels, features as of his first label event t_u; 'random': a random
 *    `featureRatio` of his items are the feature side and the rest the labels, features as of the end from
 *    the feature side only (src/data/splits.ts);
 * 2. fit the candidate sources on the feature side and generate each user's candidates from it (seen items
 *    excluded);
 * 3. label = 1 when the user interacted positively with the candidate in the label part, else 0
 *    (negatives: the candidates he did not take, and `extraNegatives` random items);
 * 4. features as of t (./../features: only events strictly before t, so no label event is seen);
 * 5. gradient-boosted trees with the LightGBM-compatible trainer (./gbdt): by default the binary log-loss
 *    objective, whose outputs are probabilities that add up across views; or LambdaMART (Burges, "From
 *    RankNet to LambdaRank to LambdaMART", 2010) for a single view. Early stopping on a held-out group of
 *    users;
 * then refit the candidate sources on all the events for serving; the state holds every event.
 * Whatever split produced the given events, these internal splits are made from them alone.
 *
 * Serving: candidates from the refitted sources, features as of now (the last event + 1 ms, the fit data's
 * `now`, or the profile's own `at`), scored by every view's trees. `scoreAll` gives candidates their score
 * and every other item a lower one in the trees' order (so AUC over the catalogue is defined).
 */
import { availableParallelism } from 'node:os';
import { sigmoid } from '../core/math.js';
import { groupNdcg } from '../core/ndcg.js';
import { resolveParamValues } from '../core/param-spec.js';
import { Rng } from '../core/random.js';
import { bestRows, selectTopN } from '../core/top-n.js';
import { buildInteractions, interactionWeights } from '../data/interactions.js';
import { buildTestSet, splitLog } from '../data/splits.js';
import { RecoError, UsageError } from '../errors.js';
import { type CandidateRows, FeatureBuilder, type FeatureSpec, featureSpec } from '../features/build.js';
import { FeatureState } from '../features/state.js';
import type { EaseRecommender } from '../recommenders/ease.js';
import { HybridRecommender } from '../recommenders/hybrid.js';
import { createRecommender, loadRecommender } from '../recommenders/index.js';
import type { ItemKnnRecommender } from '../recommenders/item-knn.js';
import type {
  FitData,
  Recommender,
  RecommendOptions,
  SavedModel,
  TypedArray,
  UserProfile,
} from '../recommenders/recommender.js';
import { fitModels } from '../training/fit-models.js';
import type { ItemRecord, TopN } from '../types.js';
import { CandidateGenerator, type CandidateSet } from './candidates.js';
import { type EvalResult, train } from './gbdt/boosting/gbdt.js';
import { ShapExplainer } from './gbdt/explain.js';
import type { DenseData } from './gbdt/io/dataset.js';
import { modelToText, parseModelText } from './gbdt/io/model-text.js';
import type { GbdtModel } from './gbdt/model.js';
import { trainParamsFrom } from './gbdt/params.js';
import { GbdtPredictor } from './gbdt/predict.js';
import {
  type LabelView,
  type LightgbmParams,
  labelViewsOf,
  RANKED_PARAMS,
  type RankedParams,
} from './params.js';

export { type LabelView, RANKED_PARAMS } from './params.js';

/** How one label view's training went. */
export interface ViewTrainingReport {
  label: LabelView;
  users: number;
  validUsers: number;
  rows: number;
  positives: number;
  /** Share of label-part positives that stage 1 put among the candidates (recall of stage 1). */
  candidateRecall: number;
  iterations: number;
  /** The early-stopping metric on the validation users at the best round (AUC or NDCG@10). */
  validMetric: { name: string; value: number };
  /** Weight of the first source's z-score added to the trees' output, chosen on the validation users. */
  blend: number;
  /** NDCG@10 of the validation groups ordered by the view's trees and blend. */
  validNdcg: number;
  /** NDCG@10 of the validation groups ordered by the first source's score alone (what the trees must beat). */
  firstSourceValidNdcg: number;
}

/** Where the training went (kept in the saved meta, printed by `reco train`). */
export interface RankerTrainingReport {
  views: ViewTrainingReport[];
  seconds: { sources: number; features: number; gbdt: number; refit: number };
}

/** One explained score (see `explain`). */
export interface Explanation {
  user: number;
  item: number;
  t: number;
  /** The ranked score: the sum over label views of P(relevant) (the trees' raw output for lambdarank). */
  score: number;
  /** Sources that proposed the item, with rank and score. */
  sources: { name: string; rank: number; score: number }[];
  /**
   * The expected score, and each feature's value and contribution, largest |contribution| first: base +
   * the contributions = score exactly. Per view the contributions are TreeSHAP's (log-odds), carried to the
   * probability scale by the secant slope (p - p_base) / (logit - logit_base), then summed over views;
   * the stage-1 blend (blend x the first source's z-score) is one more entry, `blend_<source>_z`.
   */
  base: number;
  contributions: { feature: string; value: number; contribution: number }[];
  /** Per label view: its probability (or raw score for lambdarank), log-odds and expected log-odds. */
  views: { label: LabelView; probability: number; logit: number; baseLogit: number }[];
}

/** One label view's fitted trees. */
interface View {
  label: LabelView;
  model: GbdtModel;
  predictor: GbdtPredictor;
  /** Weight of the first source's per-user z-score added to the trees' output (chosen on validation users). */
  blend: number;
  shap?: ShapExplainer;
}

/** One label view's training rows (row-major features, labels, per-user groups). */
/**
 * Stage 1 and 2 for one profile: its candidates, their feature rows (the ranker's buffer, valid until the
 * next candidates), the first source's per-user z-scores, and their ranked scores.
 */
interface Scored {
  cands: CandidateSet;
  rows: Float64Array;
  z: Float64Array;
  scores: Float64Array;
}

interface ViewRows {
  label: LabelView;
  userRows: { u: number; start: number; n: number }[];
  values: Float64Array;
  labels: Float32Array;
  zFirst: Float64Array;
  rows: number;
  positives: number;
  found: number;
}

export class RankedRecommender implements Recommender {
  readonly name = 'ranked' as const;
  readonly params: RankedParams;
  /** The parameters as given (what save() stores). */
  private readonly paramValues: Record<string, unknown>;
  private sourceModels: Recommender[] = [];
  private gen?: CandidateGenerator;
  private state?: FeatureState;
  private spec?: FeatureSpec;
  private builder?: FeatureBuilder;
  private views: View[] = [];
  /** The catalogue model (scoreAll; one per label view at most, empty when not trained). */
  private tailViews: Pick<View, 'label' | 'model' | 'blend'>[] = [];
  /** Its predictors, compiled on scoreAll's first call (serving never calls it: no compile at load). */
  private tailPredicted?: View[];
  private now = Number.NaN;
  private nItems = 0;
  report?: RankerTrainingReport;
  /** Log lines of training (the CLI prints them). */
  onLog?: (line: string) => void;
  /** Feature rows of the last scoreCandidates call (reused; its `rows`). */
  private rows = new Float64Array(0);
  /** The early-exit survivors' rows and the other buffers of scoreRows (reused). */
  private tailRows = new Float64Array(0);
  private exitScratch = new Float64Array(0);
  private exitKept = new Uint8Array(0);
  /** The last profile's result (evaluation asks recommend and scoreAll of one profile in a row). */
  private memo?: {
    profile: UserProfile;
    events: number;
    t: number;
  } & Scored;

  constructor(params?: Record<string, unknown>) {
    ({ params: this.params, values: this.paramValues } = resolveParamValues('ranked', RANKED_PARAMS, params));
    if (this.params.labelSplit === 'both' && this.params.objective !== 'binary')
      throw new UsageError(
        "ranked: labelSplit 'both' adds the views' probabilities and needs objective 'binary' (lambdarank scores are not probabilities)",
      );
  }

  /**
   * The candidate sources fitted on `data` (../training/fit-models.ts: those with default parameters taken
   * from `data.fitted` when there), in the order of `sources`.
   */
  private async fitSources(data: FitData): Promise<Recommender[]> {
    const names = this.params.sources.map((s) => s.name);
    const models = await fitModels(data, names, {
      create: createRecommender,
      params: this.params.sourceParams,
    });
    return names.map((n) => models.get(n)!);
  }

  private generator(models: Recommender[], nItems: number): CandidateGenerator {
    return new CandidateGenerator(
      models.map((model, s) => ({ model, n: this.params.sources[s]!.count })),
      nItems,
    );
  }

  /** The feature builder over a state, with the item-item matrices of the sources that have them. */
  private static builderOf(state: FeatureState, spec: FeatureSpec, models: Recommender[]): FeatureBuilder {
    const knn = models.find((m) => m.name === 'itemknn') as ItemKnnRecommender | undefined;
    const ease = models.find((m) => m.name === 'ease') as EaseRecommender | undefined;
    const B = ease?.weights();
    return new FeatureBuilder(
      state,
      spec,
      knn?.neighbourMatrix(),
      B ? { n: Math.round(Math.sqrt(B.length)), values: B } : undefined,
    );
  }

  async fit(data: FitData): Promise<void> {
    const say = this.onLog ?? (() => {});
    const seconds = { sources: 0, features: 0, gbdt: 0, refit: 0 };
    const rng = new Rng(this.params.seed, 1);
    const views: Pick<View, 'label' | 'model' | 'blend'>[] = [];
    const tailViews: Pick<View, 'label' | 'model' | 'blend'>[] = [];
    const reports: ViewTrainingReport[] = [];
    let spec: FeatureSpec | undefined;
    for (const label of labelViewsOf(this.params)) {
      const built = await this.viewRows(label, data, rng, spec, seconds);
      spec = built.spec;
      const t0 = performance.now();
      const { view, report } = this.trainView(built.rows, spec, say);
      if (built.tail && built.tail.userRows.length >= 2)
        tailViews.push(
          this.trainView(built.tail, spec, (m) => say(`catalogue model: ${m}`), this.params.catalogueGbdt)
            .view,
        );
      seconds.gbdt += (performance.now() - t0) / 1000;
      views.push(view);
      reports.push(report);
    }
    if (!spec) throw new RecoError('ranked: no label view');

    // sources refitted on everything for serving
    const t0 = performance.now();
    const outer = await this.fitSources(data);
    const state = FeatureState.fromLog(data.log, data.items, { weights: interactionWeights() });
    this.install(
      outer,
      state,
      spec,
      views,
      data.interactions.cols,
      data.now ?? state.lastTime + 1,
      tailViews,
    );
    seconds.refit = (performance.now() - t0) / 1000;
    this.report = { views: reports, seconds };
    say(
      `ranker: ${views.map((v, k) => `${v.label} ${v.model.trees.length} trees (valid ${reports[k]!.validMetric.name} ${reports[k]!.validMetric.value.toFixed(4)})`).join(', ')}; ` +
        `sources ${seconds.sources.toFixed(1)} s, features ${seconds.features.toFixed(1)} s, ` +
        `gbdt ${seconds.gbdt.toFixed(1)} s, refit ${seconds.refit.toFixed(1)} s`,
    );
  }

  /** Steps 1-4 for one label view: the internal split, the inner sources, candidates, labels and features. */
  private async viewRows(
    label: LabelView,
    data: FitData,
    rng: Rng,
    givenSpec: FeatureSpec | undefined,
    seconds: RankerTrainingReport['seconds'],
  ): Promise<{ rows: ViewRows; tail?: ViewRows; spec: FeatureSpec }> {
    const { log, items } = data;
    const nItems = data.interactions.cols;
    const weights = interactionWeights();
    const temporal = label === 'temporal';
    const split = splitLog(
      log,
      temporal
        ? { kind: 'temporal', ratio: this.params.featureRatio }
        : { kind: 'random', ratio: this.params.featureRatio, seed: this.params.seed },
    );
    const labels = buildTestSet(split, weights);
    const featX = buildInteractions(split.train, weights);
    const cutoff = new Float64Array(log.userIds.length).fill(Number.POSITIVE_INFINITY);
    for (let e = 0; e < split.test.length; e++) {
      const u = split.test.user[e]!;
      if (split.test.timestamp[e]! < cutoff[u]!) cutoff[u] = split.test.timestamp[e]!;
    }

    const ts = performance.now();
    const inner = await this.fitSources({ interactions: featX, log: split.train, items });
    const gen = this.generator(inner, nItems);
    const tf = performance.now();
    seconds.sources += (tf - ts) / 1000;

    // temporal: the state of every event, read as of each user's cutoff; random: the state of the
    // feature-side events only, as of the end (label events never in it)
    const state = FeatureState.fromLog(temporal ? log : split.train, items, { weights });
    const end = state.lastTime + 1;
    const spec = givenSpec ?? featureSpec(state, gen.names, this.params.exclude);
    const builder = RankedRecommender.builderOf(state, spec, inner);
    const W = builder.width;
    const out = emptyViewRows(label);
    const rel = labels.relevant;
    const isPos = new Uint8Array(nItems);
    // one catalogue model, of the first label view (temporal by default: the next items)
    const tail =
      this.params.catalogueModel && label === labelViewsOf(this.params)[0] ? emptyViewRows(label) : undefined;
    const tailRng = new Rng(this.params.seed, label === 'temporal' ? 2 : 3);
    for (const u of labels.users) {
      const a = rel.indptr[u]!;
      const b = rel.indptr[u + 1]!;
      const profile: UserProfile = {
        user: u,
        items: featX.indices.subarray(featX.indptr[u]!, featX.indptr[u + 1]!),
        weights: featX.values.subarray(featX.indptr[u]!, featX.indptr[u + 1]!),
      };
      const cands = gen.generate(profile);
      const nc = cands.items.length;
      for (let j = a; j < b; j++) isPos[rel.indices[j]!] = 1;
      let pos = 0;
      for (let r = 0; r < nc; r++) pos += isPos[cands.items[r]!]!;
      out.positives += b - a;
      out.found += pos;
      const extra = this.extraRows(cands, profile, nItems, rng);
      const n = nc + extra.items.length;
      for (let r = 0; r < extra.items.length; r++) pos += isPos[extra.items[r]!]!;
      const at = temporal ? cutoff[u]! : end;
      const viewRow = pos > 0 && pos < n ? appendGroup(out, builder, u, at, cands, extra, isPos) : -1;
      if (tail) {
        // the catalogue model's group: the candidates, every label item outside them, and random others
        const rows = this.extraRows(
          cands,
          profile,
          nItems,
          tailRng,
          rel.indices.subarray(a, b),
          this.params.catalogueNegatives,
        );
        const m = rows.items.length;
        let tp = 0;
        for (let r = 0; r < m; r++) tp += isPos[rows.items[r]!]!;
        for (let r = 0; r < nc; r++) tp += isPos[cands.items[r]!]!;
        if (tp > 0 && tp < m + nc) {
          // the candidates' rows are the view group's when it has them (same user, time and candidates)
          const copy = viewRow >= 0 ? { from: out, row: viewRow } : undefined;
          appendGroup(tail, builder, u, at, cands, rows, isPos, copy);
          tail.positives += tp;
        }
      }
      for (let j = a; j < b; j++) isPos[rel.indices[j]!] = 0;
    }
    seconds.features += (performance.now() - tf) / 1000;
    this.onLog?.(
      `${label} view: ${out.userRows.length} users, ${out.rows.toLocaleString('en-US')} rows x ${W} features, stage-1 recall ${(out.found / Math.max(1, out.positives)).toFixed(3)}`,
    );
    return { rows: out, ...(tail ? { tail } : {}), spec };
  }

  /** Step 5 for one label view: train / validation users, the trees with early stopping. */
  private trainView(
    d: ViewRows,
    spec: FeatureSpec,
    say: (line: string) => void,
    overrides: LightgbmParams = {},
  ): { view: Pick<View, 'label' | 'model' | 'blend'>; report: ViewTrainingReport } {
    const { userRows } = d;
    if (userRows.length < 2)
      throw new RecoError(
        `ranked: too little data to train the ranker's ${d.label} view (${userRows.length} users with a label item among their candidates); it needs users with several events`,
      );
    const W = spec.columns.length;
    const distinct = Int32Array.from(new Set(userRows.map((q) => q.u)));
    new Rng(this.params.seed).shuffle(distinct);
    const nValidUsers =
      this.params.validFraction > 0
        ? Math.max(1, Math.round(distinct.length * this.params.validFraction))
        : 0;
    const validUser = new Set(distinct.subarray(0, nValidUsers));
    const isValid = Uint8Array.from(userRows, (q) => (validUser.has(q.u) ? 1 : 0));
    const gather = (want: number): DenseData & { z: Float64Array } => {
      let n = 0;
      let g = 0;
      for (let q = 0; q < userRows.length; q++)
        if (isValid[q] === want) {
          n += userRows[q]!.n;
          g++;
        }
      const v = new Float64Array(n * W);
      const l = new Float32Array(n);
      const z = new Float64Array(n);
      const groups = new Int32Array(g);
      let r = 0;
      g = 0;
      for (let q = 0; q < userRows.length; q++) {
        if (isValid[q] !== want) continue;
        const { start, n: m } = userRows[q]!;
        v.set(d.values.subarray(start * W, (start + m) * W), r * W);
        l.set(d.labels.subarray(start, start + m), r);
        z.set(d.zFirst.subarray(start, start + m), r);
        groups[g++] = m;
        r += m;
      }
      return {
        numRows: n,
        numFeatures: W,
        values: v,
        labels: l,
        groups,
        featureNames: spec.columns.map(safeName),
        z,
      };
    };
    const trainSet = gather(0);
    const validSet = nValidUsers > 0 ? gather(1) : undefined;
    const rank = this.params.objective === 'lambdarank';
    const metric = rank ? 'ndcg@10' : 'auc';
    const p = trainParamsFrom({
      objective: this.params.objective,
      num_iterations: this.params.numIterations,
      learning_rate: this.params.learningRate,
      num_leaves: this.params.numLeaves,
      min_data_in_leaf: this.params.minDataInLeaf,
      early_stopping_round: validSet ? this.params.earlyStopping : 0,
      metric: rank ? 'ndcg' : 'auc',
      ...(rank ? { eval_at: 10 } : {}),
      seed: this.params.seed,
      verbosity: -1,
      // a second thread builds half of each histogram (same trees on either count: tested in ./gbdt)
      num_threads: availableParallelism() >= 2 ? 2 : 1,
      ...this.params.gbdt,
      ...overrides,
    });
    let best = Number.NaN;
    let iterations = 0;
    const model = train(p, trainSet, validSet ? [{ name: 'valid', data: validSet }] : [], {
      onIteration: (it: number, results: EvalResult[]) => {
        iterations = it;
        const r = results[results.length - 1];
        if (r && !(r.value <= best)) best = r.value;
      },
      onLog: (m: string) => say(`gbdt (${d.label}): ${m}`),
    });
    const predictor = new GbdtPredictor(model);
    // the blend weight of the first source (output + blend * its per-user z-score), chosen on the
    // validation users: a safety net that falls back towards stage 1 where the trees add little
    let blend = 0;
    let validNdcg = Number.NaN;
    if (validSet) {
      const pred = predictor.predictRaw(validSet.values, validSet.numRows);
      const mixed = new Float64Array(pred.length);
      for (const b of BLEND_GRID) {
        for (let r = 0; r < pred.length; r++) mixed[r] = pred[r]! + b * validSet.z[r]!;
        const v = groupNdcg(validSet.labels, validSet.groups, mixed, 10);
        if (!(v <= validNdcg + 1e-9)) {
          validNdcg = v;
          blend = b;
        }
      }
    }
    return {
      view: { label: d.label, model, blend },
      report: {
        label: d.label,
        users: distinct.length - nValidUsers,
        validUsers: nValidUsers,
        rows: d.rows,
        positives: d.found,
        candidateRecall: d.found / Math.max(1, d.positives),
        iterations,
        validMetric: { name: metric, value: best },
        blend,
        validNdcg,
        firstSourceValidNdcg: validSet
          ? groupNdcg(validSet.labels, validSet.groups, validSet.z, 10)
          : Number.NaN,
      },
    };
  }

  /** `extraNegatives` random items outside the candidates and the profile, with the sources' scores. */
  private extraRows(
    cands: CandidateSet,
    profile: UserProfile,
    nItems: number,
    rng: Rng,
    positives?: Int32Array,
    count = this.params.extraNegatives,
  ): CandidateRows {
    const S = cands.sources.length;
    const want = Math.min(count, nItems - cands.items.length - profile.items.length);
    const taken = new Set<number>(cands.items);
    for (const i of profile.items) taken.add(i);
    const items: number[] = [];
    if (positives)
      for (const i of positives)
        if (!taken.has(i)) {
          taken.add(i);
          items.push(i);
        }
    const start = items.length;
    for (let tries = 0; items.length - start < want && tries < want * 20; tries++) {
      const i = rng.int(nItems);
      if (taken.has(i)) continue;
      taken.add(i);
      items.push(i);
    }
    const scores = new Float32Array(items.length * S);
    for (let r = 0; r < items.length; r++)
      for (let s = 0; s < S; s++) scores[r * S + s] = cands.full[s]![items[r]!]!;
    return {
      items: Int32Array.from(items),
      scores,
      ranks: new Float32Array(items.length * S).fill(Number.NaN),
    };
  }

  private install(
    sources: Recommender[],
    state: FeatureState,
    spec: FeatureSpec,
    views: Pick<View, 'label' | 'model' | 'blend'>[],
    nItems: number,
    now: number,
    tailViews: Pick<View, 'label' | 'model' | 'blend'>[] = [],
  ): void {
    this.sourceModels = sources;
    this.gen = this.generator(sources, nItems);
    this.state = state;
    this.spec = spec;
    this.builder = RankedRecommender.builderOf(state, spec, sources);
    // serving scores with each view's trees compiled to JavaScript (bit-identical, faster), in two parts
    // when early exit is on
    const splitAt = this.params.exitTrees;
    this.views = views.map((v) => ({
      ...v,
      predictor: new GbdtPredictor(v.model, {
        compile: true,
        ...(splitAt > 0 && v.model.numTreePerIteration === 1 && !v.model.averageOutput ? { splitAt } : {}),
      }),
    }));
    this.tailViews = tailViews;
    this.tailPredicted = undefined;
    this.nItems = nItems;
    this.now = now;
    this.memo = undefined;
  }

  private fitted(): {
    gen: CandidateGenerator;
    builder: FeatureBuilder;
    state: FeatureState;
    spec: FeatureSpec;
  } {
    if (!this.gen || !this.builder || !this.state || !this.spec || this.views.length === 0)
      throw new RecoError('ranked: the model is not fitted (call fit() or load a saved model first)');
    return { gen: this.gen, builder: this.builder, state: this.state, spec: this.spec };
  }

  /** The point-in-time state (a server applies new events to it with `applyEvent`). */
  featureState(): FeatureState {
    return this.fitted().state;
  }

  /** The time serving rows are computed at: now as of fitting, moved on by `setNow` (a server's clock). */
  get servingTime(): number {
    return Math.max(this.now, (this.state?.lastTime ?? Number.NEGATIVE_INFINITY) + 1);
  }

  setNow(t: number): void {
    this.now = t;
    this.memo = undefined;
  }

  featureSpec(): FeatureSpec {
    return this.fitted().spec;
  }

  /** Label views of the fitted model, in scoring order. */
  labelViewsFitted(): LabelView[] {
    return this.views.map((v) => v.label);
  }

  /**
   * The ranked score of `rows` feature rows: with binary trees the sum over views of the probability
   * sigmoid(raw + blend z); with one lambdarank view its raw score. With `exit` (and more rows than
   * exitKeep), early exit: every row gets each view's first exitTrees trees, the exitKeep best rows by that
   * partial score get the remaining trees (their scores are then exactly the full model's), and the
   * others keep their partial order below the lowest of them.
   */
  private scoreRows(x: Float64Array, rows: number, z: Float64Array, exit = false): Float64Array {
    const keep = this.params.exitKeep;
    const staged = exit && rows > keep && this.views.every((v) => v.predictor.split > 0);
    if (!staged) return this.scoreByViews(this.views, x, rows, z, 0);
    // every buffer from one scratch array of the ranker's (a request allocates none; the scores returned
    // stay valid until the next candidates, as the memo does)
    const W = this.fitted().builder.width;
    const V = this.views.length;
    const need = rows * (V + 2) + keep * 3;
    if (this.exitScratch.length < need) this.exitScratch = new Float64Array(need);
    if (this.exitKept.length < rows) this.exitKept = new Uint8Array(rows);
    let at = 0;
    const take = (n: number): Float64Array => {
      const a = this.exitScratch.subarray(at, at + n).fill(0);
      at += n;
      return a;
    };
    const raws = this.views.map((v) => {
      const raw = take(rows);
      v.predictor.addTrees('head', x, rows, raw);
      return raw;
    });
    const partial = take(rows);
    for (let k = 0; k < V; k++) this.addViewScores(raws[k]!, this.views[k]!.blend, z, partial);
    const kept = selectTopN(partial, keep).items;
    // the kept rows, together, through the rest of the trees
    if (this.tailRows.length < keep * W) this.tailRows = new Float64Array(keep * W);
    const xs = this.tailRows;
    const zs = take(keep);
    for (let j = 0; j < keep; j++) {
      const from = kept[j]! * W;
      for (let c = 0; c < W; c++) xs[j * W + c] = x[from + c]!;
      zs[j] = z[kept[j]!]!;
    }
    const full = take(keep);
    const tail = take(keep);
    for (let k = 0; k < V; k++) {
      for (let j = 0; j < keep; j++) tail[j] = raws[k]![kept[j]!]!;
      this.views[k]!.predictor.addTrees('tail', xs, keep, tail);
      this.addViewScores(tail, this.views[k]!.blend, zs, full);
    }
    let minKept = Number.POSITIVE_INFINITY;
    for (let j = 0; j < keep; j++) minKept = Math.min(minKept, full[j]!);
    let maxRest = Number.NEGATIVE_INFINITY;
    const isKept = this.exitKept.fill(0, 0, rows);
    for (let j = 0; j < keep; j++) isKept[kept[j]!] = 1;
    for (let r = 0; r < rows; r++) if (!isKept[r]) maxRest = Math.max(maxRest, partial[r]!);
    const out = take(rows);
    for (let r = 0; r < rows; r++) out[r] = isKept[r] ? 0 : minKept - 1e-3 - (maxRest - partial[r]!);
    for (let j = 0; j < keep; j++) out[kept[j]!] = full[j]!;
    return out;
  }

  /**
   * out[r] += the view's score of row r from its raw tree output: sigmoid(raw + blend z - offset) (binary)
   * or raw + blend z (lambdarank, whose scores have no probability scale to correct).
   */
  private addViewScores(
    raw: Float64Array,
    blend: number,
    z: Float64Array,
    out: Float64Array,
    offset = 0,
  ): void {
    const prob = this.params.objective === 'binary';
    for (let r = 0; r < out.length; r++) {
      const s = raw[r]! + blend * z[r]!;
      out[r]! += prob ? sigmoid(s - offset) : s;
    }
  }

  /** The time a profile's rows are computed at: its own `at` when given, else the serving time. */
  private timeOf(profile: UserProfile): number {
    return profile.at ?? this.servingTime;
  }

  /** Stage 1 and 2 for one profile: candidates and their scores (memoised for the same profile). */
  private scoreCandidates(profile: UserProfile, options?: RecommendOptions): Scored {
    const events = this.state?.events ?? 0;
    const t = this.timeOf(profile);
    const m = this.memo;
    if (
      m &&
      m.profile === profile &&
      m.events === events &&
      m.t === t &&
      !options?.allowed &&
      options?.excludeSeen !== false
    )
      return m;
    const { gen, builder } = this.fitted();
    this.memo = undefined; // its score vectors are the generator's buffers, which generate overwrites
    const cands = gen.generate(profile, options);
    // the rows go into one buffer reused across requests (a server's hot path; the trees read it at once)
    const need = cands.items.length * builder.width;
    if (this.rows.length < need) this.rows = new Float64Array(Math.max(need, 2 * this.rows.length));
    const rows = builder.build(profile.user ?? -1, t, cands, this.rows);
    const z = firstSourceZ(cands);
    const scores = this.scoreRows(rows, cands.items.length, z, true);
    const out = { cands, rows, z, scores };
    if (!options?.allowed && options?.excludeSeen !== false) this.memo = { profile, events, t, ...out };
    return out;
  }

  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN {
    const { cands, scores } = this.scoreCandidates(profile, options);
    const m = cands.items.length;
    const k = Math.min(n, m);
    const order = bestRows(scores, k, cands.items);
    const items = new Int32Array(k);
    const out = new Float32Array(k);
    for (let r = 0; r < k; r++) {
      items[r] = cands.items[order[r]!]!;
      out[r] = scores[order[r]!]!;
    }
    return { items, scores: out };
  }

  /**
   * Every item's score, an order over the whole catalogue (AUC); every item not proposed by stage 1 gets
   * the trees' score of its features (no source rank). By default (scoreAllBelowCandidates false) all
   * items are on one probability scale, that of the catalogue model (see `scoreByViews`; the views when
   * there is none), every tree, no early exit: its order of the candidates may differ from recommend()'s,
   * which is the views'. With it true the candidates keep recommend()'s scores and the others are placed
   * below the lowest of them, in the views' order. Costs one feature row per item.
   */
  scoreAll(profile: UserProfile, into?: Float32Array): Float32Array {
    const { cands, rows, z: candZ, scores } = this.scoreCandidates(profile);
    const { builder, spec } = this.fitted();
    const n = this.nItems;
    const S = spec.sources.length;
    // every entry is written below (the candidates and the rest cover the catalogue)
    const out = into?.length === n ? into : new Float32Array(n);
    const isCand = new Uint8Array(n);
    for (const i of cands.items) isCand[i] = 1;
    const restItems: number[] = [];
    for (let i = 0; i < n; i++) if (!isCand[i]) restItems.push(i);
    const m = restItems.length;
    const full = cands.full;
    const rest: CandidateRows = {
      items: Int32Array.from(restItems),
      scores: new Float32Array(m * S),
      ranks: new Float32Array(m * S).fill(Number.NaN),
    };
    for (let r = 0; r < m; r++) for (let s = 0; s < S; s++) rest.scores[r * S + s] = full[s]![restItems[r]!]!;
    // per-user statistics from the candidates, as recommend() sees them
    const t = this.timeOf(profile);
    const x = builder.build(profile.user ?? -1, t, rest, undefined, 0, sourceMaxOf(cands));
    const { mean, sd } = firstSourceStats(cands);
    const z = new Float64Array(m);
    for (let r = 0; r < m; r++) z[r] = (rest.scores[r * S]! - mean) / sd;
    if (!this.params.scoreAllBelowCandidates) {
      // the catalogue model drew catalogueNegatives of the ~m negatives outside the candidates and kept
      // every positive; without one, the views (whose extra negatives drew positives and negatives alike)
      const tail = this.tailViews.length > 0;
      this.tailPredicted ??= this.tailViews.map((v) => ({
        ...v,
        predictor: new GbdtPredictor(v.model, { compile: true }),
      }));
      const views = tail ? this.tailPredicted : this.views;
      const offset = tail ? Math.log(Math.max(1, m) / Math.max(1, this.params.catalogueNegatives)) : 0;
      const restScores = this.scoreByViews(views, x, m, z, offset);
      for (let r = 0; r < m; r++) out[restItems[r]!] = restScores[r]!;
      const candScores = this.scoreByViews(views, rows, cands.items.length, candZ, 0);
      for (let r = 0; r < candScores.length; r++) out[cands.items[r]!] = candScores[r]!;
      return out;
    }
    const restScores = this.scoreRows(x, m, z);
    let min = Number.POSITIVE_INFINITY;
    for (let r = 0; r < scores.length; r++) min = Math.min(min, scores[r]!);
    if (!Number.isFinite(min)) min = 0;
    let maxRest = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < m; r++) maxRest = Math.max(maxRest, restScores[r]!);
    for (let r = 0; r < m; r++) out[restItems[r]!] = min - 1 + (restScores[r]! - maxRest);
    for (let r = 0; r < scores.length; r++) out[cands.items[r]!] = scores[r]!;
    return out;
  }

  /**
   * The score of rows by every tree of `views` (no early exit), each view's log-odds lowered by `offset`
   * first. For the items outside the candidates scored by the catalogue model: its training kept all of a
   * user's candidates and every label item outside them but drew only catalogueNegatives of his ~m other
   * items, so there its log-odds are too high by log(m / catalogueNegatives) (the offset of negative
   * subsampling, King and Zeng, "Logistic Regression in Rare Events Data", 2001); lowered by it, they are
   * probabilities on the candidates' scale (binary; lambdarank scores have no such scale and get no offset).
   */
  private scoreByViews(
    views: View[],
    x: Float64Array,
    rows: number,
    z: Float64Array,
    offset: number,
  ): Float64Array {
    const out = new Float64Array(rows);
    for (const v of views) this.addViewScores(v.predictor.predictRaw(x, rows), v.blend, z, out, offset);
    return out;
  }

  /** Why `item` scores what it does for this profile: its sources and the features that moved the score (TreeSHAP). */
  explain(profile: UserProfile, item: number): Explanation {
    const { gen, builder, spec } = this.fitted();
    this.memo = undefined; // as in scoreCandidates
    const cands = gen.generate(profile);
    const S = spec.sources.length;
    let r = -1;
    for (let k = 0; k < cands.items.length; k++) if (cands.items[k] === item) r = k;
    const one: CandidateRows = {
      items: Int32Array.of(item),
      scores: new Float32Array(S),
      ranks: new Float32Array(S).fill(Number.NaN),
    };
    const sources: Explanation['sources'] = [];
    const allScores = this.sourceModels.map((m) => m.scoreAll(profile));
    for (let s = 0; s < S; s++) {
      one.scores[s] = allScores[s]![item] ?? Number.NaN;
      if (r >= 0) one.ranks[s] = cands.ranks[r * S + s]!;
      if (!Number.isNaN(one.ranks[s]!))
        sources.push({ name: spec.sources[s]!, rank: one.ranks[s]!, score: one.scores[s]! });
    }
    // the item's row among the user's candidates (appended when stage 1 did not propose it), so that
    // per-user features (scale-free scores) are those recommend() sees
    const all: CandidateRows =
      r >= 0
        ? cands
        : {
            items: Int32Array.of(...cands.items, item),
            scores: Float32Array.of(...cands.scores, ...one.scores),
            ranks: Float32Array.of(...cands.ranks, ...one.ranks),
          };
    const at = r >= 0 ? r : cands.items.length;
    const t = this.timeOf(profile);
    const W = spec.columns.length;
    const x = builder.build(profile.user ?? -1, t, all).subarray(at * W, (at + 1) * W);
    const prob = this.params.objective === 'binary';
    const z = firstSourceZ(all)[at]!;
    const contribution = new Float64Array(W + 1);
    const views: Explanation['views'] = [];
    let score = 0;
    let base = 0;
    for (const v of this.views) {
      v.shap ??= new ShapExplainer(v.model);
      const phi = new Float64Array(v.shap.rowWidth);
      v.shap.contribRow(x, 0, phi);
      const logit = v.predictor.predictRawOne(x, 0) + v.blend * z;
      const baseLogit = phi[W]!;
      // the secant slope carries log-odds contributions to probabilities so that they still add up
      const p = prob ? sigmoid(logit) : logit;
      const p0 = prob ? sigmoid(baseLogit) : baseLogit;
      const slope = !prob ? 1 : logit !== baseLogit ? (p - p0) / (logit - baseLogit) : p0 * (1 - p0);
      for (let c = 0; c < W; c++) contribution[c]! += slope * phi[c]!;
      contribution[W]! += slope * v.blend * z;
      score += p;
      base += p0;
      views.push({ label: v.label, probability: p, logit, baseLogit });
    }
    const contributions = [...spec.columns, `blend_${spec.sources[0]}_z`]
      .map((feature, c) => ({ feature, value: c < W ? x[c]! : z, contribution: contribution[c]! }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return { user: profile.user ?? -1, item, t, score, sources, base, contributions, views };
  }

  save(): SavedModel {
    const { state, spec } = this.fitted();
    const arrays: Record<string, TypedArray> = {};
    const sources = this.sourceModels.map((m) => {
      const saved = m.save();
      for (const [k, a] of Object.entries(saved.arrays)) arrays[`${m.name}.${k}`] = a;
      return saved.meta;
    });
    const cols = state.columns();
    arrays['state.user'] = cols.user;
    arrays['state.item'] = cols.item;
    arrays['state.time'] = cols.time;
    arrays['state.weight'] = cols.weight;
    arrays['state.rating'] = cols.rating;
    arrays['items.genreIndptr'] = state.genres.indptr;
    arrays['items.genreIndices'] = state.genres.indices;
    arrays['items.release'] = state.release;
    for (const v of this.views)
      arrays[`gbdt.${v.label}`] = new Uint8Array(Buffer.from(modelToText(v.model), 'utf8'));
    for (const v of this.tailViews)
      arrays[`gbdt.catalogue.${v.label}`] = new Uint8Array(Buffer.from(modelToText(v.model), 'utf8'));
    return {
      meta: {
        name: this.name,
        params: { ...this.paramValues },
        spec,
        sources,
        views: this.views.map((v) => ({ label: v.label, blend: v.blend })),
        catalogueViews: this.tailViews.map((v) => ({ label: v.label, blend: v.blend })),
        nUsers: state.nUsers,
        nItems: this.nItems,
        now: this.now,
        ...(this.report ? { training: this.report } : {}),
      },
      arrays,
    };
  }

  static load(saved: SavedModel): RankedRecommender {
    const meta = saved.meta as SavedModel['meta'] & {
      spec: FeatureSpec;
      sources: SavedModel['meta'][];
      views?: { label: LabelView; blend: number }[];
      catalogueViews?: { label: LabelView; blend: number }[];
      nUsers: number;
      nItems: number;
      now: number;
      training?: RankerTrainingReport;
    };
    if (!Array.isArray(meta.views))
      throw new RecoError(
        'ranked: the saved model comes from an older reco (one LambdaMART model, no label views); retrain it with: reco train',
      );
    const m = new RankedRecommender(saved.meta.params);
    const arr = <T extends TypedArray>(k: string, C: new (n: number) => T): T => {
      const a = saved.arrays[k];
      if (!(a instanceof C)) throw new RecoError(`ranked: saved model lacks array '${k}' of type ${C.name}`);
      return a as T;
    };
    const sources = meta.sources.map((sm) => {
      const prefix = `${sm.name}.`;
      const arrays: Record<string, TypedArray> = {};
      for (const [k, a] of Object.entries(saved.arrays))
        if (k.startsWith(prefix)) arrays[k.slice(prefix.length)] = a;
      return loadRecommender(sm.name, { meta: sm, arrays });
    });
    // a hybrid's components that are sources too were saved twice: held and scored once (as when fitted)
    for (const m of sources) if (m instanceof HybridRecommender) m.shareComponents(sources);
    const gi = arr('items.genreIndptr', Int32Array);
    const gx = arr('items.genreIndices', Int32Array);
    const release = arr('items.release', Float64Array);
    const items: ItemRecord[] = [];
    for (let i = 0; i < meta.nItems; i++) {
      const rec: ItemRecord = {
        id: String(i),
        genres: Array.from(gx.subarray(gi[i]!, gi[i + 1]!), (g) => meta.spec.genres[g]!),
      };
      if (!Number.isNaN(release[i]!)) rec.createdAt = release[i]!;
      items.push(rec);
    }
    const state = FeatureState.fromColumns(
      {
        user: arr('state.user', Int32Array),
        item: arr('state.item', Int32Array),
        time: arr('state.time', Float64Array),
        weight: arr('state.weight', Float32Array),
        rating: arr('state.rating', Float32Array),
      },
      meta.nUsers,
      meta.nItems,
      items,
    );
    const views = meta.views.map(({ label, blend }) => ({
      label,
      model: parseModelText(Buffer.from(arr(`gbdt.${label}`, Uint8Array)).toString('utf8')),
      blend,
    }));
    const tailViews = (meta.catalogueViews ?? []).map(({ label, blend }) => ({
      label,
      model: parseModelText(Buffer.from(arr(`gbdt.catalogue.${label}`, Uint8Array)).toString('utf8')),
      blend,
    }));
    m.install(sources, state, meta.spec, views, meta.nItems, meta.now, tailViews);
    if (meta.training) m.report = meta.training;
    return m;
  }
}

/** Per source, the largest score among a user's candidates. */
export function sourceMaxOf(c: CandidateRows): Float64Array {
  const n = c.items.length;
  const S = n > 0 ? c.scores.length / n : 0;
  const m = new Float64Array(S).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < n; r++) for (let s = 0; s < S; s++) m[s] = Math.max(m[s]!, c.scores[r * S + s]!);
  return m;
}

/** Mean and standard deviation (1 when 0) of the first source's scores over a user's candidates. */
export function firstSourceStats(c: CandidateRows): { mean: number; sd: number } {
  const n = c.items.length;
  const S = n > 0 ? c.scores.length / n : 1;
  let mean = 0;
  for (let r = 0; r < n; r++) mean += c.scores[r * S]!;
  mean /= Math.max(1, n);
  let v = 0;
  for (let r = 0; r < n; r++) v += (c.scores[r * S]! - mean) ** 2;
  return { mean, sd: Math.sqrt(v / Math.max(1, n)) || 1 };
}

/** Per candidate: the first source's score standardised over the user's candidates (z-score). */
export function firstSourceZ(c: CandidateRows): Float64Array {
  const n = c.items.length;
  const S = n > 0 ? c.scores.length / n : 1;
  const { mean, sd } = firstSourceStats(c);
  const z = new Float64Array(n);
  for (let r = 0; r < n; r++) z[r] = (c.scores[r * S]! - mean) / sd;
  return z;
}

/** LightGBM feature names may not hold spaces or brackets in its text format: keep them plain. */
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_]+/g, '_');
}

const BLEND_GRID = [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 100];

/** A view's training rows, empty, with room to grow. */
function emptyViewRows(label: LabelView): ViewRows {
  return {
    label,
    userRows: [],
    values: new Float64Array(1 << 16),
    labels: new Float32Array(1 << 12),
    zFirst: new Float64Array(1 << 12),
    rows: 0,
    positives: 0,
    found: 0,
  };
}

/**
 * Appends user u's training group to `dst`: his candidates' rows (built as of t, or copied from rows
 * `copy.row ..` of another group of the same user, time and candidates), then the `extra` items' rows (per-
 * user statistics from the candidates), labelled by isPos, with the first source's per-user z-scores.
 * Returns the group's first row.
 */
function appendGroup(
  dst: ViewRows,
  builder: FeatureBuilder,
  u: number,
  t: number,
  cands: CandidateSet,
  extra: CandidateRows,
  isPos: Uint8Array,
  copy?: { from: ViewRows; row: number },
): number {
  const W = builder.width;
  const S = cands.sources.length;
  const nc = cands.items.length;
  const m = extra.items.length;
  reserveRows(dst, dst.rows + nc + m, W);
  const row0 = dst.rows;
  if (copy) {
    dst.values.set(copy.from.values.subarray(copy.row * W, (copy.row + nc) * W), row0 * W);
    dst.zFirst.set(copy.from.zFirst.subarray(copy.row, copy.row + nc), row0);
  } else {
    builder.build(u, t, cands, dst.values, row0 * W);
    dst.zFirst.set(firstSourceZ(cands), row0);
  }
  for (let r = 0; r < nc; r++) dst.labels[row0 + r] = isPos[cands.items[r]!]!;
  if (m > 0) {
    builder.build(u, t, extra, dst.values, (row0 + nc) * W, sourceMaxOf(cands));
    const { mean, sd } = firstSourceStats(cands);
    for (let r = 0; r < m; r++) {
      dst.labels[row0 + nc + r] = isPos[extra.items[r]!]!;
      dst.zFirst[row0 + nc + r] = (extra.scores[r * S]! - mean) / sd;
    }
  }
  dst.userRows.push({ u, start: row0, n: nc + m });
  dst.rows += nc + m;
  return row0;
}

/** Grows a view's row buffers (doubling) to hold `rows` rows of `width` features. */
function reserveRows(d: ViewRows, rows: number, width: number): void {
  if (rows * width > d.values.length) {
    let n = d.values.length;
    while (rows * width > n) n *= 2;
    const v = new Float64Array(n);
    v.set(d.values);
    d.values = v;
  }
  if (rows > d.labels.length) {
    let n = d.labels.length;
    while (rows > n) n *= 2;
    const l = new Float32Array(n);
    l.set(d.labels);
    d.labels = l;
    const z = new Float64Array(n);
    z.set(d.zFirst);
    d.zFirst = z;
  }
}
