/**
 * Stage 1 of the two-stage pipeline (candidate generation then ranking, as in Covington et al., "Deep
 * Neural Networks for YouTube Recommendations", RecSys 2016): the union of the items each candidate source
 * proposes, seen items (and items outside `allowed`) excluded, deduplicated, in order of first appearance.
 * The ranker's stage 1 and serving's ranked fallback (../serving/services/strategies/ranked-fallback.ts)
 * are both this generator, with different sources and merges.
 *
 * Sources are of three kinds:
 * - a fitted recommender: its top n by scoreAll (its full score vector is kept: features, scorers);
 * - a score vector given by a function (e.g. the server's live popularity): its top n;
 * - the nearest neighbours of the user's recent items (similarItems): up to n for each recent item.
 *
 * Merge: consecutive sources form groups (`groups`, default: each source alone); a group's lists are taken
 * in turn, rank by rank, until its budget of new candidates (a request's `budgets`, default none) is met;
 * groups in order. With every source alone and no budget that is each source's whole list in turn.
 *
 * For every candidate we keep each source's score (from its full score vector, so also for items another
 * source proposed; NaN for neighbour sources), its rank in each source's list (NaN when that source did not
 * propose it) and a bitmask of the sources that proposed it (`proposedBy`, bit s = source s).
 *
 * Allocation-light: every buffer (marks, candidates, scores, ranks, the sources' score vectors) belongs to
 * the generator and is reused across calls; results are views valid until its next `generate`.
 */

import { sortedHas } from '../core/search.js';
import { selectTopN } from '../core/top-n.js';
import { UsageError } from '../errors.js';
import type { CandidateRows } from '../features/build.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';

/** A fitted recommender: its top n items by scoreAll. */
export interface ModelSource {
  kind?: 'model';
  model: Recommender;
  /** How many candidates this source contributes (before deduplication). */
  n: number;
}

/** A score vector over items (read once a request; undefined: the source proposes nothing): its top n. */
export interface VectorSource {
  kind: 'vector';
  name: string;
  n: number;
  scores(): Float32Array | undefined;
}

/** The nearest neighbours (model.similarItems) of each of the request's recent items: up to n each. */
export interface NeighbourSource {
  kind: 'neighbours';
  name: string;
  model: Recommender;
  n: number;
}

export type CandidateSource = ModelSource | VectorSource | NeighbourSource;

export interface GeneratorOptions {
  /** Sizes of consecutive groups of sources merged in turn (their sum: the number of sources). */
  groups?: number[];
  /** Candidates only among the first nItems items (a vector may be longer: items added since the fit). */
  withinItems?: boolean;
}

export interface GenerateOptions {
  /** Drop the profile's items (default true). */
  excludeSeen?: boolean;
  allowed?: Uint8Array;
  /** The user's recent items, newest first: what neighbour sources start from. */
  recent?: Int32Array;
  /** Per source, how many candidates it proposes this request (default: its n). */
  take?: ArrayLike<number>;
  /** Per group, the most new candidates it adds this request (default: no limit). */
  budgets?: ArrayLike<number>;
}

export interface CandidateSet extends CandidateRows {
  /** Source names, in column order. */
  sources: string[];
  /**
   * Each source's full score vector for the user (scoreAll, or the vector source's; empty for neighbour
   * sources), in column order. Like items, scores and ranks, views of the generator's buffers: valid
   * until its next `generate`.
   */
  full: Float32Array[];
  /** Per candidate, bit s set when source s proposed it. */
  proposedBy: Uint32Array;
}

/** A source that scores others as its components (the hybrid) and lends their scores. */
interface ComponentScores {
  componentScores(model: Recommender, profile: UserProfile): Float32Array | undefined;
}

const EMPTY_SCORES = new Float32Array(0);
const EMPTY_LIST = new Int32Array(0);
/** Sources a 32-bit mask can name. */
const MAX_SOURCES = 32;

