/**
 * Candidate generation for the ranked strategy (the two-stage design of Covington, Adams & Sargin, "Deep
 * Neural Networks for YouTube Recommendations", RecSys 2016): the union of each candidate generator's top
 * items, the nearest neighbours of the user's recent items, and the most popular items, about 300 in all,
 * each with a bitmask of the sources that proposed it. Seen items and items outside `allowed` are left out.
 *
 * Allocation-light: one stamp array over items, reused across calls (the server is single-threaded).
 */

import { sortedHas } from '../core/search.js';
import { selectTopN } from '../core/top-n.js';
import type { UserProfile } from '../recommenders/recommender.js';
import type { TopN } from '../types.js';
import type { ModelSlot } from './model-slot.js';

export interface CandidateOptions {
  /** Candidates wanted in all (default 300). */
  total?: number;
  /** Neighbours taken per recent item (default 10). */
  neighbours?: number;
  /** Popular items taken (default 50). */
  popular?: number;
  excludeSeen: boolean;
  allowed?: Uint8Array;
}

export interface CandidateSet {
  items: Int32Array;
  sources: Uint8Array;
  /** Each generator's full score vector over the fitted items (reused by the scorer). */
  generatorScores: Map<string, Float32Array>;
}

let stamp = new Int32Array(0);
let slotOf = new Int32Array(0);
let epoch = 0;

export function gatherCandidates(
  slot: ModelSlot,
  profile: UserProfile,
  recent: Int32Array,
  popularScores: Float32Array | undefined,
  options: CandidateOptions,
): CandidateSet {
  const nItems = slot.fitted.items;
  const total = options.total ?? 300;
  if (stamp.length < nItems) {
    stamp = new Int32Array(nItems);
    slotOf = new Int32Array(nItems);
    epoch = 0;
  }
  epoch++;
  if (epoch === 0x7fffffff) {
    stamp.fill(0);
    epoch = 1;
  }
  const items = new Int32Array(total + (options.neighbours ?? 10) * recent.length + (options.popular ?? 50));
  const sources = new Uint8Array(items.length);
  let n = 0;
  const seen = options.excludeSeen ? profile.items : undefined;
  const allowed = options.allowed;
  const add = (i: number, bit: number): void => {
    if (stamp[i] === epoch) {
      sources[slotOf[i]!]! |= bit;
      return;
    }
    if (n >= items.length) return;
    stamp[i] = epoch;
    slotOf[i] = n;
    items[n] = i;
    sources[n++] = bit;
  };
  const generatorScores = new Map<string, Float32Array>();
  const gens = slot.generators;
  const per = options.neighbours ?? 10;
  const popularQuota = popularScores ? (options.popular ?? 50) : 0;
  // the generators fill what the neighbours and popular items leave, taking their lists in turn, rank by rank
  const genBudget = Math.max(0, total - popularQuota - Math.min(recent.length * per, total >> 2));
  const tops: Int32Array[] = [];
  for (let g = 0; g < gens.length; g++) {
    const scores = slot.model(gens[g]!)!.scoreAll(profile);
    generatorScores.set(gens[g]!, scores);
    // each generator's share, with room for overlap (the lists are taken in turn until the budget is met)
    const want =
      gens.length === 1 ? genBudget : Math.min(genBudget, Math.ceil((1.5 * genBudget) / gens.length));
    tops.push(selectTopN(scores, want, seen, allowed, Math.min(nItems, scores.length)).items);
  }
  for (let r = 0; r < genBudget && n < genBudget; r++) {
    for (let g = 0; g < tops.length && n < genBudget; g++) {
      const t = tops[g]!;
      if (r < t.length) add(t[r]!, 1 << g);
    }
  }
  const similar = slot.similarModel ? slot.model(slot.similarModel) : undefined;
  const recentBit = 1 << gens.length;
  if (similar?.similarItems) {
    for (let r = 0; r < recent.length; r++) {
      const i = recent[r]!;
      if (i < 0 || i >= nItems) continue;
      const near: TopN = similar.similarItems(i, per + 1);
      let taken = 0;
      for (let s = 0; s < near.items.length && taken < per; s++) {
        const j = near.items[s]!;
        if (seen && sortedHas(seen, j)) continue;
        if (allowed && allowed[j] === 0) continue;
        add(j, recentBit);
        taken++;
      }
    }
  }
  if (popularScores) {
    const top = selectTopN(
      popularScores,
      popularQuota,
      seen,
      allowed,
      Math.min(nItems, popularScores.length),
    );
    for (let r = 0; r < top.items.length; r++) add(top.items[r]!, recentBit << 1);
  }
  return { items: items.subarray(0, n), sources: sources.subarray(0, n), generatorScores };
}
