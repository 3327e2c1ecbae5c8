/**
 * What trainings and evaluations record in their run (./run-recorder.ts), shared by trainBundle
 * (../training/train-bundle.ts) and `reco evaluate`: the data they read, the models they build, the
 * evaluation they score.
 */
import type { SplitOptions } from '../data/splits.js';
import type { EvaluationResult } from '../evaluation/evaluate.js';
import type { Store } from '../store/store.js';
import type { ModelFactory } from '../training/fit-models.js';
import type { EventLog, ModelName } from '../types.js';
import { dataFingerprint } from './provenance.js';
import type { RunRecorder } from './run-recorder.js';
import { dataTags, evaluationMetrics, modelParams, splitParams, worldParams } from './run-values.js';

/** The data a run reads: its fingerprint and store (tags), the models asked for and the world (params). */
export async function recordInputs(
  run: RunRecorder,
  store: Store,
  log: EventLog,
  models: readonly ModelName[],
): Promise<void> {
  run.tagList(dataTags(dataFingerprint(log)));
  run.tag('reco.data.db', store.path);
  run.param('models', models.join(','));
  run.paramList(await worldParams(store));
}

/** `create`, recording each model's resolved parameters as it is built (the same model twice: once). */
export function recordingFactory(run: RunRecorder, create: ModelFactory): ModelFactory {
  return (name, params) => {
    const model = create(name, params);
    run.paramList(modelParams(name, model));
    return model;
  };
}

/**
 * An evaluation on `split`: its parameters (split, K, serving time), metrics (`<model>.ndcg_at_10`, ...;
 * fit and scoring times prefixed by `timePrefix`), the split's description (tag) and the whole result as
 * the artifact `evaluation.json`.
 */
export function recordEvaluation(
  run: RunRecorder,
  split: SplitOptions,
  result: EvaluationResult,
  timePrefix = '',
): void {
  run.paramList(splitParams(split, result.k, result.servedAt));
  run.metricList(evaluationMetrics(result, timePrefix));
  run.tag('reco.evaluation.split', result.split);
  run.artifact('evaluation.json', `${JSON.stringify(result, null, 2)}\n`);
}
