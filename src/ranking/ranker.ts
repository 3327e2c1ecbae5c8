/**
 * Stage 2: the learning-to-rank model over stage-1 candidates, as one more Recommender ('ranked') so that
 * evaluation, bundles and serving treat it like any model (docs/ranking.md).
 *
 * What "relevant" means is not known from a training file alone: the items a user takes next (the future,
 * what serving faces) or the items missing from his history (what a random holdout tests). On MovieLens the
 * two differ sharply (users rate the well-known films first, the long tail later), and a model of one does
 * badly on the other. So by default (labelSplit 'both') the ranker learns one GBDT per label view, `next`
 * and `missing`, and scores a candidate by P(next) + P(missing), the probability that it is relevant under
 * either view with equal priors; each view can also be trained alone.
 *
 * This class is a facade over one module per job:
 * - ./params.ts: the parameters and their typed parsers;
 * - ./train-ranker.ts: fit(), over ./training-set.ts (the internal split, labels, candidates, feature rows)
 *   and ./view-training.ts (one view's trees with early stopping, the blend weight);
 * - ./view-scorer.ts: serving's scores, with early exit (./gbdt/predict-staged.ts);
 * - ./catalogue-model.ts: scoreAll over the whole catalogue;
 * - ./explain.ts: TreeSHAP explanations; ./persistence.ts: save and load.
 *
 * Serving: candidates from the refitted sources (./sources.ts), features as of now (the last event + 1 ms,
 * the fit data's `now`, or the profile's own `at`), scored by every view's trees.
 */
import { resolveParamValues } from '../core/param-spec.js';
import { bestRows } from '../core/top-n.js';
import { RecoError, UsageError } from '../errors.js';
import type { FeatureBuilder, FeatureSpec } from '../features/build.js';
import type { FeatureState } from '../features/state.js';
import type {
  FitData,
  Recommender,
  RecommendOptions,
  SavedModel,
  UserProfile,
} from '../recommenders/recommender.js';
import type { TopN } from '../types.js';
import { firstSourceZ } from './candidate-stats.js';
import type { CandidateGenerator, CandidateSet } from './candidates.js';
import { CatalogueModel } from './catalogue-model.js';
import { type Explanation, type PreparedExplanations, ScoreExplainer } from './explain.js';
import { type LabelView, RANKED_PARAMS, type RankedParams } from './params.js';
import { loadRanker, saveRanker } from './persistence.js';
import { blendedScores, type NetBlend } from './safety-net.js';
import { candidateGenerator, featureBuilder } from './sources.js';
import { type FittedRanker, type RankerTrainingReport, trainRanker } from './train-ranker.js';
import { type ScoredCandidates, ViewScorer } from './view-scorer.js';

export type { Explanation, PreparedExplanations } from './explain.js';
export { type LabelView, RANKED_PARAMS } from './params.js';
export type { RankerTrainingReport } from './train-ranker.js';
export type { ViewTrainingReport } from './view-training.js';

/** A fitted ranker installed to serve: its parts, stage 1, the feature builder and the scorers. */
interface Installed extends Omit<FittedRanker, 'now'> {
  gen: CandidateGenerator;
  builder: FeatureBuilder;
  scorer: ViewScorer;
  catalogueModel: CatalogueModel;
  explainer?: ScoreExplainer;
  /** The safety net's fallback: the index of the source served instead of the trees, or -1. */
  fallbackSource: number;
  /** The index of the source the safety net blends into the trees' score, or -1. */
  netSource: number;
}

export class RankedRecommender implements Recommender {
  readonly name = 'ranked' as const;
  readonly params: RankedParams;
  /** The parameters as given (what save() stores). */
  private readonly paramValues: Record<string, unknown>;
  private installed?: Installed;
  private now = Number.NaN;
  report?: RankerTrainingReport;
  /** Log lines of training (the CLI prints them). */
  onLog?: (line: string) => void;
  /**
   * Study only (`reco study leakage`, ../study/leakage.ts), never a parameter: train on features computed
   * over all the given events, the label events included (the leak the system reco replaces had). Serving
   * is unchanged (point in time), which is what the study measures.
   */
  studyLeakFeatures = false;
  /** Feature rows of the last candidates scored (reused across requests: a server's hot path). */
  private rows = new Float64Array(0);
  /** The last profile's result (evaluation asks recommend and scoreAll of one profile in a row). */
  private memo?: { profile: UserProfile; events: number; t: number } & ScoredCandidates;

