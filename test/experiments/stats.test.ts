/** Every case of GrowthBook's stats-cases.json, compared under its own rounding rule. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BayesianConfig,
  bayesianTest,
  checkSrm,
  computeTheta,
  effectMoments,
  type FrequentistTest,
  frequentistDiff,
  frequentistTest,
  getRisk,
  type TestConfig,
} from '../../src/experiments/stat-tests.js';
import type { RegressionAdjustedStatistic, Statistic } from '../../src/experiments/statistics.js';
import { growthbookSkip, readGrowthbook } from './fixtures.js';

type Json = number | string | null | boolean | Json[] | { [k: string]: Json };
interface Case {
  name?: string;
  test?: string;
  config?: TestConfig & BayesianConfig;
  a?: Statistic;
  b?: Statistic;
  expected: Json;
  decimals: number | null;
  checks?: string[];
  [k: string]: unknown;
}
interface Cases {
  frequentist: Case[];
  frequentistProperties: (Case & { tuning_parameters: { below: number; near: number; above: number } })[];
  bayesian: Case[];
  bayesianQuantile: Case[];
  bayesianProperties: (Case & { configs: { absolute: BayesianConfig; relative: BayesianConfig } })[];
  getRisk: (Case & { mu: number; sigma: number })[];
  frequentistDiff: (Case & {
    mean_a: number;
    mean_b: number;
    mean_a_unadjusted?: number;
    relative: boolean;
  })[];
  computeTheta: Case[];
  effectMomentsRatioCuped: (Case & { difference_type: 'relative' | 'absolute' })[];
  srm: {
    cases: {
      users: number[];
      weights: number[];
      expected: number;
      decimals: number | null;
      comment: string;
    }[];
  };
}

const value = (x: Json): Json => (x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x);

/** Rounded to `decimals` on both sides (half a unit of slack); exact (relative 1e-12) when null. */
function close(actual: unknown, expected: Json, decimals: number | null, where: string): void {
  const e = value(expected);
  if (Array.isArray(e)) {
    assert.ok(Array.isArray(actual), `${where}: not an array`);
    for (let k = 0; k < e.length; k++) close((actual as unknown[])[k], e[k]!, decimals, `${where}[${k}]`);
    return;
  }
  if (e !== null && typeof e === 'object') {
    for (const [k, x] of Object.entries(e))
      close((actual as Record<string, unknown>)[k], x, decimals, `${where}.${k}`);
    return;
  }
  if (typeof e !== 'number' || !Number.isFinite(e)) {
    assert.equal(actual, e, where);
    return;
  }
  assert.equal(typeof actual, 'number', `${where}: ${String(actual)} is not a number`);
  const a = actual as number;
  const tol = decimals === null ? 1e-12 * Math.max(1, Math.abs(e)) : 0.5 * 10 ** -decimals + 1e-12;
  assert.ok(Math.abs(a - e) <= tol, `${where}: ${a} against ${e} (decimals ${decimals})`);
}

function checked(result: Record<string, unknown>, c: Case, prefix: string): number {
  const expected = c.expected as Record<string, Json>;
  const fields = c.checks ?? Object.keys(expected);
  for (const f of fields) close(result[f], expected[f]!, c.decimals, `${prefix} ${c.name}: ${f}`);
  return 1;
}

test('every case of stats-cases.json', { skip: growthbookSkip }, () => {
  const cases = readGrowthbook<Cases>('stats-cases.json');
  let n = 0;
  for (const c of cases.frequentist)
    n += checked(
      frequentistTest(c.test as FrequentistTest, c.a!, c.b!, c.config) as unknown as Record<string, unknown>,
      c,
      'frequentist',
    );
  for (const c of [...cases.bayesian, ...cases.bayesianQuantile])
    n += checked(bayesianTest(c.a!, c.b!, c.config) as unknown as Record<string, unknown>, c, 'bayesian');
  for (const c of cases.getRisk) {
    close(getRisk(c.mu, c.sigma), c.expected, c.decimals, `getRisk ${c.name}`);
    n++;
  }
  for (const c of cases.frequentistDiff) {
    const got = frequentistDiff(c.mean_a, c.mean_b, c.relative, c.mean_a_unadjusted ?? c.mean_a);
    close(got, c.expected, c.decimals, `frequentistDiff ${c.mean_a} ${c.mean_b}`);
    n++;
  }
  for (const c of cases.computeTheta) {
    const theta = computeTheta(c.a as RegressionAdjustedStatistic, c.b as RegressionAdjustedStatistic);
    close(theta, c.expected_theta as Json, c.decimals, `computeTheta ${c.name}`);
    n++;
  }
  for (const c of cases.effectMomentsRatioCuped) {
    const m = effectMoments(c.a!, c.b!, c.difference_type);
    close(
      { point_estimate: m.pointEstimate, standard_error: m.standardError },
      c.expected,
      c.decimals,
      `effectMomentsRatioCuped ${c.name}`,
    );
    n++;
  }
  for (const c of cases.srm.cases) {
    close(checkSrm(c.users, c.weights), c.expected, c.decimals, `srm ${c.comment}`);
    n++;
  }
  assert.equal(n, 54, 'every numeric case (the other two of the 56 are the properties below)');
});

test('the properties of stats-cases.json', { skip: growthbookSkip }, () => {
  const cases = readGrowthbook<Cases>('stats-cases.json');
  const p = cases.frequentistProperties[0]!;
  const ci = (nStar: number) =>
    frequentistTest('SequentialTwoSidedTTest', p.a!, p.b!, {
      ...p.config,
      sequential_tuning_parameter: nStar,
    }).ci;
  const [below, near, above] = [
    ci(p.tuning_parameters.below),
    ci(p.tuning_parameters.near),
    ci(p.tuning_parameters.above),
  ];
  const contains = (x: number[], y: number[]) => x[0]! < y[0]! && x[1]! > y[1]!;
  assert.ok(contains(below, above) && contains(below, near) && contains(above, near));
  const q = cases.bayesianProperties[0]!;
  const abs = bayesianTest(q.a!, q.b!, q.configs.absolute).chanceToWin;
  const rel = bayesianTest(q.a!, q.b!, q.configs.relative).chanceToWin;
  assert.ok(Math.round((abs - rel) * 100) === 0, `${abs} against ${rel}`);
});
