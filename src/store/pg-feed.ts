/**
 * The PostgreSQL store's feed (./feed.ts): LISTEN/NOTIFY on one channel per schema. Each store instance
 * signs its notices with a random token and ignores its own. Notices are sent with pg_notify inside the
 * writing transaction, so that they are delivered when it commits and never for a rolled-back one. The
 * listening connection is a client of its own (not pooled), reconnected a second after it fails.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FeedNotice, FeedSubscription, StoreFeed } from './feed.js';
import { lockKeys } from './pg-schema.js';

/** Meta key holding the current model bundle's version. */
export const CURRENT_BUNDLE_KEY = 'bundle.current';

const RECONNECT_MS = 1000;
/** The longest list of ids a notice names (PostgreSQL's payloads hold 8,000 bytes). */
const MAX_LISTED_BYTES = 4000;

/** The ids a `users` notice lists, if it lists them. */
function listedIds(text: string): { ids?: string[] } {
  if (text === '') return {};
  try {
    const ids: unknown = JSON.parse(text);
    if (Array.isArray(ids) && ids.every((x) => typeof x === 'string')) return { ids: ids as string[] };
  } catch {
    // not reco's list: every user is read again
  }
  return {};
}

export interface PgFeedHost {
  /** Runs a statement on the caller's transaction, or on any pooled connection. */
  query(sql: string, params: unknown[]): Promise<unknown>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  getMeta(key: string): Promise<Buffer | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  refreshIds(): Promise<void>;
}

export class PgFeed implements StoreFeed {
  /** This store instance's signature on its notices. */
  readonly token = randomBytes(6).toString('hex');
  /** The channel of the schema (an identifier of at most 63 characters). */
  readonly channel: string;

  constructor(
    private readonly url: string,
    private readonly schema: string,
    private readonly host: PgFeedHost,
  ) {
    this.channel = `reco_${schema}`.slice(0, 63);
  }

  /** The text sent on the channel for `notice`, signed. */
  payload(notice: FeedNotice): string {
    if (notice.topic === 'bundle') return `${notice.topic}:${this.token}:${notice.version}`;
    if (notice.topic === 'users' && notice.ids) {
      // a notice holds at most 8,000 bytes: a long list is left out (the users are all read again)
      const ids = JSON.stringify(notice.ids);
      if (ids.length <= MAX_LISTED_BYTES) return `${notice.topic}:${this.token}:${ids}`;
    }
    return `${notice.topic}:${this.token}`;
  }

  async announce(notice: FeedNotice): Promise<void> {
    await this.host.query('SELECT pg_notify($1, $2)', [this.channel, this.payload(notice)]);
  }

  publishBundle(version: string): Promise<void> {
    return this.host.transaction(async () => {
      await this.host.setMeta(CURRENT_BUNDLE_KEY, version);
      await this.announce({ topic: 'bundle', version });
    });
  }

  async currentBundle(): Promise<string | undefined> {
    return (await this.host.getMeta(CURRENT_BUNDLE_KEY))?.toString('utf8');
  }

  refreshIds(): Promise<void> {
    return this.host.refreshIds();
  }

  /** A session-level advisory lock on a connection of its own: let go at the end, or when the session dies. */
  async exclusively<T>(name: 'training', fn: () => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: this.url });
    c.on('error', () => undefined);
    await c.connect();
    try {
      await c.query('SELECT pg_advisory_lock($1, $2)', lockKeys(name, this.schema));
      return await fn();
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async listen(
    onNotice: (notice: FeedNotice) => void,
    onError: (err: Error) => void,
  ): Promise<FeedSubscription> {
    let client: pg.Client | undefined;
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: this.url });
      c.on('notification', (msg) => {
        const notice = this.parse(msg.payload);
        if (notice) onNotice(notice);
      });
      c.on('error', (err) => {
        onError(err);
        retry(c);
      });
      c.on('end', () => retry(c));
      try {
        await c.connect();
        await c.query(`LISTEN "${this.channel}"`);
      } catch (err) {
        void c.end().catch(() => undefined);
        throw err;
      }
      if (closed) await c.end();
      else client = c;
    };
    const retry = (c: pg.Client) => {
      if (closed || client !== c) return;
      client = undefined;
      void c.end().catch(() => undefined);
      timer = setTimeout(function again() {
        if (closed) return;
        connect().catch((err: Error) => {
          onError(err);
          timer = setTimeout(again, RECONNECT_MS);
        });
      }, RECONNECT_MS);
    };
    await connect();
    return {
      close: async () => {
        closed = true;
        clearTimeout(timer);
        const c = client;
        client = undefined;
        await c?.end().catch(() => undefined);
      },
    };
  }

  /** A notice of another process (undefined for this one's own, or a payload that is not reco's). */
  private parse(payload: string | undefined): FeedNotice | undefined {
    if (payload === undefined) return undefined;
    const [topic, token, ...rest] = payload.split(':');
    if (token === this.token) return undefined;
    switch (topic) {
      case 'log':
      case 'items':
      case 'experiments':
      case 'retrain':
      case 'training':
        return { topic };
      case 'bundle':
        return rest.length > 0 ? { topic, version: rest.join(':') } : undefined;
      case 'users':
        return { topic, ...listedIds(rest.join(':')) };
      default:
        return undefined;
    }
  }
}
