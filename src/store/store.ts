/**
 * The store interface every caller uses. SQLite (./sqlite-store.ts) is the embedded default; a server
 * database can implement the same interface later without touching callers.
 *
 * Users and items have external string ids and dense integer indices (0..n-1, in order of creation),
 * which the algorithms use. Timestamps are milliseconds since the epoch.
 */
import type { EventTypeRule } from '../data/interactions.js';
import type { EventLog, EventRecord, ItemRecord, UserRecord } from '../types.js';
import type { AccountStore, ActivityStore } from './accounts.js';
import type { ExperimentStore } from './experiments.js';
import type { StoreFeed } from './feed.js';

/** A declared event type: its name, code and how its events weigh (../data/interactions.ts). */
export interface EventTypeDeclaration {
  name: string;
  code: number;
  rule: EventTypeRule;
  /** Whether the rule was given (reco types set), not the built-in one. */
  given: boolean;
}

export interface StoreCounts {
  users: number;
  items: number;
  events: number;
}

import type { StoredEvent } from './stored-event.js';

export type { StoredEvent };

/** Events given by dense index, columnar (the simulator's bulk path). */
export interface EventColumns {
  user: Int32Array;
  item: Int32Array;
  /** Codes from `eventTypeCode`. */
  type: Uint8Array;
  value: Float32Array;
  timestamp: Float64Array;
  length: number;
}

/**
 * Events named by keys of an import's own tables, columnar (the importers' bulk path: ../data/import/). Key
 * k of users is the k-th user id the import introduced (each batch lists, in key order, the ids its keys
 * introduce; two keys may name one id); items and event types alike. Times in whole milliseconds.
 */
export interface KeyedEventBatch {
  length: number;
  user: Int32Array;
  item: Int32Array;
  type: Int32Array;
  value: Float64Array;
  timestamp: Float64Array;
  newUsers: readonly string[];
  newItems: readonly string[];
  newTypes: readonly string[];
}

export interface InsertEventsOptions {
  /** Create users that do not exist yet (default true). */
  createUsers?: boolean;
  /** Create items that do not exist yet (default true); when false an unknown item throws. */
  createItems?: boolean;
  /** Declare event types that are not declared yet (default true); when false an unknown type throws. */
  createTypes?: boolean;
  /** Called every few thousand rows with the number inserted so far. */
  onProgress?: (done: number) => void;
}

/** What a run is: a CLI training, an offline evaluation, a server retraining (later: loop, study). */
export type RunKind = 'train' | 'evaluate' | 'retrain' | 'loop' | 'study';
export const RUN_KINDS: readonly RunKind[] = ['train', 'evaluate', 'retrain', 'loop', 'study'];

/** A run's state, named as MLflow's RunStatus. */
export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/** A tracked run (../tracking/run-recorder.ts): one training or evaluation and what it used and measured. */
export interface RunInfo {
  /** 32 lowercase hex digits (a uuid4, as MLflow's run ids). */
  id: string;
  name: string;
  kind: RunKind;
  status: RunStatus;
  /** ms since the epoch. */
  startTime: number;
  /** null while RUNNING. */
  endTime: number | null;
  /** The error message of a FAILED run. */
  error?: string;
}

/** One logged value of a metric; a metric's history is its values in logging order. */
export interface RunMetric {
  key: string;
  /** NaN is stored as SQL NULL and read back as NaN. */
  value: number;
  /** ms since the epoch. */
  timestamp: number;
  /** Iteration (0 when the value has no step). */
  step: number;
}

/** A parameter or a tag. */
export interface RunEntry {
  key: string;
  value: string;
}

/** A small file kept with a run (an evaluation report, a bundle's description). */
export interface RunArtifact {
  /** Relative path, e.g. `evaluation.json`. */
  path: string;
  content: Buffer;
}

/** What one logRun call adds: metrics are appended, tags overwritten, params immutable. */
export interface RunBatch {
  params?: RunEntry[];
  metrics?: RunMetric[];
  tags?: RunEntry[];
  artifacts?: RunArtifact[];
}

/** A run with its data: params and tags by key, the latest value of each metric (as MLflow's runs/get). */
export interface RunRecord extends RunInfo {
  params: RunEntry[];
  tags: RunEntry[];
  metrics: RunMetric[];
  artifacts: RunArtifact[];
}

/**
 * The store. Its I/O is asynchronous (a server database answers over a connection); the catalogue's id maps
 * and the event types are held in memory and answer synchronously.
 */
/** Which events `loadEventLog` reads. */
export interface EventLogOptions {
  /** Only events before this time (ms). */
  until?: number;
  /** Only events at or before this position of the log (a replica's state is built up to one). */
  upTo?: number;
}