export class CandidateGenerator {
  /** Source names, in column order. */
  readonly names: string[];
  /** Per source, the buffer its scores go into (a server's request allocates no score vectors). */
  private full: (Float32Array | undefined)[] = [];
  /** The candidates, their scores, ranks and sources: buffers returned as views. */
  private items = new Int32Array(0);
  private scores = new Float32Array(0);
  private ranks = new Float32Array(0);
  private masks = new Uint32Array(0);
  private mark: Int32Array;
  private stamp = 0;
  private slot: Int32Array;
  private readonly groups: number[];
  /** Per source, how far its list was taken in the last merge. */
  private readonly reached: Int32Array;
  /** Per source, the neighbour list being built (neighbour sources only). */
  private readonly neighbourLists: Int32Array[];

  constructor(
    readonly sources: CandidateSource[],
    readonly nItems: number,
    private readonly options: GeneratorOptions = {},
  ) {
    if (sources.length === 0) throw new UsageError('stage 1 needs at least one candidate source');
    if (sources.length > MAX_SOURCES) throw new UsageError(`stage 1 takes at most ${MAX_SOURCES} sources`);
    this.names = sources.map(nameOf);
    sources.forEach((s, k) => {
      if (!(Number.isInteger(s.n) && s.n >= 1))
        throw new UsageError(`candidates from ${this.names[k]} must be a positive integer, got ${s.n}`);
      if (s.kind === 'neighbours' && !s.model.similarItems)
        throw new UsageError(`${s.name}: ${s.model.name} has no similar items`);
    });
    this.groups = options.groups ?? sources.map(() => 1);
    if (this.groups.reduce((a, b) => a + b, 0) !== sources.length || this.groups.some((g) => !(g >= 1)))
      throw new UsageError('candidate source groups must cover every source once');
    this.mark = new Int32Array(nItems);
    this.slot = new Int32Array(nItems);
    this.reached = new Int32Array(sources.length);
    this.neighbourLists = sources.map(() => EMPTY_LIST);
  }

  /** Candidates for one profile (seen items excluded unless excludeSeen is false). */
  generate(profile: UserProfile, options: GenerateOptions = {}): CandidateSet {
    const S = this.sources.length;
    const skip = options.excludeSeen === false ? undefined : profile.items;
    const full: Float32Array[] = [];
    const lists: Int32Array[] = [];
    let total = 0;
    for (let s = 0; s < S; s++) {
      const list = this.listOf(s, profile, skip, options, full);
      lists.push(list);
      total += list.length;
    }
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
    if (this.items.length < total) {
      this.items = new Int32Array(total);
      this.masks = new Uint32Array(total);
    }
    const n = this.merge(lists, options.budgets);
    const out = this.items.subarray(0, n);
    if (this.scores.length < n * S) {
      this.scores = new Float32Array(2 * n * S);
      this.ranks = new Float32Array(2 * n * S);
    }
    const scores = this.scores.subarray(0, n * S);
    const ranks = this.ranks.subarray(0, n * S).fill(Number.NaN);
    for (let s = 0; s < S; s++) {
      const f = full[s]!;
      for (let r = 0; r < n; r++) {
        const i = out[r]!;
        scores[r * S + s] = i < f.length ? f[i]! : Number.NaN;
      }
      const list = lists[s]!;
      const reached = this.reached[s]!;
      for (let r = 0; r < reached; r++) {
        const at = this.slot[list[r]!]! * S + s;
        if (Number.isNaN(ranks[at]!)) ranks[at] = r + 1;
      }
    }
    return { items: out, scores, ranks, sources: this.names, full, proposedBy: this.masks.subarray(0, n) };
  }

  /** Source s's proposals for this request (its full score vector pushed onto `full`). */
  private listOf(
    s: number,
    profile: UserProfile,
    skip: Int32Array | undefined,
    options: GenerateOptions,
    full: Float32Array[],
  ): Int32Array {
    const src = this.sources[s]!;
    const n = options.take ? options.take[s]! : src.n;
    if (src.kind === 'neighbours') {
      full.push(EMPTY_SCORES);
      return n > 0 ? this.neighbours(s, src, n, skip, options) : EMPTY_LIST;
    }
    const scores =
      src.kind === 'vector' ? (src.scores() ?? EMPTY_SCORES) : (this.full[s] = this.scoresOf(s, profile));
    if (scores.length > this.mark.length) this.grow(scores.length);
    full.push(scores);
    if (n <= 0 || scores.length === 0) return EMPTY_LIST;
    const length = this.options.withinItems ? Math.min(this.nItems, scores.length) : scores.length;
    return selectTopN(scores, n, skip, options.allowed, length).items;
  }

