import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type JsonParser,
  type Params,
  refuse,
  resolveParams,
  resolveParamValues,
} from '../../src/core/param-spec.js';

/** A parser to a typed value: "a,b" or ["a","b"] to a list of names. */
const names: JsonParser<string[]> = (v) => {
  if (typeof v === 'string') return v.split(',');
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return refuse('must be a list of names');
};

const SPEC = {
  n: { type: 'int', default: 3, min: 1, doc: 'a count' },
  mode: {
    type: 'enum',
    default: 'fast',
    values: ['fast', 'exact'],
    aliases: { quick: 'fast' },
    doc: 'a mode',
  },
  list: { type: 'json', default: 'a,b', doc: 'names', parse: names },
} as const;

test('param spec: a JSON parameter is parsed to its typed value, its default too; Params infers the types', () => {
  const p: Params<typeof SPEC> = resolveParams('m', SPEC, { list: ['x'] });
  const list: string[] = p.list;
  const mode: 'fast' | 'exact' = p.mode;
  assert.deepEqual(list, ['x']);
  assert.equal(mode, 'fast');
  assert.deepEqual(resolveParams('m', SPEC).list, ['a', 'b']);
});

test('param spec: a parser refuses a bad value with a UsageError naming the parameter', () => {
  assert.throws(
    () => resolveParams('m', SPEC, { list: 7 }),
    (e: Error) => e.name === 'UsageError' && e.message === "m: parameter 'list' must be a list of names",
  );
});

test('param spec: an enum takes its older names (aliases) as the values they stand for', () => {
  const { params, values } = resolveParamValues('m', SPEC, { mode: 'quick', n: '5', list: 'c' });
  assert.equal(params.mode, 'fast');
  assert.deepEqual(params.list, ['c']);
  // as written down: numbers converted, the alias by its name, JSON as given
  assert.deepEqual(values, { n: 5, mode: 'fast', list: 'c' });
  assert.throws(
    () => resolveParams('m', SPEC, { mode: 'slow' }),
    /m: parameter 'mode' must be one of fast, exact \(or the older quick\), got "slow"/,
  );
});
