/**
 * What a run records, by name: parameters (each model's resolved parameters, the split's, the simulated
 * world's), metrics (the evaluation table's rows) and tags (the data fingerprint), as the flat string keys
 * MLflow accepts (letters, digits, `_ - . /` and space, at most 250 characters: ./run-recorder.ts applies
 * runKey to every key).
 */
import type { EventTypeRule, InteractionWeights } from '../data/interactions.js';
import { defaultRatio, type SplitOptions } from '../data/splits.js';
import type { EvaluationResult, MetricRow } from '../evaluation/evaluate.js';
import { loadWorld, WORLD_META_KEY } from '../simulation/oracle.js';
import type { RunEntry, Store } from '../store/store.js';
import type { DataFingerprint } from './provenance.js';

/** Longest key MLflow takes. */
export const MAX_KEY_LENGTH = 250;

/**
 * A key MLflow accepts: `@` spelled `_at_` (`ndcg@10` -> `ndcg_at_10`), any other character outside
 * letters, digits, `_ - . /` and space replaced by `_`, no empty path segment, at most 250 characters.
 */
export function runKey(raw: string): string {
  const key = raw
    .replaceAll('@', '_at_')
    .replace(/[^A-Za-z0-9_\-. /]/g, '_')
    .split('/')
    .filter((s) => s.length > 0 && s !== '.' && s !== '..')
    .join('/')
    .slice(0, MAX_KEY_LENGTH);
  return key.length > 0 ? key : '_';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * Parameters as flat entries: nested plain objects become dotted keys (`ranked.sources.als`), an empty
 * one `{}`; strings stay as they are; numbers, booleans, null and arrays are written as JSON.
 */
export function flattenParams(prefix: string, value: unknown, out: RunEntry[] = []): RunEntry[] {
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix !== '') out.push({ key: prefix, value: '{}' });
    for (const [k, v] of entries) flattenParams(prefix === '' ? k : `${prefix}.${k}`, v, out);
  } else if (value !== undefined && prefix !== '')
    out.push({ key: prefix, value: typeof value === 'string' ? value : JSON.stringify(value) });
  return out;
}

/**
 * The finite numbers in a JSON-like value (a model's training report) as dotted keys; array elements by
 * their `label` when they have a string one (`views.temporal.iterations`), else by index.
 */
export function numericLeaves(
  prefix: string,
  value: unknown,
  out: [string, number][] = [],
): [string, number][] {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) out.push([prefix, value]);
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const label = isPlainObject(v) && typeof v['label'] === 'string' ? v['label'] : String(i);
      numericLeaves(`${prefix}.${label}`, v, out);
    }
  } else if (isPlainObject(value))
    for (const [k, v] of Object.entries(value)) numericLeaves(`${prefix}.${k}`, v, out);
  return out;
}

/** A fitted model's resolved parameters (its `params` field), under its name. */
export function modelParams(name: string, model: object): RunEntry[] {
  const params = (model as { params?: unknown }).params;
  return isPlainObject(params) ? flattenParams(name, params) : [];
}

/** The split an evaluation uses, as parameters: the fields its kind reads, K, and how users were served. */
export function splitParams(split: SplitOptions, k: number, servedAt?: string): RunEntry[] {
  const out: RunEntry[] = [{ key: 'split.kind', value: split.kind }];
  const add = (key: string, value: number | undefined) => {
    if (value !== undefined) out.push({ key: `split.${key}`, value: String(value) });
  };
  if (split.kind === 'global' && split.cut !== undefined) add('cut', split.cut);
  else if (split.kind !== 'leave-last') add('ratio', split.ratio ?? defaultRatio(split.kind));
  if (split.kind === 'random') add('seed', split.seed ?? 0);
  if (split.kind === 'leave-last') add('n', split.n ?? 1);
  out.push({ key: 'k', value: String(k) });
  if (servedAt !== undefined) out.push({ key: 'served_at', value: servedAt });
  return out;
}

/**
 * How events weigh (the store's event type rules), as `weights.<type>.weight`, `.value`, `.center`, and
 * the rule of undeclared types as `weights_fallback.*`.
 */
export function weightParams(weights: InteractionWeights): RunEntry[] {
  const out: RunEntry[] = [];
  const add = (name: string, rule: EventTypeRule) => {
    const prefix = name === '' ? 'weights_fallback' : `weights.${name}`;
    out.push({ key: `${prefix}.weight`, value: String(rule.weight) });
    out.push({ key: `${prefix}.value`, value: rule.value });
    if (rule.center !== undefined) out.push({ key: `${prefix}.center`, value: String(rule.center) });
  };
  for (const [name, rule] of weights.types) add(name, rule);
  add('', weights.fallback);
  return out;
}

/** The simulated world's parameters (`world.*`) when the store holds one, else none. */
export async function worldParams(store: Store): Promise<RunEntry[]> {
  if ((await store.getMeta(WORLD_META_KEY)) === undefined) return [];
  return flattenParams('world', (await loadWorld(store)).params);
}

/** The data a run saw, as tags `reco.data.*`. */
export function dataTags(d: DataFingerprint): RunEntry[] {
  return [
    { key: 'reco.data.events', value: String(d.events) },
    { key: 'reco.data.users', value: String(d.users) },
    { key: 'reco.data.items', value: String(d.items) },
    { key: 'reco.data.last_event', value: d.lastEvent === null ? '' : new Date(d.lastEvent).toISOString() },
    { key: 'reco.data.hash', value: d.hash },
  ];
}

/** The metrics of one evaluation row, MLflow-style names (`ndcg_at_10`), NaN (not computed) left out. */
export function rowMetrics(row: MetricRow, k: number): [string, number][] {
  const all: [string, number][] = [
    [`precision_at_${k}`, row.precision],
    [`recall_at_${k}`, row.recall],
    [`ndcg_at_${k}`, row.ndcg],
    [`graded_ndcg_at_${k}`, row.ndcgGraded],
    [`map_at_${k}`, row.map],
    [`mrr_at_${k}`, row.mrr],
    [`hit_rate_at_${k}`, row.hitRate],
    ['auc', row.auc],
    ['coverage', row.coverage],
    ['novelty', row.novelty],
    ['diversity', row.diversity],
    ['popularity', row.popularity],
    ['arp', row.arp],
    ['users', row.users],
  ];
  return all.filter(([, v]) => !Number.isNaN(v));
}

/**
 * An evaluation's metrics: `<model>.<metric>` per row, with its fit and scoring times under
 * `<model>.<timePrefix>fit_seconds` / `recommend_seconds` (the oracle has no fit), and the split's counts.
 */
export function evaluationMetrics(result: EvaluationResult, timePrefix = ''): [string, number][] {
  const out: [string, number][] = [
    ['eval.train_events', result.trainEvents],
    ['eval.test_events', result.testEvents],
    ['eval.users', result.users],
    ['eval.cold_users', result.coldUsers],
  ];
  for (const row of result.rows) {
    for (const [key, value] of rowMetrics(row, result.k)) out.push([`${row.model}.${key}`, value]);
    if (row.model !== 'oracle') out.push([`${row.model}.${timePrefix}fit_seconds`, row.fitSeconds]);
    out.push([`${row.model}.${timePrefix}recommend_seconds`, row.recommendSeconds]);
  }
  return out;
}
