/**
 * Team draft's credit rules (src/experiments/interleave.ts): the common prefix, per-click and per-slate
 * credit, and that no rule favours a team when clicks do not depend on the items (seeded simulations).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/core/random.js';
import {
  type CreditRule,
  commonPrefix,
  creditDifferenceTest,
  type InterleavedSlate,
  NEUTRAL,
  sharedRanks,
  signTest,
  teamDraft,
  teamDraftNeutral,
  userCredits,
} from '../../src/experiments/interleave.js';

test('the common prefix is where both lists hold the same items in the same order', () => {
  assert.equal(commonPrefix(['a', 'b', 'c'], ['a', 'b', 'd']), 2);
  assert.equal(commonPrefix(['a', 'b'], ['b', 'a']), 0);
  assert.equal(commonPrefix(['a', 'b', 'c'], ['a', 'b', 'c'], 2), 2);
  assert.equal(commonPrefix(['a'], ['a', 'b']), 1);
  assert.equal(commonPrefix([], ['a']), 0);
});

test('team draft places the common prefix first, in its order, whatever the coin', () => {
  const rng = new Rng(7);
  for (let t = 0; t < 300; t++) {
    const shared = Array.from({ length: rng.int(5) }, (_, j) => `s${j}`);
    const a = [...shared, ...Array.from({ length: 6 }, () => `i${rng.int(12)}`)].filter(
      (x, j, l) => l.indexOf(x) === j,
    );
    const b = [...shared, ...Array.from({ length: 6 }, () => `i${rng.int(12)}`)].filter(
      (x, j, l) => l.indexOf(x) === j,
    );
    const L = commonPrefix(a, b, 10);
    assert.ok(L >= shared.length);
    const d = teamDraft(a, b, 10, `seed-${t}`);
    assert.deepEqual(d.items.slice(0, L), a.slice(0, L));
  }
});

test('credit rules: clicks on the common prefix count for neither team; slates are won by the team with more clicks', () => {
  const slates: InterleavedSlate[] = [
    { teams: [0, 1, 0, 1], commonPrefix: 2, clicked: [0, 1, 2] }, // prefix clicks at 0 (A) and 1 (B), then A
    { teams: [1, 0, 1, 0], commonPrefix: 0, clicked: [0, 2, 3] }, // B, B, A
    { teams: [0, 1, 0, 1], commonPrefix: 0, clicked: [] },
  ];
  assert.deepEqual(userCredits(slates, { credit: 'all', per: 'click' }), [3, 3]);
  assert.deepEqual(userCredits(slates, { credit: 'prefix', per: 'click' }), [2, 2]);
  assert.deepEqual(userCredits(slates, { credit: 'all', per: 'slate' }), [1, 1]);
  assert.deepEqual(userCredits(slates, { credit: 'prefix', per: 'slate' }), [1, 1]);
  assert.deepEqual(userCredits([slates[0]!], { credit: 'prefix', per: 'slate' }), [1, 0]);
  assert.deepEqual(userCredits([slates[0]!], { credit: 'all', per: 'slate' }), [1, 0]);
  // identical rankers: everything is the common prefix, so no preference at all under the prefix rule
  const same = teamDraft(['a', 'b', 'c'], ['a', 'b', 'c'], 3, 'x');
  const s = {
    teams: same.teams,
    commonPrefix: commonPrefix(['a', 'b', 'c'], ['a', 'b', 'c']),
    clicked: [0, 1, 2],
  };
  assert.deepEqual(userCredits([s], { credit: 'prefix', per: 'click' }), [0, 0]);
});

test('no credit rule favours a team when clicks depend on the rank only (2,000 simulated users, seeded)', () => {
  const rng = new Rng(11);
  const rules: CreditRule[] = [
    { credit: 'all', per: 'click' },
    { credit: 'all', per: 'slate' },
    { credit: 'prefix', per: 'click' },
    { credit: 'prefix', per: 'slate' },
  ];
  const prefer = rules.map(() => [0, 0]);
  for (let u = 0; u < 2000; u++) {
    const slates: InterleavedSlate[] = [];
    for (let q = 0; q < 1 + rng.int(6); q++) {
      // two different rankers over 30 items that share a random prefix, clicked by rank alone (1/r)
      const shared = Array.from({ length: rng.int(4) }, (_, j) => j);
      const rest = (o: number) => Array.from({ length: 10 }, (_, j) => 3 + ((j * 7 + o) % 27));
      const a = [...shared, ...rest(rng.int(27))].filter((x, j, l) => l.indexOf(x) === j);
      const b = [...shared, ...rest(rng.int(27))].filter((x, j, l) => l.indexOf(x) === j);
      const d = teamDraft(a, b, 10, `u${u}-${q}`);
      const clicked = d.items.flatMap((_, r) => (rng.float() < 0.5 / (r + 1) ? [r] : []));
      slates.push({ teams: d.teams, commonPrefix: commonPrefix(a, b, 10), clicked });
    }
    rules.forEach((rule, j) => {
      const [ca, cb] = userCredits(slates, rule);
      if (ca > cb) prefer[j]![0]!++;
      else if (cb > ca) prefer[j]![1]!++;
    });
  }
  for (const [j, [a, b]] of prefer.entries()) {
    assert.ok(a + b > 300, `rule ${j}: users with a preference`);
    assert.ok(signTest(a!, b!) > 0.01, `rule ${JSON.stringify(rules[j])}: ${a} against ${b}`);
  }
});

test('the prefix rule drops only noise: a ranker better below a shared top is found with fewer users', () => {
  // A's items below the shared prefix are clicked twice as often as B's; the prefix is clicked often
  const rng = new Rng(5);
  const users = (rule: CreditRule, n: number) => {
    let a = 0;
    let b = 0;
    for (let u = 0; u < n; u++) {
      const slates: InterleavedSlate[] = [];
      for (let q = 0; q < 3; q++) {
        const la = [0, 1, 2, 10, 11, 12, 13, 14, 15, 16];
        const lb = [0, 1, 2, 20, 21, 22, 23, 24, 25, 26];
        const d = teamDraft(la, lb, 10, `${u}-${q}`);
        const clicked = d.items.flatMap((item, r) => {
          const appeal = item < 10 ? 0.6 : item < 20 ? 0.2 : 0.1;
          return rng.float() < appeal ? [r] : [];
        });
        slates.push({ teams: d.teams, commonPrefix: 3, clicked });
      }
      const [ca, cb] = userCredits(slates, rule);
      if (ca > cb) a++;
      else if (cb > ca) b++;
    }
    return { a, b, p: signTest(a, b) };
  };
  const all = users({ credit: 'all', per: 'click' }, 400);
  const prefix = users({ credit: 'prefix', per: 'click' }, 400);
  assert.ok(all.a > all.b && prefix.a > prefix.b);
  assert.ok(prefix.a / (prefix.a + prefix.b) > all.a / (all.a + all.b), 'a clearer preference');
  assert.ok(prefix.p < all.p, `p ${prefix.p} against ${all.p}`);
});

test('the t-test of credit differences: a one-sample t-test of A minus B over users', () => {
  // differences 1..5: t = 3 / sqrt(2.5 / 5) = 4.243 with 4 degrees of freedom, p = 0.01324 (scipy's ttest_1samp)
  const r = creditDifferenceTest([
    [1, 0],
    [2, 0],
    [3, 0],
    [5, 1],
    [5, 0],
  ]);
  assert.equal(r.mean, 3);
  assert.ok(Math.abs(r.p - 0.013236) < 1e-4, String(r.p));
  assert.equal(creditDifferenceTest([[2, 1]]).p, 1);
  assert.equal(
    creditDifferenceTest([
      [1, 1],
      [0, 0],
      [3, 3],
    ]).p,
    1,
  );
});

test('the t-test of credit differences holds its level with heavy-tailed activity (seeded, 60 users, 2,000 experiments)', () => {
  // users click 1 to ~100 times (log-normal), each credited click a fair coin between the teams
  const rng = new Rng(17);
  let flagged = 0;
  const runs = 2000;
  for (let e = 0; e < runs; e++) {
    const users: [number, number][] = [];
    for (let u = 0; u < 60; u++) {
      const n = Math.min(200, Math.round(rng.logNormal(2, 1)));
      let a = 0;
      for (let j = 0; j < n; j++) if (rng.float() < 0.5) a++;
      users.push([a, n - a]);
    }
    if (creditDifferenceTest(users).p < 0.01) flagged++;
  }
  // 1% expected: 20 of 2,000 (binomial sd 4.5)
  assert.ok(flagged >= 5 && flagged <= 40, `${flagged} of ${runs} flagged at 1%`);
});

/** Two random lists of 10 over 25 items, sharing `shared` items placed at the top of A and the bottom of B. */
function lopsided(rng: Rng, shared: number): [number[], number[]] {
  const pool = Array.from({ length: 25 }, (_, j) => 100 + j);
  rng.shuffle(pool);
  const common = pool.slice(0, shared);
  const a = [...common, ...pool.slice(shared, 10 + 5)].slice(0, 10);
  const b = [...pool.slice(15, 25 - shared), ...common].slice(0, 10);
  return [a, b];
}

