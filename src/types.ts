/**
 * Types shared across areas (store, simulation, recommenders, features, ranking, evaluation, serving).
 * Hot data is columnar: typed arrays indexed by dense integer ids, never one object per event.
 */

/** A user as stored. `id` is the external string id. */
export interface UserRecord {
  id: string;
  attributes?: Record<string, unknown>;
  /** Milliseconds since the epoch. */
  createdAt?: number;
}

/** An item as stored. */
export interface ItemRecord {
  id: string;
  title?: string;
  genres?: string[];
  tags?: string[];
  attributes?: Record<string, unknown>;
  /** Milliseconds since the epoch (release time where known). */
  createdAt?: number;
}

/** One event as it comes in (import, API). */
export interface EventRecord {
  user: string;
  item: string;
  type: string;
  /** Rating value, weight or count; 1 when absent. */
  value?: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** The request id of the recommendation answer it responds to (online experiments). */
  request?: string;
}

/**
 * All events, columnar, with users and items mapped to dense indices 0..n-1 (the store's order).
 * Sorted by timestamp unless stated otherwise.
 */
export interface EventLog {
  /** Dense index -> external id. */
  userIds: string[];
  itemIds: string[];
  /** Event type code -> name (codes are the store's). */
  typeNames: string[];
  user: Int32Array;
  item: Int32Array;
  type: Uint8Array;
  value: Float32Array;
  /** Milliseconds since the epoch. */
  timestamp: Float64Array;
  length: number;
}

/**
 * A sparse matrix in compressed sparse row form: row r holds columns indices[indptr[r]..indptr[r+1]),
 * sorted ascending, with values alongside. For interactions, rows are users and columns items.
 */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** A ranked list: items (dense indices) with scores, best first. Same length. */
export interface TopN {
  items: Int32Array;
  scores: Float32Array;
}

/** Model names, the same everywhere (CLI, config, API). */
export const MODEL_NAMES = ['popularity', 'itemknn', 'als', 'ease', 'content', 'hybrid', 'ranked'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
