/**
 * Model parameters: each model declares a spec (type, default, bounds); `resolveParams` merges the given
 * values over the defaults and rejects unknown names or bad values with a UsageError naming the parameter.
 */
import { UsageError } from '../errors.js';

export type ParamDef =
  | { type: 'number'; default: number; min?: number; max?: number; exclusiveMin?: boolean; doc: string }
  | { type: 'int'; default: number; min?: number; max?: number; doc: string }
  | { type: 'boolean'; default: boolean; doc: string }
  | { type: 'enum'; default: string; values: readonly string[]; doc: string }
  | { type: 'json'; default: unknown; doc: string; check?: (v: unknown) => string | undefined };

export type ParamSpec = Record<string, ParamDef>;

type ValueOf<D extends ParamDef> = D extends { type: 'number' | 'int' }
  ? number
  : D extends { type: 'boolean' }
    ? boolean
    : D extends { type: 'enum' }
      ? string
      : unknown;

export type Params<S extends ParamSpec> = { [K in keyof S]: ValueOf<S[K]> };

/** Numbers may come as strings (CLI, config files). */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

export function resolveParams<S extends ParamSpec>(
  model: string,
  spec: S,
  given: Record<string, unknown> = {},
): Params<S> {
  for (const key of Object.keys(given)) {
    if (!(key in spec))
      throw new UsageError(
        `${model}: unknown parameter '${key}' (known: ${Object.keys(spec).sort().join(', ')})`,
      );
  }
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(spec)) {
    const raw = given[key];
    if (raw === undefined) {
      out[key] = def.default;
      continue;
    }
    const where = `${model}: parameter '${key}'`;
    switch (def.type) {
      case 'number':
      case 'int': {
        const v = toNumber(raw);
        if (!Number.isFinite(v))
          throw new UsageError(`${where} must be a number, got ${JSON.stringify(raw)}`);
        if (def.type === 'int' && !Number.isInteger(v))
          throw new UsageError(`${where} must be an integer, got ${v}`);
        if (def.min !== undefined) {
          const excl = def.type === 'number' && def.exclusiveMin;
          if (excl ? v <= def.min : v < def.min)
            throw new UsageError(`${where} must be ${excl ? '>' : '>='} ${def.min}, got ${v}`);
        }
        if (def.max !== undefined && v > def.max)
          throw new UsageError(`${where} must be <= ${def.max}, got ${v}`);
        out[key] = v;
        break;
      }
      case 'boolean': {
        const v = raw === 'true' ? true : raw === 'false' ? false : raw;
        if (typeof v !== 'boolean')
          throw new UsageError(`${where} must be true or false, got ${JSON.stringify(raw)}`);
        out[key] = v;
        break;
      }
      case 'enum': {
        if (typeof raw !== 'string' || !def.values.includes(raw))
          throw new UsageError(
            `${where} must be one of ${def.values.join(', ')}, got ${JSON.stringify(raw)}`,
          );
        out[key] = raw;
        break;
      }
      case 'json': {
        const problem = def.check?.(raw);
        if (problem) throw new UsageError(`${where} ${problem}`);
        out[key] = raw;
        break;
      }
    }
  }
  return out as Params<S>;
}

/** The parameter documentation of a spec, one line each (for --help and docs). */
export function describeParams(spec: ParamSpec): string[] {
  return Object.entries(spec).map(([k, d]) => `${k} (default ${JSON.stringify(d.default)}): ${d.doc}`);
}
