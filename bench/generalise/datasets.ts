/**
 * The data sets of the generalise bench (../generalise.ts), each made in memory as a time-sorted EventLog
 * (plus item metadata when the set has some) and described by the CSV format it is written in and the
 * `reco import events` flags that read it back. Every set is deterministic (fixed seeds); `quick` makes a
 * small version of each.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/random.js';
import { subsetLog } from '../../src/data/splits.js';
import { SIM_EVENT_TYPES } from '../../src/simulation/generate.js';
import { affinity } from '../../src/simulation/oracle.js';
import { resolveParams, type WorldParams } from '../../src/simulation/params.js';
import { simulateWorld, worldItems } from '../../src/simulation/simulate.js';
import type { World } from '../../src/simulation/world.js';
import type { EventLog, ItemRecord } from '../../src/types.js';
import { loadMovieLens, ML100K_DIR, simulatedLog } from '../shared-data.js';

/** How a set's events are written as CSV and imported. User and item are always the first two fields. */
export interface EventFormat {
  /** The first line, or none. */
  header?: string;
  /** The fields after user and item: the value (rating, stars, count) and the time (ms). */
  rest(value: number, timestamp: number): string;
  /** Whether the value column means something (ratings, counts; not clicks). */
  valued: boolean;
  /** Flags of `reco import events FILE` for this format. */
  importArgs: string[];
}

export interface DataSet {
  name: string;
  /** What the set is, in a few words. */
  what: string;
  /** How it was made (source or world parameters), for the JSON report. */
  made: Record<string, unknown>;
  /** The events in time order; `value` is the CSV's value column (rating, stars, play count; 1 for clicks). */
  log: EventLog;
  /** Written as items.csv and imported (`reco import items`) when present. */
  items?: ItemRecord[];
  /** The items file's columns: every field, or titles only (no genres, no dates). */
  itemColumns?: 'all' | 'title';
  format: EventFormat;
  /** Also trained once on every event: the scaling target (50k items, 1M events). */
  scale?: boolean;
}

export interface DataSetSpec {
  name: string;
  /** The set, or why it is skipped. */
  make(quick: boolean): Promise<DataSet | { skipped: string }>;
}

const seconds = (t: number) => String(Math.floor(t / 1000));

/** MovieLens' u.data as CSV with a header: `user,item,rating,timestamp`, seconds since 1970. */
const RATINGS: EventFormat = {
  header: 'user,item,rating,timestamp',
  rest: (v, t) => `${v},${seconds(t)}`,
  valued: true,
  importArgs: [],
};
/** The same columns with ISO 8601 times. */
const RATINGS_ISO: EventFormat = {
  header: 'user,item,rating,timestamp',
  rest: (v, t) => `${v},${new Date(t).toISOString()}`,
  valued: true,
  importArgs: [],
};
/** Implicit clicks: `user,item,timestamp` in milliseconds, imported as type click. */
const CLICKS: EventFormat = {
  header: 'user,item,timestamp',
  rest: (_v, t) => String(t),
  valued: false,
  importArgs: ['--type', 'click'],
};
/** MovieLens 25M's ratings.csv layout (half stars, seconds), its header names mapped by --columns. */
const HALF_STARS: EventFormat = {
  header: 'userId,movieId,rating,timestamp',
  rest: (v, t) => `${v},${seconds(t)}`,
  valued: true,
  importArgs: ['--columns', 'userId=user,movieId=item,rating=value,timestamp=timestamp', '--type', 'rating'],
};
/** Play counts without a header: `user,item,count,seconds`, imported as type play. */
const PLAYS: EventFormat = {
  rest: (v, t) => `${v},${seconds(t)}`,
  valued: true,
  importArgs: ['--columns', 'user,item,value,timestamp', '--type', 'play'],
};

/** Every format, for tests. */
export const FORMATS = { RATINGS, RATINGS_ISO, CLICKS, HALF_STARS, PLAYS };

let movieLens: ReturnType<typeof loadMovieLens> | undefined;

