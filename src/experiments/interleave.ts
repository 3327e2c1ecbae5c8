/**
 * Team-draft interleaving (Radlinski et al. 2008): two rankers' lists merged into one slate, each item
 * remembered with the team (ranker) that placed it; a click is credited to that team. A user prefers the
 * ranker his clicks credited more; the sign test over users with a preference orders the two rankers.
 */
import { Rng } from '../core/random.js';
import { binomialCdfAt, studentCdf } from './distributions.js';
import { fnv1a32 } from './hash.js';

export interface Interleaved<T> {
  items: T[];
  /** The team that placed each item: 0 = A, 1 = B, NEUTRAL = both lists hold it (no team credited). */
  teams: number[];
}

/** The team of an item both rankers proposed: clicks on it are credited to neither. */
export const NEUTRAL = 2;

/**
 * How two lists are merged:
 * - `team-draft` (the default, what `interleave:A,B` serves): Radlinski et al.'s team draft, every item
 *   credited to the team that drafted it;
 * - `neutral`: team draft over the items only one list holds, the items both lists hold placed once as
 *   neither team's (teamDraftNeutral). Measured in the closed loop it needs more users than team draft
 *   (docs/loop.md): an item both lists hold still says which ranker put it higher.
 */
export type InterleavingMethod = 'team-draft' | 'neutral';

/** Two lists merged into a slate of `k` by `method`, the coin seeded by `seed`. */
export function interleave<T>(
  a: readonly T[],
  b: readonly T[],
  k: number,
  seed: string,
  method: InterleavingMethod = 'team-draft',
): Interleaved<T> {
  return method === 'neutral' ? teamDraftNeutral(a, b, k, seed) : teamDraft(a, b, k, seed);
}

/**
 * Team-draft: the team with fewer picks (a coin, seeded by `seed`, breaks ties) takes its best item not
 * yet in the slate, until `k` items or both lists are used up.
 */
export function teamDraft<T>(a: readonly T[], b: readonly T[], k: number, seed: string): Interleaved<T> {
  const rng = new Rng(fnv1a32(seed));
  const taken = new Set<T>();
  const items: T[] = [];
  const teams: number[] = [];
  const next = [0, 0];
  const lists = [a, b];
  const picks = [0, 0];
  const available = (t: number) => {
    const list = lists[t]!;
    while (next[t]! < list.length && taken.has(list[next[t]!]!)) next[t]!++;
    return next[t]! < list.length;
  };
  while (items.length < k) {
    const hasA = available(0);
    const hasB = available(1);
    if (!hasA && !hasB) break;
    let team: number;
    if (!hasA) team = 1;
    else if (!hasB) team = 0;
    else if (picks[0]! !== picks[1]!) team = picks[0]! < picks[1]! ? 0 : 1;
    else team = rng.nextUint32() & 1;
    const item = lists[team]![next[team]!]!;
    taken.add(item);
    items.push(item);
    teams.push(team);
    picks[team]!++;
  }
  return { items, teams };
}

/**
 * Team draft with the items both lists hold made neutral. An item in both lists would be shown whichever
 * ranker served, so a click on it says nothing about which is better; crediting it to the team that drafted
 * it first adds noise (and favours the ranker that puts the shared items higher). Dropping those clicks
 * after a plain team draft is biased the other way: the team that drafted more shared items is left with
 * fewer credited places. So the shared items are taken out of the draft:
 * - before round r, every shared item whose better rank (the smaller of its ranks in the two lists) is at
 *   most r is placed, as NEUTRAL, in the order of those ranks;
 * - in round r each team adds its best item that the other list does not hold, the coin (seeded by `seed`)
 *   deciding which goes first; a team with none left adds nothing.
 * The two teams' items of a round are adjacent and their order a fair coin, so where clicks do not depend
 * on the items (only on the rank) neither team gains credit, whatever the two lists share.
 */