  constructor(params?: Record<string, unknown>) {
    ({ params: this.params, values: this.paramValues } = resolveParamValues('ranked', RANKED_PARAMS, params));
    if (this.params.labelSplit === 'both' && this.params.objective !== 'binary')
      throw new UsageError(
        "ranked: labelSplit 'both' adds the views' probabilities and needs objective 'binary' (lambdarank scores are not probabilities)",
      );
  }

  async fit(data: FitData): Promise<void> {
    const { fitted, report } = await trainRanker(data, this.params, this.onLog, {
      leakFeatures: this.studyLeakFeatures,
    });
    this.install(fitted);
    this.report = report;
  }

  private install(fitted: FittedRanker): void {
    const probability = this.params.objective === 'binary';
    const builder = featureBuilder(fitted.state, fitted.spec, fitted.sources);
    // serving scores with each view's trees compiled to JavaScript (bit-identical, faster), in two stages
    // when early exit is on
    const scorer = new ViewScorer(fitted.views, this.params.exitTrees, probability);
    this.installed = {
      ...fitted,
      gen: candidateGenerator(fitted.sources, this.params, fitted.nItems),
      builder,
      scorer,
      catalogueModel: new CatalogueModel(fitted.catalogue, scorer, builder, fitted.nItems, this.params),
      fallbackSource: fitted.fallback ? fitted.sources.findIndex((m) => m.name === fitted.fallback) : -1,
      netSource: fitted.netBlend ? fitted.sources.findIndex((m) => m.name === fitted.netBlend!.source) : -1,
    };
    if (fitted.fallback && this.installed.fallbackSource < 0)
      throw new RecoError(`ranked: the fallback source '${fitted.fallback}' is not among the sources`);
    if (fitted.netBlend && this.installed.netSource < 0)
      throw new RecoError(
        `ranked: the safety net's blend source '${fitted.netBlend.source}' is not among the sources`,
      );
    this.now = fitted.now;
    this.memo = undefined;
  }

  private fitted(): Installed {
    if (!this.installed || this.installed.views.length === 0)
      throw new RecoError('ranked: the model is not fitted (call fit() or load a saved model first)');
    return this.installed;
  }

  /** The point-in-time state (a server applies new events to it with `applyEvent`). */
  featureState(): FeatureState {
    return this.fitted().state;
  }

  /** The time serving rows are computed at: now as of fitting, moved on by `setNow` (a server's clock). */
  get servingTime(): number {
    return Math.max(this.now, (this.installed?.state.lastTime ?? Number.NEGATIVE_INFINITY) + 1);
  }

  setNow(t: number): void {
    this.now = t;
    this.memo = undefined;
  }

  /**
   * Computes item features as of the serving time rounded down to `ms` (a server's item clock: the item
   * feature cache then holds across a tick's requests and live events; ../features/build.ts). 0: exactly.
   */
  setItemClock(ms: number): void {
    this.fitted().builder.itemClockMs = ms;
    this.memo = undefined;
  }

  featureSpec(): FeatureSpec {
    return this.fitted().spec;
  }

  /** The source served instead of the trees (the safety net fell back to it), or undefined: the trees. */
  get fallback(): string | undefined {
    return this.installed?.fallback;
  }

  /** The source the safety net blends into the trees' score and its weight, or undefined: none. */
  get netBlend(): NetBlend | undefined {
    return this.installed?.netBlend;
  }

  /** Label views of the fitted model, in scoring order. */
  labelViewsFitted(): LabelView[] {
    return this.installed?.views.map((v) => v.label) ?? [];
  }

  /** The time a profile's rows are computed at: its own `at` when given, else the serving time. */
  private timeOf(profile: UserProfile): number {
    return profile.at ?? this.servingTime;
  }

