/**
 * Data-adaptive defaults: `reco train` chooses each model's key parameters on a validation split of the
 * data it is given, within a time budget, instead of keeping the values tuned once on MovieLens 100K.
 *
 * The split: per user, a random 80% of his (user, item) pairs to fit on and the rest held out (seed 42);
 * each trial fits one model on the fit side and scores NDCG@10 (binary relevance, seen items excluded) on
 * at most VALID_USERS held-out users (a seeded sample beyond). Coordinate search, in this order, each step
 * keeping the best of the previous ones:
 * 1. the event weighting: for each event type whose events carry more than one value, its value rule
 *    (count, log, binary, centered when it has a centre), scored with EASE (item-kNN without EASE);
 * 2. EASE lambda: the default x 1/2 and 2, then x 1/4 when 1/2 won or x 4 when 2 did (3 trials where 5
 *    were, which left ALS untried on a loaded machine: sim-month, docs/ranking.md);
 * 3. item-kNN neighbours: the default x 1/2, 2;
 * 4. ALS confidence alpha x 1/3, 3, then its regularisation x 1/3, 3.
 * A value replaces the default only when it scores MIN_GAIN more (noise on a few hundred users is about
 * that size). A parameter the user gives (`--params`) is not tuned, nor an event type whose rule he gave
 * (`reco types set`), nor a model no trained model uses.
 * The budget is checked before each trial against the last trial of the same model: a step that would not
 * fit is skipped and its parameter keeps its default (said in the report). A parameter's first trial (its
 * default) needs room for two, a model's first trial guessed as long as the slowest so far, since the
 * default's figure alone chooses nothing (a 50k-item catalogue spent 40 s of ALS past a 60 s budget so).
 */
import { sampleSorted } from '../core/random.js';
import {
  buildInteractions,
  type EventTypeRule,
  type InteractionWeights,
  VALUE_RULES,
  type ValueRule,
} from '../data/interactions.js';
import { type EvaluationContext, evaluationContext, scoreLists } from '../evaluation/evaluate.js';
import { createRecommender, recommenderParams } from '../recommenders/index.js';
import type { Csr, EventLog, ItemRecord, ModelName } from '../types.js';
import type { ModelParams } from './fit-models.js';
import type { TuneChoice, TuneReport, TuneTrial } from './tune-report.js';

export type { TuneChoice, TuneReport, TuneTrial } from './tune-report.js';

/** Held-out users scored per trial at most. */
export const VALID_USERS = 1000;
/** NDCG@10 a value must gain over the default to replace it. */
export const MIN_GAIN = 0.001;
const K = 10;
const SPLIT = { kind: 'random', ratio: 0.8, seed: 42 } as const;

export interface TuneOptions {
  /** Seconds the tuning may take (checked before each trial). */
  budgetSeconds: number;
  /** The models trained: what they use is tuned. */
  models: readonly ModelName[];
  /** The user's parameters (`--params`): a parameter given is not tuned. */
  fixed: ModelParams;
  /** The declared event weighting (the baseline of step 1). */
  weights: InteractionWeights;
  /** Event types whose rule the user gave (`reco types set`): not tuned. */
  fixedTypes?: ReadonlySet<string>;
  /** Progress, one line per trial. */
  say?: (line: string) => void;
}

export interface TuneResult {
  /** The chosen values that differ from the defaults, per model. */
  params: ModelParams;
  /** The event weighting chosen (the declared one with tuned value rules). */
  weights: InteractionWeights;
  report: TuneReport;
}

/** The base models a list of trained models uses (hybrid: ALS and item-kNN; ranked: EASE too). */
function usedModels(models: readonly ModelName[]): Set<ModelName> {
  const used = new Set<ModelName>(models);
  if (used.has('hybrid') || used.has('ranked')) for (const m of ['als', 'itemknn'] as const) used.add(m);
  if (used.has('ranked')) used.add('ease');
  return used;
}

/** A parameter's default (the registry's spec). */
function defaultOf(model: ModelName, param: string): number {
  return (recommenderParams(model) as Record<string, { default: unknown }>)[param]!.default as number;
}

/** The validation context with at most VALID_USERS held-out users. */
function validation(log: EventLog, items: ItemRecord[], weights: InteractionWeights): EvaluationContext {
  const ctx = evaluationContext(log, items, SPLIT, K, weights);
  const users = sampleSorted(ctx.testSet.users, VALID_USERS, SPLIT.seed, 7);
  return users === ctx.testSet.users ? ctx : { ...ctx, testSet: { ...ctx.testSet, users } };
}