test("the neutral draft: items both lists hold are nobody's, the others keep their team and their order", () => {
  const rng = new Rng(3);
  for (let t = 0; t < 500; t++) {
    const [a, b] = lopsided(rng, rng.int(8));
    if (rng.float() < 0.5) rng.shuffle(b);
    const k = 4 + rng.int(10);
    const d = teamDraftNeutral(a, b, k, `s${t}`);
    assert.deepEqual(d, teamDraftNeutral(a, b, k, `s${t}`), 'the same seed, the same slate');
    assert.equal(d.items.length, Math.min(k, new Set([...a, ...b]).size));
    assert.equal(new Set(d.items).size, d.items.length);
    d.items.forEach((item, r) => {
      const want = a.includes(item) && b.includes(item) ? NEUTRAL : a.includes(item) ? 0 : 1;
      assert.equal(d.teams[r], want, `item ${item} at ${r}`);
    });
    assert.deepEqual(
      sharedRanks(d.items, a, b),
      d.teams.flatMap((x, r) => (x === NEUTRAL ? [r] : [])),
    );
    for (const [team, list] of [a, b].entries()) {
      const mine = d.items.filter((_, r) => d.teams[r] === team);
      assert.deepEqual(
        mine,
        list.filter((x) => mine.includes(x)),
        'each team in its own order',
      );
      assert.deepEqual(mine, list.filter((x) => !(a.includes(x) && b.includes(x))).slice(0, mine.length));
    }
    // the two teams take turns: neither gets two items ahead while the other has items of its own left
    const own = [a, b].map((l) => l.filter((x) => !(a.includes(x) && b.includes(x))).length);
    const placed = [0, 0];
    for (const x of d.teams) {
      if (x === NEUTRAL) continue;
      placed[x]!++;
      assert.ok(Math.abs(placed[0]! - placed[1]!) <= 1 || placed[0] === own[0] || placed[1] === own[1]);
    }
  }
  const same = teamDraftNeutral(['a', 'b', 'c'], ['a', 'b', 'c'], 3, 'x');
  assert.deepEqual(same, { items: ['a', 'b', 'c'], teams: [NEUTRAL, NEUTRAL, NEUTRAL] });
  // a shared item goes in at the round of its better rank: 'x' is A's 4th but B's 1st
  assert.equal(teamDraftNeutral(['a1', 'a2', 'a3', 'x'], ['x', 'b2', 'b3', 'b4'], 5, 'y').items[0], 'x');
});

