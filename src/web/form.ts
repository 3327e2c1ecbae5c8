/**
 * Reading form bodies (application/x-www-form-urlencoded, @fastify/formbody) and query strings: a field is
 * one string of bounded length, or a list of them; anything else is bad input naming the field. Values
 * are only ever read by name from the parsed object (never used as keys of an object of ours).
 */
import { InvalidInputError } from '../errors.js';

type Bag = unknown;

function raw(bag: Bag, name: string): unknown {
  if (bag === null || typeof bag !== 'object') return undefined;
  return Object.hasOwn(bag, name) ? (bag as Record<string, unknown>)[name] : undefined;
}

/** One string field (trimmed only if asked), `max` characters at most; undefined when absent. */
export function optionalField(bag: Bag, name: string, max = 1000): string | undefined {
  const v = raw(bag, name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidInputError(name, 'must be given once');
  if (v.length > max) throw new InvalidInputError(name, `must have at most ${max} characters`);
  return v;
}

/** One required string field. */
export function field(bag: Bag, name: string, max = 1000): string {
  const v = optionalField(bag, name, max);
  if (v === undefined || v === '') throw new InvalidInputError(name, 'is required');
  return v;
}

/** A repeated field (checkboxes): its values, each `max` characters at most, at most `count` of them. */
export function listField(bag: Bag, name: string, max = 256, count = 100): string[] {
  const v = raw(bag, name);
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.length > count) throw new InvalidInputError(name, `at most ${count} values`);
  list.forEach((x, j) => {
    if (typeof x !== 'string' || x.length === 0 || x.length > max)
      throw new InvalidInputError(`${name}[${j}]`, `must be 1 to ${max} characters`);
  });
  return list as string[];
}

/** An integer query parameter within [min, max], `fallback` when absent. */
export function intField(bag: Bag, name: string, min: number, max: number, fallback: number): number {
  const v = optionalField(bag, name, 20);
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidInputError(name, `must be an integer from ${min} to ${max}`);
  return n;
}
