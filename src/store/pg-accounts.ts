/**
 * `store.accounts` on PostgreSQL (./accounts.ts; tables of version 2 in ./pg-schema.ts): the SQL of
 * ./sqlite-accounts.ts in PostgreSQL's dialect, with the same rows and records (./account-rows.ts). Each
 * call is one statement, on the caller's transaction when there is one.
 */
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
import type { PgQuery } from './pg-query.js';

const asIs = (v: boolean) => v;

export class PgAccounts implements AccountStore {
  constructor(private readonly query: PgQuery) {}

  async create(a: AccountRecord): Promise<boolean> {
    const r = await this.query(
      `INSERT INTO accounts (${ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      accountValues(a, asIs),
    );
    return r.rowCount === 1;
  }

  async byId(id: string): Promise<AccountRecord | undefined> {
    const r = (await this.query<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id], 'reco_account'))
      .rows[0];
    return r && accountOf(r);
  }

  async byEmail(email: string): Promise<AccountRecord | undefined> {
    const r = (await this.query<AccountRow>('SELECT * FROM accounts WHERE email = $1', [email])).rows[0];
    return r && accountOf(r);
  }

  async list(limit = 1000): Promise<AccountRecord[]> {
    const r = await this.query<AccountRow>('SELECT * FROM accounts ORDER BY created_at DESC, id LIMIT $1', [
      limit,
    ]);
    return r.rows.map(accountOf);
  }

  async count(): Promise<{ accounts: number; admins: number }> {
    const r = await this.query<{ n: number; a: number }>(
      "SELECT count(*)::int AS n, (count(*) FILTER (WHERE role = 'admin'))::int AS a FROM accounts",
    );
    return { accounts: r.rows[0]!.n, admins: r.rows[0]!.a };
  }

  async update(id: string, patch: AccountPatch): Promise<void> {
    const { columns, values } = patchAssignments(patch, asIs);
    if (columns.length === 0) return;
    const sets = columns.map((c, k) => `${c} = $${k + 1}`).join(', ');
    await this.query(`UPDATE accounts SET ${sets} WHERE id = $${columns.length + 1}`, [...values, id]);
  }

  async remove(id: string): Promise<void> {
    // one statement: the sessions and the account go together
    await this.query(
      'WITH gone AS (DELETE FROM sessions WHERE account_id = $1) DELETE FROM accounts WHERE id = $1',
      [id],
    );
  }

  async createSession(tokenHash: Buffer, s: SessionRecord): Promise<void> {
    await this.query(
      'INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [tokenHash, s.accountId, s.createdAt, s.expiresAt],
    );
  }

  async session(tokenHash: Buffer): Promise<SessionRecord | undefined> {
    const r = (
      await this.query<SessionRow>(
        'SELECT account_id, created_at, expires_at FROM sessions WHERE token_hash = $1',
        [tokenHash],
        'reco_session',
      )
    ).rows[0];
    return r && sessionOf(r);
  }

  async removeSession(tokenHash: Buffer): Promise<void> {
    await this.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async removeSessions(accountId: string): Promise<number> {
    return (await this.query('DELETE FROM sessions WHERE account_id = $1', [accountId])).rowCount ?? 0;
  }

  async removeExpiredSessions(now: number): Promise<number> {
    return (await this.query('DELETE FROM sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  async createApiKey(k: StoredApiKey): Promise<void> {
    await this.query(
      `INSERT INTO api_keys (${API_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      apiKeyValues(k),
    );
  }

  async apiKeys(): Promise<StoredApiKey[]> {
    return (await this.query<KeyRow>('SELECT * FROM api_keys ORDER BY created_at DESC, id')).rows.map(
      apiKeyOf,
    );
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    const r = await this.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
      at,
      id,
    ]);
    return r.rowCount === 1;
  }
}
