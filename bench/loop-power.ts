/**
 * Users needed to order ranked above popularity: the A/B test (CUPED lift of CTR per exposure, as the
 * acceptance A/B reads it) against interleaving (sign test over users' preferences), by one rule for both:
 * the smallest number of users at which 80% of bootstrap samples of that many users (drawn from a run's
 * users) call ranked better at the 1% level (`usersNeededByPower`, src/loop/stats.ts). Reads the files
 * `bench/loop-power-run.ts` writes, one a seed: `node dist/bench/loop-power.js FILE...`.
 */
import { readFileSync } from 'node:fs';
import { Rng } from '../src/core/random.js';
import {
  type CreditRule,
  creditDifferenceTest,
  type InterleavedSlate,
  STANDARD_CREDIT,
  signTest,
  userCredits,
} from '../src/experiments/interleave.js';
import { geometricGrid, relativeLift, usersNeededByPower } from '../src/loop/stats.js';

interface AbUser {
  p: number;
  arm: number;
  m: number;
  d: number;
  pm: number;
  pd: number;
}
type IlSlate = [number, number, number, number[], number[], number[]?];

const ALPHA = 0.01;
const DRAWS = Number(process.env.POWER_DRAWS ?? 200);
const RULES: { name: string; rule: CreditRule }[] = [
  { name: 'clicks (standard)', rule: STANDARD_CREDIT },
  { name: 'slates won', rule: { credit: 'all', per: 'slate' } },
  { name: 'common prefix neutral, clicks', rule: { credit: 'prefix', per: 'click' } },
  { name: 'common prefix neutral, slates won', rule: { credit: 'prefix', per: 'slate' } },
  { name: 'shared items neutral, clicks', rule: { credit: 'shared', per: 'click' } },
];

function abCalled(cuped: boolean) {
  return (sample: AbUser[]) => {
    const arm = (k: number) => {
      const s = sample.filter((u) => u.arm === k);
      return {
        m: s.map((u) => u.m),
        d: s.map((u) => u.d),
        ...(cuped ? { pm: s.map((u) => u.pm), pd: s.map((u) => u.pd) } : {}),
      };
    };
    const a = arm(0);
    const b = arm(1);
    if (a.m.length < 2 || b.m.length < 2) return false;
    const l = relativeLift(a, b);
    return !l.error && l.p < ALPHA && l.value > 0;
  };
}

/** Ranked (A) preferred at 1% by the sign test over the users' preferences. */
function ilCalled(sample: [number, number][]): boolean {
  let a = 0;
  let b = 0;
  for (const [ca, cb] of sample) {
    if (ca > cb) a++;
    else if (cb > ca) b++;
  }
  return a > b && signTest(a, b) < ALPHA;
}

