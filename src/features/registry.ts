/**
 * The feature declarations: every feature the ranker sees is declared here once (name, scope, window,
 * description, compute), and the same compute runs for training rows (as of each row's cutoff) and for
 * serving rows (as of now). `reco features` lists this table.
 *
 * A declaration computes one number from a FeatureInput: the point-in-time state (./state.ts), the user's
 * snapshot as of t (./snapshot.ts), the candidate item, t, and what stage 1 said about the candidate.
 * Declarations with `expand` stand for one column per genre of the catalogue or per candidate source,
 * named `name[genre]` / `name[source]`. Missing values are NaN (the trees route them).
 *
 * To add a feature: append a declaration; bundles record their column list (FeatureSpec), so a model is
 * always served with the columns it was trained on.
 */
import type { Csr } from '../types.js';
import type { UserSnapshot } from './snapshot.js';
import { DAY_MS, DECAY_HALF_LIFE_MS, type FeatureState } from './state.js';

/**
 * What a feature reads, which the builder relies on to compute it once per user ('user', 'context': the
 * snapshot and t only) or once per item and state version ('item': the item, t and the state only).
 */
export type FeatureScope = 'user' | 'item' | 'user-item' | 'context';

/** What one feature row is computed from. */
export interface FeatureInput {
  state: FeatureState;
  user: UserSnapshot;
  item: number;
  /** The point in time (ms): only events strictly before it count. */
  t: number;
  /** Per candidate source: the source's score for the item, and its rank in the source's list (NaN if absent). */
  sourceScores: Float64Array;
  sourceRanks: Float64Array;
  /** Per candidate source: the largest score among the user's candidates (for scale-free scores). */
  sourceMax: Float64Array;
  /**
   * Item-item similarities (rows: items, columns sorted and unique; e.g. the item-kNN neighbour matrix),
   * when stage 1 has one.
   */
  similarity?: Csr;
  /**
   * With `similarity`: row j (recentSimilarity[j * similarity.cols ..]) holds the user's recent item j's
   * similarity row spread out densely (0 where not a neighbour), filled per user by the builder.
   */
  recentSimilarity?: Float64Array;
  /** Dense item-item weights (e.g. EASE's B: row j = how item j votes for each item), when stage 1 has them. */
  itemWeights?: DenseItemWeights;
  /**
   * With `itemWeights`: per item i, the sum over the user's recent items j (in recent order) of weight
   * [j, i], filled per user by the builder: ten rows read in order instead of ten scattered reads a
   * candidate, whose cache misses cost more than the rest of the candidate's features.
   */
  recentWeightSum?: Float64Array;
}

/**
 * A dense n x n item-item matrix, row-major, over every item, or over n of them (a restricted EASE) with
 * `index[item]` the item's row and column (-1: not in the matrix).
 */
export interface DenseItemWeights {
  n: number;
  values: Float32Array;
  index?: Int32Array;
}

/** The row and column of `item` in `w` (-1 when it has none). */
export function weightIndex(w: DenseItemWeights, item: number): number {
  const k = w.index ? (w.index[item] ?? -1) : item;
  return k < w.n ? k : -1;
}

export interface FeatureDef {
  name: string;
  scope: FeatureScope;
  /** Time window in words: 'all', '7d', '30d', 'decay 14d', 'last 10 items', 'now'. */
  window: string;
  description: string;
  /** One column per genre or per candidate source (k = its index). */
  expand?: 'genre' | 'source';
  compute(x: FeatureInput, k: number): number;
}

const HOUR_MS = 3_600_000;
const days = (ms: number) => ms / DAY_MS;

/** Similarity of the candidate to the user's recent item j (0 when not among its neighbours). */
function similarityToRecent(x: FeatureInput, m: Csr, j: number): number {
  return x.item < m.cols ? x.recentSimilarity![j * m.cols + x.item]! : 0;
}

/** How many genres the candidate (genres gs) shares with the user's recent item j (genre sets are sets). */
function sharedGenres(x: FeatureInput, gs: Int32Array, j: number): number {
  const has = x.user.recentGenres;
  const at = j * x.user.genreShare.length;
  let both = 0;
  for (let p = 0; p < gs.length; p++) both += has[at + gs[p]!]!;
  return both;
}