export function teamDraftNeutral<T>(
  a: readonly T[],
  b: readonly T[],
  k: number,
  seed: string,
): Interleaved<T> {
  const rng = new Rng(fnv1a32(seed));
  const rankB = new Map<T, number>();
  for (let r = 0; r < b.length; r++) if (!rankB.has(b[r]!)) rankB.set(b[r]!, r);
  const shared: { item: T; best: number; worst: number }[] = [];
  const seen = new Set<T>();
  for (let r = 0; r < a.length; r++) {
    const item = a[r]!;
    const rb = rankB.get(item);
    if (rb === undefined || seen.has(item)) continue;
    seen.add(item);
    shared.push({ item, best: Math.min(r, rb), worst: Math.max(r, rb) });
  }
  shared.sort((x, y) => x.best - y.best || x.worst - y.worst);
  const own = [a.filter((x) => !seen.has(x)), b.filter((x) => !seen.has(x))] as const;
  const items: T[] = [];
  const teams: number[] = [];
  const taken = new Set<T>();
  const next = [0, 0];
  const nextOwn = (t: number): T | undefined => {
    const list = own[t]!;
    while (next[t]! < list.length && taken.has(list[next[t]!]!)) next[t]!++;
    return next[t]! < list.length ? list[next[t]!] : undefined;
  };
  const place = (item: T, team: number) => {
    if (items.length >= k) return;
    taken.add(item);
    items.push(item);
    teams.push(team);
  };
  let s = 0;
  for (let round = 0; items.length < k; round++) {
    while (s < shared.length && shared[s]!.best <= round) place(shared[s++]!.item, NEUTRAL);
    const hasA = nextOwn(0) !== undefined;
    const hasB = nextOwn(1) !== undefined;
    if (!hasA && !hasB) {
      if (s >= shared.length) break;
      continue;
    }
    const first = rng.nextUint32() & 1;
    for (const t of [first, 1 - first]) {
      const item = nextOwn(t);
      if (item !== undefined) place(item, t);
    }
  }
  return { items, teams };
}

/**
 * Length of the common prefix of two lists (at most `k`): the ranks at which both rankers put the same
 * items in the same order. Team draft places these items first, in that order, and only the coin decides
 * which team is credited with each, so a click on one says nothing about which ranker is better.
 */
export function commonPrefix<T>(a: readonly T[], b: readonly T[], k = Number.POSITIVE_INFINITY): number {
  const n = Math.min(a.length, b.length, k);
  let j = 0;
  while (j < n && a[j] === b[j]) j++;
  return j;
}

/**
 * The ranks of `slate` whose item is in both lists `a` and `b` (as given to the team draft). Whichever
 * team placed such an item, the other ranker would have shown it too, so a click on it says little about
 * which ranker is better; clicks on the other ranks are on items only one ranker proposed.
 */
export function sharedRanks<T>(slate: readonly T[], a: readonly T[], b: readonly T[]): number[] {
  const inA = new Set(a);
  const inB = new Set(b);
  const out: number[] = [];
  for (let r = 0; r < slate.length; r++) if (inA.has(slate[r]!) && inB.has(slate[r]!)) out.push(r);
  return out;
}

export interface InterleavingResult {
  /** The two rankers, A then B. */
  rankers: [string, string];
  /** Users whose credited clicks favoured A, B, or neither (ties, or no click). */
  preferA: number;
  preferB: number;
  ties: number;
  /** Shares of the users with a preference. */
  shareA: number;
  shareB: number;
  /** Two-sided sign test of preferA against preferB. */
  p: number;
  /** Credited clicks in all. */
  clicksA: number;
  clicksB: number;
  /**
   * Mean over users of A's credited clicks minus B's (ties and users without a click count 0), and the
   * two-sided p of its t-test (creditDifferenceTest): more sensitive than the sign test when users'
   * preferences differ in strength (the closed loop's: docs/loop.md).
   */
  meanDifference: number;
  pDifference: number;
}

/** Two-sided sign test p-value of `x` successes against `y` (ties dropped). */
export function signTest(x: number, y: number): number {
  const n = x + y;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialCdfAt(Math.min(x, y), n, 0.5));
}

