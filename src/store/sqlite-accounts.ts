/**
 * The SQL behind `store.accounts` (./accounts.ts; tables of migration 5): accounts, sessions by token
 * digest, and API keys created from the app.
 */
import type Database from 'better-sqlite3';
import {
  ACCOUNT_COLUMNS,
  type AccountRow,
  API_KEY_COLUMNS,
  accountOf,
  accountValues,
  apiKeyOf,
  apiKeyValues,
  type KeyRow,
  patchAssignments,
  type SessionRow,
  sessionOf,
} from './account-rows.js';
import type { AccountPatch, AccountRecord, AccountStore, SessionRecord, StoredApiKey } from './accounts.js';
import { prepared, type SqliteOwner } from './statements.js';

const bit = (v: boolean) => (v ? 1 : 0);

export class SqliteAccounts implements AccountStore {
  /** `owner`: the store whose database (opened in its constructor, after this is made) holds the tables. */
  constructor(private readonly owner: SqliteOwner) {}

  private get db(): Database.Database {
    return this.owner.db;
  }

  create(a: AccountRecord): Promise<boolean> {
    return this.owner.gated(() => {
      const r = prepared(
        this.db,
        `INSERT INTO accounts (${ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ).run(...accountValues(a, bit));
      return r.changes === 1;
    });
  }

  byId(id: string): Promise<AccountRecord | undefined> {
    return this.owner.gated(() => {
      const r = prepared(this.db, 'SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
      return r && accountOf(r);
    });
  }

  byEmail(email: string): Promise<AccountRecord | undefined> {
    return this.owner.gated(() => {
      const r = prepared(this.db, 'SELECT * FROM accounts WHERE email = ?').get(email) as
        | AccountRow
        | undefined;
      return r && accountOf(r);
    });
  }

  list(limit = 1000): Promise<AccountRecord[]> {
    return this.owner.gated(() => {
      const rows = prepared(this.db, 'SELECT * FROM accounts ORDER BY created_at DESC, id LIMIT ?').all(
        limit,
      ) as AccountRow[];
      return rows.map(accountOf);
    });
  }

  count(): Promise<{ accounts: number; admins: number }> {
    return this.owner.gated(() => {
      const r = prepared(
        this.db,
        "SELECT count(*) AS n, coalesce(sum(role = 'admin'), 0) AS a FROM accounts",
      ).get() as { n: number; a: number };
      return { accounts: r.n, admins: r.a };
    });
  }

  update(id: string, patch: AccountPatch): Promise<void> {
    return this.owner.gated(() => {
      const { columns, values } = patchAssignments(patch, bit);
      if (columns.length === 0) return;
      const sets = columns.map((c) => `${c} = ?`).join(', ');
      prepared(this.db, `UPDATE accounts SET ${sets} WHERE id = ?`).run(...values, id);
    });
  }

  remove(id: string): Promise<void> {
    return this.owner.gated(() => {
      this.db.transaction(() => {
        prepared(this.db, 'DELETE FROM sessions WHERE account_id = ?').run(id);
        prepared(this.db, 'DELETE FROM accounts WHERE id = ?').run(id);
      })();
    });
  }

  createSession(tokenHash: Buffer, s: SessionRecord): Promise<void> {
    return this.owner.gated(() => {
      prepared(
        this.db,
        'INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      ).run(tokenHash, s.accountId, s.createdAt, s.expiresAt);
    });
  }

  session(tokenHash: Buffer): Promise<SessionRecord | undefined> {
    return this.owner.gated(() => {
      const r = prepared(
        this.db,
        'SELECT account_id, created_at, expires_at FROM sessions WHERE token_hash = ?',
      ).get(tokenHash) as SessionRow | undefined;
      return r && sessionOf(r);
    });
  }

  removeSession(tokenHash: Buffer): Promise<void> {
    return this.owner.gated(() => {
      prepared(this.db, 'DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
    });
  }

  removeSessions(accountId: string): Promise<number> {
    return this.owner.gated(() => {
      return prepared(this.db, 'DELETE FROM sessions WHERE account_id = ?').run(accountId).changes;
    });
  }

  removeExpiredSessions(now: number): Promise<number> {
    return this.owner.gated(() => {
      return prepared(this.db, 'DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
    });
  }

  createApiKey(k: StoredApiKey): Promise<void> {
    return this.owner.gated(() => {
      prepared(this.db, `INSERT INTO api_keys (${API_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
        ...apiKeyValues(k),
      );
    });
  }

  apiKeys(): Promise<StoredApiKey[]> {
    return this.owner.gated(() => {
      const rows = prepared(this.db, 'SELECT * FROM api_keys ORDER BY created_at DESC, id').all() as KeyRow[];
      return rows.map(apiKeyOf);
    });
  }

  revokeApiKey(id: string, at: number): Promise<boolean> {
    return this.owner.gated(() => {
      return (
        prepared(this.db, 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(
          at,
          id,
        ).changes === 1
      );
    });
  }
}
