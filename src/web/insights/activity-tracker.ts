/**
 * The overview's live figures from the store: counts of users, items, events and likes (likes counted once
 * by type, then kept up by the events stored since, read by position), events and likes per minute of
 * ingestion over the last hours, and the latest events across every user.
 */
import type { Store, StoredEvent } from '../../store/store.js';

export interface OverviewCounts {
  users: number;
  items: number;
  events: number;
  likes: number;
}

export interface RateSeries {
  /** Minute starts, seconds since the epoch (uPlot's time axis). */
  x: number[];
  events: number[];
  likes: number[];
}

export class ActivityTracker {
  private likes?: { count: number; position: number };
  /** Events and likes per minute counted so far, and the position counted up to (each call reads only newer events). */
  private minutes?: { counts: Map<number, { events: number; likes: number }>; position: number };

  constructor(private readonly store: Store) {}

  async counts(): Promise<OverviewCounts> {
    const c = await this.store.counts();
    return { ...c, likes: await this.likeCount() };
  }

  private async likeCount(): Promise<number> {
    if (!this.likes) {
      const { counts, position } = await this.store.activity.countsByType();
      this.likes = { count: counts.get('like') ?? 0, position };
    }
    const since = await this.store.eventsSince(this.likes.position);
    if (since.length > 0) {
      const names = this.store.eventTypeNames();
      let n = 0;
      for (let k = 0; k < since.length; k++) if (names[since.type[k]!] === 'like') n++;
      this.likes = { count: this.likes.count + n, position: since.position };
    }
    return this.likes.count;
  }

  /** Events and likes per minute over the last `hours`, every minute present (zeros included). */
  async rates(hours = 3, now = Date.now()): Promise<RateSeries> {
    const end = Math.floor(now / 60_000) * 60_000;
    const start = end - hours * 3_600_000 + 60_000;
    const n = (end - start) / 60_000 + 1;
    const out: RateSeries = { x: new Array(n), events: new Array(n).fill(0), likes: new Array(n).fill(0) };
    for (let k = 0; k < n; k++) out.x[k] = (start + k * 60_000) / 1000;
    const counted = this.minutes;
    const read = await this.store.activity.perMinute(start, counted?.position);
    const counts = counted?.counts ?? new Map<number, { events: number; likes: number }>();
    for (const m of read.minutes) {
      const c = counts.get(m.minute) ?? { events: 0, likes: 0 };
      c.events += m.count;
      if (m.type === 'like') c.likes += m.count;
      counts.set(m.minute, c);
    }
    for (const minute of counts.keys()) if (minute < start) counts.delete(minute);
    this.minutes = { counts, position: read.position };
    for (const [minute, c] of counts) {
      const k = (minute - start) / 60_000;
      if (k < 0 || k >= n) continue;
      out.events[k] = c.events;
      out.likes[k] = c.likes;
    }
    return out;
  }

  latest(limit = 50): Promise<(StoredEvent & { position: number })[]> {
    return this.store.activity.latest(limit);
  }
}
