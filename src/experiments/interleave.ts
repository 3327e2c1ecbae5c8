/**
 * Team-draft interleaving (Radlinski et al. 2008): two rankers' lists merged into one slate, each item
 * remembered with the team (ranker) that placed it; a click is credited to that team. A user prefers the
 * ranker his clicks credited more; the sign test over users with a preference orders the two rankers.
 */
import { Rng } from '../core/random.js';
import { binomialCdfAt } from './distributions.js';
import { fnv1a32 } from './hash.js';

export interface Interleaved<T> {
  items: T[];
  /** The team (0 = A, 1 = B) that placed each item. */
  teams: number[];
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
  for (const [ca, cb] of perUser) {
    clicksA += ca;
    clicksB += cb;
    if (ca > cb) preferA++;
    else if (cb > ca) preferB++;
    else ties++;
  }
  const decided = preferA + preferB;
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
  };
}
