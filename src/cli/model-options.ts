/** Options shared by the model-facing commands (evaluate, train, recommend, similar): parsing and checks. */
import { RecoError, UsageError } from '../errors.js';
import { createModel, modelNames } from '../models/factory.js';
import type { Recommender } from '../recommenders/recommender.js';
import type { Store } from '../store/store.js';
import { MODEL_NAMES, type ModelName } from '../types.js';

export function checkModelName(name: string): ModelName {
  if (!(MODEL_NAMES as readonly string[]).includes(name))
    throw new UsageError(`unknown model "${name}"; valid: ${MODEL_NAMES.join(', ')}`);
  return name as ModelName;
}

/**
 * "a,b,c" -> checked model names, in order, without duplicates; absent: every model (the candidate
 * generators, then `ranked`).
 */
export function parseModelList(raw: string | undefined): ModelName[] {
  if (raw === undefined) return modelNames();
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`--models is empty; valid: ${MODEL_NAMES.join(', ')}`);
  return [...new Set(names.map(checkModelName))];
}

/** --params '{"als": {"factors": 64}, "itemknn": {"neighbours": 50}}' */
export function parseModelParams(
  raw: string | undefined,
): Partial<Record<ModelName, Record<string, unknown>>> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`--params is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError('--params must be a JSON object keyed by model name, e.g. {"als":{"factors":64}}');
  const out: Partial<Record<ModelName, Record<string, unknown>>> = {};
  for (const [name, p] of Object.entries(parsed)) {
    if (typeof p !== 'object' || p === null || Array.isArray(p))
      throw new UsageError(`--params: the parameters of "${name}" must be a JSON object`);
    out[checkModelName(name)] = p as Record<string, unknown>;
  }
  return out;
}

export function parsePositiveInt(raw: string, option: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${option} must be a positive integer, got "${raw}"`);
  return n;
}

/** A duration in seconds: "60", "60s", "2m" or "1.5m" (>= 0). */
export function parseDuration(raw: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m)?\s*$/.exec(raw);
  if (!m) throw new UsageError(`${option} must be a duration such as 60, 60s or 2m, got "${raw}"`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

export function parseNumber(raw: string, option: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`${option} must be a number, got "${raw}"`);
  return n;
}

/** Throws a clear error when the store holds no events yet. */
export async function requireEvents(store: Store): Promise<void> {
  if ((await store.counts()).events === 0)
    throw new RecoError(
      `the store ${store.path} holds no events: fill it first, e.g. "reco simulate" or "reco import movielens <dir>" (or pass --db)`,
    );
}

/**
 * The model factory for commands: models that log their training (`onLog`, e.g. `ranked`) print it on
 * stderr, prefixed with their name, unless quiet.
 */
export function modelFactory(
  quiet: boolean,
): (name: ModelName, params?: Record<string, unknown>) => Recommender {
  return (name, params) => {
    const model = createModel(name, params);
    if (!quiet && 'onLog' in model)
      (model as { onLog?: (line: string) => void }).onLog = (line) =>
        process.stderr.write(`${name}: ${line}\n`);
    return model;
  };
}
