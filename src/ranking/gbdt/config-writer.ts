/**
 * Parameter values written as LightGBM text, from their declarations (./config.ts): a model's
 * `parameters:` block (`[key: value]` lines) and `key=value` arguments of the LightGBM program.
 */
import {
  type AnyParamDef,
  DECLARATIONS,
  type IoParams,
  sectionRecord,
  type TrainParams,
  type Values,
} from './config.js';
import { metricsFor } from './params.js';

/**
 * `[LightGBM name, text]` of the values given (undefined: left out), in table order, for the declarations
 * `keep` keeps. A parameter a model holds only "unlessDefault" is left out at its default.
 */
function pairs(values: Partial<Values>, keep: (d: AnyParamDef) => boolean): Array<[string, string]> {
  const byField = new Map<string, unknown>(Object.entries(values));
  const out: Array<[string, string]> = [];
  for (const d of DECLARATIONS) {
    const v = byField.get(d.field);
    if (v === undefined || !keep(d)) continue;
    const t = d.kind.format(d.kind.check(v, d.field));
    if (d.model === 'unlessDefault' && t === d.kind.format(d.default)) continue;
    out.push([d.lightgbm, t]);
  }
  return out;
}

/** The metrics LightGBM evaluates for these parameters (the objective's when none are given). */
function withMetrics(p: TrainParams): TrainParams {
  return { ...p, metric: metricsFor(p) };
}

/** `key=value` arguments of the LightGBM program for the values given (canonical names, table order). */
export function lightgbmArgs(values: Partial<Values>): string[] {
  return pairs(values, () => true).map(([k, v]) => `${k}=${v}`);
}

/**
 * The training parameters as `key=value` arguments of the LightGBM program: every one, the metrics
 * resolved; `seed` is left out when 0 (LightGBM's "not set": its bagging/feature/data seeds then keep
 * their own defaults).
 */
export function lightgbmTrainArgs(p: TrainParams): string[] {
  return lightgbmArgs(withMetrics(p));
}

/**
 * A model's `parameters:` block, in LightGBM's `[key: value]` form: the parameters the table marks as a
 * model's (the boosting type, the data files, every training parameter, the categorical features when
 * there are any), in table order.
 */
export function parametersBlock(p: TrainParams, io: IoParams): string {
  return pairs({ ...sectionRecord('compat'), ...io, ...withMetrics(p) }, (d) => d.model !== undefined)
    .map(([k, v]) => `[${k}: ${v}]\n`)
    .join('');
}

/**
 * The parameters' documentation, one line each in table order (for `reco gbdt --help`): LightGBM's name,
 * its aliases, the default, what it does and what values it takes.
 */
export function parameterHelp(): string[] {
  return DECLARATIONS.map((d) => {
    const aliases = d.aliases.length > 0 ? ` (${d.aliases.join(', ')})` : '';
    const dflt = d.kind.format(d.default);
    return `${d.lightgbm}${aliases} = ${dflt === '' ? '""' : dflt}: ${d.doc} [${d.kind.what}]`;
  });
}
