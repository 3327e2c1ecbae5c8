/**
 * What a process learns of the writes of the other processes sharing its store (several `reco serve`
 * replicas and a train worker over one PostgreSQL database: ./pg-feed.ts). SQLite has one writing server and
 * no feed. Notices are hints, delivered once the writing transaction commits and possibly lost (a dropped
 * connection): a follower also polls the log's position (../serving/services/log-follower.ts).
 */

/** A change committed by another process. */
export type FeedNotice =
  /** Events were appended to the log (or users, items or event types created). */
  | { topic: 'log' }
  /** Item records were created or changed. */
  | { topic: 'items' }
  /** User records were created or changed (their attributes: onboarding genres); `ids` when few. */
  | { topic: 'users'; ids?: string[] }
  /** A new model bundle is current. */
  | { topic: 'bundle'; version: string }
  /** Experiments were created or changed. */
  | { topic: 'experiments' }
  /** A training is asked for (`reco train-worker` takes it). */
  | { topic: 'retrain' }
  /** A training's status changed (started, done, failed). */
  | { topic: 'training' };

export interface FeedSubscription {
  close(): Promise<void>;
}

export interface StoreFeed {
  /**
   * Calls `onNotice` for each change committed by another process, until closed; resolves once listening.
   * A lost connection is reported to `onError` and reconnected (the changes meanwhile are not noticed: the
   * caller polls too).
   */
  listen(onNotice: (notice: FeedNotice) => void, onError: (err: Error) => void): Promise<FeedSubscription>;
  /** Tells the other processes of a change (sent when the caller's transaction commits, if it is in one). */
  announce(notice: FeedNotice): Promise<void>;
  /** Records `version` as the current model bundle and announces it. */
  publishBundle(version: string): Promise<void>;
  /** The current model bundle's version as last published, if any. */
  currentBundle(): Promise<string | undefined>;
  /** Reads the users, items and event types other processes created since this one last read them. */
  refreshIds(): Promise<void>;
  /**
   * Runs `fn` while holding the lock `name` across every process of the store (waiting for it while another
   * holds it); the lock is let go when `fn` ends or the process dies.
   */
  exclusively<T>(name: 'training', fn: () => Promise<T>): Promise<T>;
}
