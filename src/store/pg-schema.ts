/**
 * The PostgreSQL store's schema (./pg-store.ts): the tables of the SQLite store (./migrations.ts) in
 * PostgreSQL's types, in one schema (namespace) of the database, versioned in `reco_schema`. Event ids are
 * the event log's positions: assigned under a transaction-scoped advisory lock, so that they are gapless
 * and in commit order (what `eventsSince(position)` and a bundle's trained-on position rely on).
 */
import type { PoolClient } from 'pg';
import { hashString } from '../core/random.js';

export const PG_SCHEMA_VERSION = 2;

/** The kinds of advisory lock reco takes, each one per schema (./pg-store.ts, ./pg-feed.ts). */
const LOCK_CLASSES = new Map([
  // every transaction that writes events or creates users, items or types (and the migration)
  ['event-log', 7_301_731],
  // a training (`reco train-worker`), one at a time
  ['training', 7_301_732],
] as const);

/**
 * The two 32-bit keys of advisory lock `kind` for `schema`: locks are the database's, so each schema has
 * its own (stores in other schemas of the same database never wait for each other).
 */
export function lockKeys(kind: 'event-log' | 'training', schema: string): [number, number] {
  return [LOCK_CLASSES.get(kind)!, hashString(schema) | 0];
}

const SCHEMA_V1 = `
  CREATE TABLE users (
    idx integer PRIMARY KEY,
    id text NOT NULL UNIQUE,
    attributes text,
    created_at bigint NOT NULL
  );
  CREATE TABLE items (
    idx integer PRIMARY KEY,
    id text NOT NULL UNIQUE,
    title text,
    genres text,
    tags text,
    attributes text,
    created_at bigint NOT NULL
  );
  CREATE TABLE event_types (
    code integer PRIMARY KEY,
    name text NOT NULL UNIQUE,
    weight double precision,
    value_rule text,
    center double precision
  );
  CREATE TABLE events (
    id bigint PRIMARY KEY,
    user_idx integer NOT NULL,
    item_idx integer NOT NULL,
    type integer NOT NULL,
    value double precision NOT NULL,
    ts bigint NOT NULL,
    ingested_at bigint NOT NULL
  );
  CREATE INDEX events_user_ts ON events(user_idx, ts);
  CREATE TABLE meta (
    key text PRIMARY KEY,
    value bytea NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE TABLE runs (
    id text PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL,
    status text NOT NULL,
    start_time bigint NOT NULL,
    end_time bigint,
    error text
  );
  CREATE INDEX runs_start ON runs(start_time);
  CREATE TABLE run_params (
    run_id text NOT NULL REFERENCES runs(id),
    key text NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (run_id, key)
  );
  CREATE TABLE run_tags (
    run_id text NOT NULL REFERENCES runs(id),
    key text NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (run_id, key)
  );
  CREATE TABLE run_metrics (
    id bigserial PRIMARY KEY,
    run_id text NOT NULL REFERENCES runs(id),
    key text NOT NULL,
    value double precision,
    timestamp bigint NOT NULL,
    step bigint NOT NULL
  );
  CREATE INDEX run_metrics_run_key ON run_metrics(run_id, key);
  CREATE TABLE run_artifacts (
    run_id text NOT NULL REFERENCES runs(id),
    path text NOT NULL,
    content bytea NOT NULL,
    PRIMARY KEY (run_id, path)
  );
  CREATE TABLE event_requests (
    event_id bigint PRIMARY KEY,
    request text NOT NULL
  );
  CREATE INDEX event_requests_request ON event_requests(request);
`;

/**
 * Version 2: the web app's accounts, sessions and app-made API keys (SQLite's migration 5: only SHA-256
 * digests of tokens and keys, as bytea), and online experiments with their exposure log (SQLite's migration
 * 6; the request ids events carry are in version 1's event_requests). Variants and an exposure's items and
 * teams are jsonb; exposures are numbered in insertion order (ties of time keep it).
 */
const SCHEMA_V2 = `
  CREATE TABLE accounts (
    id text PRIMARY KEY,
    email text NOT NULL UNIQUE,
    display_name text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL,
    user_id text NOT NULL UNIQUE,
    created_at bigint NOT NULL,
    onboarded boolean NOT NULL DEFAULT false
  );
  CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    account_id text NOT NULL REFERENCES accounts(id),
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX sessions_account ON sessions(account_id);
  CREATE TABLE api_keys (
    id text PRIMARY KEY,
    role text NOT NULL,
    key_hash bytea NOT NULL UNIQUE,
    label text NOT NULL,
    created_by text,
    created_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE TABLE experiments (
    id text PRIMARY KEY,
    name text NOT NULL,
    seed text NOT NULL,
    variants jsonb NOT NULL,
    coverage double precision NOT NULL,
    attribution_hours double precision NOT NULL,
    status text NOT NULL,
    created_at bigint NOT NULL,
    started_at bigint,
    stopped_at bigint
  );
  CREATE TABLE exposures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request text NOT NULL,
    experiment text NOT NULL,
    variant integer NOT NULL,
    user_id text NOT NULL,
    items jsonb NOT NULL,
    teams jsonb,
    ts bigint NOT NULL,
    latency_ms double precision NOT NULL
  );
  CREATE INDEX exposures_experiment_ts ON exposures(experiment, ts);
`;

/** The schema's versions in order: each upgrades the one before. */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  { version: 1, sql: SCHEMA_V1 },
  { version: 2, sql: SCHEMA_V2 },
];

/** Creates the schema's tables when they are missing (under a lock: replicas may start together). */
export async function migratePg(client: PoolClient, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', lockKeys('event-log', schema));
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS reco_schema (version integer NOT NULL)');
    const r = await client.query<{ version: number }>('SELECT max(version) AS version FROM reco_schema');
    const current = r.rows[0]?.version ?? 0;
    if (current > PG_SCHEMA_VERSION)
      throw new Error(
        `database schema version ${current} is newer than this reco (${PG_SCHEMA_VERSION}); upgrade reco`,
      );
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO reco_schema (version) VALUES ($1)', [m.version]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}