/** MovieLens 100K ratings (quick: every fourth user), with or without its items (titles, genres, dates). */
async function movieLensSet(name: string, quick: boolean, withItems: boolean) {
  if (!existsSync(join(ML100K_DIR, 'u.data')))
    return { skipped: `MovieLens 100K not found in ${ML100K_DIR} (set RECO_ML100K)` };
  movieLens ??= loadMovieLens(ML100K_DIR);
  const { log: full, items } = await movieLens;
  let log = full;
  if (quick) {
    const keep = new Uint8Array(full.length);
    for (let e = 0; e < full.length; e++) keep[e] = full.user[e]! % 8 === 0 ? 1 : 0;
    log = subsetLog(full, keep, 1);
  }
  const set: DataSet = {
    name,
    what: `MovieLens 100K ratings${quick ? ' (every 8th user)' : ''}${withItems ? ', items with titles and genres' : ', events only'}`,
    made: { source: 'ml-100k u.data (+ u.item)', quick },
    log,
    format: RATINGS,
  };
  if (withItems) {
    set.items = items;
    set.itemColumns = 'all';
  }
  return set;
}

/** A world and its events, kept to one event type (or all). */
function simulate(params: WorldParams, keepType?: (typeof SIM_EVENT_TYPES)[number]) {
  const { world, events } = simulateWorld(params);
  let log = simulatedLog(params, events);
  if (keepType !== undefined) {
    const code = SIM_EVENT_TYPES.indexOf(keepType);
    const keep = new Uint8Array(log.length);
    for (let e = 0; e < log.length; e++) keep[e] = log.type[e] === code ? 1 : 0;
    log = subsetLog(log, keep, 1);
  }
  return { world, log };
}

/** The world parameters the bench changed from the defaults (and the preset), for the report. */
function changed(preset: string | undefined, over: Partial<WorldParams>): Record<string, unknown> {
  const out: Record<string, unknown> = preset ? { preset } : {};
  for (const [k, v] of Object.entries(over))
    out[k] = k.endsWith('Ms') ? new Date(v as number).toISOString().slice(0, 10) : v;
  return out;
}

const size = (quick: boolean, full: Partial<WorldParams>, small: Partial<WorldParams>) =>
  quick ? small : full;

/**
 * Implicit clicks over a time span (event-log mode: every exposure a view, the clicks kept): 3,000 users
 * and items, 600,000 generated events (about 100,000 clicks); users live a short while somewhere in the
 * span, items are released through it and age.
 */
function clicksSet(name: string, span: string, time: Partial<WorldParams>): DataSetSpec {
  return {
    name,
    make: async (quick) => {
      const over = {
        ...size(
          quick,
          { users: 3000, items: 3000, events: 600_000 },
          { users: 400, items: 800, events: 80_000 },
        ),
        seed: 11,
        ...time,
      };
      const { world, log } = simulate(resolveParams(undefined, over), 'click');
      return {
        name,
        what: `simulated clicks over ${span}, users active in different eras; items with titles and genres`,
        made: changed(undefined, over),
        log,
        items: worldItems(world),
        itemColumns: 'all',
        format: CLICKS,
      };
    },
  };
}

/** A MovieLens-like ratings world (the movielens preset, 1-5 stars) with its size and span changed. */
function ratingsWorld(quick: boolean, full: Partial<WorldParams>, small: Partial<WorldParams>, seed: number) {
  const over = { ...size(quick, full, small), seed };
  const params = resolveParams('movielens', over);
  return { ...simulate(params), made: changed('movielens', over) };
}

interface Sizes {
  full: Partial<WorldParams>;
  small: Partial<WorldParams>;
}

/** The movielens preset's own size (943 users, 1,682 items, 100,000 ratings); quick: 150 users, 12,000. */
const ML_SIZES: Sizes = { full: {}, small: { users: 150, events: 12_000 } };

