/**
 * Prepared statements kept per database: `prepared(db, sql)` compiles a statement once and hands the same
 * one back for the same SQL text (better-sqlite3 compiles on every `prepare`, a cost on every request of
 * the paths that run per request: session lookups, account reads).
 */
import type Database from 'better-sqlite3';

const byDatabase = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The statement of `sql` on `db`, compiled at its first use. Not for statements toggled by pluck() or raw(). */
export function prepared(db: Database.Database, sql: string): Database.Statement {
  let statements = byDatabase.get(db);
  if (!statements) byDatabase.set(db, (statements = new Map()));
  let s = statements.get(sql);
  if (!s) statements.set(sql, (s = db.prepare(sql)));
  return s;
}

/** What a SQLite sub-store (accounts, activity, experiments) needs of the store that owns the database. */
export interface SqliteOwner {
  readonly db: Database.Database;
  /** Runs fn once no transaction the caller is outside of is running (../store/transaction-gate.ts). */
  gated<T>(fn: () => T): Promise<T>;
}
