/**
 * How the PostgreSQL store's parts (./pg-runs.ts, ./pg-accounts.ts, ./pg-activity.ts, ./pg-experiments.ts)
 * reach the database: through functions PgStore gives them, which run a statement on the caller's
 * transaction when there is one (./transaction-gate.ts) and on any pooled connection otherwise. A `name`
 * prepares the statement once per connection (for those run per user or per request; one name, one text).
 */
import type pg from 'pg';

/** Runs a statement; rows as objects. */
export type PgQuery = <R extends pg.QueryResultRow>(
  sql: string,
  params?: unknown[],
  name?: string,
) => Promise<pg.QueryResult<R>>;

/** Runs a statement; rows as arrays of the selected values. */
export type PgRows = <R extends unknown[]>(sql: string, params?: unknown[], name?: string) => Promise<R[]>;

export interface PgSql {
  query: PgQuery;
  rows: PgRows;
}
