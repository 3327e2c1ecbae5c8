/**
 * The parameters of a synthetic world and the named presets. Every number that shapes the world lives
 * here, so a world is reproducible from (params, seed) alone and its header records all of them.
 */
import { UsageError } from '../errors.js';

export interface WorldParams {
  seed: number;
  users: number;
  items: number;
  /** Events emitted in total (every type; only ratings when `ratingsOnly`). */
  events: number;
  /** Dimension of the latent user and item factors. */
  dim: number;
  /** Number of genres (names from ./names.ts). */
  genres: number;

  // --- Items
  /** Share of items carrying 1, 2, 3, ... genres (normalised; assigned by quota, so matched exactly). */
  genresPerItemShares: number[];
  /** Genre prevalence: genre k (0-based, in name order) is drawn with weight (k + 1)^-genreZipf. */
  genreZipf: number;
  /** Item factor = itemGenreWeight * mean(genre vectors) + itemNoise * noise. */
  itemGenreWeight: number;
  itemNoise: number;
  /** Standard deviation of the item quality (a bias every user sees). */
  qualitySd: number;
  /** Item popularity weight at popularity rank r (1-based), a Zipf-Mandelbrot law with an exponential
   *  stretched-exponential cut-off in the tail:
   *  (r + popularityOffset)^-popularityZipf * exp(-popularityTailDecay * (r / items)^popularityTailShape). */
  popularityZipf: number;
  popularityOffset: number;
  popularityTailDecay: number;
  popularityTailShape: number;
  /** Correlation between an item's quality and its popularity rank (0..1). */
  qualityPopularityCorr: number;
  /** Share of items released before the simulated span (the back catalogue), and how far back (days). */
  catalogShare: number;
  catalogDays: number;
  /** Ageing: exposure weight falls as evergreen + (1 - evergreen) * exp(-age / ageingDays). */
  ageingDays: number;
  evergreen: number;

  // --- Users
  /** Mean number of genres a user likes (1 + Poisson(mean - 1)); breadth varies per user. */
  userBreadthMean: number;
  /** User factor = userGenreWeight * taste-weighted genre vectors + userNoise * noise. */
  userGenreWeight: number;
  userNoise: number;
  /** Share of users whose taste drifts towards a new genre over their active window, and how far (0..1). */
  driftShare: number;
  driftScale: number;
  /** Events per user: activityMin + a heavy-tailed excess (lognormal, Weibull or gamma), capped at
   *  activityMax. */
  activityKind: 'lognormal' | 'weibull' | 'gamma';
  /** lognormal: sigma of log(excess); Weibull and gamma: the shape. */
  activityShape: number;
  activityMin: number;
  activityMax: number;
  /** Saturation of the excess at c = activitySoftCap median excesses, c * tanh(x / c) (0 = none):
   *  even the keenest users run out of time. */
  activitySoftCap: number;
  /** How long a user stays active: lognormal days (median, sigma), capped by the span. */
  lifetimeMedianDays: number;
  lifetimeSigma: number;

  // --- Time (ms since the epoch)
  startMs: number;
  endMs: number;

