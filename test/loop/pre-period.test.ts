/**
 * The loop's pre-period (days before the experiment, everyone served the control) and the CUPED lift it
 * allows (../../src/loop/stats.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import { DEFAULT_PEOPLE } from '../../src/loop/params.js';
import { runLoop } from '../../src/loop/run.js';
import { pairedLift, relativeLift } from '../../src/loop/stats.js';
import { loadWorld } from '../../src/simulation/oracle.js';
import { resolveParams } from '../../src/simulation/params.js';
import { tempDir } from '../helpers/cli.js';
import { simulatedStore } from '../helpers/world.js';

const DAY = 86_400_000;

test('a pre-period serves everyone the control, apart from the experiment days and their metrics', async () => {
  const store = await simulatedStore(join(tempDir('reco-loop-pre-'), 'a.db'), {
    ...resolveParams('tiny', { seed: 3 }),
    events: 2000,
  });
  try {
    const base = {
      world: await loadWorld(store),
      history: await store.loadEventLog(),
      users: 40,
      days: 2,
      preDays: 3,
      k: 5,
      seed: 4,
      people: DEFAULT_PEOPLE,
    };
    const days: number[] = [];
    const x = await runLoop({
      ...base,
      arms: [
        { name: 'control', strategy: 'random' },
        { name: 'treatment', strategy: 'oracle' },
      ],
      onDay: (d) => {
        days.push(d);
      },
    });
    const y = await runLoop({
      ...base,
      arms: [
        { name: 'control', strategy: 'random' },
        { name: 'treatment', strategy: 'random' },
      ],
    });
    assert.deepEqual(days, [0, 1], 'the experiment days only are reported');
    assert.equal(x.experimentStart, x.start + 3 * DAY);
    assert.equal(x.end, x.start + 5 * DAY);
    const pre = x.pre!;
    assert.ok(pre.slates > 0 && pre.users > 0);
    const inVariants = x.variants.reduce((s, v) => s + v.slates, 0);
    assert.equal(
      inVariants + pre.slates,
      x.slates,
      'each slate counted once, in the pre-period or a variant',
    );
    // whatever his arm, each person met the control in the pre-period: the same slates, the same takes
    assert.deepEqual(Array.from(pre.userTakes), Array.from(y.pre!.userTakes));
    assert.deepEqual(Array.from(pre.userSlates), Array.from(y.pre!.userSlates));
    assert.notDeepEqual(
      x.variants.map((v) => v.takes),
      y.variants.map((v) => v.takes),
      'the experiment days differ',
    );
  } finally {
    await store.close();
  }
});

test("CUPED on the pre-period's ratio narrows the lift's interval when users' rates persist", () => {
  const rng = new Rng(9, 1);
  /** Users whose rate (takes a slate) is their own, the same before and during the experiment. */
  const users = (n: number, lift: number) => {
    const m: number[] = [];
    const d: number[] = [];
    const pm: number[] = [];
    const pd: number[] = [];
    for (let j = 0; j < n; j++) {
      const rate = 0.5 + 2 * rng.float();
      const slates = 5 + rng.int(20);
      const before = 5 + rng.int(20);
      d.push(slates);
      m.push(slates * rate * (1 + lift) + rng.normal());
      pd.push(before);
      pm.push(before * rate + rng.normal());
    }
    return { m, d, pm, pd };
  };
  const a = users(400, 0);
  const b = users(400, 0.05);
  const plain = relativeLift({ m: a.m, d: a.d }, { m: b.m, d: b.d });
  const cuped = relativeLift(a, b);
  const width = (l: { ci: [number, number] }) => l.ci[1] - l.ci[0];
  assert.ok(width(cuped) < 0.7 * width(plain), `${width(cuped)} against ${width(plain)}`);
  assert.ok(cuped.ci[0] <= 0.05 && 0.05 <= cuped.ci[1], `the true lift inside ${cuped.ci}`);
  assert.ok(cuped.p < plain.p);
});

test('pairedLift: the same people in two runs, what they share cancels', () => {
  const rng = new Rng(11, 2);
  const d: number[] = [];
  const ma: number[] = [];
  const mb: number[] = [];
  for (let j = 0; j < 300; j++) {
    const rate = 0.3 + 2 * rng.float(); // people differ a lot, and the same in both runs
    const slates = 1 + rng.int(30);
    d.push(slates);
    ma.push(slates * rate + 0.2 * rng.normal());
    mb.push(slates * rate * 1.1 + 0.2 * rng.normal());
  }
  const paired = pairedLift({ m: ma, d }, { m: mb, d });
  const unpaired = relativeLift({ m: ma, d }, { m: mb, d });
  assert.ok(Math.abs(paired.value - 0.1) < 0.01, `${paired.value}`);
  assert.ok(paired.ci[0] < 0.1 && 0.1 < paired.ci[1]);
  assert.ok(paired.ci[1] - paired.ci[0] < 0.25 * (unpaired.ci[1] - unpaired.ci[0]), 'paired: far narrower');
  assert.ok(paired.p < 1e-6);
  // the same run against itself: no difference
  assert.equal(pairedLift({ m: ma, d }, { m: ma, d }).value, 0);
});