/** Chooses the parameters (see the header) and reports every trial. */
export async function tune(log: EventLog, items: ItemRecord[], o: TuneOptions): Promise<TuneResult> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const used = usedModels(o.models);
  const split = `random per-user ${SPLIT.ratio}/${(1 - SPLIT.ratio).toFixed(1)}, seed ${SPLIT.seed}`;
  if (!(['ease', 'itemknn', 'als'] as const).some((m) => used.has(m)))
    return {
      params: {},
      weights: o.weights,
      report: { split, users: 0, budgetSeconds: o.budgetSeconds, seconds: 0, choices: [] },
    };
  const ctx = validation(log, items, o.weights);
  const fixed = (model: ModelName, param: string) => o.fixed[model]?.[param] !== undefined;
  const last = new Map<ModelName, number>();
  const cache = new Map<string, TuneTrial>();
  const choices: TuneChoice[] = [];

  /** One trial: `model` with `params` fitted on X (cached by model, params and weighting). */
  const trial = async (
    model: ModelName,
    params: Record<string, unknown>,
    X: Csr,
    key: string,
    value: number | string,
    first: boolean,
  ): Promise<TuneTrial | undefined> => {
    const m = createRecommender(model, { ...o.fixed[model], ...params });
    // by the resolved parameters: {} and {"lambda": 500} are one trial
    const id = `${model} ${JSON.stringify((m as { params?: unknown }).params)} ${key}`;
    const hit = cache.get(id);
    if (hit) return { ...hit, value };
    // a first trial (the default) is worth its time only when one more can follow it; before a model's
    // first trial its time is guessed as the slowest trial so far
    const estimate = last.get(model) ?? Math.max(0, ...last.values());
    if (elapsed() + (first ? 2 : 1) * estimate > o.budgetSeconds) return undefined;
    const t0 = performance.now();
    await m.fit({ interactions: X, log: ctx.split.train, items });
    const row = scoreLists(ctx, model, (_u, profile) => ({ items: m.recommend(profile, K).items }));
    const seconds = (performance.now() - t0) / 1000;
    last.set(model, seconds);
    const out = { value, ndcg: row.ndcg, seconds };
    cache.set(id, out);
    o.say?.(
      `tune: ${model} ${JSON.stringify(params)} (${key}): NDCG@10 ${row.ndcg.toFixed(4)} in ${seconds.toFixed(1)} s`,
    );
    return out;
  };

  /** Tries `values` (the default first) of one parameter; the best by MIN_GAIN over the default wins. */
  const search = async (
    target: string,
    values: (number | string)[],
    run: (v: number | string, first: boolean) => Promise<TuneTrial | undefined>,
    further?: (best: number | string) => (number | string)[],
  ): Promise<number | string> => {
    const trials: TuneTrial[] = [];
    let skipped = 0;
    const tryAll = async (vs: (number | string)[]) => {
      for (const v of vs) {
        const first = trials.length === 0 && skipped === 0;
        // without the default's figure no other value can win: the rest are skipped too
        const t = first || trials.length > 0 ? await run(v, first) : undefined;
        if (t) trials.push(t);
        else skipped++;
      }
    };
    const bestOf = () => {
      const base = trials.find((t) => t.value === values[0]);
      let best = base;
      for (const t of trials)
        if (base && best && t.ndcg > Math.max(best.ndcg, base.ndcg + MIN_GAIN)) best = t;
      return { base, best };
    };
    await tryAll(values);
    // further out only in the direction that won
    if (further) {
      const { best } = bestOf();
      if (best) await tryAll(further(best.value));
    }
    const { base, best } = bestOf();
    choices.push({
      target,
      default: values[0]!,
      chosen: best?.value ?? values[0]!,
      ndcg: best?.ndcg ?? Number.NaN,
      defaultNdcg: base?.ndcg ?? Number.NaN,
      trials,
      skipped,
    });
    return best?.value ?? values[0]!;
  };

  // 1. the event weighting, scored with EASE (or item-kNN)
  const probe: ModelName = used.has('ease') ? 'ease' : 'itemknn';
  let weights = o.weights;
  let weightsKey = 'declared';
  // (some model of the tunable ones is used: the early return above)
  for (const [code, name] of ctx.split.train.typeNames.entries()) {
    if (o.fixedTypes?.has(name) || !varies(ctx.split.train, code)) continue;
    const declared: EventTypeRule = weights.types.get(name) ?? weights.fallback;
    const rules = [declared.value, ...VALUE_RULES.filter((r) => r !== declared.value)].filter(
      (r) => r !== 'centered' || declared.center !== undefined,
    );
    const withRule = (r: ValueRule): InteractionWeights => {
      const types = new Map(weights.types);
      types.set(name, { ...declared, value: r });
      return { types, fallback: weights.fallback };
    };
    const chosen = await search(`weights.${name}`, rules, (r, first) => {
      const w = withRule(r as ValueRule);
      const key = r === declared.value ? weightsKey : `${weightsKey} ${name}=${r}`;
      return trial(probe, {}, buildInteractions(ctx.split.train, w), key, r, first);
    });
    if (chosen !== declared.value) {
      weights = withRule(chosen as ValueRule);
      weightsKey = `${weightsKey} ${name}=${chosen}`;
    }
  }
  const X = buildInteractions(ctx.split.train, weights);
  const chosen: ModelParams = {};
  const set = (model: ModelName, param: string, value: number | string) => {
    if (value === defaultOf(model, param)) return;
    chosen[model] = { ...chosen[model], [param]: value };
  };
  /**
   * One numeric parameter over its default times `factors` (ints rounded); with `further`, a factor that
   * wins is followed by the next one out in its direction (its square: x 0.5 won, x 0.25 is tried).
   */
  const numeric = async (
    model: ModelName,
    param: string,
    factors: number[],
    int = false,
    further = false,
  ) => {
    if (!used.has(model) || fixed(model, param)) return;
    const d = defaultOf(model, param);
    const of = (f: number) => (int ? Math.max(1, Math.round(d * f)) : d * f);
    const values = [1, ...factors].map(of);
    const out = (best: number | string) => {
      const f = factors.find((x) => of(x) === best);
      return f === undefined ? [] : [of(f * f)];
    };
    const v = await search(
      `${model}.${param}`,
      values,
      (x, first) => trial(model, { ...chosen[model], [param]: x }, X, weightsKey, x, first),
      further ? out : undefined,
    );
    set(model, param, v);
  };
  // 2-4
  await numeric('ease', 'lambda', [0.5, 2], false, true);
  await numeric('itemknn', 'neighbours', [0.5, 2], true);
  await numeric('als', 'alpha', [1 / 3, 3]);
  await numeric('als', 'regularization', [1 / 3, 3]);
  return {
    params: chosen,
    weights,
    report: {
      split,
      users: ctx.testSet.users.length,
      budgetSeconds: o.budgetSeconds,
      seconds: elapsed(),
      choices,
    },
  };
}

