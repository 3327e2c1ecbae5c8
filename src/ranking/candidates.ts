/**
 * Stage 1 of the two-stage pipeline (candidate generation then ranking, as in Covington et al., "Deep
 * Neural Networks for YouTube Recommendations", RecSys 2016): the union of the top n_s items of each
 * candidate source (a fitted recommender), seen items excluded, deduplicated, in order of first
 * appearance (sources in order, each best first). For every candidate we keep each source's score (from
 * its full score vector, so also for items another source proposed) and its rank in each source's list
 * (NaN when that source did not propose it): which sources proposed it is `!isNaN(rank)`.
 */

import { selectTopN } from '../core/top-n.js';
import { UsageError } from '../errors.js';
import type { CandidateRows } from '../features/build.js';
import type { Recommender, UserProfile } from '../recommenders/recommender.js';

export interface CandidateSource {
  model: Recommender;
  /** How many candidates this source contributes (before deduplication). */
  n: number;
}

export interface CandidateSet extends CandidateRows {
  /** Source names, in column order. */
  sources: string[];
  /**
   * Each source's full score vector for the user (scoreAll), in column order. Like items, scores and
   * ranks, views of the generator's buffers: valid until its next `generate`.
   */
  full: Float32Array[];
}

/** A source that scores others as its components (the hybrid) and lends their scores. */
interface ComponentScores {
  componentScores(model: Recommender, profile: UserProfile): Float32Array | undefined;
}

/** Scratch buffers reused across users. */
export class CandidateGenerator {
  /** Per source, the buffer its scores go into (a server's request allocates no score vectors). */
  private full: (Float32Array | undefined)[] = [];
  /** The candidates, their scores and ranks: buffers returned as views. */
  private items = new Int32Array(0);
  private scores = new Float32Array(0);
  private ranks = new Float32Array(0);
  private mark: Int32Array;
  private stamp = 0;
  private slot: Int32Array;

  constructor(
    readonly sources: CandidateSource[],
    nItems: number,
  ) {
    if (sources.length === 0) throw new UsageError('stage 1 needs at least one candidate source');
    for (const s of sources)
      if (!(Number.isInteger(s.n) && s.n >= 1))
        throw new UsageError(`candidates from ${s.model.name} must be a positive integer, got ${s.n}`);
    this.mark = new Int32Array(nItems);
    this.slot = new Int32Array(nItems);
  }

  get names(): string[] {
    return this.sources.map((s) => s.model.name);
  }

  /** Candidates for one profile (seen items excluded unless excludeSeen is false). */
  generate(
    profile: UserProfile,
    options: { excludeSeen?: boolean; allowed?: Uint8Array } = {},
  ): CandidateSet {
    const S = this.sources.length;
    const skip = options.excludeSeen === false ? undefined : profile.items;
    const full: Float32Array[] = [];
    const lists: Int32Array[] = [];
    let total = 0;
    for (let s = 0; s < S; s++) {
      const src = this.sources[s]!;
      const scores = (this.full[s] = this.scoresOf(s, profile));
      if (scores.length > this.mark.length) this.grow(scores.length);
      full.push(scores);
      const top = selectTopN(scores, src.n, skip, options.allowed);
      lists.push(top.items);
      total += top.items.length;
    }
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
    if (this.items.length < total) this.items = new Int32Array(total);
    const items = this.items;
    let n = 0;
    for (const list of lists) {
      for (let r = 0; r < list.length; r++) {
        const i = list[r]!;
        if (this.mark[i] === this.stamp) continue;
        this.mark[i] = this.stamp;
        this.slot[i] = n;
        items[n++] = i;
      }
    }
    const out = items.subarray(0, n);
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
      for (let r = 0; r < list.length; r++) ranks[this.slot[list[r]!]! * S + s] = r + 1;
    }
    return { items: out, scores, ranks, sources: this.names, full };
  }

  /**
   * Source s's scores for the profile into its buffer: copied from an earlier source that scored it as
   * a component (a hybrid of it: see HybridRecommender.componentScores), else its scoreAll.
   */
  private scoresOf(s: number, profile: UserProfile): Float32Array {
    const model = this.sources[s]!.model;
    for (let e = 0; e < s; e++) {
      const shared = (this.sources[e]!.model as Partial<ComponentScores>).componentScores?.(model, profile);
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