  /** The first n neighbours of each recent item (fitted items only) that are neither skipped nor disallowed. */
  private neighbours(
    s: number,
    src: NeighbourSource,
    n: number,
    skip: Int32Array | undefined,
    options: GenerateOptions,
  ): Int32Array {
    const recent = options.recent ?? EMPTY_LIST;
    const allowed = options.allowed;
    let list = this.neighbourLists[s]!;
    if (list.length < n * recent.length) list = this.neighbourLists[s] = new Int32Array(n * recent.length);
    let m = 0;
    for (let r = 0; r < recent.length; r++) {
      const i = recent[r]!;
      if (i < 0 || i >= this.nItems) continue;
      const near = src.model.similarItems!(i, n + 1);
      let taken = 0;
      for (let k = 0; k < near.items.length && taken < n; k++) {
        const j = near.items[k]!;
        if (skip && sortedHas(skip, j)) continue;
        if (allowed && allowed[j] === 0) continue;
        list[m++] = j;
        taken++;
      }
    }
    return list.subarray(0, m);
  }

  /**
   * Merges the lists group by group (within a group, rank by rank, source by source, until the group's
   * budget of new candidates is met) into this.items; returns the number of candidates.
   */
  private merge(lists: Int32Array[], budgets: ArrayLike<number> | undefined): number {
    const items = this.items;
    const masks = this.masks;
    const mark = this.mark;
    const stamp = this.stamp;
    let n = 0;
    let first = 0;
    for (let g = 0; g < this.groups.length; g++) {
      const size = this.groups[g]!;
      const end = n + (budgets ? budgets[g]! : Number.POSITIVE_INFINITY);
      let longest = 0;
      for (let s = first; s < first + size; s++) {
        this.reached[s] = 0;
        longest = Math.max(longest, lists[s]!.length);
      }
      for (let r = 0; r < longest && n < end; r++) {
        for (let s = first; s < first + size && n < end; s++) {
          const list = lists[s]!;
          if (r >= list.length) continue;
          this.reached[s] = r + 1;
          const i = list[r]!;
          const bit = 1 << s;
          if (mark[i] === stamp) {
            masks[this.slot[i]!]! |= bit;
            continue;
          }
          mark[i] = stamp;
          this.slot[i] = n;
          masks[n] = bit;
          items[n++] = i;
        }
      }
      first += size;
    }
    return n;
  }

  /**
   * Source s's scores for the profile into its buffer: copied from an earlier source that scored it as
   * a component (a hybrid of it: see HybridRecommender.componentScores), else its scoreAll.
   */
  private scoresOf(s: number, profile: UserProfile): Float32Array {
    const model = (this.sources[s] as ModelSource).model;
    for (let e = 0; e < s; e++) {
      const earlier = this.sources[e]!;
      if (earlier.kind === 'vector' || earlier.kind === 'neighbours') continue;
      const shared = (earlier.model as Partial<ComponentScores>).componentScores?.(model, profile);
      if (!shared) continue;
      const buffer = this.full[s]?.length === shared.length ? this.full[s]! : new Float32Array(shared.length);
      buffer.set(shared);
      return buffer;
    }
    return model.scoreAll(profile, this.full[s]);
  }

  private grow(n: number): void {
    const m = new Int32Array(n);
    m.set(this.mark);
    this.mark = m;
    const s = new Int32Array(n);
    s.set(this.slot);
    this.slot = s;
  }
}

function nameOf(s: CandidateSource): string {
  return s.kind === 'vector' || s.kind === 'neighbours' ? s.name : s.model.name;
}
