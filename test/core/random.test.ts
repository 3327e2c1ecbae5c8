import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AliasTable, normalQuantile, Rng } from '../../src/core/random.js';

test('the generator is deterministic for a seed and differs across seeds and streams', () => {
  const draw = (seed: number, stream = 0) => {
    const r = new Rng(seed, stream);
    return Array.from({ length: 5 }, () => r.nextUint32());
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  assert.notDeepEqual(draw(7, 0), draw(7, 1));
  const r = new Rng(1);
  for (let k = 0; k < 1000; k++) {
    const x = r.float();
    assert.ok(x >= 0 && x < 1);
  }
});

test('samplers have the right moments (seeded, loose bounds)', () => {
  const r = new Rng(42);
  const n = 20_000;
  let s = 0;
  let s2 = 0;
  let g = 0;
  for (let k = 0; k < n; k++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    g += r.gamma(0.6);
  }
  assert.ok(Math.abs(s / n) < 0.05, `normal mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.05, `normal variance ${s2 / n}`);
  assert.ok(Math.abs(g / n - 0.6) < 0.03, `gamma(0.6) mean ${g / n}`); // mean of Gamma(k, 1) is k
});

test('alias table draws in proportion to the weights; zero weights never', () => {
  const r = new Rng(3);
  const t = new AliasTable([1, 0, 3, 4]);
  const counts = [0, 0, 0, 0];
  const n = 40_000;
  for (let k = 0; k < n; k++) counts[t.sample(r)]!++;
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[0]! / n - 0.125) < 0.01);
  assert.ok(Math.abs(counts[2]! / n - 0.375) < 0.015);
  assert.ok(Math.abs(counts[3]! / n - 0.5) < 0.015);
  const mapped = new AliasTable([1, 1], Int32Array.from([10, 20]));
  assert.ok([10, 20].includes(mapped.sample(r)));
});

test('normal quantile matches known values', () => {
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(normalQuantile(0.01) + 2.326348) < 1e-5);
});
