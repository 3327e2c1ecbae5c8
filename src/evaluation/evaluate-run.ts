/**
 * An offline evaluation recorded as a run of kind `evaluate` (../tracking/run-recorder.ts): what
 * `reco evaluate` does. The run holds the data's fingerprint, the world's, the split's and each model's
 * parameters, the models' training curves, every row of the table as metrics, and the whole result as
 * the artifact `evaluation.json`; FAILED with the error when the evaluation throws.
 */
import { interactionWeights } from '../data/interactions.js';
import type { Store } from '../store/store.js';
import { recordEvaluation, recordInputs, recordingFactory } from '../tracking/record.js';
import { type RunOptions, withRun } from '../tracking/run-recorder.js';
import { weightParams } from '../tracking/run-values.js';
import type { EventLog, ItemRecord } from '../types.js';
import { type EvaluateOptions, type EvaluationResult, evaluate } from './evaluate.js';

/** evaluate(log, items, options) on `store`'s events, recorded as a run (`run`: its name, mirror). */
export async function evaluateRun(
  store: Store,
  run: Partial<RunOptions>,
  log: EventLog,
  items: ItemRecord[],
  options: EvaluateOptions,
): Promise<{ result: EvaluationResult; runId: string }> {
  return withRun(store, { kind: 'evaluate', ...run }, async (r) => {
    await recordInputs(r, store, log, options.models);
    r.paramList(weightParams(options.weights ?? interactionWeights()));
    await r.flush();
    const result = await evaluate(log, items, {
      ...options,
      create: recordingFactory(r, options.create),
      metrics: r.sink,
    });
    recordEvaluation(r, options.split, result);
    return { result, runId: r.id };
  });
}
