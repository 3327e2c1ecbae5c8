/**
 * Versioned schema migrations, applied in order inside one transaction each; the schema version lives in
 * SQLite's `user_version`. Append new migrations; never edit one that has shipped.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'users, items, event types, events, meta',
    sql: `
      CREATE TABLE users (
        idx INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        attributes TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE items (
        idx INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT,
        genres TEXT,
        tags TEXT,
        attributes TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE event_types (
        code INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      );
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        user_idx INTEGER NOT NULL REFERENCES users(idx),
        item_idx INTEGER NOT NULL REFERENCES items(idx),
        type INTEGER NOT NULL REFERENCES event_types(code),
        value REAL NOT NULL,
        ts INTEGER NOT NULL,
        ingested_at INTEGER NOT NULL
      );
      CREATE INDEX events_user_ts ON events(user_idx, ts);
      CREATE INDEX events_item_ts ON events(item_idx, ts);
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'drop events_item_ts: no query reads it, and each insert paid for it',
    // every event written also updated this index: about half of an event batch's commit (its pages
    // spread over the whole index), for no reader (item counters are kept in memory by the server)
    sql: 'DROP INDEX IF EXISTS events_item_ts;',
  },
  {
    version: 3,
    description:
      'event types declared with a rule: weight, value rule (count, log, binary, centered), centre',
    // NULL: the type's built-in rule (../data/interactions.ts DEFAULT_EVENT_TYPES), else weight 1, count
    sql: `
      ALTER TABLE event_types ADD COLUMN weight REAL;
      ALTER TABLE event_types ADD COLUMN value_rule TEXT;
      ALTER TABLE event_types ADD COLUMN center REAL;
    `,
  },
  {
    version: 4,
    description: 'tracked runs: runs, their params, metrics, tags and artifacts',
    // metric values may be NULL: SQLite stores NaN as NULL (read back as NaN); a metric's history is its
    // rows in id order (logging order)
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        end_time INTEGER,
        error TEXT
      );
      CREATE INDEX runs_start ON runs(start_time);
      CREATE TABLE run_params (
        run_id TEXT NOT NULL REFERENCES runs(id),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE run_tags (
        run_id TEXT NOT NULL REFERENCES runs(id),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;
      CREATE TABLE run_metrics (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id),
        key TEXT NOT NULL,
        value REAL,
        timestamp INTEGER NOT NULL,
        step INTEGER NOT NULL
      );
      CREATE INDEX run_metrics_run_key ON run_metrics(run_id, key);
      CREATE TABLE run_artifacts (
        run_id TEXT NOT NULL REFERENCES runs(id),
        path TEXT NOT NULL,
        content BLOB NOT NULL,
        PRIMARY KEY (run_id, path)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    description: "the web app's accounts, sessions (token digests) and API keys created from the app",
    // an account is a reco user (user_id, acct-<random>) that no API client chose; a session row holds
    // only the SHA-256 digest of its token, as an API key row does of its key
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        user_id TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        onboarded INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE sessions (
        token_hash BLOB PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sessions_account ON sessions(account_id);
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        key_hash BLOB NOT NULL UNIQUE,
        label TEXT NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
    `,
  },
  {
    version: 6,
    description: 'online experiments: experiments, the exposure log, the request id an event carries',
    // variants are JSON ([{name, weight, strategy | bundle}]); an exposure's items (and interleaving teams)
    // are JSON arrays by position; event_requests holds only the events that carried a request id
    sql: `
      CREATE TABLE experiments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        seed TEXT NOT NULL,
        variants TEXT NOT NULL,
        coverage REAL NOT NULL,
        attribution_hours REAL NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        stopped_at INTEGER
      );
      CREATE TABLE exposures (
        id INTEGER PRIMARY KEY,
        request TEXT NOT NULL,
        experiment TEXT NOT NULL,
        variant INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        items TEXT NOT NULL,
        teams TEXT,
        ts INTEGER NOT NULL,
        latency_ms REAL NOT NULL
      );
      CREATE INDEX exposures_experiment_ts ON exposures(experiment, ts);
      CREATE TABLE event_requests (
        event_id INTEGER PRIMARY KEY,
        request TEXT NOT NULL
      );
      CREATE INDEX event_requests_request ON event_requests(request);
    `,
  },
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this reco (${latest}); upgrade reco`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return latest;
}
