/**
 * What the loop measures per variant: slates (exposures), takes (clicks), users, sessions and their length
 * in slates, catalogue coverage, genre diversity of slates, and against the oracle: the expected takes of
 * each slate served (its true CTR, from the world's probabilities for that very exposure), of the oracle's
 * best slate for that person at that moment, and their difference (regret). Per-user sums feed the
 * statistics (./stats.ts); interleaved variants also count each user's takes credited to either ranker.
 */
import type { World } from '../simulation/world.js';

export class VariantMetrics {
  slates = 0;
  takes = 0;
  sessions = 0;
  /** Sum of the expected takes of the slates served, and of the oracle's best slates. */
  expected = 0;
  best = 0;
  distinctGenres = 0;
  /** Per person (loop index): takes and slates (0 for people outside this variant). */
  readonly userTakes: Float64Array;
  readonly userSlates: Float64Array;
  /** Per person: expected takes of the slates served (the oracle's probabilities), and sessions. */
  readonly userExpected: Float64Array;
  readonly userSessions: Float64Array;
  /** Interleaving: per person, takes credited to the first and the second ranker. */
  readonly creditA: Float64Array;
  readonly creditB: Float64Array;
  /** Order in which people joined the variant (loop indices). */
  readonly joined: number[] = [];
  readonly shownItems: Uint8Array;

  constructor(
    readonly name: string,
    persons: number,
    items: number,
  ) {
    this.userTakes = new Float64Array(persons);
    this.userSlates = new Float64Array(persons);
    this.userExpected = new Float64Array(persons);
    this.userSessions = new Float64Array(persons);
    this.creditA = new Float64Array(persons);
    this.creditB = new Float64Array(persons);
    this.shownItems = new Uint8Array(items);
  }

  /** One slate served to person p: its items (world indices), takes, expected and best expected takes. */
  slate(world: World, p: number, items: Int32Array, takes: number, expected: number, best: number): void {
    // every slate counts in userSlates: a person without one has not joined yet
    if (this.userSlates[p] === 0) this.joined.push(p);
    this.slates++;
    this.takes += takes;
    this.userSlates[p]! += 1;
    this.userTakes[p]! += takes;
    this.userExpected[p]! += expected;
    this.expected += expected;
    this.best += best;
    let mask = 0;
    for (const i of items)
      if (i >= 0) {
        this.shownItems[i] = 1;
        mask |= world.itemGenres[i]!;
      }
    let g = 0;
    for (let m = mask >>> 0; m !== 0; m >>>= 1) g += m & 1;
    this.distinctGenres += g;
  }

  /** People who were served at least one slate in this variant. */
  get users(): number {
    return this.joined.length;
  }

  /**
   * Per-user sums of `people` (default: everyone in this variant, in joining order); with `pre` (the
   * pre-period's metrics, ./run.ts) also each one's takes and slates before the experiment (CUPED).
   */
  sample(
    pre?: VariantMetrics,
    people: readonly number[] = this.joined,
  ): { m: Float64Array; d: Float64Array; pm?: Float64Array; pd?: Float64Array } {
    return {
      m: Float64Array.from(people, (p) => this.userTakes[p]!),
      d: Float64Array.from(people, (p) => this.userSlates[p]!),
      ...(pre
        ? {
            pm: Float64Array.from(people, (p) => pre.userTakes[p]!),
            pd: Float64Array.from(people, (p) => pre.userSlates[p]!),
          }
        : {}),
    };
  }
}

export interface VariantReport {
  name: string;
  users: number;
  slates: number;
  takes: number;
  /** Takes per slate served (CTR per exposure). */
  ctr: number;
  /** Expected takes per slate from the world's true probabilities (the true CTR of these exposures). */
  trueCtr: number;
  takesPerUser: number;
  /** Mean slates per session. */
  sessionLength: number;
  /** Share of the catalogue shown at least once. */
  coverage: number;
  /** Mean distinct genres in a slate. */
  genreDiversity: number;
  /** Mean of (oracle's best slate's expected takes - this slate's), per slate. */
  regret: number;
  /** (CTR - CTR of random) / (CTR of oracle - CTR of random), when the references ran. */
  normalised?: number;
}

export function report(m: VariantMetrics, items: number): VariantReport {
  const s = Math.max(1, m.slates);
  let covered = 0;
  for (const x of m.shownItems) covered += x;
  return {
    name: m.name,
    users: m.users,
    slates: m.slates,
    takes: m.takes,
    ctr: m.takes / s,
    trueCtr: m.expected / s,
    takesPerUser: m.takes / Math.max(1, m.users),
    sessionLength: m.slates / Math.max(1, m.sessions),
    coverage: covered / items,
    genreDiversity: m.distinctGenres / s,
    regret: (m.best - m.expected) / s,
  };
}

/** Adds the normalised score to each report given the random and the oracle CTR. */
export function normalise(reports: VariantReport[], randomCtr: number, oracleCtr: number): void {
  const span = oracleCtr - randomCtr;
  for (const r of reports) if (span > 0) r.normalised = (r.ctr - randomCtr) / span;
}
