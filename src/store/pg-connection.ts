/**
 * The PostgreSQL store's connections (./pg-store.ts): the pool, transactions joined by the calls made in
 * them (./transaction-gate.ts), the event log's lock taken by a transaction's first write, read-only
 * snapshots, and faults of an unreachable database turned into UnavailableError (./pg-errors.ts).
 */
import pg from 'pg';
import { asUnavailable } from './pg-errors.js';
import { TransactionGate } from './transaction-gate.js';

// bigint columns (times, positions) as numbers: every value reco writes is a safe integer
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PgTransaction {
  client: pg.PoolClient;
  /** Whether the event log's lock is held (taken by the first write). */
  locked: boolean;
  /** The caller's estimate of the events the transaction adds (0: none given). */
  expectedEvents: number;
  /** Whether the events' user index was dropped for a bulk load (created again before the commit). */
  indexDeferred: boolean;
}

/** What the store does around its transactions. */
export interface PgTransactionHooks {
  /** A statement and its parameters that take the event log's lock (and may do more: notify). */
  lock: { sql: string; params: unknown[] };
  /** Right after a transaction took the lock: the id maps caught up, a bulk load prepared. */
  locked(tx: PgTransaction): Promise<void>;
  /** Before COMMIT. */
  committing(tx: PgTransaction): Promise<void>;
  /** After a rollback. */
  rolledBack(): Promise<void>;
}

export class PgConnection {
  readonly pool: pg.Pool;
  private readonly gate = new TransactionGate<PgTransaction>();

  constructor(
    url: string,
    schema: string,
    /** The database as messages name it (no password). */
    private readonly display: string,
    private readonly hooks: PgTransactionHooks,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 8, options: `-c search_path=${schema}` });
    // an idle connection that fails (the server restarts) must not end the process
    this.pool.on('error', () => undefined);
  }

  /** The caller's transaction, if any. */
  current(): PgTransaction | undefined {
    return this.gate.current();
  }

  /**
   * A query on the caller's transaction, or on any pooled connection. `name`: the statement is prepared once
   * per connection under it (for the statements run per user or per request: no planning each time).
   */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    name?: string,
  ): Promise<pg.QueryResult<R>> {
    const tx = this.gate.current();
    const config = { text: sql, values: params, ...(name !== undefined ? { name } : {}) };
    return tx ? tx.client.query<R>(config) : this.pool.query<R>(config).catch(this.unreachable);
  }

  /** The same, each row as an array. */
  async rows<R extends unknown[]>(sql: string, params: unknown[] = [], name?: string): Promise<R[]> {
    const tx = this.gate.current();
    const config = {
      text: sql,
      values: params,
      rowMode: 'array' as const,
      ...(name !== undefined ? { name } : {}),
    };
    const r = tx
      ? await tx.client.query<R>(config)
      : await this.pool.query<R>(config).catch(this.unreachable);
    return r.rows;
  }

  /** Rethrows a fault, as UnavailableError when the database cannot be reached (./pg-errors.ts). */
  readonly unreachable = (err: unknown): never => {
    throw asUnavailable(err, this.display);
  };

  transaction<T>(fn: () => Promise<T>, options?: { expectedEvents?: number }): Promise<T> {
    return this.gate.transaction(
      async () => {
        const client = await this.pool.connect().catch(this.unreachable);
        try {
          await client.query('BEGIN');
        } catch (err) {
          client.release(true);
          this.unreachable(err);
        }
        return { client, locked: false, expectedEvents: options?.expectedEvents ?? 0, indexDeferred: false };
      },
      async (tx) => {
        let broken = false;
        try {
          const result = await fn();
          await this.hooks.committing(tx);
          await tx.client.query('COMMIT');
          return result;
        } catch (err) {
          await tx.client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          await this.hooks.rolledBack();
          return this.unreachable(err);
        } finally {
          // a connection that failed is closed, not given back to the pool
          tx.client.release(broken);
        }
      },
      fn,
    );
  }

  /** Runs fn in a transaction (the caller's, or a new one) holding the event log's lock. */
  write<T>(fn: () => Promise<T>): Promise<T> {
    const tx = this.gate.current();
    if (!tx) return this.transaction(() => this.write(fn));
    return (async () => {
      if (!tx.locked) {
        await tx.client.query(this.hooks.lock.sql, this.hooks.lock.params);
        tx.locked = true;
        await this.hooks.locked(tx);
      }
      return fn();
    })();
  }

  /** Runs fn on one connection in a read-only snapshot (the caller's transaction, if any). */
  async snapshot<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const tx = this.gate.current();
    if (tx) return fn(tx.client);
    const client = await this.pool.connect().catch(this.unreachable);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      return this.unreachable(err);
    } finally {
      client.release();
    }
  }

  /** Waits for the transactions under way, then closes the pool. */
  async close(): Promise<void> {
    await this.gate.idle();
    await this.pool.end();
  }
}
