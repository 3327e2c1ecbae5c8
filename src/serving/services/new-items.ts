/**
 * Items added after the serving bundle was trained (dense index >= the slot's fitted items, created by
 * POST /v1/items or by events when auto-creation is on). The collaborative models have no vector for them
 * until the next training, but their metadata is known at once, so serving places them by content:
 * - similar items of a new item: the cosine of TF-IDF vectors over the bundle's content vocabulary
 *   (../../recommenders/content.ts, the same vectors as the content model's), over fitted and new items; without
 *   a content model in the bundle, the Jaccard overlap of genres;
 * - the content strategy (and onboarding genres served by it): new items scored by the same cosine with
 *   the user's content profile, beside the fitted ones.
 * Popularity (./live-popularity.ts) counts them live as their events arrive. `NewItemsIndex` keeps one
 * NewItems for the slot in use, made again when item records change.
 */
import { selectTopN } from '../../core/top-n.js';
import { ContentRecommender } from '../../recommenders/content.js';
import type { UserProfile } from '../../recommenders/recommender.js';
import type { ItemRecord, TopN } from '../../types.js';
import type { ModelSlot } from '../model-slot.js';
import type { Catalogue } from './catalogue.js';

interface Sparse {
  indices: Int32Array;
  values: Float32Array;
}

function dot(a: Sparse, b: Sparse): number {
  let s = 0;
  let p = 0;
  let q = 0;
  while (p < a.indices.length && q < b.indices.length) {
    const x = a.indices[p]!;
    const y = b.indices[q]!;
    if (x === y) s += a.values[p++]! * b.values[q++]!;
    else if (x < y) p++;
    else q++;
  }
  return s;
}

export interface ItemSource {
  /** Items in all (fitted and new). */
  count(): number;
  record(i: number): ItemRecord | undefined;
  genres(i: number): string[] | undefined;
}

export class NewItems {
  private readonly vectors = new Map<number, Sparse>();
  private readonly content?: ContentRecommender;

  constructor(
    readonly slot: ModelSlot,
    private readonly items: ItemSource,
  ) {
    const c = slot.model('content');
    if (c instanceof ContentRecommender) this.content = c;
  }

  /** The model that compares new items: the bundle's content model, else genre overlap. */
  get model(): 'content' | 'genres' {
    return this.content ? 'content' : 'genres';
  }

  private vector(i: number): Sparse {
    let v = this.vectors.get(i);
    if (!v) {
      const rec = this.items.record(i);
      v =
        rec && this.content
          ? this.content.vectorOf(rec)
          : { indices: new Int32Array(0), values: new Float32Array(0) };
      this.vectors.set(i, v);
    }
    return v;
  }

  /**
   * Similarity of every item to new item i (NaN where there is nothing in common, and for i itself), or
   * undefined when i has no metadata to compare by.
   */
  similarScores(i: number): Float32Array | undefined {
    const n = this.items.count();
    const fitted = this.slot.fitted.items;
    const out = new Float32Array(n);
    if (this.content) {
      const v = this.vector(i);
      if (v.indices.length === 0) return undefined;
      out.set(this.content.cosinesWith(v).subarray(0, Math.min(fitted, n)));
      for (let j = fitted; j < n; j++) out[j] = dot(v, this.vector(j));
    } else {
      const mine = new Set(this.items.genres(i) ?? []);
      if (mine.size === 0) return undefined;
      for (let j = 0; j < n; j++) {
        const theirs = this.items.genres(j) ?? [];
        let common = 0;
        for (const g of new Set(theirs)) if (mine.has(g)) common++;
        out[j] = common / (mine.size + new Set(theirs).size - common);
      }
    }
    for (let j = 0; j < n; j++) if (!(out[j]! > 0)) out[j] = Number.NaN;
    out[i] = Number.NaN;
    return out;
  }

  /**
   * The content model's scores of every item for a profile, new items included (the same cosine with the
   * user's content profile); undefined without a content model.
   */
  contentScores(profile: UserProfile): Float32Array | undefined {
    if (!this.content) return undefined;
    const n = this.items.count();
    const fitted = this.slot.fitted.items;
    const out = new Float32Array(Math.max(n, fitted));
    out.set(this.content.scoreAll(profile).subarray(0, fitted));
    if (n > fitted) {
      const pv = this.content.profileVector(profile);
      let norm = 0;
      for (let f = 0; f < pv.length; f++) norm += pv[f]! * pv[f]!;
      if (norm > 0)
        for (let j = fitted; j < n; j++) {
          const v = this.vector(j);
          let s = 0;
          for (let k = 0; k < v.indices.length; k++) s += pv[v.indices[k]!]! * v.values[k]!;
          out[j] = s / Math.sqrt(norm);
        }
    }
    return out;
  }
}

/** The NewItems of the slot in use, made on first use per slot and again after item records change. */
export class NewItemsIndex {
  private current?: NewItems;

  constructor(private readonly catalogue: Catalogue) {}

  of(slot: ModelSlot): NewItems {
    if (this.current?.slot !== slot)
      this.current = new NewItems(slot, {
        count: () => this.catalogue.count,
        record: (i) => this.catalogue.record(i),
        genres: (i) => this.catalogue.genresOf(i),
      });
    return this.current;
  }

  /** Item records changed: their content vectors are made again. */
  invalidate(): void {
    this.current = undefined;
  }

  /**
   * The content model's top k with the items added since its training scored alongside (minus `seen`,
   * within `allowed`), or undefined when there are none (or no content model): the model answers alone then.
   */
  contentTop(
    slot: ModelSlot,
    profile: UserProfile,
    k: number,
    seen: Int32Array | undefined,
    allowed: Uint8Array | undefined,
  ): TopN | undefined {
    if (this.catalogue.count <= slot.fitted.items) return undefined;
    const scores = this.of(slot).contentScores(profile);
    if (!scores) return undefined;
    return selectTopN(scores, k, seen, allowed);
  }
}