export const FEATURES: readonly FeatureDef[] = [
  // ---- user ----
  {
    name: 'u_events',
    scope: 'user',
    window: 'all',
    description: "the user's events before t",
    compute: (x) => x.user.count,
  },
  {
    name: 'u_events_7d',
    scope: 'user',
    window: '7d',
    description: "the user's events in the 7 days before t",
    compute: (x) => x.user.count7d,
  },
  {
    name: 'u_events_30d',
    scope: 'user',
    window: '30d',
    description: "the user's events in the 30 days before t",
    compute: (x) => x.user.count30d,
  },
  {
    name: 'u_mean_rating',
    scope: 'user',
    window: 'all',
    description: "the user's mean rating (NaN without ratings)",
    compute: (x) => x.user.meanRating,
  },
  {
    name: 'u_account_age_days',
    scope: 'user',
    window: 'all',
    description: "days from the user's first event to t",
    compute: (x) => days(x.t - x.user.first),
  },
  {
    name: 'u_genre_breadth',
    scope: 'user',
    window: 'all',
    description: "entropy (nats) of the user's genre shares: breadth of taste",
    compute: (x) => x.user.genreEntropy,
  },
  {
    name: 'u_genre_share',
    scope: 'user',
    window: 'all',
    description: "share of the genre among the user's positive events",
    expand: 'genre',
    compute: (x, g) => x.user.genreShare[g]!,
  },
  // ---- item ----
  {
    name: 'i_events',
    scope: 'item',
    window: 'all',
    description: "the item's events before t (popularity)",
    compute: (x) => x.state.itemCountBefore(x.item, x.t),
  },
  {
    name: 'i_pop_share',
    scope: 'item',
    window: 'all',
    description: "the item's share of all events before t (popularity, scale-free)",
    compute: (x) => {
      const all = x.state.countBefore(x.t);
      return all > 0 ? x.state.itemCountBefore(x.item, x.t) / all : 0;
    },
  },
  {
    name: 'i_events_7d',
    scope: 'item',
    window: '7d',
    description: "the item's events in the 7 days before t",
    compute: (x) => x.state.itemCountIn(x.item, x.t - 7 * DAY_MS, x.t),
  },
  {
    name: 'i_events_30d',
    scope: 'item',
    window: '30d',
    description: "the item's events in the 30 days before t",
    compute: (x) => x.state.itemCountIn(x.item, x.t - 30 * DAY_MS, x.t),
  },
  {
    name: 'i_pop_decayed',
    scope: 'item',
    window: 'decay 14d',
    description: "the item's events weighted 2^-(age / 14 days)",
    compute: (x) => x.state.itemDecayed(x.item, x.t, DECAY_HALF_LIFE_MS),
  },
  {
    name: 'i_trend',
    scope: 'item',
    window: '7d / 30d',
    description:
      "the item's event rate over 7 days over its rate over 30 days, smoothed: (n7 + 1) / (n30 * 7/30 + 1)",
    compute: (x) => {
      const n7 = x.state.itemCountIn(x.item, x.t - 7 * DAY_MS, x.t);
      const n30 = x.state.itemCountIn(x.item, x.t - 30 * DAY_MS, x.t);
      return (n7 + 1) / ((n30 * 7) / 30 + 1);
    },
  },
  {
    name: 'i_mean_rating',
    scope: 'item',
    window: 'all',
    description: "the item's mean rating before t (NaN without ratings)",
    compute: (x) => x.state.itemMeanRating(x.item, x.t),
  },
  {
    name: 'i_age_days',
    scope: 'item',
    window: 'all',
    description: "days since the item's release (or its first event when the release is unknown)",
    compute: (x) => {
      const r = x.item < x.state.release.length ? x.state.release[x.item]! : Number.NaN;
      const since = Number.isNaN(r) ? x.state.itemFirstTime(x.item, x.t) : r;
      return days(x.t - since);
    },
  },
  {
    name: 'i_genre',
    scope: 'item',
    window: 'static',
    description: 'the item has the genre (0/1)',
    expand: 'genre',
    compute: (x, g) => (x.state.itemGenres(x.item).includes(g) ? 1 : 0),
  },
  // ---- user-item ----
  {
    name: 'ui_score',
    scope: 'user-item',
    window: 'all',
    description: "the candidate source's score of the item for the user",
    expand: 'source',
    compute: (x, k) => x.sourceScores[k]!,
  },
  {
    name: 'ui_score_rel',
    scope: 'user-item',
    window: 'all',
    description: "the source's score over its largest score among the user's candidates (scale-free)",
    expand: 'source',
    compute: (x, k) => {
      const m = x.sourceMax[k]!;
      return m > 0 ? x.sourceScores[k]! / m : Number.NaN;
    },
  },
  {
    name: 'ui_rank',
    scope: 'user-item',
    window: 'all',
    description: "the item's rank in the source's candidate list (1 = first; NaN when not in it)",
    expand: 'source',
    compute: (x, k) => x.sourceRanks[k]!,
  },
  {
    name: 'ui_sources',
    scope: 'user-item',
    window: 'all',
    description: 'how many candidate sources proposed the item',
    compute: (x) => {
      let n = 0;
      for (let k = 0; k < x.sourceRanks.length; k++) if (!Number.isNaN(x.sourceRanks[k]!)) n++;
      return n;
    },
  },
  {
    name: 'ui_genre_match',
    scope: 'user-item',
    window: 'all',
    description: "sum of the user's shares of the item's genres (taste match)",
    compute: (x) => {
      const gs = x.state.itemGenres(x.item);
      let s = 0;
      for (let g = 0; g < gs.length; g++) s += x.user.genreShare[gs[g]!]!;
      return s;
    },
  },
  {
    name: 'ui_recent_genre',
    scope: 'user-item',
    window: 'last 10 items',
    description: "share of the user's last 10 items sharing a genre with the item",
    compute: (x) => {
      const u = x.user;
      if (u.recentCount === 0) return Number.NaN;
      const gs = x.state.itemGenres(x.item);
      let shared = 0;
      for (let j = 0; j < u.recentCount; j++) if (sharedGenres(x, gs, j) > 0) shared++;
      return shared / u.recentCount;
    },
  },
  {
    name: 'ui_genre_sim_last',
    scope: 'user-item',
    window: 'last 10 items',
    description: "mean genre Jaccard similarity of the item to the user's last 10 items",
    compute: (x) => {
      const u = x.user;
      if (u.recentCount === 0) return Number.NaN;
      // Jaccard overlap of the two genre sets, 0 when either is empty
      const gs = x.state.itemGenres(x.item);
      let s = 0;
      for (let j = 0; j < u.recentCount; j++) {
        const nb = u.recentGenreCount[j]!;
        if (gs.length === 0 || nb === 0) continue;
        const both = sharedGenres(x, gs, j);
        s += both / (gs.length + nb - both);
      }
      return s / u.recentCount;
    },
  },
  {
    name: 'ui_sim_last_max',
    scope: 'user-item',
    window: 'last 10 items',
    description: "largest item-item (kNN) similarity of the item to the user's last 10 items",
    compute: (x) => {
      const m = x.similarity;
      if (!m || x.user.recentCount === 0) return Number.NaN;
      let best = 0;
      for (let j = 0; j < x.user.recentCount; j++) best = Math.max(best, similarityToRecent(x, m, j));
      return best;
    },
  },
  {
    name: 'ui_sim_last_mean',
    scope: 'user-item',
    window: 'last 10 items',
    description: "mean item-item (kNN) similarity of the item to the user's last 10 items",
    compute: (x) => {
      const m = x.similarity;
      if (!m || x.user.recentCount === 0) return Number.NaN;
      let s = 0;
      for (let j = 0; j < x.user.recentCount; j++) s += similarityToRecent(x, m, j);
      return s / x.user.recentCount;
    },
  },
  {
    name: 'ui_ease_last',
    scope: 'user-item',
    window: 'last 10 items',
    description:
      "the EASE score of the item from the user's last 10 items alone (sum of B[j, item]): his current taste, dense over the catalogue",
    compute: (x) => {
      const w = x.itemWeights;
      const u = x.user;
      if (!w || u.recentCount === 0) return Number.NaN;
      const c = weightIndex(w, x.item);
      if (c < 0) return Number.NaN;
      if (x.recentWeightSum) return x.recentWeightSum[c]!;
      let s = 0;
      for (let j = 0; j < u.recentCount; j++) {
        const r = weightIndex(w, u.recent[j]!);
        if (r >= 0) s += w.values[r * w.n + c]!;
      }
      return s;
    },
  },
  {
    name: 'ui_item_events_30d_at_last',
    scope: 'user-item',
    window: "30d before the user's last event",
    description:
      "the item's events in the 30 days up to the user's last event (popularity when he was last active)",
    compute: (x) =>
      Number.isNaN(x.user.last)
        ? Number.NaN
        : x.state.itemCountIn(x.item, x.user.last - 30 * DAY_MS, Math.min(x.t, x.user.last + 1)),
  },
  {
    name: 'ui_item_decayed_at_last',
    scope: 'user-item',
    window: "decay 14d, at the user's last event",
    description:
      "the item's events weighted 2^-(age / 14 days), as of the user's last event (its buzz when he was last active)",
    compute: (x) =>
      Number.isNaN(x.user.last)
        ? Number.NaN
        : x.state.itemDecayed(x.item, Math.min(x.t, x.user.last + 1), DECAY_HALF_LIFE_MS),
  },
  {
    name: 'ui_item_trend_at_last',
    scope: 'user-item',
    window: "7d / 30d before the user's last event",
    description: "the item's trend (n7 + 1) / (n30 * 7/30 + 1) as of the user's last event",
    compute: (x) => {
      if (Number.isNaN(x.user.last)) return Number.NaN;
      const t = Math.min(x.t, x.user.last + 1);
      const n7 = x.state.itemCountIn(x.item, t - 7 * DAY_MS, t);
      const n30 = x.state.itemCountIn(x.item, t - 30 * DAY_MS, t);
      return (n7 + 1) / ((n30 * 7) / 30 + 1);
    },
  },
  {
    name: 'ui_item_age_at_last',
    scope: 'user-item',
    window: "up to the user's last event",
    description: "days from the item's release (or first event) to the user's last event",
    compute: (x) => {
      if (Number.isNaN(x.user.last)) return Number.NaN;
      const r = x.item < x.state.release.length ? x.state.release[x.item]! : Number.NaN;
      const since = Number.isNaN(r) ? x.state.itemFirstTime(x.item, x.t) : r;
      return days(x.user.last - since);
    },
  },
  // ---- context ----
  {
    name: 'c_hour',
    scope: 'context',
    window: 'now',
    description: 'hour of day of t (UTC, 0-23)',
    compute: (x) => Math.floor(x.t / HOUR_MS) % 24,
  },
  {
    name: 'c_weekday',
    scope: 'context',
    window: 'now',
    description: 'day of the week of t (UTC, 0 = Sunday)',
    compute: (x) => (Math.floor(x.t / DAY_MS) + 4) % 7,
  },
  {
    name: 'c_hours_since_last',
    scope: 'context',
    window: 'now',
    description: "hours from the user's last event to t (recency)",
    compute: (x) => (x.t - x.user.last) / HOUR_MS,
  },
];

/** One column of the feature matrix: a declaration and its expansion index. */
export interface FeatureColumn {
  name: string;
  def: FeatureDef;
  k: number;
}

/** The columns of `defs` for a catalogue's genres and the candidate sources, in declaration order. */
export function featureColumns(
  genres: readonly string[],
  sources: readonly string[],
  defs: readonly FeatureDef[] = FEATURES,
): FeatureColumn[] {
  const cols: FeatureColumn[] = [];
  for (const def of defs) {
    const names = def.expand === 'genre' ? genres : def.expand === 'source' ? sources : undefined;
    if (names) for (let k = 0; k < names.length; k++) cols.push({ name: `${def.name}[${names[k]}]`, def, k });
    else cols.push({ name: def.name, def, k: 0 });
  }
  return cols;
}

/** The declaration named `name` (a plain name, or `name[...]` of an expanded column). */
export function featureDef(name: string): FeatureDef | undefined {
  const base = name.replace(/\[.*\]$/, '');
  return FEATURES.find((d) => d.name === base);
}