  // --- Exposure and response
  /** Share of exposures drawn from the user's genres (the rest from global popularity). */
  tasteExposureShare: number;
  /** Tenure: users start with what everyone watches and work into the catalogue. At the end of a user's
   *  active window this share of exposures comes from "back catalogue" tables whose popularity weights
   *  are flattened to weight^exploreFlatten (linearly from 0 at the start of the window). */
  tenureExploreShare: number;
  exploreFlatten: number;
  /** Mean exposures per session. */
  sessionSize: number;
  /** Logit of P(interaction) = intercept + affinityScale * user.item + qualityWeight * quality
   *  + popularityWeight * log(relative popularity * ageing) + contextWeight * rhythm(t). */
  intercept: number;
  affinityScale: number;
  /** Share of the affinity's variance explained by the latent taste p_u(t).q_i (0..1); the rest is an
   *  idiosyncratic term fixed per (user, item) pair, of the taste's spread, that the oracle knows and no
   *  model can learn from other pairs (1: taste only; `reco study noise` lowers it). */
  tasteShare: number;
  qualityWeight: number;
  popularityWeight: number;
  contextWeight: number;
  /** Emit ratings only (MovieLens-like): every interaction is a rating, each (user, item) at most once. */
  ratingsOnly: boolean;
  /** Event log mode: P(rating | click), and the dislike rate of exposures that were not clicked. */
  rateGivenClick: number;
  dislikeRate: number;
  /** Rating latent = affinity + quality + N(0, ratingNoise); cut into 1..5 at these shares. */
  ratingNoise: number;
  ratingShares: number[];
}

const DAY = 86_400_000;

export const DEFAULT_PARAMS: WorldParams = {
  seed: 1,
  users: 1000,
  items: 1000,
  events: 100_000,
  dim: 16,
  genres: 18,
  genresPerItemShares: [0.5, 0.35, 0.15],
  genreZipf: 0.9,
  itemGenreWeight: 1,
  itemNoise: 0.6,
  qualitySd: 0.5,
  popularityZipf: 0.9,
  popularityOffset: 10,
  popularityTailDecay: 0,
  popularityTailShape: 1,
  qualityPopularityCorr: 0.5,
  catalogShare: 0.7,
  catalogDays: 3650,
  ageingDays: 60,
  evergreen: 0.3,
  userBreadthMean: 2.5,
  userGenreWeight: 1,
  userNoise: 0.5,
  driftShare: 0.2,
  driftScale: 0.7,
  activityKind: 'lognormal',
  activityShape: 1.2,
  activityMin: 1,
  activityMax: 100_000,
  activitySoftCap: 0,
  lifetimeMedianDays: 90,
  lifetimeSigma: 1.2,
  startMs: Date.UTC(2023, 0, 1),
  endMs: Date.UTC(2024, 0, 1),
  tasteExposureShare: 0.6,
  tenureExploreShare: 0.5,
  exploreFlatten: 0.3,
  sessionSize: 12,
  intercept: -2.5,
  affinityScale: 3,
  tasteShare: 1,
  qualityWeight: 1,
  popularityWeight: 0.3,
  contextWeight: 0.3,
  ratingsOnly: false,
  rateGivenClick: 0.15,
  dislikeRate: 0.02,
  ratingNoise: 0.7,
  ratingShares: [0.06, 0.11, 0.27, 0.34, 0.22],
};

/**
 * Presets: named partial parameter sets over the defaults. `movielens` targets the summary statistics of
 * MovieLens 100K (943 users, 1682 items, 100,000 ratings, each user >= 20, item-popularity Gini 0.63,
 * 1.72 genres per item, rating shares 6/11/27/34/21 %, Sep 1997 - Apr 1998); the shape parameters were
 * tuned by hand so that `reco stats --compare` lands within 10 % of the real data set.
 */