/** Whether events of type `code` carry more than one value. */
function varies(log: EventLog, code: number): boolean {
  let first = Number.NaN;
  for (let e = 0; e < log.length; e++) {
    if (log.type[e] !== code) continue;
    const v = log.value[e]!;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return true;
  }
  return false;
}

/**
 * The parameters to train with: the user's (`fixed`) over the tuned ones, given to each base model, to
 * the hybrid's components and to the ranker's sources (its hybrid source's components too), so that every
 * copy of a model has the same parameters and is fitted once (./fit-models.ts lends it).
 */
export function withTuned(fixed: ModelParams, tuned: ModelParams): ModelParams {
  const out: ModelParams = { ...fixed };
  const names = Object.keys(tuned) as ModelName[];
  if (names.length === 0) return out;
  const merged = (name: ModelName, over?: Record<string, unknown>) => ({ ...tuned[name], ...over });
  for (const name of names) out[name] = merged(name, fixed[name]);
  const hybrid = fixed.hybrid ?? {};
  /** A hybrid's componentParams with the tuned ones of its components (`h.components`, default als, itemknn). */
  const components = (h: Record<string, unknown>): Record<string, unknown> => {
    const given = (h['componentParams'] ?? {}) as Record<string, Record<string, unknown>>;
    const has = (name: string) =>
      typeof h['components'] !== 'object' || h['components'] === null || Object.hasOwn(h['components'], name);
    const c: Record<string, unknown> = { ...given };
    for (const name of ['als', 'itemknn'] as const)
      if (tuned[name] && has(name)) c[name] = merged(name, given[name]);
    return c;
  };
  if (tuned.als || tuned.itemknn) out.hybrid = { ...hybrid, componentParams: components(hybrid) };
  const ranked = fixed.ranked ?? {};
  const given = (ranked['sourceParams'] ?? {}) as Record<string, Record<string, unknown>>;
  const sources: Record<string, unknown> = { ...given };
  for (const name of ['ease', 'itemknn', 'als'] as const)
    if (tuned[name]) sources[name] = merged(name, given[name]);
  if (tuned.als || tuned.itemknn) {
    const h = given['hybrid'] ?? {};
    sources['hybrid'] = { ...h, componentParams: components(h) };
  }
  out.ranked = { ...ranked, sourceParams: sources };
  return out;
}
