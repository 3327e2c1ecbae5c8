/**
 * Stage 2: the learning-to-rank model over stage-1 candidates, as one more Recommender ('ranked') so that
 * evaluation, bundles and serving treat it like any model.
 *
 * Training (`fit`), with no leakage of the labels into the features:
 * 1. split the given events by time per user: each user's earliest `featureRatio` of events are the feature
 *    period, the rest the label period (src/evaluation/splits.ts `temporal`); his cutoff t_u is the time of
 *    his first label event;
 * 2. fit the candidate sources on the feature period and generate each user's candidates from his
 *    feature-period profile (seen items excluded);
 * 3. label = 1 when the user interacted positively with the candidate in the label period, else 0
 *    (negatives: the candidates he did not take);
 * 4. features as of t_u (./../features: only events strictly before t_u, so no label event is seen);
 * 5. LambdaMART (Burges, "From RankNet to LambdaRank to LambdaMART", 2010) with the LightGBM-compatible
 *    trainer (./gbdt), one query group per user, early stopping on NDCG@10 of a held-out group of users;
 * 6. refit the candidate sources on all the events for serving; the state holds every event.
 * Whatever split produced the given events, this internal split is made from them alone.
 *
 * Serving: candidates from the refitted sources, features as of now (the last event + 1 ms, or the fit
 * data's `now`), scored by the trees. `scoreAll` gives candidates their tree score and every other item a
 * lower score in the first source's order (so AUC over the catalogue is defined).
 */
import { RecoError } from '../errors.js';
import { buildTestSet, splitLog } from '../evaluation/splits.js';
import { type CandidateRows, FeatureBuilder, type FeatureSpec, featureSpec } from '../features/build.js';
import { FeatureState } from '../features/state.js';
import { Rng } from '../random.js';
import { createRecommender, loadRecommender } from '../recommenders/index.js';
import { buildInteractions, interactionWeights } from '../recommenders/interactions.js';
import type { ItemKnnRecommender } from '../recommenders/item-knn.js';
import { type Params, resolveParams } from '../recommenders/params.js';
import type {
  FitData,
  Recommender,
  RecommendOptions,
  SavedModel,
  TypedArray,
  UserProfile,
} from '../recommenders/recommender.js';
import type { Csr, ItemRecord, ModelName, TopN } from '../types.js';
import { CandidateGenerator, type CandidateSet } from './candidates.js';
import { type EvalResult, train } from './gbdt/boosting/gbdt.js';
import { ShapExplainer } from './gbdt/explain.js';
import type { DenseData } from './gbdt/io/dataset.js';
import { modelToText, parseModelText } from './gbdt/io/model-text.js';
import type { GbdtModel } from './gbdt/model.js';
import { trainParamsFrom } from './gbdt/params.js';
import { GbdtPredictor } from './gbdt/predict.js';

function checkSources(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return 'must be an object of model name -> candidates, e.g. {"ease":100,"itemknn":50}';
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return 'needs at least one source';
  for (const [k, n] of entries) {
    if (k === 'ranked') return "cannot use 'ranked' as its own source";
    if (!(typeof n === 'number' && Number.isInteger(n) && n >= 1))
      return `: the candidates from '${k}' must be a positive integer, got ${JSON.stringify(n)}`;
  }
  return undefined;
}

