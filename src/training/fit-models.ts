/**
 * Fitting several models on the same data, each once: the loop behind `reco train`, offline evaluation and
 * the ranker's candidate sources. A model with its default parameters is fitted once and lent (through
 * FitData.fitted) to the composite models fitted after it (hybrid, ranked), which use it instead of
 * fitting a copy of their own; a model given parameters of its own is fitted alone and lent to none.
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

/**
 * Fits `names` on `data` (composite models after the others, each group in the given order) and returns
 * them by name. Models in `data.fitted` with default parameters are taken as they are, not fitted again.
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
    const reused = own === undefined ? lent.get(name) : undefined;
    if (reused) {
      out.set(name, reused);
      continue;
    }
    options.onStart?.(name);
    const model = options.create(name, own);
    const t0 = performance.now();
    const metrics = data.metrics && prefixedSink(data.metrics, name);
    await model.fit({ ...data, fitted: lent, ...(metrics ? { metrics } : {}) });
    if (own === undefined) lent.set(name, model);
    out.set(name, model);
    await options.onFitted?.(name, model, (performance.now() - t0) / 1000);
  }
  return out;
}
