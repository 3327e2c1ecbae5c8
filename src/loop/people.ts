/**
 * The loop's people: a sample of the world's users who arrive over simulated days with their activity and
 * the world's daily and weekly rhythm, look at a slate with position bias (examination falls with rank),
 * and take what they examine with the world's true probability (../simulation/oracle.ts: their drifting
 * taste, the item's quality, popularity and age, the hour), lowered by fatigue: genres already taken in the
 * session and items they looked at before without taking. Every person has a random stream of his own, and arrivals have
 * theirs, so what a person does depends only on what he was shown: two runs that serve the same slates
 * are identical, and two variants meet the same arrivals (common random numbers).
 *
 * State lives in typed arrays over (person, item): taken (history or loop take), and looks without a
 * take, which fade with a half-life.
 */
import { AliasTable, Rng } from '../core/random.js';
import { trueProbability } from '../simulation/oracle.js';
import { DAY } from '../simulation/params.js';
import { DAILY_RHYTHM, WEEKLY_RHYTHM, type World } from '../simulation/world.js';
import type { PeopleParams } from './params.js';

const HOUR = 3_600_000;

/** The sessions of one day, in time order: the person (loop index) and the start time of each. */
export interface DaySessions {
  person: Int32Array;
  time: Float64Array;
}

export class People {
  readonly count: number;
  readonly items: number;
  /** World user index of each person. */
  readonly user: Int32Array;
  /** Expected sessions a day on an average weekday. */
  readonly rate: Float64Array;
  /** taken[p * items + i]: 1 when person p has the item (history or a loop take): never taken again. */
  readonly taken: Uint8Array;
  /**
   * looks[p * items + i]: how many times p looked at item i without taking it, fading with a half-life
   * (params.fatigueHalfLifeDays), as of lookTime[p * items + i].
   */
  readonly looks: Float32Array;
  readonly lookTime: Float64Array;
  /** The session's takes per genre (reset when a session starts). */
  readonly genreTakes: Int32Array;
  private readonly behaviour: Rng[];
  private readonly arrivals: Rng;
  private readonly hours = new AliasTable(DAILY_RHYTHM);
  private readonly exam: Float64Array;

  constructor(
    readonly world: World,
    readonly params: PeopleParams,
    count: number,
    seed: number,
    /** Items each world user already has (his history in the store), by world user index. */
    history: (u: number) => ArrayLike<number>,
    k: number,
  ) {
    const U = world.params.users;
    if (count > U) throw new RangeError(`the world has ${U} users, fewer than the ${count} asked for`);
    const M = world.params.items;
    this.count = count;
    this.items = M;
    const pick = new Rng(seed, 11).shuffle(Int32Array.from({ length: U }, (_, u) => u));
    this.user = pick.slice(0, count);
    let mean = 0;
    for (let p = 0; p < count; p++) mean += world.userActivity[this.user[p]!]! / count;
    this.rate = Float64Array.from(
      this.user,
      (u) => params.sessionsPerDay * Math.min(params.activityCap, world.userActivity[u]! / (mean || 1)),
    );
    this.taken = new Uint8Array(count * M);
    if (count * M > 60_000_000)
      throw new RangeError(
        `${count} people x ${M} items is more state than the loop keeps (60 million cells)`,
      );
    this.looks = new Float32Array(count * M);
    this.lookTime = new Float64Array(count * M);
    for (let p = 0; p < count; p++) {
      const h = history(this.user[p]!);
      for (let j = 0; j < h.length; j++) this.taken[p * M + h[j]!] = 1;
    }
    this.genreTakes = new Int32Array(world.params.genres);
    this.behaviour = Array.from({ length: count }, (_, p) => new Rng(seed, 1000 + p));
    this.arrivals = new Rng(seed, 12);
    this.exam = examination(params.positionDecay, k);
  }

  /** P(examine) at each rank 0..k-1. */
  examination(): Float64Array {
    return this.exam;
  }