export const RANKED_PARAMS = {
  sources: {
    type: 'json',
    default: { hybrid: 100, ease: 50, itemknn: 30, popularity: 20 },
    doc: 'stage 1: candidate sources and how many candidates each contributes (deduplicated union); the first also anchors the safety blend',
    check: checkSources,
  },
  sourceParams: {
    type: 'json',
    default: {},
    doc: 'parameters of the candidate sources, keyed by model name, e.g. {"ease":{"lambda":300}}',
  },
  labelSplit: {
    type: 'enum',
    default: 'temporal',
    values: ['temporal', 'random', 'both'],
    doc: "how the labels are held out of the given events: 'temporal' (each user's latest events, features as of his first label event) or 'random' (a random share of each user's items, features from the other events only)",
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
  extraNegatives: {
    type: 'int',
    default: 50,
    min: 0,
    doc: 'per user, items drawn at random from outside his candidates added to his training group (labelled like the others), so that the trees also order the rest of the catalogue (scoreAll, AUC)',
  },
  scoreAllBelowCandidates: {
    type: 'boolean',
    default: true,
    doc: "scoreAll: place every item stage 1 did not propose below the candidates (true), or score all items on the trees' one scale (false)",
  },
  exclude: { type: 'json', default: [], doc: 'feature names (or columns) left out of the model' },
  numIterations: { type: 'int', default: 400, min: 1, doc: 'boosting rounds at most (early stopping)' },
  learningRate: { type: 'number', default: 0.05, min: 0, exclusiveMin: true, doc: 'shrinkage' },
  numLeaves: { type: 'int', default: 31, min: 2, doc: 'leaves per tree' },
  minDataInLeaf: { type: 'int', default: 50, min: 1, doc: 'rows per leaf at least' },
  earlyStopping: {
    type: 'int',
    default: 30,
    min: 0,
    doc: 'stop after this many rounds without NDCG@10 gain',
  },
  gbdt: { type: 'json', default: {}, doc: 'further LightGBM parameters, e.g. {"feature_fraction":0.8}' },
  seed: { type: 'int', default: 42, doc: 'seed of the validation users and the trainer' },
} as const;

/** Where the training went (kept in the saved meta, printed by `reco train`). */
export interface RankerTrainingReport {
  users: number;
  validUsers: number;
  rows: number;
  positives: number;
  /** Share of label-period positives that stage 1 put among the candidates (recall of stage 1). */
  candidateRecall: number;
  iterations: number;
  bestValidNdcg: number;
  /** NDCG@10 of the validation groups ordered by the first source's score alone (what the ranker must beat). */
  firstSourceValidNdcg: number;
  seconds: { sources: number; features: number; gbdt: number; refit: number };
}

/** One explained score (see `explain`). */
export interface Explanation {
  user: number;
  item: number;
  t: number;
  score: number;
  /** Sources that proposed the item, with rank and score. */
  sources: { name: string; rank: number; score: number }[];
  /** The trees' expected value, and each feature's value and contribution, largest |contribution| first. */
  base: number;
  /** The stage-1 safety blend added to the trees' output (blend weight x the first source's z-score). */
  blend: number;
  contributions: { feature: string; value: number; contribution: number }[];
}

export class RankedRecommender implements Recommender {
  readonly name = 'ranked' as const;
  readonly params: Params<typeof RANKED_PARAMS>;
  private sourceModels: Recommender[] = [];
  private gen?: CandidateGenerator;
  private state?: FeatureState;
  private spec?: FeatureSpec;
  private builder?: FeatureBuilder;
  private model?: GbdtModel;
  private predictor?: GbdtPredictor;
  private now = Number.NaN;
  /** Weight of the first source's per-user z-score added to the tree score (chosen on validation users). */
  private blend = 0;
  private nItems = 0;
  report?: RankerTrainingReport;
  /** Log lines of training (the CLI prints them). */
  onLog?: (line: string) => void;
  /** Feature rows of the last scoreCandidates call (reused). */
  private rows = new Float64Array(0);
  /** The last profile's result (evaluation asks recommend and scoreAll of one profile in a row). */
  private memo?: {
    profile: UserProfile;
    events: number;
    t: number;
    cands: CandidateSet;
    scores: Float64Array;
  };

  constructor(params?: Record<string, unknown>) {
    this.params = resolveParams('ranked', RANKED_PARAMS, params);
  }

  private sourceList(): [ModelName, number][] {
    return Object.entries(this.params.sources as Record<string, number>) as [ModelName, number][];
  }

  private createSources(): Recommender[] {
    const sp = this.params.sourceParams as Record<string, Record<string, unknown>>;
    return this.sourceList().map(([name]) => createRecommender(name, sp[name]));
  }

  private generator(models: Recommender[], nItems: number): CandidateGenerator {
    const counts = this.sourceList().map(([, n]) => n);
    return new CandidateGenerator(
      models.map((model, s) => ({ model, n: counts[s]! })),
      nItems,
    );
  }

  private static similarityOf(models: Recommender[]): Csr | undefined {
    const knn = models.find((m) => m.name === 'itemknn') as ItemKnnRecommender | undefined;
    return knn?.neighbourMatrix();
  }

  async fit(data: FitData): Promise<void> {
    const log = data.log;
    const items = data.items;
    const nItems = data.interactions.cols;
    const weights = interactionWeights();
    const say = this.onLog ?? (() => {});
    const t0 = performance.now();

    const userRows: { u: number; start: number; n: number }[] = [];
    let values = new Float64Array(1 << 16);
    let lab = new Float32Array(1 << 12);
    let zFirst = new Float64Array(1 << 12);
    let rows = 0;
    let positives = 0;
    let found = 0;
    let spec: FeatureSpec | undefined;
    let names: string[] = [];
    let tSources = 0;
    const rng = new Rng(this.params.seed, 1);
    const modes: ('temporal' | 'random')[] =
      this.params.labelSplit === 'both'
        ? ['temporal', 'random']
        : [this.params.labelSplit as 'temporal' | 'random'];
    for (const mode of modes) {
      // 1. feature period / label period: per user by time, or a random share of his items
      const temporal = mode === 'temporal';
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

      // 2. sources fitted on the feature period
      const ts = performance.now();
      const inner = this.createSources();
      for (const m of inner) await m.fit({ interactions: featX, log: split.train, items });
      const gen = this.generator(inner, nItems);
      names = gen.names;
      tSources += performance.now() - ts;

      // 3-4. candidates, labels and features. temporal: the state of every event, read as of each user's
      // cutoff; random: the state of the feature-side events only, as of the end (label events never in it)
      const state = FeatureState.fromLog(temporal ? log : split.train, items, { weights });
      const end = state.lastTime + 1;
      spec ??= featureSpec(state, gen.names, this.params.exclude as string[]);
      const builder = new FeatureBuilder(state, spec, RankedRecommender.similarityOf(inner));
      const W = builder.width;
      const rel = labels.relevant;
      const isPos = new Uint8Array(nItems);
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
        positives += b - a;
        found += pos;
        const extra = this.extraRows(cands, profile, nItems, rng);
        const n = nc + extra.items.length;
        for (let r = 0; r < extra.items.length; r++) pos += isPos[extra.items[r]!]!;
        if (pos > 0 && pos < n) {
          while ((rows + n) * W > values.length) {
            const v = new Float64Array(values.length * 2);
            v.set(values);
            values = v;
          }
          while (rows + n > lab.length) {
            const l = new Float32Array(lab.length * 2);
            l.set(lab);
            lab = l;
            const z = new Float64Array(zFirst.length * 2);
            z.set(zFirst);
            zFirst = z;
          }
          const at = temporal ? cutoff[u]! : end;
          builder.build(u, at, cands, values, rows * W);
          for (let r = 0; r < nc; r++) lab[rows + r] = isPos[cands.items[r]!]!;
          zFirst.set(firstSourceZ(cands), rows);
          if (extra.items.length > 0) {
            builder.build(u, at, extra, values, (rows + nc) * W, sourceMaxOf(cands));
            const { mean, sd } = firstSourceStats(cands);
            const S = names.length;
            for (let r = 0; r < extra.items.length; r++) {
              lab[rows + nc + r] = isPos[extra.items[r]!]!;
              zFirst[rows + nc + r] = (extra.scores[r * S]! - mean) / sd;
            }
          }
          userRows.push({ u, start: rows, n });
          rows += n;
        }
        for (let j = a; j < b; j++) isPos[rel.indices[j]!] = 0;
      }
    }
    if (!spec) throw new RecoError('ranked: no label split');
    const W = spec.columns.length;
    const gen = { names };
    const tFeatures = performance.now();
    const tSourcesAt = t0 + tSources;
    if (userRows.length < 2)
      throw new RecoError(
        `ranked: too little data to train the ranker (${userRows.length} users with a label-period item among their candidates); it needs users with several events over time`,
      );
    say(
      `ranker data: ${userRows.length} users, ${rows.toLocaleString('en-US')} rows x ${W} features, stage-1 recall ${(found / Math.max(1, positives)).toFixed(3)}`,
    );

    // 5. train / validation users, LambdaMART with early stopping
    const distinct = Int32Array.from(new Set(userRows.map((q) => q.u)));
    new Rng(this.params.seed).shuffle(distinct);
    const nValidUsers =
      this.params.validFraction > 0
        ? Math.max(1, Math.round(distinct.length * this.params.validFraction))
        : 0;
    const validUser = new Set(distinct.subarray(0, nValidUsers));
    const isValid = Uint8Array.from(userRows, (q) => (validUser.has(q.u) ? 1 : 0));
    const nValid = isValid.reduce((a, b) => a + b, 0);
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
        v.set(values.subarray(start * W, (start + m) * W), r * W);
        l.set(lab.subarray(start, start + m), r);
        z.set(zFirst.subarray(start, start + m), r);
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
    const validSet = nValid > 0 ? gather(1) : undefined;
    const firstSourceNdcg = validSet ? groupNdcg(validSet, validSet.z, 10) : Number.NaN;
    const p = trainParamsFrom({
      objective: 'lambdarank',
      num_iterations: this.params.numIterations,
      learning_rate: this.params.learningRate,
      num_leaves: this.params.numLeaves,
      min_data_in_leaf: this.params.minDataInLeaf,
      early_stopping_round: validSet ? this.params.earlyStopping : 0,
      metric: 'ndcg',
      eval_at: 10,
      seed: this.params.seed,
      verbosity: -1,
      ...(this.params.gbdt as Record<string, string | number | boolean>),
    });
    let best = Number.NaN;
    let iterations = 0;
    this.model = train(p, trainSet, validSet ? [{ name: 'valid', data: validSet }] : [], {
      onIteration: (it: number, results: EvalResult[]) => {
        iterations = it;
        const r = results[results.length - 1];
        if (r && !(r.value <= best)) best = r.value;
      },
      onLog: (m: string) => say(`gbdt: ${m}`),
    });
    // the blend weight of the first source (score + blend * its per-user z-score), chosen on the
    // validation users: a safety net that falls back towards stage 1 where the trees add little
    let blend = 0;
    if (validSet) {
      const pred = new GbdtPredictor(this.model).predictRaw(validSet.values, validSet.numRows);
      const mixed = new Float64Array(pred.length);
      let bestMix = Number.NEGATIVE_INFINITY;
      for (const b of BLEND_GRID) {
        for (let r = 0; r < pred.length; r++) mixed[r] = pred[r]! + b * validSet.z[r]!;
        const v = groupNdcg(validSet, mixed, 10);
        if (v > bestMix + 1e-9) {
          bestMix = v;
          blend = b;
        }
      }
      say(`blend with ${gen.names[0]}: weight ${blend} (validation NDCG@10 ${bestMix.toFixed(4)})`);
    }
    const tGbdt = performance.now();

    // 6. sources refitted on everything for serving
    const outer = this.createSources();
    for (const m of outer)
      await m.fit({
        interactions: data.interactions,
        log,
        items,
        ...(data.now !== undefined ? { now: data.now } : {}),
      });
    const state = FeatureState.fromLog(log, items, { weights });
    this.install(outer, state, spec, this.model, nItems, data.now ?? state.lastTime + 1, blend);
    const tRefit = performance.now();
    this.report = {
      users: distinct.length - nValidUsers,
      validUsers: nValidUsers,
      rows,
      positives: found,
      candidateRecall: found / Math.max(1, positives),
      iterations,
      bestValidNdcg: best,
      firstSourceValidNdcg: firstSourceNdcg,
      seconds: {
        sources: tSources / 1000,
        features: (tFeatures - tSourcesAt) / 1000,
        gbdt: (tGbdt - tFeatures) / 1000,
        refit: (tRefit - tGbdt) / 1000,
      },
    };
    say(
      `ranker: ${this.model.trees.length} trees (${iterations} rounds, best valid NDCG@10 ${best.toFixed(4)}); ` +
        `sources ${this.report.seconds.sources.toFixed(1)} s, features ${this.report.seconds.features.toFixed(1)} s, ` +
        `gbdt ${this.report.seconds.gbdt.toFixed(1)} s, refit ${this.report.seconds.refit.toFixed(1)} s`,
    );
  }

  /** `extraNegatives` random items outside the candidates and the profile, with the sources' scores. */
  private extraRows(cands: CandidateSet, profile: UserProfile, nItems: number, rng: Rng): CandidateRows {
    const S = cands.sources.length;
    const want = Math.min(this.params.extraNegatives, nItems - cands.items.length - profile.items.length);
    const taken = new Set<number>(cands.items);
    for (const i of profile.items) taken.add(i);
    const items: number[] = [];
    for (let tries = 0; items.length < want && tries < want * 20; tries++) {
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
    model: GbdtModel,
    nItems: number,
    now: number,
    blend: number,
  ): void {
    this.sourceModels = sources;
    this.gen = this.generator(sources, nItems);
    this.state = state;
    this.spec = spec;
    this.builder = new FeatureBuilder(state, spec, RankedRecommender.similarityOf(sources));
    this.model = model;
    this.predictor = new GbdtPredictor(model, { compile: true });
    this.nItems = nItems;
    this.now = now;
    this.blend = blend;
    this.memo = undefined;
  }

  private fitted(): {
    gen: CandidateGenerator;
    builder: FeatureBuilder;
    predictor: GbdtPredictor;
    state: FeatureState;
    spec: FeatureSpec;
    model: GbdtModel;
  } {
    if (!this.gen || !this.builder || !this.predictor || !this.state || !this.spec || !this.model)
      throw new RecoError('ranked: the model is not fitted (call fit() or load a saved model first)');
    return {
      gen: this.gen,
      builder: this.builder,
      predictor: this.predictor,
      state: this.state,
      spec: this.spec,
      model: this.model,
    };
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

  /** Stage 1 and 2 for one profile: candidates and their tree scores (memoised for the same profile). */
  private scoreCandidates(
    profile: UserProfile,
    options?: RecommendOptions,
  ): { cands: CandidateSet; scores: Float64Array } {
    const events = this.state?.events ?? 0;
    const t = this.servingTime;
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
    const { gen, builder, predictor } = this.fitted();
    const cands = gen.generate(profile, options);
    // the rows go into one buffer reused across requests (a server's hot path; predictRaw reads it at once)
    const need = cands.items.length * builder.width;
    if (this.rows.length < need) this.rows = new Float64Array(Math.max(need, 2 * this.rows.length));
    const x = builder.build(profile.user ?? -1, this.servingTime, cands, this.rows);
    const scores = predictor.predictRaw(x, cands.items.length);
    if (this.blend !== 0) {
      const z = firstSourceZ(cands);
      for (let r = 0; r < scores.length; r++) scores[r]! += this.blend * z[r]!;
    }
    const out = { cands, scores };
    if (!options?.allowed && options?.excludeSeen !== false) this.memo = { profile, events, t, ...out };
    return out;
  }

  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN {
    const { cands, scores } = this.scoreCandidates(profile, options);
    const m = cands.items.length;
    const order = Int32Array.from({ length: m }, (_, k) => k).sort(
      (a, b) => scores[b]! - scores[a]! || cands.items[a]! - cands.items[b]!,
    );
    const k = Math.min(n, m);
    const items = new Int32Array(k);
    const out = new Float32Array(k);
    for (let r = 0; r < k; r++) {
      items[r] = cands.items[order[r]!]!;
      out[r] = scores[order[r]!]!;
    }
    return { items, scores: out };
  }

  /**
   * Every item's score: the candidates their ranked score; every other item (not proposed by stage 1) the
   * trees' score of its features (no source rank), placed below the lowest candidate, so that the order
   * over the whole catalogue (AUC) is the ranker's too. Costs one feature row per item.
   */
  scoreAll(profile: UserProfile): Float32Array {
    const { cands, scores } = this.scoreCandidates(profile);
    const { builder, predictor, spec } = this.fitted();
    const n = this.nItems;
    const S = spec.sources.length;
    const out = new Float32Array(n);
    let min = Number.POSITIVE_INFINITY;
    for (let r = 0; r < scores.length; r++) min = Math.min(min, scores[r]!);
    if (!Number.isFinite(min)) min = 0;
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
    const x = builder.build(profile.user ?? -1, this.servingTime, rest, undefined, 0, sourceMaxOf(cands));
    const restScores = predictor.predictRaw(x, m);
    if (this.blend !== 0) {
      const { mean, sd } = firstSourceStats(cands);
      for (let r = 0; r < m; r++) restScores[r]! += (this.blend * (rest.scores[r * S]! - mean)) / sd;
    }
    if (this.params.scoreAllBelowCandidates) {
      let maxRest = Number.NEGATIVE_INFINITY;
      for (let r = 0; r < m; r++) maxRest = Math.max(maxRest, restScores[r]!);
      for (let r = 0; r < m; r++) out[restItems[r]!] = min - 1 + (restScores[r]! - maxRest);
    } else for (let r = 0; r < m; r++) out[restItems[r]!] = restScores[r]!;
    for (let r = 0; r < scores.length; r++) out[cands.items[r]!] = scores[r]!;
    return out;
  }

  /** Why `item` scores what it does for this profile: its sources and the features that moved the score (TreeSHAP). */
  explain(profile: UserProfile, item: number): Explanation {
    const { gen, builder, predictor, spec, model } = this.fitted();
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
    // per-user features (scale-free scores, the blend's z-score) are those recommend() sees
    const all: CandidateRows =
      r >= 0
        ? cands
        : {
            items: Int32Array.of(...cands.items, item),
            scores: Float32Array.of(...cands.scores, ...one.scores),
            ranks: Float32Array.of(...cands.ranks, ...one.ranks),
          };
    const at = r >= 0 ? r : cands.items.length;
    const t = this.servingTime;
    const W = spec.columns.length;
    const x = builder.build(profile.user ?? -1, t, all).subarray(at * W, (at + 1) * W);
    const blendTerm = this.blend !== 0 ? this.blend * firstSourceZ(all)[at]! : 0;
    const score = predictor.predictRawOne(x, 0) + blendTerm;
    const shap = new ShapExplainer(model);
    const phi = new Float64Array(shap.rowWidth);
    shap.contribRow(x, 0, phi);
    const contributions = spec.columns
      .map((feature, c) => ({ feature, value: x[c]!, contribution: phi[c]! }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return {
      user: profile.user ?? -1,
      item,
      t,
      score,
      sources,
      base: phi[W]!,
      blend: blendTerm,
      contributions,
    };
  }

  save(): SavedModel {
    const { state, spec, model } = this.fitted();
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
    arrays.gbdt = new Uint8Array(Buffer.from(modelToText(model), 'utf8'));
    return {
      meta: {
        name: this.name,
        params: { ...this.params },
        spec,
        sources,
        nUsers: state.nUsers,
        nItems: this.nItems,
        blend: this.blend,
        now: this.now,
        ...(this.report ? { training: this.report } : {}),
      },
      arrays,
    };
  }

  static load(saved: SavedModel): RankedRecommender {
    const m = new RankedRecommender(saved.meta.params);
    const meta = saved.meta as SavedModel['meta'] & {
      spec: FeatureSpec;
      sources: SavedModel['meta'][];
      nUsers: number;
      nItems: number;
      now: number;
      blend?: number;
      training?: RankerTrainingReport;
    };
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
    const model = parseModelText(Buffer.from(arr('gbdt', Uint8Array)).toString('utf8'));
    m.install(sources, state, meta.spec, model, meta.nItems, meta.now, meta.blend ?? 0);
    if (meta.training) m.report = meta.training;
    return m;
  }
}

const BLEND_GRID = [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 100];

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

/** Mean NDCG@k (binary gains) of the groups of `d` ordered by `score` descending (ties: row order). */
export function groupNdcg(d: DenseData, score: ArrayLike<number>, k: number): number {
  if (!d.groups) return Number.NaN;
  let sum = 0;
  let start = 0;
  for (const m of d.groups) {
    const idx = Array.from({ length: m }, (_, j) => start + j);
    idx.sort((a, b) => score[b]! - score[a]! || a - b);
    let dcg = 0;
    let pos = 0;
    for (let j = 0; j < m; j++) if (d.labels[start + j]! > 0) pos++;
    for (let j = 0; j < Math.min(k, m); j++) if (d.labels[idx[j]!]! > 0) dcg += 1 / Math.log2(j + 2);
    let ideal = 0;
    for (let j = 0; j < Math.min(k, pos); j++) ideal += 1 / Math.log2(j + 2);
    sum += ideal > 0 ? dcg / ideal : 0;
    start += m;
  }
  return sum / Math.max(1, d.groups.length);
}

/** LightGBM feature names may not hold spaces or brackets in its text format: keep them plain. */
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_]+/g, '_');
}