export interface Store {
  /** The file, or the database's address without its password. */
  readonly path: string;
  /** The web app's accounts, sessions and app-made API keys (./accounts.ts). */
  readonly accounts: AccountStore;
  /** The operators' read-only views of the events (./accounts.ts). */
  readonly activity: ActivityStore;
  /** Online experiments and their exposure log (./experiments.ts). */
  readonly experiments: ExperimentStore;
  /**
   * The changes committed by other processes writing to the same store (PostgreSQL, with several replicas:
   * ./feed.ts); undefined for a store with one writing server (SQLite).
   */
  readonly feed?: StoreFeed;

  /**
   * Runs fn in one transaction: all of it is written, or none. The store's calls made inside fn join it
   * (nested transactions too); calls from elsewhere wait until it ends. `expectedEvents`, an estimate of the
   * events it will add, lets the store choose a bulk strategy for large loads.
   */
  transaction<T>(fn: () => Promise<T>, options?: { expectedEvents?: number }): Promise<T>;

  counts(): Promise<StoreCounts>;

  /** Inserts or updates users; returns the number written. */
  upsertUsers(users: Iterable<UserRecord>): Promise<number>;
  upsertItems(items: Iterable<ItemRecord>): Promise<number>;
  /** Inserts events by external id; returns the number inserted. */
  insertEvents(events: Iterable<EventRecord>, options?: InsertEventsOptions): Promise<number>;
  /**
   * Inserts an import's events, batch after batch as they come (a server database writes one while the next
   * is read), creating the users, items and event types they introduce (./event-keys.ts); returns the
   * number inserted. Faults name the event (counted from 1) and its field.
   */
  importEvents(
    batches: AsyncIterable<KeyedEventBatch>,
    options?: Pick<InsertEventsOptions, 'onProgress'>,
  ): Promise<number>;
  /** Bulk insert by dense index (users and items must exist). */
  insertEventColumns(
    events: EventColumns,
    options?: Pick<InsertEventsOptions, 'onProgress'>,
  ): Promise<number>;

  /** The code of an event type, declared on first use (with the built-in rule of its name, or weight 1, count). */
  eventTypeCode(name: string): Promise<number>;
  /** The code of a declared event type (undefined when it is not declared). */
  typeCode(name: string): number | undefined;
  /** Event type names by code. */
  eventTypeNames(): string[];
  /** The declared event types with their rules (given, or built in). */
  eventTypes(): EventTypeDeclaration[];
  /** Declares an event type or changes its rule. */
  declareEventType(name: string, rule: EventTypeRule): Promise<void>;

  userIndex(id: string): number | undefined;
  itemIndex(id: string): number | undefined;
  /** External ids in dense-index order. */
  userIds(): string[];
  itemIds(): string[];
  getUser(id: string): Promise<UserRecord | undefined>;
  getItem(id: string): Promise<ItemRecord | undefined>;
  /** All items in dense-index order. */
  listItems(): Promise<ItemRecord[]>;
  listUsers(): Promise<UserRecord[]>;

  /**
   * All events (or those before the time `until`, or those at or before the position `upTo`), columnar,
   * sorted by timestamp.
   */
  loadEventLog(options?: EventLogOptions): Promise<EventLog>;
  /**
   * The position of the last stored event in the store's event sequence (events are numbered in insertion
   * order; 0 when there are none). A model bundle records the position of the events it was trained on, so
   * that a server can replay the ones stored after it (../serving/services/model-holder.ts).
   */
  eventPosition(): Promise<number>;
  /**
   * The events stored after `position` (at most `limit` of them), in insertion order, by dense index, and
   * the position they reach.
   */
  eventsSince(position: number, limit?: number): Promise<EventColumns & { position: number }>;
  /** A user's events, newest first. */
  userEvents(userId: string, limit?: number): Promise<StoredEvent[]>;
  /** Streams every event in time order (export). */
  iterateEvents(): AsyncIterableIterator<StoredEvent>;

  /** Starts a run (status RUNNING). */
  createRun(run: Pick<RunInfo, 'id' | 'name' | 'kind' | 'startTime'>): Promise<void>;
  /**
   * Adds to a run, in one transaction: metrics appended, tags and artifacts overwritten; a param logged
   * again must keep its value (an InputError otherwise). Throws when the run does not exist.
   */
  logRun(id: string, batch: RunBatch): Promise<void>;
  /** Ends a run: its status, end time and, when FAILED, the error message. */
  finishRun(
    id: string,
    status: Exclude<RunStatus, 'RUNNING'>,
    endTime: number,
    error?: string,
  ): Promise<void>;
  /** Runs, newest first, of one kind when given, at most `limit`. */
  listRuns(filter?: { kind?: RunKind; limit?: number }): Promise<RunInfo[]>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Every logged value of a run's metric `key` (every metric when absent), in logging order. */
  metricHistory(id: string, key?: string): Promise<RunMetric[]>;

  /** Small named blobs stored beside the data (world parameters, model manifests). */
  getMeta(key: string): Promise<Buffer | undefined>;
  setMeta(key: string, value: Buffer | string): Promise<void>;

  close(): Promise<void>;
}
