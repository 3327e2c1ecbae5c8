/**
 * A replica's log follower (issue #16's design: replicate the log, not the state). Several `reco serve`
 * processes over one PostgreSQL store each keep their own live state, built at start up to a position of
 * the event log, and apply every event after it in log order: those stored by the other replicas when
 * their notice arrives (LISTEN/NOTIFY, ../../store/pg-feed.ts) or the poll finds them, and this replica's
 * own once stored, after the ones before them (the ingestor calls `catchUpHeld`), so that its next answer
 * reflects them (read your writes) and every replica applies the same events in the same order.
 *
 * It also takes the other changes the feed announces: item records (the catalogue reads them again), a new
 * current model bundle (swapped in), experiments (read again).
 */
import type { FeedNotice, FeedSubscription, StoreFeed } from '../../store/feed.js';
import type { Store } from '../../store/store.js';
import type { EventRecord } from '../../types.js';
import type { EventIngestor, LogCatchUp } from './event-ingestor.js';
import type { ModelHolder } from './model-holder.js';

/** Events read and applied at a time while catching up. */
const CATCH_UP_SLICE = 50_000;

export interface LogFollowerHooks {
  /** The item records changed elsewhere: read them again. */
  itemsChanged(): Promise<void>;
  /** User records changed elsewhere (`ids`, or any): read their onboarding genres again. */
  usersChanged(ids: string[] | undefined): Promise<void>;
  /** Another process made `version` the current bundle. */
  bundlePublished(version: string): Promise<void>;
  /** Experiments changed elsewhere. */
  experimentsChanged(): Promise<void>;
  /** A fault worth the operator's attention (the follower carries on). */
  warn(message: string): void;
}

/** The replica's place in the log, as /health reports it. */
export interface LogStatus {
  /** The position of the last event applied to the live state. */
  applied: number;
  /** The log's last position when last read. */
  head: number;
  /** Events stored and not yet applied, as last known. */
  lag: number;
  /** Whether the first catch-up after start is done (/health is not ready before). */
  caughtUp: boolean;
  /** The last time the store answered (ms since the epoch), and the last fault since, if any. */
  lastReadAt: number;
  error: string | null;
}

export class LogFollower implements LogCatchUp {
  private applied: number;
  private head: number;
  private caughtUp = false;
  private lastReadAt = Date.now();
  private error: string | null = null;
  private wakeScheduled = false;
  private subscription: FeedSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private started = false;

  constructor(
    private readonly store: Store,
    private readonly feed: StoreFeed,
    private readonly models: ModelHolder,
    private readonly ingestor: EventIngestor,
    private readonly hooks: LogFollowerHooks,
    /** The position the live state was built up to. */
    start: number,
  ) {
    this.applied = start;
    this.head = start;
    models.appliedPosition = () => this.applied;
    ingestor.log = this;
  }

  /**
   * Listens for the other processes' notices, polls the log's end every `pollMs` (notices can be lost),
   * and catches up with the log; resolves once caught up.
   */
  async start(pollMs = 1000): Promise<void> {
    this.subscription = await this.feed.listen(
      (notice) => this.onNotice(notice),
      (err) => this.hooks.warn(`event log notices: ${err.message} (reconnecting; polling meanwhile)`),
    );
    this.started = true;
    await this.models.holdingEvents(() => this.catchUpHeld());
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
  }

  status(): LogStatus {
    return {
      applied: this.applied,
      head: Math.max(this.head, this.applied),
      lag: Math.max(0, this.head - this.applied),
      caughtUp: this.caughtUp,
      lastReadAt: this.lastReadAt,
      error: this.error,
    };
  }

  /**
   * After this replica stored `written` (holding the events): when the log grew by exactly those events
   * since the applied position, nobody else's are among them and they are applied as given (no read
   * back); else everything after the applied position is read from the log, in its order.
   */
  async afterWrite(written: readonly EventRecord[][]): Promise<void> {
    let n = 0;
    for (const events of written) n += events.length;
    try {
      const end = await this.store.eventPosition();
      this.lastReadAt = Date.now();
      if (end - this.applied === n) {
        for (const events of written) this.ingestor.apply(events);
        this.applied = end;
        if (end > this.head) this.head = end;
        return;
      }
    } catch (err) {
      this.fault(err);
      return;
    }
    await this.catchUpHeld();
    this.ingestor.eventsIngested += n;
  }

  /**
   * Applies the events stored after the applied position, in log order, up to the log's end (run while
   * holding the events). A store that does not answer is reported and retried by the next poll: the events
   * already stored are durable, and the live state catches up when it answers again.
   */
  async catchUpHeld(): Promise<void> {
    try {
      for (;;) {
        const slice = await this.store.eventsSince(this.applied, CATCH_UP_SLICE);
        this.lastReadAt = Date.now();
        this.error = null;
        if (slice.length > 0) {
          this.ingestor.applyColumns(slice);
          this.applied = slice.position;
        }
        if (slice.length < CATCH_UP_SLICE) break;
      }
      if (this.applied > this.head) this.head = this.applied;
      if (this.started) this.caughtUp = true;
    } catch (err) {
      this.fault(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.subscription?.close();
  }

  /** Catches up in a coming turn (once however many notices arrive meanwhile). */
  private wake(): void {
    if (this.wakeScheduled || this.closed) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.models
        .holdingEvents(() => {
          this.wakeScheduled = false;
          return this.catchUpHeld();
        })
        .catch((err: unknown) => this.fault(err));
    });
  }

  /** Reads the log's end; catches up when it is ahead. */
  private poll(): void {
    this.store.eventPosition().then(
      (head) => {
        this.lastReadAt = Date.now();
        this.head = head;
        if (head > this.applied) this.wake();
      },
      (err: unknown) => this.fault(err),
    );
  }

  private onNotice(notice: FeedNotice): void {
    const done = (what: string) => (err: unknown) =>
      this.hooks.warn(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    switch (notice.topic) {
      case 'log':
        this.wake();
        break;
      case 'items':
        this.hooks.itemsChanged().catch(done('item records changed elsewhere not read'));
        break;
      case 'users':
        this.hooks.usersChanged(notice.ids).catch(done('user records changed elsewhere not read'));
        break;
      case 'bundle':
        this.hooks
          .bundlePublished(notice.version)
          .catch(done(`model bundle ${notice.version} not swapped in`));
        break;
      case 'experiments':
        this.hooks.experimentsChanged().catch(done('experiments changed elsewhere not read'));
        break;
      case 'retrain':
        break;
    }
  }

  private fault(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.error === null) this.hooks.warn(`event log not read: ${message} (retrying)`);
    this.error = message;
  }
}