  /** The sessions of the day starting at `dayStart` (ms, midnight UTC), in time order. */
  sessionsOfDay(dayStart: number): DaySessions {
    const weekly = WEEKLY_RHYTHM[(Math.floor(dayStart / DAY) + 4) % 7]!;
    const person: number[] = [];
    const time: number[] = [];
    for (let p = 0; p < this.count; p++) {
      const n = this.arrivals.poisson(this.rate[p]! * weekly);
      for (let s = 0; s < n; s++) {
        person.push(p);
        time.push(dayStart + this.hours.sample(this.arrivals) * HOUR + this.arrivals.float() * HOUR);
      }
    }
    const order = Int32Array.from(person, (_, j) => j).sort((a, b) => time[a]! - time[b]! || a - b);
    return {
      person: Int32Array.from(order, (j) => person[j]!),
      time: Float64Array.from(order, (j) => time[j]!),
    };
  }

  /** Starts person p's session (genre fatigue starts afresh). */
  startSession(): void {
    this.genreTakes.fill(0);
  }

  /** The behaviour stream of person p (session continuation draws). */
  rng(p: number): Rng {
    return this.behaviour[p]!;
  }

  /** Looks at item i by person p that still count at time t. */
  looksAt(p: number, i: number, t: number): number {
    const cell = p * this.items + i;
    const n = this.looks[cell]!;
    if (n === 0) return 0;
    return n * 2 ** (-(t - this.lookTime[cell]!) / (this.params.fatigueHalfLifeDays * DAY));
  }

  /** Fatigue of item i for person p at time t: genre takes of the session and earlier looks. */
  fatigue(p: number, i: number, t: number): number {
    const mask = this.world.itemGenres[i]!;
    let g = 0;
    for (let k = 0; mask >>> k !== 0; k++) if ((mask >>> k) & 1) g += this.genreTakes[k]!;
    const { genreFatigue, exposureFatigue } = this.params;
    return genreFatigue ** g * exposureFatigue ** this.looksAt(p, i, t);
  }

  /**
   * What person p does with a slate at time t: for each rank, whether he examines it and, if so, whether
   * he takes it (true probability times fatigue). Returns the ranks taken. `items` holds world item
   * indices (-1: an item the world does not know, never taken). Two draws a rank, always, so the stream
   * stays aligned whatever the slate holds.
   */
  respond(p: number, items: Int32Array, t: number): number[] {
    const rng = this.behaviour[p]!;
    const M = this.items;
    const u = this.user[p]!;
    const taken: number[] = [];
    const prob = new Float64Array(items.length);
    // probabilities as of the slate's arrival (genre fatigue from earlier slates of the session)
    for (let r = 0; r < items.length; r++) {
      const i = items[r]!;
      prob[r] =
        i < 0 || this.taken[p * M + i] ? 0 : trueProbability(this.world, u, i, t) * this.fatigue(p, i, t);
    }
    for (let r = 0; r < items.length; r++) {
      const examined = rng.float() < (this.exam[r] ?? 0);
      const draw = rng.float();
      const i = items[r]!;
      if (i < 0) continue;
      if (!examined) continue;
      const cell = p * M + i;
      if (draw >= prob[r]!) {
        this.looks[cell] = this.looksAt(p, i, t) + 1;
        this.lookTime[cell] = t;
      } else {
        this.taken[cell] = 1;
        taken.push(r);
        const mask = this.world.itemGenres[i]!;
        for (let k = 0; mask >>> k !== 0; k++) if ((mask >>> k) & 1) this.genreTakes[k]!++;
      }
    }
    return taken;
  }
}

/** P(examine rank r) = (r + 1)^-decay for r = 0..k-1. */
export function examination(decay: number, k: number): Float64Array {
  return Float64Array.from({ length: k }, (_, r) => (r + 1) ** -decay);
}
