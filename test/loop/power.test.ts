/**
 * Users needed by resampling (usersNeededByPower, src/loop/stats.ts) against the closed forms it should
 * approach: the sign test's and the two-sample test of means', on seeded synthetic users.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { phiInverse } from '../../src/experiments/distributions.js';
import { signTest } from '../../src/experiments/interleave.js';
import { geometricGrid, relativeLift, usersNeededByPower } from '../../src/loop/stats.js';

const z99 = phiInverse(0.995);
const z80 = phiInverse(0.8);

test('geometric grid: ascending integers from lo to hi', () => {
  const g = geometricGrid(5, 100, 1.2);
  assert.equal(g[0], 5);
  assert.equal(g[g.length - 1], 100);
  for (let j = 1; j < g.length; j++) assert.ok(g[j]! > g[j - 1]!);
});

test('sign test: users for 80% power at 1% match the normal approximation', () => {
  // 70% of the users prefer A, 20% B, 10% tie: q = 0.778 of those with a preference, 90% decided
  const rng = new Rng(3);
  const units = Array.from({ length: 5000 }, () => {
    const x = rng.float();
    return x < 0.7 ? 1 : x < 0.9 ? -1 : 0;
  });
  const called = (s: number[]) => {
    const a = s.filter((x) => x > 0).length;
    const b = s.filter((x) => x < 0).length;
    return a > b && signTest(a, b) < 0.01;
  };
  const q = 0.7 / 0.9;
  const closed = ((0.5 * z99 + z80 * Math.sqrt(q * (1 - q))) / (q - 0.5)) ** 2 / 0.9;
  const r = usersNeededByPower(units, called, geometricGrid(5, 500, 1.05), { draws: 400, seed: 1 });
  assert.ok(r.users !== undefined);
  assert.ok(Math.abs(r.users / closed - 1) < 0.2, `${r.users} against ${closed}`);
  // power rises with n along the curve (allowing resampling noise)
  const c = r.curve;
  assert.ok(c[0]!.power < 0.2 && c[c.length - 1]!.power >= 0.8);
});

test('a difference of means: users (both arms) for 80% power at 1% match the two-sample formula', () => {
  const rng = new Rng(4);
  // per user one slate, takes ~ normal(1, 0.5) in arm 0 and normal(1.2, 0.5) in arm 1: a ratio with d = 1
  const units = Array.from({ length: 4000 }, (_, j) => {
    const arm = j % 2;
    return { arm, m: (arm ? 1.2 : 1) + 0.5 * rng.normal() };
  });
  const called = (s: typeof units) => {
    const a = s.filter((u) => u.arm === 0);
    const b = s.filter((u) => u.arm === 1);
    if (a.length < 2 || b.length < 2) return false;
    const l = relativeLift(
      { m: a.map((u) => u.m), d: a.map(() => 1) },
      { m: b.map((u) => u.m), d: b.map(() => 1) },
    );
    return l.p < 0.01 && l.value > 0;
  };
  const perArm = ((z99 + z80) ** 2 * 2 * 0.25) / 0.2 ** 2;
  const r = usersNeededByPower(units, called, geometricGrid(20, 600, 1.05), { draws: 300, seed: 2 });
  assert.ok(r.users !== undefined);
  assert.ok(Math.abs(r.users / (2 * perArm) - 1) < 0.2, `${r.users} against ${2 * perArm}`);
});

test('no effect: never reached on the grid', () => {
  const rng = new Rng(9);
  const units = Array.from({ length: 2000 }, () => (rng.float() < 0.5 ? 1 : -1));
  const called = (s: number[]) => {
    const a = s.filter((x) => x > 0).length;
    const b = s.length - a;
    return a > b && signTest(a, b) < 0.01;
  };
  const r = usersNeededByPower(units, called, [50, 100, 200], { draws: 200, seed: 3 });
  assert.equal(r.users, undefined);
  for (const { power } of r.curve) assert.ok(power < 0.1);
});