function ratingsSet(name: string, what: string, sizes: Sizes, withItems = true, scale = false): DataSetSpec {
  return {
    name,
    make: async (quick) => {
      const { world, log, made } = ratingsWorld(quick, sizes.full, sizes.small, 7);
      const set: DataSet = {
        name,
        what: `${what}${withItems ? '; items with titles and genres' : '; events only'}`,
        made,
        log,
        format: RATINGS_ISO,
      };
      if (withItems) {
        set.items = worldItems(world);
        set.itemColumns = 'all';
      }
      if (scale) set.scale = true;
      return set;
    },
  };
}

/** Full and quick sizes over the same span. */
function spanned(full: Partial<WorldParams>, small: Partial<WorldParams>, time: Partial<WorldParams>): Sizes {
  return { full: { ...full, ...time }, small: { ...small, ...time } };
}

/**
 * 1996-2018, most users rating for a few days and some for years (lifetimes a median 3 days, lognormal sigma
 * 3), each in his own era; 70% of the films released within the span, ageing over two years.
 */
const SPAN_22Y: Partial<WorldParams> = {
  startMs: Date.UTC(1996, 2, 1),
  endMs: Date.UTC(2018, 8, 1),
  lifetimeMedianDays: 3,
  lifetimeSigma: 3,
  catalogShare: 0.3,
  catalogDays: 25_000,
  ageingDays: 730,
  activityMax: 2700,
};

/** A ratings world on the half-star scale in MovieLens 25M's layout (its stars moved by halfStars). */
function halfStarSet(
  name: string,
  what: string,
  sizes: Sizes,
  seed: number,
  withItems: boolean,
): DataSetSpec {
  return {
    name,
    make: async (quick) => {
      const { world, log, made } = ratingsWorld(quick, sizes.full, sizes.small, seed);
      log.value = halfStars(log.value, seed);
      const set: DataSet = {
        name,
        what,
        made: { ...made, halfStars: 'whole stars -0.5 / +0.5 with probability 0.15 each, within 0.5..5' },
        log,
        format: HALF_STARS,
      };
      if (withItems) {
        set.items = worldItems(world);
        set.itemColumns = 'all';
      }
      return set;
    },
  };
}

/**
 * Half stars from whole ones: each rating moves half a star down or up with probability `p` each, within
 * 0.5..5 (so 1 star can become 0.5 and 5 stays 5 or becomes 4.5).
 */
export function halfStars(stars: ArrayLike<number>, seed: number, p = 0.15): Float32Array {
  const rng = new Rng(seed, 5);
  const out = new Float32Array(stars.length);
  for (let k = 0; k < stars.length; k++) {
    const r = rng.float();
    const v = stars[k]! + (r < p ? -0.5 : r < 2 * p ? 0.5 : 0);
    out[k] = Math.min(5, Math.max(0.5, v));
  }
  return out;
}

/** Play-count law: count = min(cap, ceil(c * exp(beta * z) * U^(-1/alpha))), z the standardised affinity. */
export interface PlayLaw {
  c: number;
  beta: number;
  alpha: number;
  cap: number;
}
export const PLAY_LAW: PlayLaw = { c: 5, beta: 1, alpha: 1.1, cap: 100_000 };

/**
 * Heavy-tailed play counts for (user, item) pairs: a Pareto draw (tail index alpha: P(count > x) ~ x^-alpha)
 * scaled by exp(beta * z), z the pair's affinity standardised over all pairs, so that users play most what
 * they like most; capped at `cap`, at least 1.
 */
export function playCounts(
  affinities: ArrayLike<number>,
  seed: number,
  law: PlayLaw = PLAY_LAW,
): Float32Array {
  const n = affinities.length;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += affinities[k]!;
  mean /= Math.max(1, n);
  let sq = 0;
  for (let k = 0; k < n; k++) sq += (affinities[k]! - mean) ** 2;
  const sd = Math.sqrt(sq / Math.max(1, n)) || 1;
  const rng = new Rng(seed, 6);
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const z = (affinities[k]! - mean) / sd;
    const x = law.c * Math.exp(law.beta * z) * rng.floatOpen() ** (-1 / law.alpha);
    out[k] = Math.min(law.cap, Math.max(1, Math.ceil(x)));
  }
  return out;
}

