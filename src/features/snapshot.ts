/**
 * A user's aggregates as of time t (his events strictly before t), computed once per (user, t) and shared
 * by every candidate row of that user: counts over windows, first and last event, mean rating, genre
 * shares and his last N items. Reused across users (`snapshotUser` refills the same buffers).
 */
import { DAY_MS, type FeatureState } from './state.js';

export interface UserSnapshot {
  user: number;
  t: number;
  count: number;
  count7d: number;
  count30d: number;
  /** Time of his first and last event before t (NaN when none). */
  first: number;
  last: number;
  meanRating: number;
  /** Share of each genre over his positive events (weights > 0), genre by genre; sums to 1 when any. */
  genreShare: Float64Array;
  /** Entropy (nats) of genreShare: breadth of taste. */
  genreEntropy: number;
  /** His last N distinct items, newest first (recent.length may be below N). */
  recent: Int32Array;
  recentCount: number;
  /** How many of the recent items carry each genre. */
  recentGenre: Float64Array;
  /** recentGenres[j * genres + g] = 1 when recent item j has genre g (per-request, for the user-item columns). */
  recentGenres: Uint8Array;
  /** How many genres recent item j has. */
  recentGenreCount: Int32Array;
}

export function emptySnapshot(genres: number, recentN: number): UserSnapshot {
  return {
    user: -1,
    t: Number.NaN,
    count: 0,
    count7d: 0,
    count30d: 0,
    first: Number.NaN,
    last: Number.NaN,
    meanRating: Number.NaN,
    genreShare: new Float64Array(genres),
    genreEntropy: Number.NaN,
    recent: new Int32Array(recentN),
    recentCount: 0,
    recentGenre: new Float64Array(genres),
    recentGenres: new Uint8Array(recentN * genres),
    recentGenreCount: new Int32Array(recentN),
  };
}

/** Fills `s` with user u's aggregates as of t from `state`. */
export function snapshotUser(state: FeatureState, u: number, t: number, s: UserSnapshot): UserSnapshot {
  s.user = u;
  s.t = t;
  const n = state.userCountBefore(u, t);
  s.count = n;
  s.count7d = 0;
  s.count30d = 0;
  s.first = n > 0 ? state.eventTime(state.userEvent(u, 0)) : Number.NaN;
  s.last = n > 0 ? state.eventTime(state.userEvent(u, n - 1)) : Number.NaN;
  s.genreShare.fill(0);
  s.recentGenre.fill(0);
  s.recentGenres.fill(0);
  s.recentCount = 0;
  const G = s.genreShare.length;
  let ratingSum = 0;
  let ratings = 0;
  let genreTotal = 0;
  const from7 = t - 7 * DAY_MS;
  const from30 = t - 30 * DAY_MS;
  const N = s.recent.length;
  // newest first: windows end early, recent items collected first
  for (let k = n - 1; k >= 0; k--) {
    const e = state.userEvent(u, k);
    const te = state.eventTime(e);
    if (te >= from7) s.count7d++;
    if (te >= from30) s.count30d++;
    const r = state.eventRating(e);
    if (!Number.isNaN(r)) {
      ratingSum += r;
      ratings++;
    }
    const i = state.eventItem(e);
    const gs = state.itemGenres(i);
    if (state.eventWeight(e) > 0) {
      for (let g = 0; g < gs.length; g++) s.genreShare[gs[g]!]!++;
      genreTotal += gs.length;
    }
    if (s.recentCount < N) {
      let dup = false;
      for (let j = 0; j < s.recentCount; j++) if (s.recent[j] === i) dup = true;
      if (!dup) {
        const j = s.recentCount++;
        s.recent[j] = i;
        s.recentGenreCount[j] = gs.length;
        for (let g = 0; g < gs.length; g++) {
          s.recentGenre[gs[g]!]!++;
          s.recentGenres[j * G + gs[g]!] = 1;
        }
      }
    }
  }
  s.meanRating = ratings > 0 ? ratingSum / ratings : Number.NaN;
  let entropy = 0;
  if (genreTotal > 0) {
    for (let g = 0; g < s.genreShare.length; g++) {
      const p = s.genreShare[g]! / genreTotal;
      s.genreShare[g] = p;
      if (p > 0) entropy -= p * Math.log(p);
    }
    s.genreEntropy = entropy;
  } else s.genreEntropy = Number.NaN;
  return s;
}
