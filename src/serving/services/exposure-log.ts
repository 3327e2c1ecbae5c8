/**
 * The exposure log's writer: exposures are queued by the request that served them and written in one
 * transaction a few milliseconds later (group commit, off the request path), or at once when many are
 * queued; `flush` writes what is queued (at close).
 */
import type { ExposureRecord } from '../../store/experiments.js';
import type { Store } from '../../store/store.js';

/** How long an exposure may wait for others (ms), and how many make a write at once. */
const DELAY_MS = 20;
const BATCH = 2000;

export class ExposureLog {
  private queue: ExposureRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Exposures written, and write failures (logged by the caller's `onError`). */
  written = 0;
  failures = 0;

  constructor(
    private readonly store: Store,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  push(x: ExposureRecord): void {
    this.queue.push(x);
    if (this.queue.length >= BATCH) setImmediate(() => void this.flush());
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), DELAY_MS);
      this.timer.unref();
    }
  }

  /** Writes every queued exposure now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      await this.store.experiments.logExposures(batch);
      this.written += batch.length;
    } catch (err) {
      this.failures++;
      this.onError(err);
    }
  }
}
