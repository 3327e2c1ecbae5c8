/**
 * The SQL behind `store.accounts` (./accounts.ts; tables of migration 5): accounts, sessions by token
 * digest, and API keys created from the app.
 */
import type Database from 'better-sqlite3';
import type {
  AccountPatch,
  AccountRecord,
  AccountRole,
  AccountStore,
  SessionRecord,
  StoredApiKey,
} from './accounts.js';
import { prepared, type SqliteOwner } from './statements.js';

interface AccountRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  role: AccountRole;
  user_id: string;
  created_at: number;
  onboarded: number;
}

interface KeyRow {
  id: string;
  role: 'client' | 'admin';
  key_hash: Buffer;
  label: string;
  created_by: string | null;
  created_at: number;
  revoked_at: number | null;
}

function accountOf(r: AccountRow): AccountRecord {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    role: r.role,
    userId: r.user_id,
    createdAt: r.created_at,
    onboarded: r.onboarded === 1,
  };
}

/** The columns an AccountPatch may set, by its field. */
const PATCH_COLUMNS = new Map<keyof AccountPatch, string>([
  ['passwordHash', 'password_hash'],
  ['role', 'role'],
  ['displayName', 'display_name'],
  ['onboarded', 'onboarded'],
]);

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
        `INSERT INTO accounts (id, email, display_name, password_hash, role, user_id, created_at, onboarded)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ).run(a.id, a.email, a.displayName, a.passwordHash, a.role, a.userId, a.createdAt, a.onboarded ? 1 : 0);
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
      const sets: string[] = [];
      const values: (string | number)[] = [];
      for (const [field, column] of PATCH_COLUMNS) {
        const v = patch[field];
        if (v === undefined) continue;
        sets.push(`${column} = ?`);
        values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
      }
      if (sets.length === 0) return;
      prepared(this.db, `UPDATE accounts SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
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
      ).get(tokenHash) as { account_id: string; created_at: number; expires_at: number } | undefined;
      return r && { accountId: r.account_id, createdAt: r.created_at, expiresAt: r.expires_at };
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
      prepared(
        this.db,
        'INSERT INTO api_keys (id, role, key_hash, label, created_by, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(k.id, k.role, k.keyHash, k.label, k.createdBy, k.createdAt, k.revokedAt);
    });
  }

  apiKeys(): Promise<StoredApiKey[]> {
    return this.owner.gated(() => {
      const rows = prepared(this.db, 'SELECT * FROM api_keys ORDER BY created_at DESC, id').all() as KeyRow[];
      return rows.map((r) => ({
        id: r.id,
        role: r.role,
        keyHash: r.key_hash,
        label: r.label,
        createdBy: r.created_by,
        createdAt: r.created_at,
        revokedAt: r.revoked_at,
      }));
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
