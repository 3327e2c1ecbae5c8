/**
 * Model parameters: each model declares a spec (type, default, bounds); `resolveParams` merges the given
 * values over the defaults and rejects unknown names or bad values with a UsageError naming the parameter.
 *
 * A JSON parameter declares a parser from the value as given to the typed value the model uses (e.g. an
 * object of model name -> count to a list of sources); it refuses a bad value by throwing a
 * ParamValueError that says what is wrong, and resolveParams names the parameter. `Params<S>` infers each
 * parameter's type: numbers, booleans, an enum's values, a JSON parser's result.
 */
import { UsageError } from '../errors.js';
import { MODEL_NAMES, type ModelName } from '../types.js';

/** What is wrong with a parameter's value, as its parser says it ("must be ..."); resolveParams names it. */
export class ParamValueError extends Error {
  override name = 'ParamValueError';
}

/** Refuses a parameter's value: `problem` reads after "parameter 'x'", e.g. "must be an object". */
export function refuse(problem: string): never {
  throw new ParamValueError(problem);
}

/** A JSON parameter's parser: the value as given to the typed value, or `refuse(problem)`. */
export type JsonParser<T> = (value: unknown) => T;

export type ParamDef =
  | { type: 'number'; default: number; min?: number; max?: number; exclusiveMin?: boolean; doc: string }
  | { type: 'int'; default: number; min?: number; max?: number; doc: string }
  | { type: 'boolean'; default: boolean; doc: string }
  | {
      type: 'enum';
      default: string;
      values: readonly string[];
      /** Older names still accepted, each for one of `values`. */
      aliases?: Readonly<Record<string, string>>;
      doc: string;
    }
  | { type: 'json'; default: unknown; doc: string; parse: JsonParser<unknown> };

export type ParamSpec = Record<string, ParamDef>;

type ValueOf<D extends ParamDef> = D extends { type: 'number' | 'int' }
  ? number
  : D extends { type: 'boolean' }
    ? boolean
    : D extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : D extends { type: 'json'; parse: JsonParser<infer T> }
        ? T
        : never;

/** The parameters as a model uses them: JSON ones parsed. */
export type Params<S extends ParamSpec> = { [K in keyof S]: ValueOf<S[K]> };

/**
 * The parameters resolved: `params` as the model uses them, and `values` as written down (numbers and
 * booleans converted, an enum alias by its name, JSON as given): what save() stores and the constructor
 * takes back.
 */
export interface ResolvedParams<S extends ParamSpec> {
  params: Params<S>;
  values: Record<string, unknown>;
}

/** Numbers may come as strings (CLI, config files). */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

/** One parameter's value as written down and as used, or a UsageError that starts with `where`. */
function resolveOne(where: string, def: ParamDef, raw: unknown): { value: unknown; parsed: unknown } {
  switch (def.type) {
    case 'number':
    case 'int': {
      const v = toNumber(raw);
      if (!Number.isFinite(v)) throw new UsageError(`${where} must be a number, got ${JSON.stringify(raw)}`);
      if (def.type === 'int' && !Number.isInteger(v))
        throw new UsageError(`${where} must be an integer, got ${v}`);
      if (def.min !== undefined) {
        const excl = def.type === 'number' && def.exclusiveMin;
        if (excl ? v <= def.min : v < def.min)
          throw new UsageError(`${where} must be ${excl ? '>' : '>='} ${def.min}, got ${v}`);
      }
      if (def.max !== undefined && v > def.max)
        throw new UsageError(`${where} must be <= ${def.max}, got ${v}`);
      return { value: v, parsed: v };
    }
    case 'boolean': {
      const v = raw === 'true' ? true : raw === 'false' ? false : raw;
      if (typeof v !== 'boolean')
        throw new UsageError(`${where} must be true or false, got ${JSON.stringify(raw)}`);
      return { value: v, parsed: v };
    }
    case 'enum': {
      const v =
        typeof raw === 'string' && def.aliases && Object.hasOwn(def.aliases, raw) ? def.aliases[raw] : raw;
      if (typeof v !== 'string' || !def.values.includes(v)) {
        const older = def.aliases ? Object.keys(def.aliases) : [];
        throw new UsageError(
          `${where} must be one of ${def.values.join(', ')}${older.length ? ` (or the older ${older.join(', ')})` : ''}, got ${JSON.stringify(raw)}`,
        );
      }
      return { value: v, parsed: v };
    }
    case 'json':
      try {
        return { value: raw, parsed: def.parse(raw) };
      } catch (err) {
        if (err instanceof ParamValueError) throw new UsageError(`${where} ${err.message}`);
        throw err;
      }
  }
}

/** The parameters as used and as written down (see ResolvedParams). */
export function resolveParamValues<S extends ParamSpec>(
  model: string,
  spec: S,
  given: Record<string, unknown> = {},
): ResolvedParams<S> {
  for (const key of Object.keys(given)) {
    if (!(key in spec))
      throw new UsageError(
        `${model}: unknown parameter '${key}' (known: ${Object.keys(spec).sort().join(', ')})`,
      );
  }
  const params: Record<string, unknown> = {};
  const values: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(spec)) {
    const raw = given[key];
    const one = resolveOne(`${model}: parameter '${key}'`, def, raw === undefined ? def.default : raw);
    params[key] = one.parsed;
    values[key] = one.value;
  }
  return { params: params as Params<S>, values };
}

/** The parameters as the model uses them (defaults merged, every value checked, JSON ones parsed). */
export function resolveParams<S extends ParamSpec>(
  model: string,
  spec: S,
  given: Record<string, unknown> = {},
): Params<S> {
  return resolveParamValues(model, spec, given).params;
}

/** The parameter documentation of a spec, one line each (for --help and docs). */
export function describeParams(spec: ParamSpec): string[] {
  return Object.entries(spec).map(([k, d]) => `${k} (default ${JSON.stringify(d.default)}): ${d.doc}`);
}

// --- parsers' building blocks ---------------------------------------------------------------------------

/** Whether a JSON value is an object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object's entries, or refused as not `what`, e.g. "an object {model: weight}". */
export function objectEntries(value: unknown, what: string): [string, unknown][] {
  if (!isRecord(value)) refuse(`must be ${what}`);
  return Object.entries(value);
}

/** A model name of the product (MODEL_NAMES) but `excluded`, or refused. */
export function modelNameOf(name: string, excluded: readonly ModelName[]): ModelName {
  const known = MODEL_NAMES.find((m) => m === name);
  if (known === undefined)
    refuse(
      `names an unknown model '${name}' (known: ${MODEL_NAMES.filter((m) => !excluded.includes(m)).join(', ')})`,
    );
  if (excluded.includes(known)) refuse(`cannot include '${name}'`);
  return known;
}

/** A model's parameters: a JSON object, or refused naming the model. */
export function modelParamsOf(name: string, value: unknown): Record<string, unknown> {
  if (!isRecord(value))
    refuse(`must hold an object of parameters for '${name}', got ${JSON.stringify(value)}`);
  return value;
}

/**
 * An object of model name -> that model's parameters, e.g. {"ease":{"lambda":300}}: each name a model of
 * the product but `excluded`, each value an object.
 */
export function paramsByModel(
  value: unknown,
  excluded: readonly ModelName[],
): Partial<Record<ModelName, Record<string, unknown>>> {
  const out: Partial<Record<ModelName, Record<string, unknown>>> = {};
  for (const [k, p] of objectEntries(
    value,
    'an object of model name -> parameters, e.g. {"ease":{"lambda":300}}',
  ))
    out[modelNameOf(k, excluded)] = modelParamsOf(k, p);
  return out;
}
