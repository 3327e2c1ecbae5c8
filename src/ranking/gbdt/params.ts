/**
 * The trainer's parameters as library code gives them: typed values (`trainParams({ numLeaves: 63 })`),
 * validated by the checks of their declarations (./config.ts), errors naming the camelCase field.
 * LightGBM's `key=value` text is read by ./config-parser.ts (the command line, a config file, user JSON).
 */
import { UsageError } from '../../errors.js';
import {
  BY_FIELD,
  BY_LIGHTGBM_NAME,
  type IoParams,
  type MetricName,
  sectionRecord,
  type TrainParams,
} from './config.js';

export {
  defaultLabelGain,
  type IoParams,
  METRIC_NAMES,
  type MetricName,
  type Objective,
  type Task,
  type TrainParams,
} from './config.js';

/** What a name that is no training field may have been meant as. */
function hintFor(name: string): string {
  const d = BY_FIELD.get(name);
  if (d) return ` (${name} is a parameter of the command line)`;
  const lgb = BY_LIGHTGBM_NAME.get(name);
  return lgb?.section === 'train' ? ` (LightGBM's ${name} is the field ${lgb.field})` : '';
}

/**
 * The training parameters: the given values over the defaults (LightGBM 4's). Raises UsageError naming
 * the field for a value its declaration refuses, or for a field that is not a training parameter.
 * Fields given as undefined keep their defaults.
 */
export function trainParams(given: Partial<TrainParams> = {}): TrainParams {
  const values = new Map<string, unknown>();
  for (const [field, value] of Object.entries(given)) {
    const d = BY_FIELD.get(field);
    if (d?.section !== 'train')
      throw new UsageError(`unknown training parameter "${field}"${hintFor(field)}`);
    if (value !== undefined) values.set(field, d.kind.check(value, field));
  }
  return sectionRecord('train', values);
}

/** The default training parameters (LightGBM 4's). */
export function defaultTrainParams(): TrainParams {
  return sectionRecord('train');
}

/** The default input/output parameters of the command line. */
export function defaultIoParams(): IoParams {
  return sectionRecord('io');
}

/** The metrics to report: the given ones, or the objective's default as LightGBM picks it. */
export function metricsFor(p: Pick<TrainParams, 'metric' | 'objective'>): MetricName[] {
  if (p.metric.length > 0) return p.metric;
  if (p.objective === 'binary') return ['binary_logloss'];
  if (p.objective === 'lambdarank') return ['ndcg'];
  return ['l2'];
}