test('where clicks depend on the rank only, the neutral draft credits neither team; dropping shared clicks after a team draft favours the team with fewer of them', () => {
  // A puts the shared items at its top, B at its bottom; the expected credit difference a slate under
  // clicks of probability 1/rank, averaged over 4,000 seeded pairs of lists and coins
  const rng = new Rng(17);
  const expected = (teams: readonly number[], counted: (r: number) => boolean) =>
    teams.reduce((s, x, r) => s + (counted(r) && x !== NEUTRAL ? (x === 0 ? 1 : -1) / (r + 1) : 0), 0);
  let neutral = 0;
  let dropped = 0;
  let plain = 0;
  const n = 4000;
  for (let t = 0; t < n; t++) {
    const [a, b] = lopsided(rng, 1 + rng.int(5));
    const d = teamDraftNeutral(a, b, 10, `n${t}`);
    neutral += expected(d.teams, () => true);
    const c = teamDraft(a, b, 10, `n${t}`);
    const shared = new Set(sharedRanks(c.items, a, b));
    dropped += expected(c.teams, (r) => !shared.has(r));
    plain += expected(c.teams, () => true);
  }
  // one slate's click weight is sum 1/r over 10 ranks = 2.93; the coin's noise on the mean is about 0.01
  assert.ok(Math.abs(neutral / n) < 0.02, `neutral draft ${neutral / n}`);
  assert.ok(
    dropped / n < -0.5,
    `team draft, shared clicks dropped: ${dropped / n} (A drafts the shared items)`,
  );
  assert.ok(Math.abs(plain / n) < 0.02, `team draft, every click credited: ${plain / n}`);
});