export const PRESETS: Record<string, Partial<WorldParams>> = {
  movielens: {
    users: 943,
    items: 1682,
    events: 100_000,
    ratingsOnly: true,
    genresPerItemShares: [0.495, 0.338, 0.128, 0.03, 0.0065, 0.0025],
    genreZipf: 1.0,
    activityKind: 'gamma',
    activityShape: 0.7,
    activitySoftCap: 5,
    activityMin: 20,
    activityMax: 737,
    popularityZipf: 1.07,
    popularityOffset: 40,
    popularityTailDecay: 4.76,
    popularityTailShape: 2.06,
    popularityWeight: 0.43,
    tasteExposureShare: 0.85,
    tenureExploreShare: 0.64,
    exploreFlatten: 0.54,
    driftShare: 0.5,
    driftScale: 1,
    affinityScale: 5,
    userBreadthMean: 2,
    userNoise: 0.3,
    catalogShare: 0.667,
    catalogDays: 3650,
    ageingDays: 120,
    evergreen: 0.537,
    lifetimeMedianDays: 10,
    lifetimeSigma: 2,
    intercept: 0,
    startMs: Date.UTC(1997, 8, 20),
    endMs: Date.UTC(1998, 3, 23),
    ratingShares: [0.0611, 0.1137, 0.2715, 0.3417, 0.212],
  },
  /** 2,000 events: tests and quick demos. */
  tiny: { users: 50, items: 80, events: 2000, dim: 8, genres: 6 },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

/** Defaults, then the preset, then explicit overrides; sizes not given follow from the events count. */
export function resolveParams(preset: string | undefined, overrides: Partial<WorldParams>): WorldParams {
  let base: WorldParams = { ...DEFAULT_PARAMS };
  if (preset !== undefined) {
    const p = PRESETS[preset];
    if (!p) throw new UsageError(`unknown preset "${preset}" (known: ${presetNames().join(', ')})`);
    base = { ...base, ...p };
  } else if (overrides.events !== undefined && overrides.users === undefined) {
    // Sizes scale with the events count: ~100 events per user, half as many items as users.
    const users = Math.max(10, Math.round(overrides.events / 100));
    base.users = users;
    base.items = Math.max(10, Math.min(200_000, Math.round(users / 2)));
  }
  const params: WorldParams = { ...base };
  for (const [k, v] of Object.entries(overrides))
    if (v !== undefined) (params as unknown as Record<string, unknown>)[k] = v;
  validateParams(params);
  return params;
}

export function validateParams(p: WorldParams): void {
  const int = (name: keyof WorldParams, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = p[name] as number;
    if (!Number.isInteger(v) || v < min || v > max)
      throw new UsageError(`${name} must be an integer in ${min}..${max} (got ${v})`);
  };
  int('users', 1, 50_000_000);
  int('items', 1, 10_000_000);
  int('events', 0, 500_000_000);
  int('dim', 1, 512);
  int('genres', 1, 32);
  int('seed', 0, 0xffffffff);
  if (!(p.endMs > p.startMs)) throw new UsageError('the time span is empty (endMs <= startMs)');
  if (!['lognormal', 'weibull', 'gamma'].includes(p.activityKind))
    throw new UsageError(`activityKind must be lognormal, weibull or gamma (got "${p.activityKind}")`);
  for (const name of [
    'tasteExposureShare',
    'tenureExploreShare',
    'driftShare',
    'catalogShare',
    'evergreen',
    'tasteShare',
  ] as const)
    if (!(p[name] >= 0 && p[name] <= 1)) throw new UsageError(`${name} must be in 0..1 (got ${p[name]})`);
  if (p.ratingShares.length !== 5) throw new UsageError('ratingShares needs 5 values');
  if (p.genresPerItemShares.length === 0 || p.genresPerItemShares.length > p.genres)
    throw new UsageError(`genresPerItemShares needs 1..${p.genres} values`);
  if (p.activityMin < 0 || p.activityMax < p.activityMin)
    throw new UsageError('activityMin/activityMax: need 0 <= activityMin <= activityMax');
  if (p.ratingsOnly && p.activityMin > p.items)
    throw new UsageError(
      `activityMin (${p.activityMin}) exceeds the items (${p.items}) a ratings-only user can rate`,
    );
  if (p.ratingsOnly && p.events > p.users * Math.min(p.activityMax, p.items))
    throw new UsageError(
      `${p.events} ratings do not fit: ${p.users} users can rate at most min(activityMax, items) = ${Math.min(p.activityMax, p.items)} items each`,
    );
  if (p.events < p.users * p.activityMin)
    throw new UsageError(
      `${p.events} events are fewer than users * activityMin = ${p.users * p.activityMin}`,
    );
}

export { DAY };