/** Ranked (A) better at 1% by the t-test of the users' credit differences. */
function ilCalledT(sample: [number, number][]): boolean {
  const t = creditDifferenceTest(sample);
  return t.mean > 0 && t.p < ALPHA;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const median = (x: number[]) => {
  const s = [...x].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const summary = (x: (number | undefined)[], digits = 0) => {
  const v = x.filter((y): y is number => y !== undefined);
  if (v.length === 0) return 'not reached';
  const g = (y: number) => y.toFixed(digits);
  return `median ${g(median(v))} (range ${g(Math.min(...v))}-${g(Math.max(...v))}; ${v.map(g).join(', ')})${v.length < x.length ? `, ${x.length - v.length} not reached` : ''}`;
};

const files = process.argv.slice(2);
const table: Record<string, (number | undefined)[]> = {};
const record = (k: string, v: number | undefined) => {
  table[k] ??= [];
  table[k].push(v);
};
type Data = { seed: number; ab?: AbUser[]; il?: IlSlate[]; 'il-neutral'?: IlSlate[]; label: string };
const datasets: Data[] = files.map((file) => ({
  ...(JSON.parse(readFileSync(file, 'utf8')) as Data),
  label: file,
}));
// every seed's users together (each person of each seed one unit): the effects of all runs at once,
// less at the mercy of one run's draw than any seed alone
if (datasets.length > 1)
  datasets.push({
    seed: 0,
    label: 'pooled',
    ab: datasets.flatMap((d, k) => (d.ab ?? []).map((u) => ({ ...u, p: u.p + 100_000 * k }))),
    ...Object.fromEntries(
      (['il', 'il-neutral'] as const).map((key) => [
        key,
        datasets.flatMap((d, k) =>
          (d[key] ?? []).map((x): IlSlate => [x[0] + 100_000 * k, x[1], x[2], x[3], x[4], x[5]]),
        ),
      ]),
    ),
  });
for (const data of datasets) {
  const pooled = data.label === 'pooled';
  console.log(pooled ? '\nall seeds pooled' : `\nseed ${data.seed} (${data.label})`);
  const push = (k: string, v: number | undefined) => record(pooled ? `pooled: ${k}` : k, v);
  let abNeed: number | undefined;
  if (data.ab) {
    const users = data.ab;
    const grid = geometricGrid(20, 4000, 1.08);
    for (const cuped of [true, false]) {
      const all = relativeLift(
        ...([0, 1].map((k) => {
          const s = users.filter((u) => u.arm === k);
          return {
            m: s.map((u) => u.m),
            d: s.map((u) => u.d),
            ...(cuped ? { pm: s.map((u) => u.pm), pd: s.map((u) => u.pd) } : {}),
          };
        }) as [never, never]),
      );
      const r = usersNeededByPower(users, abCalled(cuped), grid, { draws: DRAWS, seed: data.seed });
      const name = cuped ? 'A/B, CUPED' : 'A/B, unadjusted';
      console.log(
        `  ${name}: ${users.length} users, lift ${pct(all.value)} [${pct(all.ci[0])}, ${pct(all.ci[1])}], p ${all.p.toExponential(2)}; users for 80% power at 1%: ${r.users?.toFixed(0) ?? 'not reached'}`,
      );
      push(name, r.users);
      if (cuped) abNeed = r.users;
    }
  }
  for (const [key, design, rules] of [
    ['il', 'team draft', RULES],
    ['il-neutral', 'neutral team draft', RULES.slice(0, 2)],
  ] as const) {
    const il = data[key];
    if (!il?.length) continue;
    const byUser = new Map<number, InterleavedSlate[]>();
    for (const [person, , commonPrefix, teams, clicked, shared] of il) {
      let l = byUser.get(person);
      if (!l) byUser.set(person, (l = []));
      l.push({ teams, commonPrefix, clicked, ...(shared ? { shared } : {}) });
    }
    let prefixClicks = 0;
    let sharedClicks = 0;
    let clicks = 0;
    let prefixLen = 0;
    let sharedLen = 0;
    for (const [, , cp, , clicked, shared] of il) {
      prefixLen += cp;
      sharedLen += shared?.length ?? 0;
      for (const r of clicked) {
        clicks++;
        if (r < cp) prefixClicks++;
        if (shared?.includes(r)) sharedClicks++;
      }
    }
    console.log(
      `  ${design}: ${byUser.size} users, ${il.length} slates, mean common prefix ${(prefixLen / il.length).toFixed(2)} ranks, ${pct(prefixClicks / Math.max(1, clicks))} of ${clicks} clicks on it; mean shared ${(sharedLen / il.length).toFixed(2)} ranks, ${pct(sharedClicks / Math.max(1, clicks))} of the clicks on them`,
    );
    const grid = geometricGrid(5, 2000, 1.08);
    for (const { name: ruleName, rule } of rules) {
      const name = `${design}: ${ruleName}`;
      const units = [...byUser.values()].map((s) => userCredits(s, rule));
      let a = 0;
      let b = 0;
      for (const [ca, cb] of units) {
        if (ca > cb) a++;
        else if (cb > ca) b++;
      }
      const r = usersNeededByPower(units, ilCalled, grid, { draws: DRAWS, seed: data.seed });
      console.log(
        `  ${name}: prefer ranked ${a}, popularity ${b}, ties ${units.length - a - b} (${pct(a / Math.max(1, a + b))} of those with a preference), p ${signTest(a, b).toExponential(2)}; users for 80% power at 1%: ${r.users?.toFixed(0) ?? 'not reached'}${abNeed !== undefined && r.users !== undefined ? ` (${(r.users / abNeed).toFixed(3)} of the CUPED A/B's)` : ''}`,
      );
      push(`interleaving: ${name}`, r.users);
      if (abNeed !== undefined && r.users !== undefined) push(`ratio: ${name}`, r.users / abNeed);
      const tt = creditDifferenceTest(units);
      const rt = usersNeededByPower(units, ilCalledT, grid, { draws: DRAWS, seed: data.seed });
      console.log(
        `  ${name}, t-test of credit differences: mean ${tt.mean.toFixed(3)}, p ${tt.p.toExponential(2)}; users for 80% power at 1%: ${rt.users?.toFixed(0) ?? 'not reached'}${abNeed !== undefined && rt.users !== undefined ? ` (${(rt.users / abNeed).toFixed(3)} of the CUPED A/B's)` : ''}`,
      );
      push(`interleaving: ${name}, t-test`, rt.users);
      if (rt.users !== undefined) {
        // calibration under no difference at the size found: each user's credits swapped on a coin (the
        // rankers' labels exchangeable), the share of samples either test calls at 1% in either direction
        const rng = new Rng(data.seed, 31);
        const n = Math.round(rt.users);
        let t = 0;
        let sg = 0;
        const reps = 4000;
        for (let d = 0; d < reps; d++) {
          const sample: [number, number][] = [];
          for (let j = 0; j < n; j++) {
            const [ca, cb] = units[rng.int(units.length)]!;
            sample.push(rng.float() < 0.5 ? [ca, cb] : [cb, ca]);
          }
          if (creditDifferenceTest(sample).p < ALPHA) t++;
          let a = 0;
          let b = 0;
          for (const [ca, cb] of sample) {
            if (ca > cb) a++;
            else if (cb > ca) b++;
          }
          if (signTest(a, b) < ALPHA) sg++;
        }
        console.log(
          `    no difference (credits swapped on a coin), ${n} users: called at 1% by the t-test in ${pct(t / reps)}, by the sign test in ${pct(sg / reps)} of ${reps} samples`,
        );
        push(`false positives at 1%: ${name}, t-test (%)`, (100 * t) / reps);
      }
      if (abNeed !== undefined && rt.users !== undefined) push(`ratio: ${name}, t-test`, rt.users / abNeed);
    }
  }
}
console.log(`\nover ${files.length} seed(s), users for 80% power at 1% (bootstrap, ${DRAWS} draws a point):`);
for (const [k, v] of Object.entries(table))
  console.log(`  ${k}: ${summary(v, k.includes('ratio') ? 3 : k.includes('false positives') ? 2 : 0)}`);