/** The interleaving result of per-user credited clicks. */
export function interleavingResult(
  rankers: [string, string],
  perUser: Iterable<[number, number]>,
): InterleavingResult {
  let preferA = 0;
  let preferB = 0;
  let ties = 0;
  let clicksA = 0;
  let clicksB = 0;
  const users: [number, number][] = [];
  for (const [ca, cb] of perUser) {
    users.push([ca, cb]);
    clicksA += ca;
    clicksB += cb;
    if (ca > cb) preferA++;
    else if (cb > ca) preferB++;
    else ties++;
  }
  const decided = preferA + preferB;
  const difference = creditDifferenceTest(users);
  return {
    rankers,
    preferA,
    preferB,
    ties,
    shareA: decided === 0 ? 0 : preferA / decided,
    shareB: decided === 0 ? 0 : preferB / decided,
    p: signTest(preferA, preferB),
    clicksA,
    clicksB,
    meanDifference: difference.mean,
    pDifference: difference.p,
  };
}

/**
 * One interleaved slate as the credit rules read it: the team of each rank, the lists' common prefix, the
 * ranks whose item both lists hold (`sharedRanks`; needed by the `shared` rule), the ranks clicked.
 */
export interface InterleavedSlate {
  teams: readonly number[];
  commonPrefix: number;
  shared?: readonly number[];
  clicked: readonly number[];
}

/**
 * How a user's clicks on interleaved slates become his credits for A and B.
 * - `credit`: `all` credits every click to the team that placed the item (Radlinski et al. 2008);
 *   `prefix` credits none of the clicks on the lists' common prefix (the coin alone chose their team, so
 *   they carry no preference, only noise), the rest as `all`; `shared` credits none of the clicks on items
 *   both lists hold (`InterleavedSlate.shared`). After a plain team draft that rule is biased: the team
 *   that drafted more of the shared items keeps fewer credited places (it is kept for the bench's
 *   comparison; teamDraftNeutral makes the shared items neutral without the bias).
 * - `per`: `click` sums the credited clicks over his slates; `slate` scores each slate first (won by the
 *   team with more credited clicks, or tied) and counts the slates each team won (the per-impression
 *   outcome of Chapelle et al. 2012, aggregated per user).
 */
export interface CreditRule {
  credit: 'all' | 'prefix' | 'shared';
  per: 'click' | 'slate';
}

export const STANDARD_CREDIT: CreditRule = { credit: 'all', per: 'click' };

/** A user's credits [A, B] over his interleaved slates under `rule`. */
export function userCredits(
  slates: Iterable<InterleavedSlate>,
  rule: CreditRule = STANDARD_CREDIT,
): [number, number] {
  let a = 0;
  let b = 0;
  for (const s of slates) {
    let sa = 0;
    let sb = 0;
    for (const r of s.clicked) {
      if (rule.credit === 'prefix' && r < s.commonPrefix) continue;
      if (rule.credit === 'shared' && s.shared?.includes(r)) continue;
      if (s.teams[r] === 0) sa++;
      else if (s.teams[r] === 1) sb++;
    }
    if (rule.per === 'click') {
      a += sa;
      b += sb;
    } else if (sa > sb) a++;
    else if (sb > sa) b++;
  }
  return [a, b];
}

/**
 * The paired t-test of the users' credit differences (A's credits minus B's, ties and users without a
 * click counting 0): the mean difference and its two-sided p-value (Student's t, n - 1 degrees of
 * freedom). Unlike the sign test it weighs a user by how strongly his clicks prefer one ranker.
 */
export function creditDifferenceTest(perUser: Iterable<readonly [number, number]>): {
  mean: number;
  p: number;
} {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (const [a, b] of perUser) {
    const d = a - b;
    n++;
    s += d;
    s2 += d * d;
  }
  if (n < 2) return { mean: n ? s : 0, p: 1 };
  const mean = s / n;
  const variance = (s2 - n * mean * mean) / (n - 1);
  if (!(variance > 0)) return { mean, p: mean === 0 ? 1 : 0 };
  const t = mean / Math.sqrt(variance / n);
  return { mean, p: Math.min(1, 2 * studentCdf(-Math.abs(t), n - 1)) };
}
