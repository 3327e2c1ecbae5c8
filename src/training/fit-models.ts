/**
 * Fitting several models on the same data, each once: the loop behind `reco train`, offline evaluation and
 * the ranker's candidate sources. Each model is fitted once and lent (through FitData.fitted) to the
 * composite models fitted after it (hybrid, ranked), which use it instead of fitting a copy of their own
 * when the copy would have the same resolved parameters (e.g. `reco train`'s tuned ones, given to the
 * model, to the hybrid's components and to the ranker's sources alike); one of other parameters is fitted
 * apart (the first fitted of a name is the one lent).
 * With a metric sink in the data (FitData.metrics), each model reports its training curve to it under
 * its own name (`als.loss`; a composite's inner fits nest: `ranked.als.loss`).
 */
import type { FitData, Recommender } from '../recommenders/recommender.js';
import type { ModelName } from '../types.js';
import { prefixedSink } from './metric-sink.js';

/** Builds an unfitted model with its defaults overridden by `params`. */
export type ModelFactory = (name: ModelName, params?: Record<string, unknown>) => Recommender;

/** Parameters per model name (absent: the model's defaults). */
export type ModelParams = Partial<Record<ModelName, Record<string, unknown>>>;

export interface FitModelsOptions {
  create: ModelFactory;
  params?: ModelParams;
  /** Called before each model's fit. */
  onStart?: (name: ModelName) => void;
  /** Called after each model's fit with its wall time, before the next starts. */
  onFitted?: (name: ModelName, model: Recommender, seconds: number) => void | Promise<void>;
}

/** Models built of other models: fitted after the simple ones so that they can reuse them. */
const COMPOSITE: ReadonlySet<ModelName> = new Set(['hybrid', 'ranked']);

/** Whether two models of one name have the same resolved parameters (their `params` fields). */
function sameParams(a: Recommender, b: Recommender): boolean {
  const pa = (a as { params?: unknown }).params;
  const pb = (b as { params?: unknown }).params;
  return pa !== undefined && JSON.stringify(pa) === JSON.stringify(pb);
}

/**
 * Fits `names` on `data` (composite models after the others, each group in the given order) and returns
 * them by name. A model in `data.fitted` with the parameters asked is taken as it is, not fitted again.
 */
export async function fitModels(
  data: FitData,
  names: readonly ModelName[],
  options: FitModelsOptions,
): Promise<Map<ModelName, Recommender>> {
  const params = options.params ?? {};
  const lent = new Map(data.fitted);
  const out = new Map<ModelName, Recommender>();
  const order = [...names.filter((n) => !COMPOSITE.has(n)), ...names.filter((n) => COMPOSITE.has(n))];
  for (const name of order) {
    const own = params[name];
    const model = options.create(name, own);
    const reused = lent.get(name);
    if (reused && sameParams(reused, model)) {
      out.set(name, reused);
      continue;
    }
    options.onStart?.(name);
    const t0 = performance.now();
    const metrics = data.metrics && prefixedSink(data.metrics, name);
    await model.fit({ ...data, fitted: lent, ...(metrics ? { metrics } : {}) });
    if (!lent.has(name)) lent.set(name, model);
    out.set(name, model);
    await options.onFitted?.(name, model, (performance.now() - t0) / 1000);
  }
  return out;
}
