import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BucketRange,
  chooseVariation,
  fnv1a32,
  getBucketRanges,
  getEqualWeights,
  hash,
  inNamespace,
} from '../../src/experiments/hash.js';
import { growthbookSkip, readGrowthbook } from './fixtures.js';

interface HashCases {
  hash: [string, string, number, number | null][];
  getBucketRange: [string, [number, number, number[] | null], BucketRange[]][];
  chooseVariation: [string, number, BucketRange[], number][];
  inNamespace: [string, string, [string, number, number], boolean][];
  getEqualWeights: [number, number[]][];
}

/** GrowthBook's harness truncates to 8 decimals before comparing ranges and weights. */
const trunc = (x: number) => Math.floor(x * 1e8) / 1e8;

test('fnv1a32 of the README checks', () => {
  assert.equal(fnv1a32(''), 2166136261);
  assert.equal(fnv1a32('a'), 3826002220);
  assert.equal(hash('seed', 'a', 2), 0.0505);
});

test('every case of hash-cases.json', { skip: growthbookSkip }, () => {
  const cases = readGrowthbook<HashCases>('hash-cases.json');
  let n = 0;
  for (const [seed, value, version, expected] of cases.hash) {
    assert.equal(hash(seed, value, version), expected, `hash(${seed}, ${value}, ${version})`);
    n++;
  }
  for (const [name, [k, coverage, weights], expected] of cases.getBucketRange) {
    const got = getBucketRanges(k, coverage, weights);
    assert.deepEqual(
      got.map((r) => r.map(trunc)),
      expected.map((r) => r.map(trunc)),
      name,
    );
    n++;
  }
  for (const [name, x, ranges, expected] of cases.chooseVariation) {
    assert.equal(chooseVariation(x, ranges), expected, name);
    n++;
  }
  for (const [name, user, ns, expected] of cases.inNamespace) {
    assert.equal(inNamespace(user, ns), expected, name);
    n++;
  }
  for (const [k, expected] of cases.getEqualWeights) {
    assert.deepEqual(getEqualWeights(k).map(trunc), expected.map(trunc), `getEqualWeights(${k})`);
    n++;
  }
  assert.equal(n, 63);
});
