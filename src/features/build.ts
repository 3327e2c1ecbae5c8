/**
 * The feature matrix of (user, candidate) pairs at a point in time t: one row per candidate, one column per
 * feature of the spec, row-major Float64Array (rows x columns), built by the declarations of ./registry.ts
 * from the point-in-time state (./state.ts). Training rows (t = the row's cutoff) and serving rows (t = now)
 * come out of this one function.
 */
import { RecoError } from '../errors.js';
import type { Csr } from '../types.js';
import { type ColumnWriter, compileColumnWriter } from './column-writer.js';
import {
  type DenseItemWeights,
  FEATURES,
  type FeatureColumn,
  type FeatureDef,
  type FeatureInput,
  featureColumns,
  weightIndex,
} from './registry.js';
import { emptySnapshot, snapshotUser } from './snapshot.js';
import type { FeatureState } from './state.js';

/** How many recent items the user snapshot keeps (ui_*_last features). */
export const RECENT_ITEMS = 10;

/** The column list a model was trained on, saved in its bundle. */
export interface FeatureSpec {
  version: 1;
  /** Candidate sources, in the order of the per-source columns. */
  sources: string[];
  /** Genres, in the order of the per-genre columns. */
  genres: string[];
  columns: string[];
}

/** The spec of every declared feature for a state's genres and the given sources (minus `exclude`d names). */
export function featureSpec(state: FeatureState, sources: string[], exclude: string[] = []): FeatureSpec {
  const cols = featureColumns(state.genres.names, sources).filter(
    (c) => !exclude.includes(c.name) && !exclude.includes(c.def.name),
  );
  return {
    version: 1,
    sources: [...sources],
    genres: [...state.genres.names],
    columns: cols.map((c) => c.name),
  };
}

/** The spec's columns, resolved against the declarations. */
export function resolveColumns(spec: FeatureSpec, defs: readonly FeatureDef[] = FEATURES): FeatureColumn[] {
  const all = new Map(featureColumns(spec.genres, spec.sources, defs).map((c) => [c.name, c]));
  return spec.columns.map((name) => {
    const c = all.get(name);
    if (!c)
      throw new RecoError(`feature spec: no declaration for column '${name}' (src/features/registry.ts)`);
    return c;
  });
}

/** Stage-1 output for one user: candidate items and, per source, score and rank (row-major n x sources). */
export interface CandidateRows {
  items: Int32Array;
  /** scores[r * sources + s]: source s's score of candidate r. */
  scores: Float32Array;
  /** ranks[r * sources + s]: 1-based rank of candidate r in source s's list, NaN when not in it. */
  ranks: Float32Array;
}

/**
 * Builds rows, computing each column as rarely as its scope allows (the same values as calling every
 * column's compute on every row; test/features proves it):
 * - 'user' and 'context' columns read only the user's snapshot and t: once per call, copied to every row;
 * - 'item' columns read only the item, t and the state: kept per item in a cache that holds while t stays
 *   the same and no event before t arrives (an event at or after t changes nothing as of t), the way a
 *   feature store materialises item features. With an item clock (`itemClockMs`, a server's), item
 *   columns are computed as of t rounded down to it: the cache then holds across the requests and the live
 *   events of a whole tick instead of one event's worth (the values are those of a moment at most one tick
 *   earlier: no event after t is ever seen);
 * - 'user-item' columns: computed per row.
 */
export class FeatureBuilder {
  readonly columns: FeatureColumn[];
  private readonly input: FeatureInput;
  /** Column indices by how often they are computed. */
  private readonly perCall: Int32Array;
  private readonly perItem: Int32Array;
  private readonly perRow: Int32Array;
  /** The per-row (user-item) columns compiled (./column-writer.ts): o[row + column index] = value. */
  private readonly writeRow: ColumnWriter;
  /** The item columns compiled the same way, writing an item's cached values. */
  private readonly writeItem: ColumnWriter;
  private readonly callValues: Float64Array;
  /** Item-column values (items x perItem.length), valid for items whose stamp is `itemVersion`. */
  private itemValues = new Float64Array(0);
  private itemStamp = new Int32Array(0);
  private itemVersion = 0;
  private itemT = Number.NaN;
  private itemEvents = -1;
  /**
   * The item clock: item columns are computed as of t rounded down to a multiple of it (0: as of t exactly,
   * as training and offline evaluation do). A server sets it so that events do not invalidate the item
   * cache of every request (../serving).
   */
  itemClockMs = 0;

  constructor(
    readonly state: FeatureState,
    readonly spec: FeatureSpec,
    similarity?: Csr,
    itemWeights?: DenseItemWeights,
  ) {
    this.columns = resolveColumns(spec);
    const S = spec.sources.length;
    if (state.genres.names.join('\u0000') !== spec.genres.join('\u0000'))
      throw new RecoError(
        'feature spec: the genres of the data differ from those the model was trained with',
      );
    this.input = {
      state,
      user: emptySnapshot(spec.genres.length, RECENT_ITEMS),
      item: 0,
      t: 0,
      sourceScores: new Float64Array(S),
      sourceRanks: new Float64Array(S),
      sourceMax: new Float64Array(S),
      ...(similarity
        ? { similarity, recentSimilarity: new Float64Array(RECENT_ITEMS * similarity.cols) }
        : {}),
      ...(itemWeights ? { itemWeights, recentWeightSum: new Float64Array(itemWeights.n) } : {}),
    };
    const where = (keep: (scope: string) => boolean) =>
      Int32Array.from(this.columns.flatMap((c, k) => (keep(c.def.scope) ? [k] : [])));
    this.perCall = where((s) => s === 'user' || s === 'context');
    this.perItem = where((s) => s === 'item');
    this.perRow = where((s) => s === 'user-item');
    this.writeRow = compileColumnWriter(
      Array.from(this.perRow, (k) => this.columns[k]!),
      this.perRow,
    );
    this.writeItem = compileColumnWriter(
      Array.from(this.perItem, (k) => this.columns[k]!),
      this.perItem.map((_, c) => c),
    );
    this.callValues = new Float64Array(this.perCall.length);
  }