function pairAffinities(world: World, log: EventLog): Float64Array {
  const a = new Float64Array(log.length);
  for (let e = 0; e < log.length; e++) a[e] = affinity(world, log.user[e]!, log.item[e]!, log.timestamp[e]!);
  return a;
}

/** Every set, in table order. */
export const DATA_SETS: DataSetSpec[] = [
  { name: 'ml100k', make: (quick) => movieLensSet('ml100k', quick, false) },
  { name: 'ml100k-items', make: (quick) => movieLensSet('ml100k-items', quick, true) },
  clicksSet('sim-month', 'one month', {
    startMs: Date.UTC(2024, 2, 1),
    endMs: Date.UTC(2024, 3, 1),
    lifetimeMedianDays: 4,
    lifetimeSigma: 1,
    catalogShare: 0.6,
    catalogDays: 365,
    ageingDays: 7,
  }),
  clicksSet('sim-5y', 'five years', {
    startMs: Date.UTC(2019, 0, 1),
    endMs: Date.UTC(2024, 0, 1),
    lifetimeMedianDays: 30,
    lifetimeSigma: 1.2,
    catalogShare: 0.2,
    catalogDays: 1825,
    ageingDays: 120,
  }),
  clicksSet('sim-20y', 'twenty years', {
    startMs: Date.UTC(2004, 0, 1),
    endMs: Date.UTC(2024, 0, 1),
    lifetimeMedianDays: 90,
    lifetimeSigma: 1.2,
    catalogShare: 0.1,
    catalogDays: 3650,
    ageingDays: 365,
  }),
  ratingsSet('sim-1.7k', 'movielens-preset ratings world, 1-5 stars', ML_SIZES, true),
  ratingsSet('sim-1.7k-noitems', 'the same world and events as sim-1.7k', ML_SIZES, false),
  ratingsSet('sim-10k', 'ratings world, 10k-item catalogue (quick: 2.5k), 1-5 stars', {
    full: { users: 2000, items: 10_000, events: 100_000 },
    small: { users: 300, items: 2500, events: 12_000 },
  }),
  ratingsSet(
    'sim-50k',
    'ratings world, 50k-item catalogue (quick: 5k), 1-5 stars',
    {
      full: { users: 20_000, items: 50_000, events: 1_000_000 },
      small: { users: 600, items: 5000, events: 30_000 },
    },
    true,
    true,
  ),
  halfStarSet(
    'halfstar',
    'explicit ratings on a half-star scale (0.5-5.0), MovieLens 25M layout; items with titles and genres',
    spanned(
      { users: 1000, items: 5000, events: 100_000 },
      { users: 200, items: 1500, events: 12_000 },
      {
        startMs: Date.UTC(2015, 0, 1),
        endMs: Date.UTC(2020, 0, 1),
        lifetimeMedianDays: 30,
        catalogDays: 7300,
      },
    ),
    23,
    true,
  ),
  halfStarSet(
    'sparse-22y',
    'half-star ratings over 22 years, few users (610) over a wide catalogue (9.7k items), users active in different eras; events only',
    spanned(
      { users: 610, items: 9700, events: 100_000 },
      { users: 150, items: 2500, events: 15_000 },
      SPAN_22Y,
    ),
    37,
    false,
  ),
  {
    name: 'plays',
    make: async (quick) => {
      const base = { activityMin: 10, startMs: Date.UTC(2023, 0, 1), endMs: Date.UTC(2024, 0, 1) };
      const { world, log, made } = ratingsWorld(
        quick,
        { users: 2000, items: 10_000, events: 100_000, ...base },
        { users: 300, items: 1500, events: 12_000, ...base },
        31,
      );
      log.value = playCounts(pairAffinities(world, log), 31);
      return {
        name: 'plays',
        what: `heavy-tailed play counts per (user, item), 1 to ${PLAY_LAW.cap.toLocaleString('en-US')}; items with titles only`,
        made: { ...made, playCounts: PLAY_LAW },
        log,
        items: worldItems(world),
        itemColumns: 'title',
        format: PLAYS,
      };
    },
  },
];

export const DATA_SET_NAMES = DATA_SETS.map((s) => s.name);