  /** Stage 1 and 2 for one profile: candidates and their scores (memoised for the same profile). */
  private scoreCandidates(profile: UserProfile, options?: RecommendOptions): ScoredCandidates {
    const events = this.installed?.state.events ?? 0;
    const t = this.timeOf(profile);
    const m = this.memo;
    const memoisable = !options?.allowed && options?.excludeSeen !== false;
    if (m && m.profile === profile && m.events === events && m.t === t && memoisable) return m;
    const { gen, builder, scorer, fallbackSource, netSource } = this.fitted();
    this.memo = undefined; // its score vectors are the generator's buffers, which generate overwrites
    const cands = gen.generate(profile, options);
    if (fallbackSource >= 0) return this.sourceScored(cands, fallbackSource, profile, events, t, memoisable);
    // the rows go into one buffer reused across requests (a server's hot path; the trees read it at once)
    const need = cands.items.length * builder.width;
    if (this.rows.length < need) this.rows = new Float64Array(Math.max(need, 2 * this.rows.length));
    const rows = builder.build(profile.user ?? -1, t, cands, this.rows);
    const z = firstSourceZ(cands);
    const trees = scorer.score(rows, cands.items.length, z, this.params.exitKeep);
    // the safety net's blend of a source (./safety-net.ts), the same function the net judged
    const scores =
      netSource >= 0
        ? blendedScores(trees, cands.scores, cands.items.length, netSource, this.installed!.netBlend!.weight)
        : trees;
    const out = { cands, rows, z, scores };
    if (memoisable) this.memo = { profile, events, t, ...out };
    return out;
  }

  /** The safety net's fallback: the candidates ordered by source s's scores alone (its own top n). */
  private sourceScored(
    cands: CandidateSet,
    s: number,
    profile: UserProfile,
    events: number,
    t: number,
    memoisable: boolean,
  ): ScoredCandidates {
    const S = cands.sources.length;
    const n = cands.items.length;
    const scores = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const v = cands.scores[r * S + s]!;
      scores[r] = Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
    }
    const out = { cands, rows: new Float64Array(0), z: firstSourceZ(cands), scores };
    if (memoisable) this.memo = { profile, events, t, ...out };
    return out;
  }

  recommend(profile: UserProfile, n: number, options?: RecommendOptions): TopN {
    const { cands, scores } = this.scoreCandidates(profile, options);
    const k = Math.min(n, cands.items.length);
    const order = bestRows(scores, k, cands.items);
    const items = new Int32Array(k);
    const out = new Float32Array(k);
    for (let r = 0; r < k; r++) {
      items[r] = cands.items[order[r]!]!;
      out[r] = scores[order[r]!]!;
    }
    return { items, scores: out };
  }

  /** Every item's score, an order over the whole catalogue (AUC): see ./catalogue-model.ts. */
  scoreAll(profile: UserProfile, into?: Float32Array): Float32Array {
    const { fallbackSource, sources } = this.fitted();
    if (fallbackSource >= 0) return sources[fallbackSource]!.scoreAll(profile, into);
    const scored = this.scoreCandidates(profile);
    return this.fitted().catalogueModel.scoreAll(profile.user ?? -1, this.timeOf(profile), scored, into);
  }

  /** Why `item` scores what it does for this profile: its sources and the features that moved the score (TreeSHAP). */
  explain(profile: UserProfile, item: number): Explanation {
    return this.explainer().explain(profile, item, this.timeOf(profile));
  }

  /** `explain` of each item, sharing one candidate set and one feature build (a request's answer). */
  explainMany(profile: UserProfile, items: Int32Array): Explanation[] {
    return this.explainer().explainMany(profile, items, this.timeOf(profile));
  }

  /**
   * What explaining `items` reads of the state now (./explain.ts PreparedExplanations); `explainPrepared`
   * then explains each from it alone, so that a server can do so in slices between other work.
   */
  prepareExplanations(profile: UserProfile, items: Int32Array): PreparedExplanations {
    return this.explainer().prepare(profile, items, this.timeOf(profile));
  }

  explainPrepared(prepared: PreparedExplanations, j: number): Explanation {
    return this.explainer().explainPrepared(prepared, j);
  }

  private explainer(): ScoreExplainer {
    const s = this.fitted();
    this.memo = undefined; // as in scoreCandidates: explaining overwrites the generator's buffers
    s.explainer ??= new ScoreExplainer({
      gen: s.gen,
      builder: s.builder,
      spec: s.spec,
      sources: s.sources,
      views: s.scorer,
      probability: this.params.objective === 'binary',
      ...(s.netSource >= 0 ? { net: { source: s.netSource, weight: s.netBlend!.weight } } : {}),
    });
    return s.explainer;
  }

  save(): SavedModel {
    const s = this.fitted();
    return saveRanker({ ...s, now: this.now }, this.paramValues, this.report);
  }

  static load(saved: SavedModel): RankedRecommender {
    const { params, fitted, report } = loadRanker(saved);
    const m = new RankedRecommender(params);
    m.install(fitted);
    if (report) m.report = report;
    return m;
  }
}