  get width(): number {
    return this.columns.length;
  }

  /** How many times the item cache was invalidated (tests, diagnostics). */
  get itemCacheVersion(): number {
    return this.itemVersion;
  }

  /**
   * Item i's cached item-column values start at the returned offset of itemValues, computed when stale
   * (from the input, whose item is i).
   */
  private itemRow(i: number): number {
    const m = this.perItem.length;
    if (i >= this.itemStamp.length) {
      const n = Math.max(i + 1, this.itemStamp.length * 2, 64);
      const stamp = new Int32Array(n);
      stamp.set(this.itemStamp);
      this.itemStamp = stamp;
      const values = new Float64Array(n * m);
      values.set(this.itemValues);
      this.itemValues = values;
    }
    const at = i * m;
    if (this.itemStamp[i] !== this.itemVersion) {
      // as of the item columns' time (t, or t on the item clock)
      const x = this.input;
      const t = x.t;
      x.t = this.itemT;
      this.writeItem(x, this.itemValues, at);
      x.t = t;
      this.itemStamp[i] = this.itemVersion;
    }
    return at;
  }

  /**
   * Rows of user `user`'s candidates as of t into out[offset ..] (allocated when absent); returns out.
   * A user unknown to the state gets empty aggregates (zeros and NaNs). `sourceMax` (per source, the
   * largest score among the user's candidates) defaults to the maximum over `cands`: pass it when `cands`
   * are only part of the user's candidates.
   */
  build(
    user: number,
    t: number,
    cands: CandidateRows,
    out?: Float64Array,
    offset = 0,
    sourceMax?: Float64Array,
  ): Float64Array {
    const n = cands.items.length;
    const W = this.columns.length;
    const S = this.spec.sources.length;
    const o = out ?? new Float64Array(n * W);
    if (o.length < offset + n * W) throw new RecoError('feature matrix buffer too small');
    const x = this.input;
    x.t = t;
    snapshotUser(this.state, user, t, x.user);
    if (sourceMax) x.sourceMax.set(sourceMax);
    else
      for (let s = 0; s < S; s++) {
        let m = Number.NEGATIVE_INFINITY;
        for (let r = 0; r < n; r++) {
          const v = cands.scores[r * S + s]!;
          if (v > m) m = v;
        }
        x.sourceMax[s] = m;
      }
    const q = this.itemClockMs;
    const tItem = q > 0 ? Math.floor(t / q) * q : t;
    const events = this.state.events;
    if (
      tItem !== this.itemT ||
      (events !== this.itemEvents && this.state.earliestFrom(this.itemEvents) < tItem)
    ) {
      // the item columns' time moved, or an event before it arrived: every cached item row is stale
      this.itemT = tItem;
      this.itemVersion++;
    }
    this.itemEvents = events;
    this.spreadRecentSimilarity(true);
    this.sumRecentWeights();
    try {
      this.fillRows(cands, o, offset);
    } finally {
      this.spreadRecentSimilarity(false);
    }
    return o;
  }

  /** The rows, once the input holds the user's snapshot, t and the sources' maxima. */
  private fillRows(cands: CandidateRows, o: Float64Array, offset: number): void {
    const n = cands.items.length;
    const W = this.columns.length;
    const S = this.spec.sources.length;
    const x = this.input;
    const { perCall, perItem, columns, callValues } = this;
    for (let c = 0; c < perCall.length; c++) {
      const col = columns[perCall[c]!]!;
      callValues[c] = col.def.compute(x, col.k);
    }
    for (let r = 0; r < n; r++) {
      x.item = cands.items[r]!;
      for (let s = 0; s < S; s++) {
        x.sourceScores[s] = cands.scores[r * S + s]!;
        x.sourceRanks[s] = cands.ranks[r * S + s]!;
      }
      const row = offset + r * W;
      for (let c = 0; c < perCall.length; c++) o[row + perCall[c]!] = callValues[c]!;
      const at = this.itemRow(x.item);
      const itemValues = this.itemValues;
      for (let c = 0; c < perItem.length; c++) o[row + perItem[c]!] = itemValues[at + c]!;
      this.writeRow(x, o, row);
    }
  }

  /** input.recentWeightSum for the snapshot's recent items: their weight rows added in recent order. */
  private sumRecentWeights(): void {
    const { itemWeights: w, recentWeightSum: sum, user } = this.input;
    if (!w || !sum) return;
    sum.fill(0);
    const n = w.n;
    for (let j = 0; j < user.recentCount; j++) {
      const r = weightIndex(w, user.recent[j]!);
      if (r < 0) continue;
      const at = r * n;
      for (let i = 0; i < n; i++) sum[i]! += w.values[at + i]!;
    }
  }

  /**
   * Writes the similarity rows of the snapshot's recent items into input.recentSimilarity (`on`), or
   * zeroes the same entries again, so that each user-item similarity is one read.
   */
  private spreadRecentSimilarity(on: boolean): void {
    const { similarity: m, recentSimilarity: dense, user } = this.input;
    if (!m || !dense) return;
    for (let j = 0; j < user.recentCount; j++) {
      const r = user.recent[j]!;
      if (r < 0 || r >= m.rows) continue;
      const at = j * m.cols;
      for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) dense[at + m.indices[e]!] = on ? m.values[e]! : 0;
    }
  }
}
